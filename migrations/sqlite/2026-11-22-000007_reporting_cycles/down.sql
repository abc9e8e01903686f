DROP TABLE submissions;
DROP TABLE reporting_cycles;
