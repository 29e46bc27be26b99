-- Memory on PostgreSQL (core/memory/postgres). Every write takes the user's row in memory_users first
-- (INSERT … ON CONFLICT DO UPDATE SET version = version + 1), so one user's writes commit one after another and each
-- stamps the rows it touches with the new version (seq). An instance that has applied version v catches up by reading
-- rows with seq > v: entries (puts), memory_tombstones (deletes), or everything again when cleared_at > v.
CREATE TABLE IF NOT EXISTS memory_users (
  user_id text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 1,
  cleared_at bigint NOT NULL DEFAULT 0
);

-- doc: the entry's own fields (content, layer, category, salience, tags, metadata, …) as the API returns them.
CREATE TABLE IF NOT EXISTS memory_entries (
  user_id text NOT NULL,
  id text NOT NULL,
  seq bigint NOT NULL,
  doc jsonb NOT NULL,
  embedder text,
  dims integer NOT NULL DEFAULT 0,
  expires_at bigint,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX IF NOT EXISTS memory_entries_by_seq ON memory_entries (user_id, seq);
-- Background re-embedding looks for entries whose vector is not by the current embedder.
CREATE INDEX IF NOT EXISTS memory_entries_by_embedder ON memory_entries (embedder, user_id);

-- Vectors as little-endian float32 bytes, one row per entry and embedder (other embedders' vectors are kept so
-- switching back does not re-embed; a write deletes them, as they no longer match the content).
CREATE TABLE IF NOT EXISTS memory_vectors (
  user_id text NOT NULL,
  id text NOT NULL,
  embedder text NOT NULL,
  dims integer NOT NULL,
  vector bytea NOT NULL,
  PRIMARY KEY (user_id, id, embedder),
  FOREIGN KEY (user_id, id) REFERENCES memory_entries (user_id, id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS memory_tombstones (
  user_id text NOT NULL,
  id text NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX IF NOT EXISTS memory_tombstones_by_seq ON memory_tombstones (user_id, seq);
