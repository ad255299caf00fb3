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
SELECT e.aggregate, e.seq, e.hash, NULL FROM events e
WHERE e.seq = (SELECT MAX(seq) FROM events x WHERE x.aggregate = e.aggregate);

-- The custody log is insert-only: an UPDATE or DELETE of an event is refused by the database itself.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'custody events are insert-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'custody events are insert-only');
END;
