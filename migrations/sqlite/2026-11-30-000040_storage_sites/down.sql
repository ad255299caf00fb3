DROP TABLE site_signs;
DROP TABLE site_findings;
DROP TABLE site_inspections;
DROP INDEX containers_site;
ALTER TABLE containers DROP COLUMN zone;
ALTER TABLE containers DROP COLUMN site_id;
DROP TABLE storage_sites;
