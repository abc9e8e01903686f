-- Foundation: reference data tables, users and the audit trail.
-- Timestamps are TEXT in RFC 3339 UTC with microseconds ("2026-11-22T20:43:03.123456Z"):
-- identical on both backends and ordered lexicographically.
CREATE TABLE member_states (
    code TEXT PRIMARY KEY NOT NULL CHECK (length(code) = 3),
    alpha2 TEXT NOT NULL UNIQUE,
    m49 TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_es TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_pt TEXT NOT NULL,
    subregion TEXT NOT NULL CHECK (subregion IN ('north_america', 'central_america', 'caribbean', 'south_america')),
    membership_status TEXT NOT NULL,
    membership_since TEXT,
    membership_note TEXT
);

CREATE TABLE work_plans (
    code TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    note TEXT,
    aims TEXT NOT NULL,
    principles TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE work_plan_sections (
    work_plan TEXT NOT NULL REFERENCES work_plans (code) ON DELETE CASCADE,
    section_key TEXT NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (work_plan, section_key)
);

CREATE TABLE guidelines (
    work_plan TEXT NOT NULL REFERENCES work_plans (code) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number > 0),
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (work_plan, number),
    FOREIGN KEY (work_plan, section) REFERENCES work_plan_sections (work_plan, section_key)
);

CREATE TABLE mandates (
    work_plan TEXT NOT NULL REFERENCES work_plans (code) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number > 0),
    text TEXT NOT NULL,
    PRIMARY KEY (work_plan, number)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'reporter', 'viewer')),
    member_state TEXT REFERENCES member_states (code),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    token_version INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((role = 'reporter') = (member_state IS NOT NULL))
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,
    actor_id TEXT,
    actor_username TEXT NOT NULL,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id, id);
