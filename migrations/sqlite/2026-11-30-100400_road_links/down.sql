DROP TABLE road_links;
