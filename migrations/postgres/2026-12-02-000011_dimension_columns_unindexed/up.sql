-- The five dimension indexes cost about two thirds of the first push and tripled the database,
-- and the regular-expression columns cost as much again. The columns stay (their statistics let
-- the planner see how selective a dimension filter is, so it walks the natural-key index in the
-- list's order), computed with split_part, which is far cheaper than substring(... from regex).
DROP INDEX indicator_values_dim_sex;
DROP INDEX indicator_values_dim_age_group;
DROP INDEX indicator_values_dim_form_of_exploitation;
DROP INDEX indicator_values_dim_citizenship;
DROP INDEX indicator_values_dim_sector;
ALTER TABLE indicator_values
    DROP COLUMN dim_sex,
    DROP COLUMN dim_age_group,
    DROP COLUMN dim_form_of_exploitation,
    DROP COLUMN dim_citizenship,
    DROP COLUMN dim_sector;
ALTER TABLE indicator_values
    ADD COLUMN dim_sex TEXT GENERATED ALWAYS AS (NULLIF(split_part(split_part(';' || disaggregation || ';', ';sex=', 2), ';', 1), '')) STORED,
    ADD COLUMN dim_age_group TEXT GENERATED ALWAYS AS (NULLIF(split_part(split_part(';' || disaggregation || ';', ';age_group=', 2), ';', 1), '')) STORED,
    ADD COLUMN dim_form_of_exploitation TEXT GENERATED ALWAYS AS (NULLIF(split_part(split_part(';' || disaggregation || ';', ';form_of_exploitation=', 2), ';', 1), '')) STORED,
    ADD COLUMN dim_citizenship TEXT GENERATED ALWAYS AS (NULLIF(split_part(split_part(';' || disaggregation || ';', ';citizenship=', 2), ';', 1), '')) STORED,
    ADD COLUMN dim_sector TEXT GENERATED ALWAYS AS (NULLIF(split_part(split_part(';' || disaggregation || ';', ';sector=', 2), ';', 1), '')) STORED;
