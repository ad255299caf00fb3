DROP TABLE idempotency_keys;
DROP TABLE id_sequences;
DROP TABLE events;
DROP TABLE additions;
DROP TABLE containers;
DROP TABLE contracts;
DROP TABLE users;
DROP TABLE organizations;
