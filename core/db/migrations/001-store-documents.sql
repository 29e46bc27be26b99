-- The document store on PostgreSQL: every collection of the lowdb store is a set of rows of this one table.
--   global collection `name`                 -> (collection = name, owner = '',     part = '')
--   per-user collection `name`               -> (collection = name, owner = userId, part = '')
--   partition `key` of a partitioned `name`  -> (collection = name, owner = userId, part = key)   e.g. one row per message
-- `doc` is `json`, not `jsonb`: jsonb refuses the NUL character (\u0000) that a user can put into a chat message, and
-- it reorders keys. Nothing queries inside `doc`; what lists are ordered by is copied into real columns.
CREATE TABLE IF NOT EXISTS store_documents (
  collection text COLLATE "C" NOT NULL,
  owner text COLLATE "C" NOT NULL DEFAULT '',
  part text COLLATE "C" NOT NULL DEFAULT '',
  id text COLLATE "C" NOT NULL,
  -- Insertion order (a lowdb file keeps its items in insertion order; `put` of an existing id keeps its place).
  seq bigint GENERATED ALWAYS AS IDENTITY,
  -- The document's numeric `updatedAt`, when it has one (conversations are listed by it).
  updated_at double precision,
  doc json NOT NULL,
  PRIMARY KEY (collection, owner, part, id)
);

-- Reading a collection or a partition in insertion order: messages of a conversation oldest first.
CREATE INDEX IF NOT EXISTS store_documents_in_order ON store_documents (collection, owner, part, seq);
-- A user's conversations (or any per-user collection) by `updatedAt`, newest first.
CREATE INDEX IF NOT EXISTS store_documents_recent ON store_documents (collection, owner, updated_at DESC) WHERE part = '';
-- Which partition holds an id (the conversation of a message id).
CREATE INDEX IF NOT EXISTS store_documents_by_id ON store_documents (collection, owner, id) WHERE part <> '';
