-- The values a report, a completeness check or the public view reads across every state of a
-- cycle: totals and one-dimension parts (canonical text without ';'), a small part of the table.
-- Partial, so a full breakdown costs the import nothing here; the queries state the same two
-- conditions literally, which is how both planners know the index holds every row they want.
CREATE INDEX indicator_values_simple ON indicator_values (period, indicator, member_state, disaggregation)
    WHERE deleted_at IS NULL AND disaggregation NOT LIKE '%;%';
