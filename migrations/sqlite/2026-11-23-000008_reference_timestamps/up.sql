-- When the seeded reference data (member states, dimensions) last changed, so that their lists
-- answer `updated_since` like every other list. The API never changes these rows; a migration that
-- does must set `updated_at` too. Stored like every timestamp: RFC 3339, microseconds, `Z`.
ALTER TABLE member_states ADD COLUMN updated_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00.000000Z';
UPDATE member_states SET updated_at = strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z';

ALTER TABLE dimensions ADD COLUMN updated_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00.000000Z';
UPDATE dimensions SET updated_at = strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z';
