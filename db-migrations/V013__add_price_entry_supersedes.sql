-- Which entry a successor took over from (set by a supersede): deleting a scheduled successor gives that entry
-- its span back, so undoing a change never leaves calls unpriced. An entry made on its own (after a deliberate
-- close, say) has none, and deleting it restores exactly what was there before.
ALTER TABLE price_entry ADD COLUMN supersedes_entry_id BIGINT REFERENCES price_entry (id) ON DELETE SET NULL;
