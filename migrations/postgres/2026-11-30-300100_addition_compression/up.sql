-- An addition's row carries its decision (about 2 KB of JSON), so it passes the 2 KB threshold at which
-- PostgreSQL compresses a row's long values, at every addition. lz4 does it several times faster than the default
-- pglz, at about the same size (docs/rules.md, "Persistence notes"). Rows written before keep pglz; both read the
-- same. A server built without lz4 (or older than 14) keeps pglz: the change is an optimisation, not a schema.
DO $$
BEGIN
  EXECUTE 'ALTER TABLE additions ALTER COLUMN classification SET COMPRESSION lz4, '
       || 'ALTER COLUMN waste SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'additions keep the default compression: %', SQLERRM;
END $$;
