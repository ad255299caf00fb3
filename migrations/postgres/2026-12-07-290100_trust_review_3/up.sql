-- Failure limits shared by every instance on one database (issue 29, items 2 and 3): one row per key (an
-- account, an address, an officer's PIN), counted in one atomic upsert before the secret is checked, so that
-- concurrent attempts can never all pass a check made before any of them is counted.
CREATE TABLE attempt_counters (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TEXT NOT NULL,
    count INTEGER NOT NULL
);

-- A sign-in name is one name whatever its case (issue 29, item 6).
CREATE UNIQUE INDEX users_login_lower ON users (lower(login));
