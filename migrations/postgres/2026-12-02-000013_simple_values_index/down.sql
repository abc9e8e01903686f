DROP INDEX indicator_values_simple;
