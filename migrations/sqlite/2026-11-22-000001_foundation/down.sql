DROP TABLE audit_events;
DROP TABLE users;
DROP TABLE mandates;
DROP TABLE guidelines;
DROP TABLE work_plan_sections;
DROP TABLE work_plans;
DROP TABLE member_states;
