-- The number of the newest payload version on the message row, so that adding a version is one
-- statement: UPDATE ... SET version_count = version_count + 1 RETURNING version_count locks the row
-- and, when it had to wait for another writer, counts on from that writer's committed number
-- (a max(version) sub-select would still see the statement's older snapshot).
ALTER TABLE messages ADD COLUMN version_count integer NOT NULL DEFAULT 0;

UPDATE messages m SET version_count = v.n
FROM (SELECT message_id, max(version) AS n FROM message_versions GROUP BY message_id) v
WHERE m.id = v.message_id;
