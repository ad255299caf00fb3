-- Roadside links: a short-lived read-only view of one manifest for an inspector on the road (a QR code the
-- driver shows). Only the SHA-256 of the secret is kept; the link stops working at expires_at.
CREATE TABLE road_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    manifest_id TEXT NOT NULL REFERENCES manifests(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX road_links_manifest ON road_links(manifest_id);
