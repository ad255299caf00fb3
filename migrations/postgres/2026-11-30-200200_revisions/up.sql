-- Corrections of a signed manifest (Transfer Measures Art.29): a party proposes changed weights, codes or the
-- disposal method with a reason (`changes`: JSON list of {container_id, field, old, new}); the other parties
-- (`needed`, comma-separated) approve or refuse, one decision row per party; applied when all approved. At most
-- one pending revision per manifest.
CREATE TABLE manifest_revisions (
    id TEXT PRIMARY KEY NOT NULL,
    manifest_id TEXT NOT NULL REFERENCES manifests(id),
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    changes TEXT NOT NULL,
    needed TEXT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES users(id),
    proposed_org TEXT NOT NULL REFERENCES organizations(id),
    proposed_parties TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE UNIQUE INDEX manifest_revisions_seq ON manifest_revisions(manifest_id, seq);
CREATE UNIQUE INDEX manifest_revisions_one_pending ON manifest_revisions(manifest_id) WHERE status = 'pending';

CREATE TABLE revision_decisions (
    revision_id TEXT NOT NULL REFERENCES manifest_revisions(id),
    party TEXT NOT NULL,
    approved BOOLEAN NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    at TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (revision_id, party)
);
