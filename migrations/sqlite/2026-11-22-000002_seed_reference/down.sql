DELETE FROM mandates WHERE work_plan = 'WP2';
DELETE FROM guidelines WHERE work_plan = 'WP2';
DELETE FROM work_plan_sections WHERE work_plan = 'WP2';
DELETE FROM work_plans WHERE code = 'WP2';
DELETE FROM member_states;
