-- Administration (issue 14 items 1, 3, 10): who set a user's training date, deactivated users, an organisation's
-- contact, licence versions (a renewal is a new version, the old one kept), contracts confirmed by both parties
-- and ended early.
ALTER TABLE users ADD COLUMN trained_until_set_by TEXT;
ALTER TABLE users ADD COLUMN trained_until_set_at TEXT;
ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT 1;

ALTER TABLE organizations ADD COLUMN contact TEXT;

CREATE TABLE licences (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    number TEXT NOT NULL,
    waste_codes TEXT NOT NULL,
    valid_from TEXT,
    valid_until TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX licences_org ON licences(organization_id, id);
-- The licence each firm registered with is its first version, valid since registration.
INSERT INTO licences (id, organization_id, number, waste_codes, valid_from, valid_until, recorded_by, recorded_at)
SELECT 'registered-' || id, id, license_number, license_waste_codes, NULL, license_valid_until, 'registration', created_at
FROM organizations
WHERE license_number IS NOT NULL AND license_waste_codes IS NOT NULL AND license_valid_until IS NOT NULL;

-- The party that recorded a contract (NULL: an administrator); the other party confirms it.
ALTER TABLE contracts ADD COLUMN recorded_by TEXT;
ALTER TABLE contracts ADD COLUMN recorded_for TEXT;
ALTER TABLE contracts ADD COLUMN confirmed_by TEXT;
ALTER TABLE contracts ADD COLUMN confirmed_at TEXT;
ALTER TABLE contracts ADD COLUMN ended_on TEXT;
ALTER TABLE contracts ADD COLUMN ended_by TEXT;
-- Contracts recorded before confirmation existed keep counting; an administrator ends any that one party alone
-- recorded (PATCH /api/v1/contracts/{id}).
UPDATE contracts SET confirmed_by = 'before-confirmation', confirmed_at = created_at;
