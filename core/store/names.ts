/** Names the store accepts: collection names and keys (user ids, partition keys) become file names or row keys. */
export const COLLECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

export function checkName(name: string): string {
  if (!COLLECTION_NAME.test(name)) throw new Error(`invalid collection name "${name}"`);
  return name;
}

export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid store key "${key}"`);
  return key;
}
