-- The log's own head (issue 29, item 8): how many events the whole log holds and a digest over every chain's
-- head (the sum modulo 2^256 of one SHA-256 leaf per chain), moved by each write transaction that appends
-- events, and its anchor (an HMAC under WASTE_AUDIT_KEY, NULL without one). One row; count -1 until the service
-- first seals it over the chains it finds (an upgraded database, at its first start).
CREATE TABLE log_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    count BIGINT NOT NULL,
    digest TEXT NOT NULL,
    anchor TEXT,
    -- The number of the last checkpoint taken (0 before the first).
    epoch BIGINT NOT NULL DEFAULT 0
);
INSERT INTO log_head (id, count, digest, anchor) VALUES (1, -1, '', NULL);

-- What each checkpoint (`waste-api checkpoint`) saw: a chain's count when it had moved since the checkpoint
-- before. `verify --since` reads a chain's count at a checkpoint from here; the digest in the signed statement
-- tells whether these rows were changed.
CREATE TABLE checkpoint_marks (
    epoch BIGINT NOT NULL,
    aggregate TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (aggregate, epoch)
);
