ALTER TABLE dimensions DROP COLUMN updated_at;
ALTER TABLE member_states DROP COLUMN updated_at;
