-- The laporan pelaksanaan's narrative parts, one row per save (never updated): the newest is
-- the report in force. Its figures are not stored: they are computed from the data each time.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_report_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_report_training REFERENCES trainings(id),
    version       INTEGER NOT NULL,
    -- JSON: {"latar_belakang","hambatan","saran","penutup"}.
    narrative     TEXT NOT NULL,
    saved_by      INTEGER NOT NULL CONSTRAINT fk_report_user REFERENCES users(id),
    saved_at      TEXT NOT NULL,
    CONSTRAINT uq_report_version UNIQUE (training_id, version)
);

CREATE TRIGGER reports_no_update BEFORE UPDATE ON reports
BEGIN SELECT RAISE(ABORT, 'reports is append-only'); END;
