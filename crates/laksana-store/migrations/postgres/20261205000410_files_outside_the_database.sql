-- Stored files may live outside the database (a folder or an S3-compatible store, the `files`
-- setting). A row keeps the file's SHA-256 and size always; its content column holds the bytes
-- only when the file is kept in the database, and is NULL when the bytes are in the store under
-- their SHA-256. So the content columns become nullable, and each kind gets a size column.

DROP TRIGGER document_signatures_no_update ON document_signatures;
DROP TRIGGER document_tte_no_update ON document_tte;
DROP TRIGGER certificates_no_update ON certificates;

ALTER TABLE document_signatures ALTER COLUMN pdf DROP NOT NULL;
ALTER TABLE document_signatures ADD COLUMN pdf_size BIGINT;
UPDATE document_signatures SET pdf_size = octet_length(pdf);
ALTER TABLE document_signatures ALTER COLUMN pdf_size SET NOT NULL;

ALTER TABLE document_tte ALTER COLUMN pdf DROP NOT NULL;
ALTER TABLE document_tte ADD COLUMN pdf_size BIGINT;
UPDATE document_tte SET pdf_size = octet_length(pdf);
ALTER TABLE document_tte ALTER COLUMN pdf_size SET NOT NULL;

ALTER TABLE certificates ALTER COLUMN pdf DROP NOT NULL;
ALTER TABLE certificates ADD COLUMN pdf_size BIGINT;
UPDATE certificates SET pdf_size = octet_length(pdf);
ALTER TABLE certificates ALTER COLUMN pdf_size SET NOT NULL;

-- Uploads that may be absent: "has a file" is now "has a SHA-256", not "has content".
ALTER TABLE dispatches ADD COLUMN proof_size BIGINT;
UPDATE dispatches SET proof_size = octet_length(proof_file) WHERE proof_file IS NOT NULL;
ALTER TABLE replies ADD COLUMN file_size BIGINT;
UPDATE replies SET file_size = octet_length(file) WHERE file IS NOT NULL;

-- Still frozen, with one exception: the bytes may leave the database for the store (content
-- set to NULL) or come back (NULL set to the content whose SHA-256 the row records) by
-- `laksana files pindah`. Arguments: the refusal message, the content column, the checksum column.
CREATE FUNCTION laksana_refuse_but_move_file() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    content_col text := TG_ARGV[1];
    sha_col text := TG_ARGV[2];
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
BEGIN
    IF (old_row - content_col) IS DISTINCT FROM (new_row - content_col)
       OR (old_row ->> content_col IS NOT NULL AND new_row ->> content_col IS NOT NULL) THEN
        RAISE EXCEPTION '%', TG_ARGV[0];
    END IF;
    IF new_row ->> content_col IS NOT NULL
       AND encode(sha256(decode(substr(new_row ->> content_col, 3), 'hex')), 'hex')
           IS DISTINCT FROM new_row ->> sha_col THEN
        RAISE EXCEPTION '%: the content returned does not have the recorded SHA-256', TG_ARGV[0];
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER document_signatures_no_update BEFORE UPDATE ON document_signatures
FOR EACH ROW EXECUTE FUNCTION laksana_refuse_but_move_file('document_signatures is frozen: a signed document never changes', 'pdf', 'pdf_sha256');
CREATE TRIGGER document_tte_no_update BEFORE UPDATE ON document_tte
FOR EACH ROW EXECUTE FUNCTION laksana_refuse_but_move_file('document_tte is frozen', 'pdf', 'pdf_sha256');
CREATE TRIGGER certificates_no_update BEFORE UPDATE ON certificates
FOR EACH ROW EXECUTE FUNCTION laksana_refuse_but_move_file('certificates is append-only', 'pdf', 'pdf_sha256');
