-- Running the training (steps 9 and 10 of SOP version 3): the preparation meeting, changes to
-- the confirmed list, the class sessions and the attendance in them. Same conventions as the
-- core schema: UTC text timestamps, "YYYY-MM-DD" dates, named constraints.

-- The rapat internal persiapan, one per training; saving again replaces the record (the audit
-- trail keeps every saved version in its entries).
CREATE TABLE meetings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_meeting_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_meeting_training REFERENCES trainings(id),
    agenda        TEXT NOT NULL DEFAULT '',
    held_at       TEXT,
    place         TEXT NOT NULL DEFAULT '',
    -- JSON array of {"name","jabatan","hadir":bool}.
    attendees     TEXT NOT NULL DEFAULT '[]',
    notulen       TEXT NOT NULL DEFAULT '',
    decisions     TEXT NOT NULL DEFAULT '',
    saved_by      INTEGER CONSTRAINT fk_meeting_user REFERENCES users(id),
    saved_at      TEXT NOT NULL,
    CONSTRAINT uq_meeting_training UNIQUE (training_id)
);

-- A participant dropped from the final list or promoted from the reserves, with the reason.
-- Never updated: a later row for the same nomination supersedes an earlier one.
CREATE TABLE roster_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_roster_change_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_roster_change_training REFERENCES trainings(id),
    nomination_id INTEGER NOT NULL CONSTRAINT fk_roster_change_nomination REFERENCES nominations(id),
    -- 'keluar' (dropped from the participants) or 'masuk' (promoted from the reserves).
    change        TEXT NOT NULL CONSTRAINT ck_roster_change CHECK (change IN ('keluar', 'masuk')),
    reason        TEXT NOT NULL,
    changed_by    INTEGER NOT NULL CONSTRAINT fk_roster_change_user REFERENCES users(id),
    changed_at    TEXT NOT NULL
);
CREATE INDEX ix_roster_changes_training ON roster_changes(training_id, nomination_id, id);

-- The sessions of the training's days, each with its topic, instructor and room.
CREATE TABLE class_sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_class_session_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_class_session_training REFERENCES trainings(id),
    day           TEXT NOT NULL,
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    topic         TEXT NOT NULL,
    instructor    TEXT NOT NULL DEFAULT '',
    room          TEXT NOT NULL DEFAULT '',
    -- The secret in the room's QR code. Kept as is (the session page shows the code again);
    -- it only works while the session runs, so it is worth nothing once copied afterwards.
    qr_secret     TEXT NOT NULL CONSTRAINT uq_class_session_qr UNIQUE,
    created_at    TEXT NOT NULL
);
CREATE INDEX ix_class_sessions_training ON class_sessions(training_id, starts_at);

-- A participant's personal link for self check-in (printed on the ID card or sent to them).
CREATE TABLE participant_links (
    nomination_id INTEGER PRIMARY KEY CONSTRAINT fk_participant_link_nomination REFERENCES nominations(id),
    unit_id       INTEGER NOT NULL CONSTRAINT fk_participant_link_unit REFERENCES units(id),
    token_hash    TEXT NOT NULL CONSTRAINT uq_participant_link UNIQUE,
    created_at    TEXT NOT NULL
);

-- Attendance: one row per participant per session. `recorded_at` is when it was marked (on the
-- device, which may have been offline), `received_at` when the server got it.
CREATE TABLE attendance (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_attendance_unit REFERENCES units(id),
    session_id    INTEGER NOT NULL CONSTRAINT fk_attendance_session REFERENCES class_sessions(id),
    nomination_id INTEGER NOT NULL CONSTRAINT fk_attendance_nomination REFERENCES nominations(id),
    -- 'hadir', 'izin', 'sakit', 'alpa'.
    status        TEXT NOT NULL CONSTRAINT ck_attendance_status CHECK (status IN ('hadir', 'izin', 'sakit', 'alpa')),
    -- 'lembar' (typed from the signed sheet), 'panitia' (marked on a device), 'qr' (self check-in).
    via           TEXT NOT NULL CONSTRAINT ck_attendance_via CHECK (via IN ('lembar', 'panitia', 'qr')),
    recorded_at   TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    recorded_by   INTEGER CONSTRAINT fk_attendance_user REFERENCES users(id),
    CONSTRAINT uq_attendance UNIQUE (session_id, nomination_id)
);

-- Optional pre-test and post-test scores (0–100).
CREATE TABLE test_scores (
    nomination_id INTEGER PRIMARY KEY CONSTRAINT fk_test_score_nomination REFERENCES nominations(id),
    unit_id       INTEGER NOT NULL CONSTRAINT fk_test_score_unit REFERENCES units(id),
    pre           REAL,
    post          REAL,
    saved_at      TEXT NOT NULL
);
