DROP INDEX containers_custodian_clock;
ALTER TABLE containers DROP COLUMN clock_started_on;
