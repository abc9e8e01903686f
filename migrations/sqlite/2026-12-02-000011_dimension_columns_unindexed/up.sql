-- Generated columns cost SQLite about half of an insert even unindexed, and their five indexes
-- half again. SQLite filters a dimension on the canonical text instead, walking the natural-key
-- index in the list's order.
DROP INDEX indicator_values_dim_sex;
DROP INDEX indicator_values_dim_age_group;
DROP INDEX indicator_values_dim_form_of_exploitation;
DROP INDEX indicator_values_dim_citizenship;
DROP INDEX indicator_values_dim_sector;
ALTER TABLE indicator_values DROP COLUMN dim_sex;
ALTER TABLE indicator_values DROP COLUMN dim_age_group;
ALTER TABLE indicator_values DROP COLUMN dim_form_of_exploitation;
ALTER TABLE indicator_values DROP COLUMN dim_citizenship;
ALTER TABLE indicator_values DROP COLUMN dim_sector;
