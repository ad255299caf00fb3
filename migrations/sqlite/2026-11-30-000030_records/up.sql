-- Manifests completed on paper while the electronic system was unavailable, entered afterwards with their real
-- dates (HW Transfer Measures Art.20): when and by whom each was entered, and whether it came in within
-- 10 working days of completion. The manifest itself is an ordinary row of `manifests`.
CREATE TABLE paper_entries (
    manifest_id TEXT PRIMARY KEY NOT NULL REFERENCES manifests(id),
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL REFERENCES users(id),
    completed_on TEXT NOT NULL,
    entry_deadline TEXT NOT NULL,
    late BOOLEAN NOT NULL
);
