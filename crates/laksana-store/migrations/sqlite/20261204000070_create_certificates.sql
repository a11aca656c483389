-- Certificates (sertifikat pelatihan): who delivers each training, the unit's own LPK
-- registration and certificate rules, and the issued certificates. Same conventions as the
-- core schema: UTC text timestamps, "YYYY-MM-DD" dates, named constraints.

-- Who delivers a training: the BLK itself ('blk') or a partner LPK ('lpk') with its
-- registration (Permenaker 6/2024: tanda daftar, izin or perizinan berusaha). One row per
-- training, replaced on save; the audit trail keeps each saved version in its entries.
CREATE TABLE training_providers (
    training_id         INTEGER PRIMARY KEY CONSTRAINT fk_training_provider_training REFERENCES trainings(id),
    unit_id             INTEGER NOT NULL CONSTRAINT fk_training_provider_unit REFERENCES units(id),
    delivered_by        TEXT NOT NULL CONSTRAINT ck_training_provider_by CHECK (delivered_by IN ('blk', 'lpk')),
    lpk_name            TEXT NOT NULL DEFAULT '',
    registration_kind   TEXT NOT NULL DEFAULT '' CONSTRAINT ck_training_provider_kind
                        CHECK (registration_kind IN ('', 'tanda_daftar', 'izin', 'perizinan_berusaha')),
    registration_number TEXT NOT NULL DEFAULT '',
    valid_from          TEXT,
    valid_to            TEXT,
    saved_by            INTEGER NOT NULL CONSTRAINT fk_training_provider_user REFERENCES users(id),
    saved_at            TEXT NOT NULL
);

-- The unit's own registration and its certificate rules, one row per unit. A table of its own
-- rather than columns of unit_profiles: the profile is an append-only history of the kop, saved
-- as a whole from its form, while a registration is renewed on its own schedule and the rules
-- are switched by themselves; mixing them would make every renewal a new kop version.
CREATE TABLE unit_certificate_settings (
    unit_id             INTEGER PRIMARY KEY CONSTRAINT fk_unit_cert_settings_unit REFERENCES units(id),
    registration_kind   TEXT NOT NULL DEFAULT '' CONSTRAINT ck_unit_cert_settings_kind
                        CHECK (registration_kind IN ('', 'tanda_daftar', 'izin', 'perizinan_berusaha')),
    registration_number TEXT NOT NULL DEFAULT '',
    valid_from          TEXT,
    valid_to            TEXT,
    -- 1: refuse certificates of a training whose partner LPK is not registered for all its days.
    tolak_sertifikat_lpk_tidak_terdaftar INTEGER NOT NULL DEFAULT 1,
    -- Minimum share of the sessions attended, in percent.
    min_kehadiran_persen INTEGER NOT NULL DEFAULT 100
                        CONSTRAINT ck_unit_cert_settings_percent CHECK (min_kehadiran_persen BETWEEN 0 AND 100),
    saved_by            INTEGER CONSTRAINT fk_unit_cert_settings_user REFERENCES users(id),
    saved_at            TEXT NOT NULL
);

-- One certificate per participant of a training, issued once and never changed: the number
-- from the register, the PDF as issued with its SHA-256, and the public verification token.
CREATE TABLE certificates (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id             INTEGER NOT NULL CONSTRAINT fk_certificate_unit REFERENCES units(id),
    training_id         INTEGER NOT NULL CONSTRAINT fk_certificate_training REFERENCES trainings(id),
    nomination_id       INTEGER NOT NULL CONSTRAINT fk_certificate_nomination REFERENCES nominations(id),
    register_entry_id   INTEGER NOT NULL CONSTRAINT fk_certificate_register_entry REFERENCES register_entries(id),
    number_text         TEXT NOT NULL,
    issued_date         TEXT NOT NULL,
    nama                TEXT NOT NULL,
    training_title      TEXT NOT NULL,
    signer_json         TEXT NOT NULL,
    pdf                 BLOB NOT NULL,
    pdf_sha256          TEXT NOT NULL,
    verification_token  TEXT NOT NULL CONSTRAINT uq_certificate_token UNIQUE,
    issued_by           INTEGER NOT NULL CONSTRAINT fk_certificate_user REFERENCES users(id),
    issued_at           TEXT NOT NULL,
    CONSTRAINT uq_certificate_participant UNIQUE (training_id, nomination_id)
);

CREATE TRIGGER certificates_no_update BEFORE UPDATE ON certificates
BEGIN SELECT RAISE(ABORT, 'certificates is append-only'); END;
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates
BEGIN SELECT RAISE(ABORT, 'certificates is append-only'); END;
