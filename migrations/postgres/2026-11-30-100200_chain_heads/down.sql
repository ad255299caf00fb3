DROP TRIGGER IF EXISTS events_no_truncate ON events;
DROP TRIGGER IF EXISTS events_no_change ON events;
DROP FUNCTION IF EXISTS events_insert_only();
DROP TABLE chain_heads;
