-- The first migration only proves the runner; each driver adds its own tables in its own files:
-- 001-019 the document store, 020-039 memory, 040-059 the cluster bus and leases.
CREATE TABLE IF NOT EXISTS aion_instances (
  id text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now()
);
