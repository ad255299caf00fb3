-- The reagent shelf (issue 31): a school's bottles from receipt to their waste, and its stocktakes. A bottle's
-- steps are events of its chain (`bottle:<id>`) in the custody log; these rows are its state.
CREATE TABLE bottles (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    -- The code its QR e-label carries (unique across the deployment).
    code TEXT NOT NULL UNIQUE,
    substance_cas TEXT NOT NULL,
    substance_name TEXT NOT NULL,
    -- g, kg, mL or L; amounts are decimal text in this unit.
    unit TEXT NOT NULL,
    received_amount TEXT NOT NULL,
    balance TEXT NOT NULL,
    supplier TEXT NOT NULL,
    lot TEXT NOT NULL,
    received_on TEXT NOT NULL,
    expires_on TEXT,
    opened_on TEXT,
    use_within_days INTEGER,
    site_id TEXT NOT NULL REFERENCES storage_sites(id),
    cabinet TEXT,
    responsible_id TEXT NOT NULL REFERENCES users(id),
    -- sealed, open, out, empty, discarded
    status TEXT NOT NULL,
    -- The controlled-chemical lists it is on, comma-separated (empty: none).
    controlled TEXT NOT NULL,
    -- The waste container it became when discarded.
    container_id TEXT REFERENCES containers(id),
    created_at TEXT NOT NULL
);
CREATE INDEX bottles_org ON bottles(organization_id, id);
CREATE INDEX bottles_site ON bottles(site_id, cabinet);

CREATE TABLE stocktakes (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    site_id TEXT NOT NULL REFERENCES storage_sites(id),
    started_by TEXT NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL,
    closed_by TEXT REFERENCES users(id),
    closed_at TEXT
);
CREATE INDEX stocktakes_org ON stocktakes(organization_id, site_id, started_at);

-- One row per bottle scanned at a stocktake: what it weighed (NULL: seen only) and, for a difference, the
-- words that explain it.
CREATE TABLE stocktake_counts (
    stocktake_id TEXT NOT NULL REFERENCES stocktakes(id),
    bottle_id TEXT NOT NULL REFERENCES bottles(id),
    counted TEXT,
    explanation TEXT,
    PRIMARY KEY (stocktake_id, bottle_id)
);
