-- Training events (guidelines 12, 32 and 45; mandates 1 to 5). Audiences and guidelines are child
-- tables, so the list's `audience` and `guideline` filters are exact, indexed lookups.
CREATE TABLE training_events (
    id TEXT PRIMARY KEY NOT NULL,
    -- The host state; NULL for a regional event run by the General Secretariat.
    member_state TEXT REFERENCES member_states (code),
    organizer TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    city TEXT,
    modality TEXT NOT NULL CHECK (modality IN ('in_person', 'virtual', 'hybrid')),
    participants_total INTEGER CHECK (participants_total >= 0),
    participants_women INTEGER CHECK (participants_women >= 0),
    participants_men INTEGER CHECK (participants_men >= 0),
    partners TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    CHECK (end_date >= start_date),
    CHECK (participants_total IS NOT NULL
           OR (participants_women IS NULL AND participants_men IS NULL)),
    CHECK (COALESCE(participants_women, 0) + COALESCE(participants_men, 0)
           <= COALESCE(participants_total, 0))
);
-- The list's order (start_date, id) and its keyset cursor.
CREATE INDEX training_events_start ON training_events (start_date, id);
CREATE INDEX training_events_member_state ON training_events (member_state, start_date, id);
CREATE INDEX training_events_updated_at ON training_events (updated_at);

CREATE TABLE training_event_audiences (
    event_id TEXT NOT NULL REFERENCES training_events (id) ON DELETE CASCADE,
    audience TEXT NOT NULL CHECK (audience IN ('police', 'prosecutors', 'judges', 'migration',
        'consular', 'labor_inspection', 'social_services', 'health', 'civil_society',
        'private_sector', 'other')),
    PRIMARY KEY (event_id, audience)
);
CREATE INDEX training_event_audiences_audience ON training_event_audiences (audience, event_id);

CREATE TABLE training_event_guidelines (
    event_id TEXT NOT NULL REFERENCES training_events (id) ON DELETE CASCADE,
    work_plan TEXT NOT NULL,
    guideline_number INTEGER NOT NULL,
    PRIMARY KEY (event_id, work_plan, guideline_number),
    FOREIGN KEY (work_plan, guideline_number) REFERENCES guidelines (work_plan, number)
);
CREATE INDEX training_event_guidelines_guideline
    ON training_event_guidelines (work_plan, guideline_number, event_id);
