-- Business-key look-ups need one index, not two (issue 13, "only what cannot be derived is
-- stored"; docs/throughput.md). Every query on message_keys is either by message (the primary
-- key (message_id, kind, value)) or by value — `value = ?` (any kind), `kind = ? AND value = ?`,
-- `kind = 'docnum' AND value = ANY(?)` (src/store/search-repo.ts, queue-repo.ts). One B-tree on
-- (value, kind) serves all three: equality on its leading column, or on both. The two indexes it
-- replaces, (kind, value) and (value), cost an index entry each for every key of every message
-- (12 keys per DELVRY07 in the bench).
CREATE INDEX message_keys_value_kind_idx ON message_keys (value, kind);
DROP INDEX message_keys_lookup_idx;
DROP INDEX message_keys_value_idx;
