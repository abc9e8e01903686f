-- Validation rules of data quality (admin-defined): two expressions compared by an operator,
-- evaluated per member state and period. `left_expr`/`right_expr` hold the canonical (printed)
-- form of the parsed expressions. Deleted rules stay as tombstones for synchronising clients.
CREATE TABLE validation_rules (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    left_expr TEXT NOT NULL,
    operator TEXT NOT NULL CHECK (operator IN ('equal_to', 'not_equal_to', 'less_than',
        'less_than_or_equal_to', 'greater_than', 'greater_than_or_equal_to', 'compulsory_pair',
        'exclusive_pair')),
    right_expr TEXT NOT NULL,
    importance TEXT NOT NULL CHECK (importance IN ('warning', 'blocking')),
    missing_value_strategy TEXT NOT NULL CHECK (missing_value_strategy IN
        ('skip_if_any_value_missing', 'skip_if_all_values_missing', 'never_skip')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

-- One live rule per code.
CREATE UNIQUE INDEX validation_rules_live_code ON validation_rules (code) WHERE deleted_at IS NULL;
