-- A version per partition of store_documents (one conversation's messages), bumped in the same transaction as every
-- insert, update or delete of one of its rows. A reader that keeps a partition in memory sends the version it holds
-- and gets the rows only when it changed — in the same statement, so a write acknowledged by any instance is seen by
-- every read that starts after the acknowledgement (no NOTIFY, no delay).
-- Versions come from one sequence, so they never repeat: a partition dropped and written again cannot reuse a version
-- an instance still holds.
CREATE SEQUENCE IF NOT EXISTS store_partition_version_seq;

CREATE TABLE IF NOT EXISTS store_partition_versions (
  collection text COLLATE "C" NOT NULL,
  owner text COLLATE "C" NOT NULL,
  part text COLLATE "C" NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (collection, owner, part)
);

CREATE OR REPLACE FUNCTION store_bump_partition_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r store_documents%ROWTYPE;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  INSERT INTO store_partition_versions (collection, owner, part, version)
    VALUES (r.collection, r.owner, r.part, nextval('store_partition_version_seq'))
    ON CONFLICT (collection, owner, part) DO UPDATE SET version = EXCLUDED.version;
  RETURN NULL;
END
$$;

-- Only partitions (part <> ''); the store never moves a row to another key, so NEW names the partition of an update.
CREATE OR REPLACE TRIGGER store_partition_written AFTER INSERT OR UPDATE ON store_documents
  FOR EACH ROW WHEN (NEW.part <> '') EXECUTE FUNCTION store_bump_partition_version();
CREATE OR REPLACE TRIGGER store_partition_deleted AFTER DELETE ON store_documents
  FOR EACH ROW WHEN (OLD.part <> '') EXECUTE FUNCTION store_bump_partition_version();

-- Partitions written before this migration get a first version.
INSERT INTO store_partition_versions (collection, owner, part, version)
  SELECT collection, owner, part, nextval('store_partition_version_seq')
  FROM (SELECT DISTINCT collection, owner, part FROM store_documents WHERE part <> '') AS written
  ON CONFLICT DO NOTHING;
