-- PostgreSQL only (lz4 for an addition's long values); SQLite stores values as they are. The version exists in
-- both trees so that they keep the same names.
SELECT 1;
