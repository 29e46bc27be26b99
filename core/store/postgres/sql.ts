/**
 * The statements of the PostgreSQL document store. Named, so each connection prepares them once. A collection is
 * addressed by (collection, owner, part); see `core/db/migrations/001-store-documents.sql` for the mapping.
 */
const T = 'store_documents';
const KEY = 'collection = $1 AND owner = $2 AND part = $3';

export const SQL = {
  get: { name: 'store-get', text: `SELECT doc FROM ${T} WHERE ${KEY} AND id = $4` },
  getForUpdate: { name: 'store-get-for-update', text: `SELECT doc FROM ${T} WHERE ${KEY} AND id = $4 FOR UPDATE` },
  all: { name: 'store-all', text: `SELECT doc FROM ${T} WHERE ${KEY} ORDER BY seq` },
  allForUpdate: { name: 'store-all-for-update', text: `SELECT id, doc FROM ${T} WHERE ${KEY} ORDER BY seq FOR UPDATE` },
  count: { name: 'store-count', text: `SELECT count(*)::int AS n FROM ${T} WHERE ${KEY}` },
  insertIfAbsent: {
    name: 'store-insert-if-absent',
    text: `INSERT INTO ${T} (collection, owner, part, id, updated_at, doc) VALUES ($1, $2, $3, $4, $5, $6::json)
           ON CONFLICT (collection, owner, part, id) DO NOTHING RETURNING seq`,
  },
  upsert: {
    name: 'store-upsert',
    text: `INSERT INTO ${T} (collection, owner, part, id, updated_at, doc) VALUES ($1, $2, $3, $4, $5, $6::json)
           ON CONFLICT (collection, owner, part, id) DO UPDATE SET updated_at = EXCLUDED.updated_at, doc = EXCLUDED.doc`,
  },
  replace: { name: 'store-replace', text: `UPDATE ${T} SET updated_at = $5, doc = $6::json WHERE ${KEY} AND id = $4` },
  delete: { name: 'store-delete', text: `DELETE FROM ${T} WHERE ${KEY} AND id = $4` },
  deleteMany: { name: 'store-delete-many', text: `DELETE FROM ${T} WHERE ${KEY} AND id = ANY($4::text[])` },
  drop: { name: 'store-drop', text: `DELETE FROM ${T} WHERE ${KEY}` },
  manyPartitions: {
    name: 'store-many-partitions',
    text: `SELECT part, doc FROM ${T} WHERE collection = $1 AND owner = $2 AND part = ANY($3::text[]) ORDER BY part, seq`,
  },
  // The parent row and its partition in one statement (one snapshot): the partition's version, and its rows only when
  // that is not the version the caller holds ($5) — nor when the parent is absent (the subquery is not run then).
  parentWithPartition: {
    name: 'store-parent-with-partition',
    text: `SELECT p.doc, v.version::text AS version,
                  CASE WHEN v.version IS NOT NULL AND v.version = $5::bigint THEN NULL
                       ELSE (SELECT coalesce(json_agg(m.doc ORDER BY m.seq), '[]'::json)::text FROM ${T} m
                             WHERE m.collection = $3 AND m.owner = $2 AND m.part = $4) END AS items
           FROM ${T} p LEFT JOIN store_partition_versions v ON v.collection = $3 AND v.owner = $2 AND v.part = $4
           WHERE p.collection = $1 AND p.owner = $2 AND p.part = '' AND p.id = $4`,
  },
  // Every parent row with the summary of its partition, which the writing transactions keep in the partition's
  // version row (count, greatest updated_at, last row: see migration 003): one join, nothing counted per read.
  parentsWithSummaries: {
    name: 'store-parents-with-summaries',
    // `json -> field` parses the document again and, unlike json's input, refuses a NUL or a lone surrogate escaped in
    // it (which a user may put into a message): such a document is shipped whole and its field read here instead. A
    // document without any `\u` cannot hold either, and only ships its field.
    text: `SELECT p.doc, v.item_count AS n, v.latest_updated_at AS latest,
                  CASE WHEN strpos(v.last_doc::text, '\\u') = 0 THEN v.last_doc -> $4 END AS field,
                  CASE WHEN strpos(v.last_doc::text, '\\u') > 0 THEN v.last_doc END AS whole
           FROM ${T} p LEFT JOIN store_partition_versions v ON v.collection = $3 AND v.owner = $2 AND v.part = p.id
           WHERE p.collection = $1 AND p.owner = $2 AND p.part = '' ORDER BY p.seq`,
  },
  partitions: {
    name: 'store-partitions',
    text: `SELECT DISTINCT part FROM ${T} WHERE collection = $1 AND owner = $2 AND part <> '' ORDER BY part`,
  },
  owners: { name: 'store-owners', text: `SELECT DISTINCT owner FROM ${T} WHERE collection = $1 AND owner <> '' ORDER BY owner` },
  anyUserData: { name: 'store-any-user-data', text: `SELECT EXISTS (SELECT 1 FROM ${T} WHERE owner <> '') AS any` },
  tablePresent: { name: 'store-table-present', text: `SELECT to_regclass('${T}') IS NOT NULL AS present` },
  globalRows: { name: 'store-global-rows', text: `SELECT id, doc FROM ${T} WHERE collection = $1 AND owner = '' AND part = '' ORDER BY seq` },
} as const;

/** The `updated_at` column of a document: its numeric `updatedAt`, else null. */
export function updatedAtOf(doc: Record<string, unknown>): number | null {
  return typeof doc.updatedAt === 'number' && Number.isFinite(doc.updatedAt) ? doc.updatedAt : null;
}
