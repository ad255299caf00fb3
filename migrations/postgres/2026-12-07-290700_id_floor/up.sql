-- The greatest record id issued so far (issue 28 item 4, waste-api/src/ids.rs): every write transaction draws
-- its ids above it and raises it, so that ids (UUID v7, time-ordered) never go backwards when a clock is set
-- back, across restarts and instances, and a list's cursor `?after=<id>` misses no later record.
CREATE TABLE id_floor (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    last TEXT NOT NULL
);
-- A database written before: the floor starts at the greatest id it holds.
INSERT INTO id_floor (one, last)
SELECT 1, MAX(id) FROM (
    SELECT MAX(id) AS id FROM organizations WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM licences WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM users WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM contracts WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM containers WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM additions WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM pickups WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM pickup_requests WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM manifests WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM storage_sites WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM site_inspections WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM site_findings WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM site_signs WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM webhook_subscriptions WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM webhook_events WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM webhook_deliveries WHERE id LIKE '________-____-7___-____-____________'
    UNION ALL
    SELECT MAX(id) AS id FROM manifest_revisions WHERE id LIKE '________-____-7___-____-____________'
) AS ids WHERE id IS NOT NULL HAVING MAX(id) IS NOT NULL;
