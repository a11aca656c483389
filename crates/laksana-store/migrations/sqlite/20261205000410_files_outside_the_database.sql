-- Stored files may live outside the database (a folder or an S3-compatible store, the `files`
-- setting). A row keeps the file's SHA-256 and size always; its content column holds the bytes
-- only when the file is kept in the database, and is NULL when the bytes are in the store under
-- their SHA-256. So the content columns become nullable, and each kind gets a size column.
--
-- SQLite cannot drop a NOT NULL constraint, so the three frozen tables are rebuilt (nothing
-- references them by foreign key; one trigger reads document_signatures and is made again).
-- Their ids are kept.

DROP TRIGGER document_versions_not_after_signing;
DROP TRIGGER document_signatures_no_update;
DROP TRIGGER document_signatures_no_delete;
DROP TRIGGER document_tte_no_update;
DROP TRIGGER certificates_no_update;
DROP TRIGGER certificates_no_delete;

CREATE TABLE document_signatures_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id        INTEGER NOT NULL CONSTRAINT fk_document_signature_document REFERENCES documents(id),
    version            INTEGER NOT NULL,
    register_entry_id  INTEGER CONSTRAINT fk_document_signature_entry REFERENCES register_entries(id),
    number_text        TEXT,
    signed_date        TEXT NOT NULL,
    signed_at          TEXT NOT NULL,
    signer_json        TEXT NOT NULL,
    profile_version    INTEGER NOT NULL,
    pdf                BLOB,
    pdf_sha256         TEXT NOT NULL,
    pdf_size           INTEGER NOT NULL,
    verification_token TEXT NOT NULL CONSTRAINT uq_document_signature_token UNIQUE,
    signed_by          INTEGER CONSTRAINT fk_document_signature_user REFERENCES users(id),
    CONSTRAINT uq_document_signature_document UNIQUE (document_id)
);
INSERT INTO document_signatures_new (id, document_id, version, register_entry_id, number_text,
    signed_date, signed_at, signer_json, profile_version, pdf, pdf_sha256, pdf_size,
    verification_token, signed_by)
SELECT id, document_id, version, register_entry_id, number_text, signed_date, signed_at,
    signer_json, profile_version, pdf, pdf_sha256, length(pdf), verification_token, signed_by
FROM document_signatures;
DROP TABLE document_signatures;
ALTER TABLE document_signatures_new RENAME TO document_signatures;

CREATE TABLE document_tte_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL CONSTRAINT fk_document_tte_document REFERENCES documents(id),
    pdf         BLOB,
    pdf_sha256  TEXT NOT NULL,
    pdf_size    INTEGER NOT NULL,
    by_user     INTEGER CONSTRAINT fk_document_tte_user REFERENCES users(id),
    at          TEXT NOT NULL,
    CONSTRAINT uq_document_tte_document UNIQUE (document_id)
);
INSERT INTO document_tte_new (id, document_id, pdf, pdf_sha256, pdf_size, by_user, at)
SELECT id, document_id, pdf, pdf_sha256, length(pdf), by_user, at FROM document_tte;
DROP TABLE document_tte;
ALTER TABLE document_tte_new RENAME TO document_tte;

CREATE TABLE certificates_new (
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
    pdf                 BLOB,
    pdf_sha256          TEXT NOT NULL,
    pdf_size            INTEGER NOT NULL,
    verification_token  TEXT NOT NULL CONSTRAINT uq_certificate_token UNIQUE,
    issued_by           INTEGER NOT NULL CONSTRAINT fk_certificate_user REFERENCES users(id),
    issued_at           TEXT NOT NULL,
    CONSTRAINT uq_certificate_participant UNIQUE (training_id, nomination_id)
);
INSERT INTO certificates_new (id, unit_id, training_id, nomination_id, register_entry_id,
    number_text, issued_date, nama, training_title, signer_json, pdf, pdf_sha256, pdf_size,
    verification_token, issued_by, issued_at)
SELECT id, unit_id, training_id, nomination_id, register_entry_id, number_text, issued_date,
    nama, training_title, signer_json, pdf, pdf_sha256, length(pdf), verification_token,
    issued_by, issued_at
FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_new RENAME TO certificates;

CREATE TRIGGER document_versions_not_after_signing BEFORE INSERT ON document_versions
WHEN EXISTS (SELECT 1 FROM document_signatures WHERE document_id = NEW.document_id)
BEGIN SELECT RAISE(ABORT, 'document is signed: no new version'); END;

-- Uploads that may be absent: "has a file" is now "has a SHA-256", not "has content".
ALTER TABLE dispatches ADD COLUMN proof_size INTEGER;
UPDATE dispatches SET proof_size = length(proof_file) WHERE proof_file IS NOT NULL;
ALTER TABLE replies ADD COLUMN file_size INTEGER;
UPDATE replies SET file_size = length(file) WHERE file IS NOT NULL;

-- Still frozen, with one exception: the bytes may leave the database for the store (content
-- set to NULL) or come back (NULL set to content) by `laksana files pindah`, which checks the
-- SHA-256 before either. Content never changes into other content, and nothing else changes.
CREATE TRIGGER document_signatures_no_update BEFORE UPDATE ON document_signatures
WHEN NOT (OLD.pdf IS NULL OR NEW.pdf IS NULL)
  OR OLD.id IS NOT NEW.id OR OLD.document_id IS NOT NEW.document_id OR OLD.version IS NOT NEW.version
  OR OLD.register_entry_id IS NOT NEW.register_entry_id OR OLD.number_text IS NOT NEW.number_text
  OR OLD.signed_date IS NOT NEW.signed_date OR OLD.signed_at IS NOT NEW.signed_at
  OR OLD.signer_json IS NOT NEW.signer_json OR OLD.profile_version IS NOT NEW.profile_version
  OR OLD.pdf_sha256 IS NOT NEW.pdf_sha256 OR OLD.pdf_size IS NOT NEW.pdf_size
  OR OLD.verification_token IS NOT NEW.verification_token OR OLD.signed_by IS NOT NEW.signed_by
BEGIN SELECT RAISE(ABORT, 'document_signatures is frozen: a signed document never changes'); END;
CREATE TRIGGER document_signatures_no_delete BEFORE DELETE ON document_signatures
BEGIN SELECT RAISE(ABORT, 'document_signatures is frozen: a signed document never changes'); END;
CREATE TRIGGER document_tte_no_update BEFORE UPDATE ON document_tte
WHEN NOT (OLD.pdf IS NULL OR NEW.pdf IS NULL)
  OR OLD.id IS NOT NEW.id OR OLD.document_id IS NOT NEW.document_id
  OR OLD.pdf_sha256 IS NOT NEW.pdf_sha256 OR OLD.pdf_size IS NOT NEW.pdf_size
  OR OLD.by_user IS NOT NEW.by_user OR OLD.at IS NOT NEW.at
BEGIN SELECT RAISE(ABORT, 'document_tte is frozen'); END;
CREATE TRIGGER certificates_no_update BEFORE UPDATE ON certificates
WHEN NOT (OLD.pdf IS NULL OR NEW.pdf IS NULL)
  OR OLD.id IS NOT NEW.id OR OLD.unit_id IS NOT NEW.unit_id OR OLD.training_id IS NOT NEW.training_id
  OR OLD.nomination_id IS NOT NEW.nomination_id OR OLD.register_entry_id IS NOT NEW.register_entry_id
  OR OLD.number_text IS NOT NEW.number_text OR OLD.issued_date IS NOT NEW.issued_date
  OR OLD.nama IS NOT NEW.nama OR OLD.training_title IS NOT NEW.training_title
  OR OLD.signer_json IS NOT NEW.signer_json OR OLD.pdf_sha256 IS NOT NEW.pdf_sha256
  OR OLD.pdf_size IS NOT NEW.pdf_size OR OLD.verification_token IS NOT NEW.verification_token
  OR OLD.issued_by IS NOT NEW.issued_by OR OLD.issued_at IS NOT NEW.issued_at
BEGIN SELECT RAISE(ABORT, 'certificates is append-only'); END;
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates
BEGIN SELECT RAISE(ABORT, 'certificates is append-only'); END;
