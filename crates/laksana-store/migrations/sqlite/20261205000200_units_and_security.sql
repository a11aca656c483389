-- Several units in one installation, and the login safeguards.

-- A Dinas or a UPT BLK; existing installations have one Dinas.
ALTER TABLE units ADD COLUMN kind TEXT NOT NULL DEFAULT 'dinas';

-- The unit a user last worked in, so the next login opens it again.
ALTER TABLE users ADD COLUMN last_unit_id INTEGER REFERENCES units(id);

-- Idle expiry: when the session was last used (NULL for sessions older than this column).
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;

-- Failed logins, counted per account and per client address over a sliding window. In the
-- database rather than in memory so the limit holds across several app servers.
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    scope  TEXT NOT NULL CONSTRAINT ck_login_failure_scope CHECK (scope IN ('account', 'address')),
    key    TEXT NOT NULL,
    at     TEXT NOT NULL
);
CREATE INDEX ix_login_failures_key ON login_failures(scope, key, at);
