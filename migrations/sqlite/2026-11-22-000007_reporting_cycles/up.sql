-- Reporting cycles of mandate 10 and each member state's submission in them.
CREATE TABLE reporting_cycles (
    code TEXT PRIMARY KEY NOT NULL,
    work_plan TEXT NOT NULL REFERENCES work_plans (code),
    period_from INTEGER NOT NULL,
    period_to INTEGER NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (period_to >= period_from)
);

-- A state without a row is in `draft`.
CREATE TABLE submissions (
    cycle TEXT NOT NULL REFERENCES reporting_cycles (code),
    member_state TEXT NOT NULL REFERENCES member_states (code),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'validated')),
    comment TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (cycle, member_state)
);
