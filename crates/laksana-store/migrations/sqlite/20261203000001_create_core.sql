-- Core schema: units, people, SOP definitions, trainings, their step runs and the audit chain.
-- Timestamps are UTC text "YYYY-MM-DDTHH:MM:SS.mmmZ" (fixed width, so they sort); dates are "YYYY-MM-DD".
-- Every constraint is named so the store can map a violation to a domain error.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL CONSTRAINT uq_unit_code UNIQUE,
    name        TEXT NOT NULL,
    zone        TEXT NOT NULL DEFAULT 'WIB',
    head_title  TEXT NOT NULL DEFAULT 'Kepala Dinas',
    -- Serialises the audit chain per unit: each entry takes the next number under the row lock.
    audit_seq   INTEGER NOT NULL DEFAULT 0,
    -- Hash of the unit's newest audit entry (kept by a trigger), so appending needs no extra read.
    audit_head  TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL CONSTRAINT uq_user_username UNIQUE,
    password_hash TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    nip           TEXT NOT NULL DEFAULT '',
    jabatan       TEXT NOT NULL DEFAULT '',
    is_admin      INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    -- Set for a generated one-time password: the first login must choose a new one.
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- A user may hold several SOP roles in a unit, each optionally bounded by dates (Plt, mutasi).
CREATE TABLE user_roles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role_key    TEXT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT
);
CREATE INDEX ix_user_roles_user ON user_roles(user_id, unit_id);

-- Sessions and API tokens live here (not in memory) so several app servers can share them.
-- Only the SHA-256 of a token is stored.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    kind        TEXT NOT NULL,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX ix_sessions_user ON sessions(user_id);

-- The exact SOP text a training runs on; never updated, so a revision never changes a running training.
CREATE TABLE sop_definitions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    sop_key      TEXT NOT NULL,
    version      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source       TEXT NOT NULL,
    -- From the identity block's tanggal efektif; NULL means in force from upload.
    effective_date TEXT,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT NOT NULL,
    CONSTRAINT uq_definition_content UNIQUE (unit_id, content_hash)
);

CREATE TABLE trainings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    definition_id INTEGER NOT NULL REFERENCES sop_definitions(id),
    title         TEXT NOT NULL,
    kejuruan      TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    location      TEXT NOT NULL,
    state_json    TEXT NOT NULL,
    status        TEXT NOT NULL,
    current_step  INTEGER,
    -- Optimistic concurrency: every transition bumps it; a stale writer updates no row.
    version       INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX ix_trainings_unit ON trainings(unit_id, status);

-- One row per round of a step. pelaksana is frozen from the definition so task lists are one query.
CREATE TABLE step_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    training_id   INTEGER NOT NULL REFERENCES trainings(id),
    step_no       INTEGER NOT NULL,
    round         INTEGER NOT NULL,
    pelaksana     TEXT NOT NULL,
    status        TEXT NOT NULL,
    outcome       TEXT,
    started_at    TEXT NOT NULL,
    due_at        TEXT,
    due_problem   TEXT,
    completed_at  TEXT,
    completed_by  INTEGER REFERENCES users(id),
    note          TEXT,
    CONSTRAINT uq_step_run_round UNIQUE (training_id, step_no, round)
);
CREATE INDEX ix_step_runs_active ON step_runs(status, pelaksana);

-- Append-only and hash-chained per unit: hash = SHA-256(prev_hash | fields). No code updates or deletes it.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    seq           INTEGER NOT NULL,
    training_id   INTEGER REFERENCES trainings(id),
    actor_id      INTEGER REFERENCES users(id),
    actor_name    TEXT NOT NULL,
    actor_role    TEXT,
    action        TEXT NOT NULL,
    step_no       INTEGER,
    round         INTEGER,
    note          TEXT,
    state_before  TEXT,
    state_after   TEXT,
    at            TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    CONSTRAINT uq_audit_unit_seq UNIQUE (unit_id, seq)
);
CREATE INDEX ix_audit_training ON audit_log(training_id, id);

CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
BEGIN UPDATE units SET audit_head = NEW.hash WHERE id = NEW.unit_id; END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
