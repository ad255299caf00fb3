-- Storage sites (GB 18597-2023): the rooms and cabinets where waste waits, their self-inspections with findings
-- and follow-up, and the signs printed for them (HJ 1276-2022). Portable types, as in the init migration.
CREATE TABLE storage_sites (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    -- Spill containment volume in litres (exact decimal text); NULL when none was declared.
    containment_l TEXT,
    responsible TEXT NOT NULL,
    contact TEXT NOT NULL,
    facility_code TEXT NOT NULL,
    -- Zone names (JSON array); empty for an undivided site.
    zones TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX storage_sites_org ON storage_sites(organization_id, id);

-- Where a container stands: a site of its custodian, and the zone there. NULL for containers registered before
-- sites existed (they count at no site). No REFERENCES on SQLite: a column in a foreign key cannot be dropped
-- again (down.sql); the service only ever writes ids of sites it read.
ALTER TABLE containers ADD COLUMN site_id TEXT;
ALTER TABLE containers ADD COLUMN zone TEXT;
CREATE INDEX containers_site ON containers(site_id, status);

CREATE TABLE site_inspections (
    id TEXT PRIMARY KEY NOT NULL,
    site_id TEXT NOT NULL REFERENCES storage_sites(id),
    inspected_on TEXT NOT NULL,
    inspector TEXT NOT NULL,
    -- The answered checklist (JSON array of {item, ok, note, clause}).
    items TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX site_inspections_site ON site_inspections(site_id, inspected_on);

CREATE TABLE site_findings (
    id TEXT PRIMARY KEY NOT NULL,
    inspection_id TEXT NOT NULL REFERENCES site_inspections(id),
    site_id TEXT NOT NULL REFERENCES storage_sites(id),
    item TEXT NOT NULL,
    description TEXT NOT NULL,
    clause TEXT NOT NULL,
    followed_up_on TEXT,
    follow_up_by TEXT,
    follow_up_action TEXT,
    followed_up_at TEXT
);
CREATE INDEX site_findings_site ON site_findings(site_id, followed_up_on);

CREATE TABLE site_signs (
    id TEXT PRIMARY KEY NOT NULL,
    site_id TEXT NOT NULL REFERENCES storage_sites(id),
    sign TEXT NOT NULL,
    zone TEXT,
    digest TEXT NOT NULL,
    printed_by TEXT NOT NULL REFERENCES users(id),
    printed_at TEXT NOT NULL
);
CREATE INDEX site_signs_site ON site_signs(site_id, printed_at);
