DELETE FROM indicators;
DELETE FROM dimension_codes;
DELETE FROM dimensions;
