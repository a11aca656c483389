//! The files Laksana keeps (signed PDFs, TTE copies, proofs of dispatch, reply letters,
//! certificates), each stored with the SHA-256 it had when it arrived, and the check that
//! their content still matches.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Result, Store};

/// Where one kind of stored file lives: its table, its content and checksum columns, and how
/// it is named in an export. One list, so `verify` and `export` cannot miss different kinds.
pub(crate) struct FileKind {
    /// Stable name used in reports, e.g. `document_signatures`.
    pub table: &'static str,
    /// Folder inside an export's `dokumen/`.
    pub folder: &'static str,
    /// Selects `id`, `training_id`, `name` (a readable file name without folder), `content`
    /// and `sha256` for the rows that have a file; `{where}` becomes `WHERE 1 = 1` so a kind
    /// may add its own `AND …`, and callers filter on the outer select.
    pub select: &'static str,
}

pub(crate) const FILE_KINDS: &[FileKind] = &[
    FileKind {
        table: "document_signatures",
        folder: "surat",
        select: "SELECT s.id AS id, d.training_id AS training_id,
                        d.kind || '-' || COALESCE(s.number_text, 'tanpa-nomor') || '.pdf' AS name,
                        s.pdf AS content, s.pdf_sha256 AS sha256
                 FROM document_signatures s JOIN documents d ON d.id = s.document_id {where}",
    },
    FileKind {
        table: "document_tte",
        folder: "surat-tte",
        select: "SELECT t.id AS id, d.training_id AS training_id,
                        d.kind || '-tte.pdf' AS name, t.pdf AS content, t.pdf_sha256 AS sha256
                 FROM document_tte t JOIN documents d ON d.id = t.document_id {where}",
    },
    FileKind {
        table: "dispatches",
        folder: "bukti-kirim",
        select: "SELECT x.id AS id, r.training_id AS training_id,
                        r.region_name || '-' || COALESCE(x.proof_name, 'bukti') AS name,
                        x.proof_file AS content, x.proof_sha256 AS sha256
                 FROM dispatches x JOIN recipients r ON r.id = x.recipient_id
                 {where} AND x.proof_file IS NOT NULL",
    },
    FileKind {
        table: "replies",
        folder: "surat-masuk",
        select: "SELECT y.id AS id, y.training_id AS training_id,
                        'agenda-' || y.agenda_year || '-' || y.agenda_seq || '-' || COALESCE(y.file_name, 'surat') AS name,
                        y.file AS content, y.file_sha256 AS sha256
                 FROM replies y {where} AND y.file IS NOT NULL",
    },
    FileKind {
        table: "certificates",
        folder: "sertifikat",
        select: "SELECT c.id AS id, c.training_id AS training_id,
                        c.number_text || '-' || c.nama || '.pdf' AS name,
                        c.pdf AS content, c.pdf_sha256 AS sha256
                 FROM certificates c {where}",
    },
];

/// One stored file with its content.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub table: &'static str,
    pub folder: &'static str,
    pub id: i64,
    pub training_id: Option<i64>,
    /// A readable name (not yet made safe for a file system).
    pub name: String,
    pub content: Vec<u8>,
    /// What the database says the content's SHA-256 is.
    pub sha256: Option<String>,
}

impl StoredFile {
    pub fn actual_sha256(&self) -> String {
        sha256_hex(&self.content)
    }
}

/// A file whose content no longer has the checksum recorded for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMismatch {
    pub table: &'static str,
    pub id: i64,
    pub training_id: Option<i64>,
    pub name: String,
    pub recorded: Option<String>,
    pub actual: String,
}

/// The result of re-hashing every stored file.
#[derive(Debug, Default)]
pub struct FileCheck {
    pub checked: usize,
    pub bytes: u64,
    pub mismatches: Vec<FileMismatch>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn file_from_row(kind: &FileKind, row: &sqlx::any::AnyRow) -> Result<StoredFile> {
    Ok(StoredFile {
        table: kind.table,
        folder: kind.folder,
        id: row.try_get("id")?,
        training_id: row.try_get("training_id")?,
        name: row
            .try_get::<Option<String>, _>("name")?
            .unwrap_or_else(|| "berkas".into()),
        content: row.try_get("content")?,
        sha256: row.try_get("sha256")?,
    })
}

impl Store {
    /// Every stored file of one training, kind by kind, oldest first.
    pub async fn files_of_training(&self, training_id: i64) -> Result<Vec<StoredFile>> {
        let mut out = Vec::new();
        for kind in FILE_KINDS {
            // The owning table differs per kind; filter on the select's own `training_id`.
            let sql = format!(
                "SELECT * FROM ({}) f WHERE training_id = $1 ORDER BY id",
                kind.select.replace("{where}", "WHERE 1 = 1")
            );
            for row in sqlx::query(&sql)
                .bind(training_id)
                .fetch_all(&self.pool)
                .await?
            {
                out.push(file_from_row(kind, &row)?);
            }
        }
        Ok(out)
    }

    /// Re-hashes every stored file of every unit and names those whose content no longer
    /// matches the recorded SHA-256. Files are read one at a time, so memory stays at one file.
    pub async fn verify_files(&self) -> Result<FileCheck> {
        let mut check = FileCheck::default();
        for kind in FILE_KINDS {
            let all = format!(
                "SELECT id FROM ({}) f ORDER BY id",
                kind.select.replace("{where}", "WHERE 1 = 1")
            );
            let ids: Vec<i64> = sqlx::query(&all)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
            let one = format!(
                "SELECT * FROM ({}) f WHERE id = $1",
                kind.select.replace("{where}", "WHERE 1 = 1")
            );
            for id in ids {
                let row = sqlx::query(&one).bind(id).fetch_one(&self.pool).await?;
                let file = file_from_row(kind, &row)?;
                check.checked += 1;
                check.bytes += file.content.len() as u64;
                let actual = file.actual_sha256();
                if file.sha256.as_deref() != Some(actual.as_str()) {
                    check.mismatches.push(FileMismatch {
                        table: kind.table,
                        id: file.id,
                        training_id: file.training_id,
                        name: file.name,
                        recorded: file.sha256,
                        actual,
                    });
                }
            }
        }
        Ok(check)
    }
}
