DROP TABLE training_event_guidelines;
DROP TABLE training_event_audiences;
DROP TABLE training_events;
