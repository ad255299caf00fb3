DROP TABLE web_sessions;
DROP TABLE signin_links;
DROP INDEX users_login;
ALTER TABLE users DROP COLUMN password_hash;
ALTER TABLE users DROP COLUMN login;
