-- A partition's summary kept in its version row by the writing transaction: how many rows it holds, their greatest
-- updated_at, and its last row (greatest seq). A list of conversations with their counters and previews is then one
-- plain join of the parents with these rows — nothing is counted or sorted per read, and no cache is needed for it:
-- every read sees what every acknowledged write committed, on any instance.
ALTER TABLE store_partition_versions
  ADD COLUMN IF NOT EXISTS item_count integer NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS latest_updated_at double precision,
  ADD COLUMN IF NOT EXISTS last_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS last_doc json;

-- Recount one partition from its rows. The caller has locked the partition's version row first (a statement earlier
-- in the same transaction), so this statement's snapshot includes every writer that held that lock before.
CREATE OR REPLACE FUNCTION store_recount_partition(c text, o text, p text) RETURNS void LANGUAGE sql AS $$
  UPDATE store_partition_versions v SET
    item_count = s.n, latest_updated_at = s.latest, last_seq = coalesce(l.seq, 0), last_doc = l.doc
  FROM (SELECT count(*)::int AS n, max(d.updated_at) AS latest FROM store_documents d
        WHERE d.collection = c AND d.owner = o AND d.part = p) AS s
  LEFT JOIN LATERAL (SELECT d.seq, d.doc FROM store_documents d WHERE d.collection = c AND d.owner = o AND d.part = p
                     ORDER BY d.seq DESC LIMIT 1) AS l ON true
  WHERE v.collection = c AND v.owner = o AND v.part = p
$$;

-- Insert or update of a partition row: a new version, and the summary moved forward in the same upsert (which takes
-- the version row's lock, so concurrent writers of one partition add up instead of overwriting each other).
CREATE OR REPLACE FUNCTION store_bump_partition_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO store_partition_versions AS v (collection, owner, part, version, item_count, latest_updated_at, last_seq, last_doc)
    VALUES (NEW.collection, NEW.owner, NEW.part, nextval('store_partition_version_seq'), 1, NEW.updated_at, NEW.seq, NEW.doc)
    ON CONFLICT (collection, owner, part) DO UPDATE SET
      version = EXCLUDED.version,
      item_count = v.item_count + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE 0 END,
      latest_updated_at = greatest(v.latest_updated_at, EXCLUDED.latest_updated_at),
      last_seq = greatest(v.last_seq, EXCLUDED.last_seq),
      last_doc = CASE WHEN EXCLUDED.last_seq >= v.last_seq THEN EXCLUDED.last_doc ELSE v.last_doc END;
  -- An update that lowered (or cleared) the greatest updated_at: the maximum has to be found again.
  IF TG_OP = 'UPDATE' AND OLD.updated_at IS NOT NULL AND (NEW.updated_at IS NULL OR NEW.updated_at < OLD.updated_at) THEN
    PERFORM store_recount_partition(NEW.collection, NEW.owner, NEW.part);
  END IF;
  RETURN NULL;
END
$$;

-- Deletes: once per statement and partition (dropping a conversation of n messages recounts it once, not n times).
CREATE OR REPLACE FUNCTION store_partitions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT DISTINCT collection, owner, part FROM gone WHERE part <> '' LOOP
    INSERT INTO store_partition_versions (collection, owner, part, version)
      VALUES (r.collection, r.owner, r.part, nextval('store_partition_version_seq'))
      ON CONFLICT (collection, owner, part) DO UPDATE SET version = EXCLUDED.version;
    PERFORM store_recount_partition(r.collection, r.owner, r.part);
  END LOOP;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS store_partition_deleted ON store_documents;
CREATE OR REPLACE TRIGGER store_partitions_deleted AFTER DELETE ON store_documents
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION store_partitions_deleted();

-- Partitions written before this migration: their summaries from their rows.
SELECT store_recount_partition(collection, owner, part) FROM store_partition_versions;
