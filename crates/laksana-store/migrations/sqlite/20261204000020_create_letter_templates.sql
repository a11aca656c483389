-- A unit's own texts for the letters' named-field templates, one row per save (never updated):
-- the newest row of a key is in force; the history shows who changed what and when.
CREATE TABLE letter_templates (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    key       TEXT NOT NULL,
    version   INTEGER NOT NULL,
    text      TEXT NOT NULL,
    saved_by  INTEGER NOT NULL REFERENCES users(id),
    saved_at  TEXT NOT NULL,
    CONSTRAINT uq_letter_template_version UNIQUE (unit_id, key, version)
);

CREATE TRIGGER letter_templates_no_update BEFORE UPDATE ON letter_templates
BEGIN SELECT RAISE(ABORT, 'letter_templates is append-only'); END;
