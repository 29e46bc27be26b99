/**
 * A number per id that orders like the ids themselves (JavaScript's `<` on strings: UTF-16 code units) as far as
 * it decides: `idOrderKey(a) < idOrderKey(b)` implies `a < b`; equal keys decide nothing (compare the strings).
 *
 * Why: ranking breaks score ties by id, and ties are common (a one-word match scores by term frequency and field
 * length alone). Reading a tied hit's id string means a cache miss per hit into a heap of 20k+ scattered strings,
 * right after the vector scan has swept the caches (issue #16's profile: most of `ranksAmong`). A key per short id
 * lives in one typed array beside the scores, so most ties are cut by comparing two numbers.
 *
 * The key is the first three code units, 16 bits each (48 bits: exact in a double), with missing ones as 0: the
 * order of those padded prefixes is the order of the strings wherever the prefixes differ.
 */
export function idOrderKey(id: string): number {
  const a = id.length > 0 ? id.charCodeAt(0) : 0;
  const b = id.length > 1 ? id.charCodeAt(1) : 0;
  const c = id.length > 2 ? id.charCodeAt(2) : 0;
  return a * 4294967296 + b * 65536 + c;
}
