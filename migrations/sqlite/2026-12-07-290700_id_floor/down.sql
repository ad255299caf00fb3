DROP TABLE id_floor;
