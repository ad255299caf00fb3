DROP TABLE stocktake_counts;
DROP TABLE stocktakes;
DROP TABLE bottles;
