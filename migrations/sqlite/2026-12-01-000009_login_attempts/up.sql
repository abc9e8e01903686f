-- Sign-in attempts per throttle key (`u:<username>` or `a:<client address>`) in the current fixed
-- window, so the throttle is shared by every palermo process on the database and survives a restart.
-- `window_start` is in Unix seconds; rows of expired windows are purged by the server.
CREATE TABLE login_attempts (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX login_attempts_window_start ON login_attempts (window_start);
