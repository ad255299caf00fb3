-- Custody: which organisation holds each container now (the owner until a pickup or dispatch moves it).
ALTER TABLE containers ADD COLUMN custodian_id TEXT;
UPDATE containers SET custodian_id = organization_id;
CREATE INDEX containers_custodian ON containers(custodian_id, status);

CREATE TABLE pickups (
    id TEXT PRIMARY KEY NOT NULL,
    station_id TEXT NOT NULL REFERENCES organizations(id),
    school_id TEXT NOT NULL REFERENCES organizations(id),
    picked_by TEXT NOT NULL REFERENCES users(id),
    picked_at TEXT NOT NULL,
    total_gross_kg TEXT NOT NULL
);
CREATE INDEX pickups_school ON pickups(school_id, picked_at);
CREATE INDEX pickups_station ON pickups(station_id, id);

-- A container is picked up at most once (the primary key on container_id).
CREATE TABLE pickup_lines (
    container_id TEXT PRIMARY KEY NOT NULL REFERENCES containers(id),
    pickup_id TEXT NOT NULL REFERENCES pickups(id),
    gross_weight_kg TEXT NOT NULL
);
CREATE INDEX pickup_lines_pickup ON pickup_lines(pickup_id);

CREATE TABLE manifests (
    id TEXT PRIMARY KEY NOT NULL,
    number TEXT NOT NULL UNIQUE,
    shipper_id TEXT NOT NULL REFERENCES organizations(id),
    carrier_id TEXT NOT NULL REFERENCES organizations(id),
    receiver_id TEXT NOT NULL REFERENCES organizations(id),
    status TEXT NOT NULL,
    acceptance TEXT,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    dispatched_at TEXT,
    delivered_on TEXT,
    receipt_deadline TEXT,
    received_at TEXT,
    received_late BOOLEAN,
    disposal_method TEXT,
    disposed_at TEXT,
    cancelled_at TEXT
);
CREATE INDEX manifests_shipper ON manifests(shipper_id, status);
CREATE INDEX manifests_carrier ON manifests(carrier_id, status);
CREATE INDEX manifests_receiver ON manifests(receiver_id, status);

CREATE TABLE manifest_lines (
    manifest_id TEXT NOT NULL REFERENCES manifests(id),
    container_id TEXT NOT NULL REFERENCES containers(id),
    code TEXT NOT NULL,
    shipped_weight_kg TEXT NOT NULL,
    received_weight_kg TEXT,
    accepted BOOLEAN,
    reason TEXT,
    discrepancy BOOLEAN,
    PRIMARY KEY (manifest_id, container_id)
);
CREATE INDEX manifest_lines_container ON manifest_lines(container_id);

-- Serial numbers of manifest numbers per region (province + city) and year, drawn with an atomic upsert.
CREATE TABLE manifest_serials (
    region TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (region, year)
);
