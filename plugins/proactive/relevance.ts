/**
 * How relevant a memory is to a message, on a scale a threshold can mean something on (search ranks are relative):
 * the share of the message's significant words (four letters or more) the memory contains.
 */
const words = (text: string) => new Set((text.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []));

export function relevance(message: string, memory: string): number {
  const m = words(message);
  if (!m.size) return 0;
  const inMemory = words(memory);
  let shared = 0;
  for (const w of m) if (inMemory.has(w)) shared++;
  return shared / m.size;
}
