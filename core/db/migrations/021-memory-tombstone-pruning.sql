-- Tombstones are pruned once old (core/memory/postgres/prune.ts, a run-once job). An instance whose view of a user is
-- older than the newest tombstone pruned for that user (pruned_through) cannot learn of those deletes by catching up,
-- so it reloads the user instead (as after a clear).
ALTER TABLE memory_tombstones ADD COLUMN IF NOT EXISTS deleted_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE memory_users ADD COLUMN IF NOT EXISTS pruned_through bigint NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS memory_tombstones_by_age ON memory_tombstones (deleted_at);
