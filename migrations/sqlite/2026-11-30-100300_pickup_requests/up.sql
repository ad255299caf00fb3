-- Pickup requests (school -> transfer station): the containers asked for, the preferred window and contact, the
-- station's slot or refusal, the school's cancellation, and the pickup that closed the request.
CREATE TABLE pickup_requests (
    id TEXT PRIMARY KEY NOT NULL,
    school_id TEXT NOT NULL REFERENCES organizations(id),
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TEXT NOT NULL,
    preferred_from TEXT NOT NULL,
    preferred_until TEXT NOT NULL,
    contact TEXT NOT NULL,
    note TEXT,
    station_id TEXT REFERENCES organizations(id),
    slot_from TEXT,
    slot_until TEXT,
    scheduled_at TEXT,
    decline_reason TEXT,
    declined_at TEXT,
    cancelled_at TEXT,
    pickup_id TEXT,
    collected_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX pickup_requests_school ON pickup_requests(school_id, id);
CREATE INDEX pickup_requests_state ON pickup_requests(state, id);
CREATE INDEX pickup_requests_station ON pickup_requests(station_id, id);

CREATE TABLE pickup_request_items (
    request_id TEXT NOT NULL REFERENCES pickup_requests(id),
    container_id TEXT NOT NULL REFERENCES containers(id),
    PRIMARY KEY (request_id, container_id)
);
CREATE INDEX pickup_request_items_container ON pickup_request_items(container_id);

-- What authorised a pickup: the request it closed and/or the school's safety officer who confirmed the hand-over.
-- Older pickups have neither.
ALTER TABLE pickups ADD COLUMN request_id TEXT;
ALTER TABLE pickups ADD COLUMN confirmed_by TEXT;

-- Containers refused at the hand-over (badly packed, unlabelled, over the fill limit): they stay with the school.
CREATE TABLE pickup_refusals (
    pickup_id TEXT NOT NULL REFERENCES pickups(id),
    container_id TEXT NOT NULL REFERENCES containers(id),
    reason TEXT NOT NULL,
    PRIMARY KEY (pickup_id, container_id)
);
CREATE INDEX pickup_refusals_container ON pickup_refusals(container_id);

-- A personal PIN (argon2id hash) with which a safety officer confirms a hand-over on the operator's phone, and
-- the wrong PINs entered (for the limit of failures per officer).
ALTER TABLE users ADD COLUMN pin_hash TEXT;
ALTER TABLE users ADD COLUMN pin_set_at TEXT;
CREATE TABLE pin_failures (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX pin_failures_user ON pin_failures(user_id, at);

-- The carrier's vehicle and transport permit number, recorded at dispatch (Transfer Measures Art.11).
ALTER TABLE manifests ADD COLUMN vehicle_plate TEXT;
ALTER TABLE manifests ADD COLUMN transport_permit_no TEXT;
