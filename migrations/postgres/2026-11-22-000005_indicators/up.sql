-- Indicators: dimensions with their code lists, the catalog, and reported values.
CREATE TABLE dimensions (
    code TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE dimension_codes (
    dimension TEXT NOT NULL REFERENCES dimensions (code),
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (dimension, code)
);

CREATE TABLE indicators (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    value_type TEXT NOT NULL CHECK (value_type IN ('count', 'number', 'percent', 'boolean', 'text')),
    unit TEXT,
    periodicity TEXT NOT NULL CHECK (periodicity IN ('annual', 'quarterly', 'monthly')),
    -- JSON arrays: dimension codes; {work_plan, number} objects; reference strings.
    dimensions TEXT NOT NULL DEFAULT '[]',
    guidelines TEXT NOT NULL DEFAULT '[]',
    reference_list TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per natural key (member state, indicator, period, disaggregation). The disaggregation
-- is canonical: sorted `dimension=code` pairs joined by ';' ('' is the total). `value` is the
-- canonical JSON of the typed value (NULL only for confidential values).
CREATE TABLE indicator_values (
    id TEXT PRIMARY KEY NOT NULL,
    indicator TEXT NOT NULL REFERENCES indicators (code),
    member_state TEXT NOT NULL REFERENCES member_states (code),
    period TEXT NOT NULL,
    disaggregation TEXT NOT NULL,
    value TEXT,
    flag TEXT CHECK (flag IN ('provisional', 'estimated', 'below_threshold', 'confidential')),
    comment TEXT,
    source TEXT,
    reported_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (indicator, member_state, period, disaggregation)
);
CREATE INDEX indicator_values_updated_at ON indicator_values (updated_at);
