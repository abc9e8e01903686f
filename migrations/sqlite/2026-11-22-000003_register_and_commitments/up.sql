-- The register of national authorities, guideline commitments, and stored idempotency keys.
CREATE TABLE national_authorities (
    id TEXT PRIMARY KEY NOT NULL,
    member_state TEXT NOT NULL REFERENCES member_states (code),
    role TEXT NOT NULL CHECK (role IN ('national_point_of_contact', 'coordinating_body', 'focal_point')),
    institution TEXT NOT NULL,
    unit TEXT,
    contact_name TEXT,
    position_title TEXT,
    email TEXT,
    phone TEXT,
    address TEXT,
    website TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    designated_on TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- At most one active national point of contact per member state, enforced by the database so
-- that two concurrent requests cannot both win.
CREATE UNIQUE INDEX national_authorities_one_active_contact
    ON national_authorities (member_state)
    WHERE active = TRUE AND role = 'national_point_of_contact';
CREATE INDEX national_authorities_member_state ON national_authorities (member_state, id);
CREATE INDEX national_authorities_updated_at ON national_authorities (updated_at);

CREATE TABLE commitments (
    id TEXT PRIMARY KEY NOT NULL,
    member_state TEXT NOT NULL REFERENCES member_states (code),
    work_plan TEXT NOT NULL,
    guideline_number INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('not_started', 'planned', 'in_progress', 'implemented', 'not_applicable')),
    lead_institution TEXT,
    actions TEXT,
    target_date TEXT,
    evidence_urls TEXT NOT NULL DEFAULT '[]',
    budget_allocated DOUBLE PRECISION,
    currency TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (member_state, work_plan, guideline_number),
    FOREIGN KEY (work_plan, guideline_number) REFERENCES guidelines (work_plan, number),
    CHECK ((budget_allocated IS NULL) OR (currency IS NOT NULL))
);
CREATE INDEX commitments_updated_at ON commitments (updated_at);

-- Responses of POSTs sent with an Idempotency-Key, replayed when the same key comes again.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    location TEXT,
    etag TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
