DROP TABLE paper_entries;
