-- Outgoing mail, written in the same transaction as the change that causes it (an undangan
-- sent, a reminder due), so a mail is queued exactly when its cause commits. A worker claims
-- rows by a lease (claimed_by/claimed_until, set by a conditional UPDATE) so several app
-- servers can share the table; a crashed worker's lease simply expires.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    kind            TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    to_name         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    -- "Send this once" (e.g. 'pengingat:training:12:user:5:h-1') is enforced here, not in code.
    dedup_key       TEXT,
    training_id     INTEGER REFERENCES trainings(id),
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    claimed_until   TEXT,
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT,
    CONSTRAINT uq_outbox_dedup_key UNIQUE (dedup_key)
);

-- The worker's scan: pending rows by due time. Sent and given-up rows stay for the admin page.
CREATE INDEX ix_outbox_due ON outbox (sent_at, failed_at, next_attempt_at);
CREATE INDEX ix_outbox_unit ON outbox (unit_id, id);
