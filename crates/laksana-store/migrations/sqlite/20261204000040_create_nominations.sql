-- Invitations out, nominations in: the regions, the invited Kabupaten/Kota of a training and the
-- dispatch of their undangan (buku ekspedisi), their replies (agenda surat masuk) and the
-- candidates they nominate. Same conventions as the core schema: UTC text timestamps,
-- "YYYY-MM-DD" dates, named constraints.

-- Kemendagri region codes without dots ("32", "3201"); loaded from the data shipped in the
-- binary and replaced as a whole by `laksana wilayah perbarui` when a newer release comes out.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    parent_code TEXT,
    -- 'provinsi', 'kabupaten' or 'kota'.
    level       TEXT NOT NULL CONSTRAINT ck_region_level CHECK (level IN ('provinsi', 'kabupaten', 'kota')),
    name        TEXT NOT NULL
);
CREATE INDEX ix_regions_parent ON regions(parent_code);

-- Where the region data came from, one row per load; the newest is in force.
CREATE TABLE region_loads (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    provinces   INTEGER NOT NULL,
    regencies   INTEGER NOT NULL,
    loaded_at   TEXT NOT NULL
);

-- One invited Kabupaten/Kota of a training, with its quota and how to reach its office.
CREATE TABLE recipients (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_recipient_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_recipient_training REFERENCES trainings(id),
    region_code   TEXT NOT NULL,
    region_name   TEXT NOT NULL,
    quota         INTEGER NOT NULL CONSTRAINT ck_recipient_quota CHECK (quota >= 0),
    -- The office the letter is addressed to, e.g. "Kepala Dinas Tenaga Kerja Kabupaten Bogor".
    addressee     TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    telephone     TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    -- SHA-256 of the secret in the operator's link (case L5); the secret itself is never stored.
    token_hash    TEXT CONSTRAINT uq_recipient_token UNIQUE,
    removed_at    TEXT,
    created_by    INTEGER CONSTRAINT fk_recipient_user REFERENCES users(id),
    created_at    TEXT NOT NULL,
    CONSTRAINT uq_recipient_region UNIQUE (training_id, region_code)
);

-- The buku ekspedisi: every dispatch of the undangan to a recipient, and its proof. A later row
-- for the same recipient supersedes an earlier one; rows are never updated.
CREATE TABLE dispatches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_dispatch_unit REFERENCES units(id),
    recipient_id  INTEGER NOT NULL CONSTRAINT fk_dispatch_recipient REFERENCES recipients(id),
    -- 'pos', 'kurir', 'email', 'srikandi', 'langsung'.
    method        TEXT NOT NULL CONSTRAINT ck_dispatch_method CHECK (method IN ('pos', 'kurir', 'email', 'srikandi', 'langsung')),
    sent_at       TEXT NOT NULL,
    reference     TEXT NOT NULL DEFAULT '',
    -- 'tanda-terima', 'bukti-kirim', 'konfirmasi', or NULL while there is no proof yet.
    proof_kind    TEXT CONSTRAINT ck_dispatch_proof CHECK (proof_kind IN ('tanda-terima', 'bukti-kirim', 'konfirmasi')),
    proof_note    TEXT NOT NULL DEFAULT '',
    proof_file    BLOB,
    proof_name    TEXT,
    proof_mime    TEXT,
    proof_sha256  TEXT,
    -- Set when the dispatch failed and will not be retried; the reason is required then.
    failed_reason TEXT,
    -- The outbox mail that carried it, for method 'email'.
    mail_id       INTEGER,
    recorded_by   INTEGER CONSTRAINT fk_dispatch_user REFERENCES users(id),
    recorded_at   TEXT NOT NULL
);
CREATE INDEX ix_dispatches_recipient ON dispatches(recipient_id, id);

-- The agenda surat masuk: replies of the Kabupaten/Kota, numbered per unit and year.
CREATE TABLE replies (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_reply_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_reply_training REFERENCES trainings(id),
    recipient_id  INTEGER NOT NULL CONSTRAINT fk_reply_recipient REFERENCES recipients(id),
    agenda_year   INTEGER NOT NULL,
    agenda_seq    INTEGER NOT NULL,
    letter_number TEXT NOT NULL DEFAULT '',
    letter_date   TEXT,
    received_at   TEXT NOT NULL,
    subject       TEXT NOT NULL DEFAULT '',
    file          BLOB,
    file_name     TEXT,
    file_mime     TEXT,
    file_sha256   TEXT,
    -- 'form', 'unggah' (spreadsheet) or 'tautan' (the operator's link).
    via           TEXT NOT NULL CONSTRAINT ck_reply_via CHECK (via IN ('form', 'unggah', 'tautan')),
    recorded_by   INTEGER CONSTRAINT fk_reply_user REFERENCES users(id),
    recorded_at   TEXT NOT NULL,
    CONSTRAINT uq_reply_agenda UNIQUE (unit_id, agenda_year, agenda_seq)
);

-- A candidate nominated by a recipient. `seq` is the arrival order within the training, which
-- decides who is within the quota and who is a reserve. Corrections update the row (the
-- operator may fix a typo until the deadline); the audit trail keeps what changed.
CREATE TABLE nominations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_nomination_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_nomination_training REFERENCES trainings(id),
    recipient_id  INTEGER NOT NULL CONSTRAINT fk_nomination_recipient REFERENCES recipients(id),
    reply_id      INTEGER CONSTRAINT fk_nomination_reply REFERENCES replies(id),
    seq           INTEGER NOT NULL,
    nik           TEXT NOT NULL,
    nama          TEXT NOT NULL,
    -- The whole participant record as JSON (laksana_nomination::Participant).
    data          TEXT NOT NULL,
    via           TEXT NOT NULL CONSTRAINT ck_nomination_via CHECK (via IN ('form', 'unggah', 'tautan')),
    withdrawn_at  TEXT,
    withdrawn_reason TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT uq_nomination_seq UNIQUE (training_id, seq)
);
CREATE INDEX ix_nominations_training ON nominations(training_id, recipient_id);
CREATE INDEX ix_nominations_nik ON nominations(unit_id, nik);

-- The column mapping a unit last used for a spreadsheet with these headers.
CREATE TABLE import_mappings (
    unit_id       INTEGER NOT NULL CONSTRAINT fk_import_mapping_unit REFERENCES units(id),
    headers_key   TEXT NOT NULL,
    mapping       TEXT NOT NULL,
    saved_at      TEXT NOT NULL,
    CONSTRAINT pk_import_mapping PRIMARY KEY (unit_id, headers_key)
);

-- An uploaded spreadsheet between its preview and its saving, so nothing is saved before the
-- user has seen every row's problems, and the file need not be sent twice.
CREATE TABLE pending_imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_pending_import_unit REFERENCES units(id),
    recipient_id  INTEGER NOT NULL CONSTRAINT fk_pending_import_recipient REFERENCES recipients(id),
    file          BLOB NOT NULL,
    file_name     TEXT NOT NULL,
    created_by    INTEGER CONSTRAINT fk_pending_import_user REFERENCES users(id),
    created_at    TEXT NOT NULL,
    saved_at      TEXT
);

-- The Panitia's confirmation of the final list: a snapshot of who is in, never updated.
CREATE TABLE roster_confirmations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL CONSTRAINT fk_roster_unit REFERENCES units(id),
    training_id   INTEGER NOT NULL CONSTRAINT fk_roster_training REFERENCES trainings(id),
    -- JSON: [{"nomination_id":..,"status":"utama"|"cadangan","rank":..}]
    snapshot      TEXT NOT NULL,
    confirmed_by  INTEGER NOT NULL CONSTRAINT fk_roster_user REFERENCES users(id),
    confirmed_at  TEXT NOT NULL
);
