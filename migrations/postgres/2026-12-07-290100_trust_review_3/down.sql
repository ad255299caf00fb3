DROP TABLE attempt_counters;
DROP INDEX users_login_lower;
