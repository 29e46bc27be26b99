/**
 * Store schema versions. Every file records `schemaVersion`; a file written by an older version is migrated when it
 * is loaded (and rewritten on the next write). Add a step here when the shape of stored documents changes.
 */
export const SCHEMA_VERSION = 1;

type Migration = (collection: string, data: { schemaVersion: number; items: any[] }) => { schemaVersion: number; items: any[] };

/** Steps by the version they produce. Version 0 = files without a version field (none were ever written). */
const STEPS: Record<number, Migration> = {
  1: (_collection, data) => ({ schemaVersion: 1, items: Array.isArray(data.items) ? data.items : [] }),
};

/** Bring `data` up to `SCHEMA_VERSION`. */
export function migrate(collection: string, data: { schemaVersion?: number; items: any[] }) {
  let current = { schemaVersion: data.schemaVersion ?? 0, items: data.items };
  for (let v = current.schemaVersion + 1; v <= SCHEMA_VERSION; v++) current = STEPS[v](collection, current);
  return current;
}
