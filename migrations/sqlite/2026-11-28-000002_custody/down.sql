DROP TABLE manifest_serials;
DROP TABLE manifest_lines;
DROP TABLE manifests;
DROP TABLE pickup_lines;
DROP TABLE pickups;
DROP INDEX containers_custodian;
ALTER TABLE containers DROP COLUMN custodian_id;
