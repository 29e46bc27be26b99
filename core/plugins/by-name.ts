/**
 * Order directory entries by name, code unit by code unit. Not `localeCompare`: that pulls ICU's collation data into
 * memory at start (~3 MB resident, issue #16), and file names need a stable order, not a human one — the same on every
 * machine whatever its locale, which is what a cache key and "the first folder of a name wins" rely on.
 */
export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
