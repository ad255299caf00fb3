-- The head of each custody chain (how many events, the last hash), written in the same transaction as each
-- append, and its anchor: an HMAC under WASTE_AUDIT_KEY, a key kept outside the database (NULL when the service
-- runs without one, and for the heads of chains written before this migration).
CREATE TABLE chain_heads (
    aggregate TEXT PRIMARY KEY NOT NULL,
    count BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    anchor TEXT
);
INSERT INTO chain_heads (aggregate, count, last_hash, anchor)
SELECT DISTINCT ON (aggregate) aggregate, seq, hash, NULL FROM events ORDER BY aggregate, seq DESC;

-- The custody log is insert-only: the service's role may insert events but an UPDATE, DELETE or TRUNCATE is
-- refused by the database itself (disabling the trigger takes the table owner's rights, which the audit's head
-- and anchor checks then still catch).
CREATE FUNCTION events_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'custody events are insert-only';
END
$$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_insert_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_insert_only();
