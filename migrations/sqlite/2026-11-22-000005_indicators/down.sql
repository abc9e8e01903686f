DROP TABLE indicator_values;
DROP TABLE indicators;
DROP TABLE dimension_codes;
DROP TABLE dimensions;
