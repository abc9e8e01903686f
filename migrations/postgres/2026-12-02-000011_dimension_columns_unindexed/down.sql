ALTER TABLE indicator_values
    DROP COLUMN dim_sex,
    DROP COLUMN dim_age_group,
    DROP COLUMN dim_form_of_exploitation,
    DROP COLUMN dim_citizenship,
    DROP COLUMN dim_sector;
ALTER TABLE indicator_values ADD COLUMN dim_sex TEXT GENERATED ALWAYS AS (substring(';' || disaggregation || ';' from ';sex=([^;]*);')) STORED;
ALTER TABLE indicator_values ADD COLUMN dim_age_group TEXT GENERATED ALWAYS AS (substring(';' || disaggregation || ';' from ';age_group=([^;]*);')) STORED;
ALTER TABLE indicator_values ADD COLUMN dim_form_of_exploitation TEXT GENERATED ALWAYS AS (substring(';' || disaggregation || ';' from ';form_of_exploitation=([^;]*);')) STORED;
ALTER TABLE indicator_values ADD COLUMN dim_citizenship TEXT GENERATED ALWAYS AS (substring(';' || disaggregation || ';' from ';citizenship=([^;]*);')) STORED;
ALTER TABLE indicator_values ADD COLUMN dim_sector TEXT GENERATED ALWAYS AS (substring(';' || disaggregation || ';' from ';sector=([^;]*);')) STORED;
CREATE INDEX indicator_values_dim_sex ON indicator_values (dim_sex, indicator, member_state, period, disaggregation) WHERE dim_sex IS NOT NULL;
CREATE INDEX indicator_values_dim_age_group ON indicator_values (dim_age_group, indicator, member_state, period, disaggregation) WHERE dim_age_group IS NOT NULL;
CREATE INDEX indicator_values_dim_form_of_exploitation ON indicator_values (dim_form_of_exploitation, indicator, member_state, period, disaggregation) WHERE dim_form_of_exploitation IS NOT NULL;
CREATE INDEX indicator_values_dim_citizenship ON indicator_values (dim_citizenship, indicator, member_state, period, disaggregation) WHERE dim_citizenship IS NOT NULL;
CREATE INDEX indicator_values_dim_sector ON indicator_values (dim_sector, indicator, member_state, period, disaggregation) WHERE dim_sector IS NOT NULL;
