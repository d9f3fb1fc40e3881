-- The data-lake export reads messages in (updated_at, id) order after its cursor
-- (src/store/export-source.ts, docs/export.md "messages").
CREATE INDEX messages_export_idx ON messages (updated_at, id);
