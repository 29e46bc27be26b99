-- A parked turn holds whatever its tool calls and results carry — a NUL or a lone surrogate from a file a tool read —
-- and `jsonb` refuses both, which failed the park (and so the approval). Nothing queries inside a turn: `json` keeps
-- its text as given.
ALTER TABLE aion_parked_turns ALTER COLUMN turn TYPE json USING turn::json;
