-- Paperwork: unit profile versions (kop surat), officials and their Plt/Plh appointments,
-- registers with yearly gap-free numbering, documents with versions, paraf, signatures and TTE.
-- Same conventions as the core schema: UTC text timestamps, "YYYY-MM-DD" dates, named constraints.

-- Every save appends a version; the newest one is the profile in force. Never updated.
CREATE TABLE unit_profiles (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id          INTEGER NOT NULL CONSTRAINT fk_unit_profile_unit REFERENCES units(id),
    version          INTEGER NOT NULL,
    logo             BLOB,
    logo_mime        TEXT,
    -- JSON array of one to three kop lines, top to bottom.
    name_lines       TEXT NOT NULL,
    address          TEXT NOT NULL DEFAULT '',
    telephone        TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    place            TEXT NOT NULL DEFAULT '',
    zone             TEXT NOT NULL DEFAULT 'WIB',
    head_title       TEXT NOT NULL,
    kode_klasifikasi TEXT NOT NULL,
    unit_code        TEXT NOT NULL,
    public_base_url  TEXT NOT NULL DEFAULT '',
    saved_by         INTEGER CONSTRAINT fk_unit_profile_user REFERENCES users(id),
    saved_by_name    TEXT NOT NULL,
    saved_at         TEXT NOT NULL,
    CONSTRAINT uq_unit_profile_version UNIQUE (unit_id, version)
);

-- Definitive holders of a position (kepala-dinas, kepala-bidang, ...), optionally between dates.
CREATE TABLE officials (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     INTEGER NOT NULL CONSTRAINT fk_official_unit REFERENCES units(id),
    position    TEXT NOT NULL,
    name        TEXT NOT NULL,
    nip         TEXT NOT NULL,
    pangkat     TEXT NOT NULL DEFAULT '',
    jabatan     TEXT NOT NULL,
    user_id     INTEGER CONSTRAINT fk_official_user REFERENCES users(id),
    since       TEXT,
    until       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX ix_officials_position ON officials(unit_id, position);

-- Plt (acting) and Plh (daily stand-in) for a position, inclusive date range.
CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     INTEGER NOT NULL CONSTRAINT fk_appointment_unit REFERENCES units(id),
    position    TEXT NOT NULL,
    kind        TEXT NOT NULL CONSTRAINT ck_appointment_kind CHECK (kind IN ('plt', 'plh')),
    official_id INTEGER NOT NULL CONSTRAINT fk_appointment_official REFERENCES officials(id),
    -- The position's jabatan as printed after the prefix, frozen at appointment.
    jabatan     TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL,
    basis       TEXT NOT NULL DEFAULT '',
    cancelled_at TEXT,
    created_by  INTEGER CONSTRAINT fk_appointment_user REFERENCES users(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX ix_appointments_position ON appointments(unit_id, position, valid_from);

CREATE TABLE registers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id          INTEGER NOT NULL CONSTRAINT fk_register_unit REFERENCES units(id),
    register_key     TEXT NOT NULL,
    name             TEXT NOT NULL,
    -- Printed by {register}.
    code             TEXT NOT NULL,
    format           TEXT NOT NULL DEFAULT '{kode}/{urut}/{unit}',
    -- NULL: the unit profile's kode klasifikasi.
    kode_klasifikasi TEXT,
    -- JSON array of document kind keys numbered in this register.
    kinds            TEXT NOT NULL DEFAULT '[]',
    created_at       TEXT NOT NULL,
    CONSTRAINT uq_register_unit_key UNIQUE (unit_id, register_key)
);

-- The last number given per register and year; bumped under the row lock (SQLite: write lock).
CREATE TABLE register_counters (
    register_id INTEGER NOT NULL CONSTRAINT fk_register_counter_register REFERENCES registers(id),
    year        INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT uq_register_counter UNIQUE (register_id, year)
);

-- The buku register: one row per number given, by the system or reserved by hand. Never updated.
CREATE TABLE register_entries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    register_id   INTEGER NOT NULL CONSTRAINT fk_register_entry_register REFERENCES registers(id),
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    number_text   TEXT NOT NULL,
    entry_date    TEXT NOT NULL,
    -- 'document' (numbered by Laksana) or 'reservation' (signed outside the system).
    entry_kind    TEXT NOT NULL CONSTRAINT ck_register_entry_kind CHECK (entry_kind IN ('document', 'reservation')),
    document_id   INTEGER CONSTRAINT fk_register_entry_document REFERENCES documents(id),
    training_id   INTEGER CONSTRAINT fk_register_entry_training REFERENCES trainings(id),
    document_kind TEXT,
    title         TEXT NOT NULL DEFAULT '',
    reason        TEXT,
    signer_name   TEXT,
    created_by    INTEGER CONSTRAINT fk_register_entry_user REFERENCES users(id),
    created_at    TEXT NOT NULL,
    CONSTRAINT uq_register_entry_seq UNIQUE (register_id, year, seq)
);

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL CONSTRAINT fk_document_unit REFERENCES units(id),
    training_id     INTEGER NOT NULL CONSTRAINT fk_document_training REFERENCES trainings(id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    current_version INTEGER NOT NULL DEFAULT 0,
    parafs_required INTEGER NOT NULL DEFAULT 0,
    signed_at       TEXT,
    created_by      INTEGER CONSTRAINT fk_document_user REFERENCES users(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX ix_documents_training ON documents(training_id);

CREATE TABLE document_versions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id    INTEGER NOT NULL CONSTRAINT fk_document_version_document REFERENCES documents(id),
    version        INTEGER NOT NULL,
    content_json   TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    created_by     INTEGER CONSTRAINT fk_document_version_user REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    CONSTRAINT uq_document_version UNIQUE (document_id, version)
);

-- A paraf is for one version; kept when the document changes, but then no longer valid.
CREATE TABLE document_parafs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL CONSTRAINT fk_document_paraf_document REFERENCES documents(id),
    version     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL CONSTRAINT fk_document_paraf_user REFERENCES users(id),
    name        TEXT NOT NULL,
    jabatan     TEXT NOT NULL,
    at          TEXT NOT NULL,
    CONSTRAINT uq_document_paraf UNIQUE (document_id, version, user_id)
);

CREATE TABLE document_returns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL CONSTRAINT fk_document_return_document REFERENCES documents(id),
    version     INTEGER NOT NULL,
    note        TEXT NOT NULL,
    by_user     INTEGER CONSTRAINT fk_document_return_user REFERENCES users(id),
    by_name     TEXT NOT NULL,
    at          TEXT NOT NULL
);

-- What was signed, frozen: signer, number, date and the exact PDF. Never updated or deleted.
CREATE TABLE document_signatures (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id        INTEGER NOT NULL CONSTRAINT fk_document_signature_document REFERENCES documents(id),
    version            INTEGER NOT NULL,
    register_entry_id  INTEGER CONSTRAINT fk_document_signature_entry REFERENCES register_entries(id),
    number_text        TEXT,
    signed_date        TEXT NOT NULL,
    signed_at          TEXT NOT NULL,
    signer_json        TEXT NOT NULL,
    profile_version    INTEGER NOT NULL,
    pdf                BLOB NOT NULL,
    pdf_sha256         TEXT NOT NULL,
    verification_token TEXT NOT NULL CONSTRAINT uq_document_signature_token UNIQUE,
    signed_by          INTEGER CONSTRAINT fk_document_signature_user REFERENCES users(id),
    CONSTRAINT uq_document_signature_document UNIQUE (document_id)
);

-- The PDF returned by the TTE service (BSrE): the signed PDF plus an incremental signature update.
CREATE TABLE document_tte (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL CONSTRAINT fk_document_tte_document REFERENCES documents(id),
    pdf         BLOB NOT NULL,
    pdf_sha256  TEXT NOT NULL,
    by_user     INTEGER CONSTRAINT fk_document_tte_user REFERENCES users(id),
    at          TEXT NOT NULL,
    CONSTRAINT uq_document_tte_document UNIQUE (document_id)
);

CREATE TRIGGER document_signatures_no_update BEFORE UPDATE ON document_signatures
BEGIN SELECT RAISE(ABORT, 'document_signatures is frozen: a signed document never changes'); END;
CREATE TRIGGER document_signatures_no_delete BEFORE DELETE ON document_signatures
BEGIN SELECT RAISE(ABORT, 'document_signatures is frozen: a signed document never changes'); END;
CREATE TRIGGER document_tte_no_update BEFORE UPDATE ON document_tte
BEGIN SELECT RAISE(ABORT, 'document_tte is frozen'); END;
CREATE TRIGGER document_versions_no_update BEFORE UPDATE ON document_versions
BEGIN SELECT RAISE(ABORT, 'document_versions is append-only'); END;
CREATE TRIGGER document_versions_not_after_signing BEFORE INSERT ON document_versions
WHEN EXISTS (SELECT 1 FROM document_signatures WHERE document_id = NEW.document_id)
BEGIN SELECT RAISE(ABORT, 'document is signed: no new version'); END;
CREATE TRIGGER register_entries_no_update BEFORE UPDATE ON register_entries
BEGIN SELECT RAISE(ABORT, 'register_entries is append-only'); END;
CREATE TRIGGER register_entries_no_delete BEFORE DELETE ON register_entries
BEGIN SELECT RAISE(ABORT, 'register_entries is append-only'); END;
CREATE TRIGGER unit_profiles_no_update BEFORE UPDATE ON unit_profiles
BEGIN SELECT RAISE(ABORT, 'unit_profiles is append-only'); END;

-- Units that existed before this migration get the default registers (new units get them on creation).
INSERT INTO registers (unit_id, register_key, name, code, format, kinds, created_at)
SELECT id, 'surat-keluar', 'Surat Keluar', 'SRT', '{kode}/{urut}/{unit}', '["undangan","surat_pengantar"]', created_at FROM units;
INSERT INTO registers (unit_id, register_key, name, code, format, kinds, created_at)
SELECT id, 'keputusan', 'Keputusan', 'KPTS', '{kode}/{urut}/{unit}', '["sk_panitia"]', created_at FROM units;
INSERT INTO registers (unit_id, register_key, name, code, format, kinds, created_at)
SELECT id, 'sertifikat', 'Sertifikat', 'SERT', '{kode}/{urut}/{unit}', '["sertifikat"]', created_at FROM units;
