-- Portable schema: ids TEXT (UUID v7, time-ordered), decimals as exact decimal TEXT, dates 'YYYY-MM-DD' and
-- times RFC 3339 UTC with microseconds as TEXT, so both backends store and return the same bytes.
CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    credit_code TEXT UNIQUE,
    region_code TEXT NOT NULL,
    license_number TEXT,
    license_waste_codes TEXT,
    license_valid_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    trained_until TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX users_org ON users(organization_id, id);

CREATE TABLE contracts (
    id TEXT PRIMARY KEY NOT NULL,
    shipper_id TEXT NOT NULL REFERENCES organizations(id),
    disposal_firm_id TEXT NOT NULL REFERENCES organizations(id),
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    waste_codes TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX contracts_shipper ON contracts(shipper_id, disposal_firm_id);

CREATE TABLE containers (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    lab TEXT NOT NULL,
    contact TEXT NOT NULL,
    capacity_l TEXT NOT NULL,
    material TEXT NOT NULL,
    status TEXT NOT NULL,
    stream TEXT,
    filled_l TEXT NOT NULL,
    holds_liquid BOOLEAN NOT NULL,
    code TEXT,
    hazards TEXT NOT NULL,
    started_on TEXT,
    digital_id TEXT UNIQUE,
    additions_count INTEGER NOT NULL,
    -- Distinct CAS numbers added so far, in order of first addition (JSON array): what compatibility checks read.
    contents TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    sealed_at TEXT
);
CREATE INDEX containers_org ON containers(organization_id, id);
CREATE INDEX containers_org_started ON containers(organization_id, status, started_on);

CREATE TABLE additions (
    id TEXT PRIMARY KEY NOT NULL,
    container_id TEXT NOT NULL REFERENCES containers(id),
    seq INTEGER NOT NULL,
    waste TEXT NOT NULL,
    classification TEXT NOT NULL,
    substances TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    litres TEXT NOT NULL,
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at TEXT NOT NULL,
    UNIQUE (container_id, seq)
);

CREATE TABLE events (
    aggregate TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (aggregate, seq)
);

-- Sequence numbers of digital identification codes per organisation, waste code and day, taken with an atomic
-- upsert so concurrent first additions never draw the same number.
CREATE TABLE id_sequences (
    organization_id TEXT NOT NULL,
    code TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (organization_id, code, day)
);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
