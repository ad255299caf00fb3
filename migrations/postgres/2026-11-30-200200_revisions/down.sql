DROP TABLE revision_decisions;
DROP TABLE manifest_revisions;
