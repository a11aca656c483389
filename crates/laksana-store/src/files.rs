//! The files Laksana keeps (signed PDFs, TTE copies, proofs of dispatch, reply letters,
//! certificates), each stored with the SHA-256 and size it had when it arrived; their bytes in
//! the row's content column or, when that is NULL, in the file store under the SHA-256 (see
//! `file_store`). Also the check that every file is there and unchanged, and the move of the
//! bytes between the database and a store.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{FileStore, Result, Store, StoreError};

/// Where one kind of stored file lives: its table, its content and checksum columns, and how
/// it is named in an export. One list, so `verify`, `export` and the move cannot miss
/// different kinds.
pub(crate) struct FileKind {
    /// The table, also the stable name used in reports, e.g. `document_signatures`.
    pub table: &'static str,
    /// Its column holding the bytes when they are kept in the database.
    pub content: &'static str,
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
        content: "pdf",
        folder: "surat",
        select: "SELECT s.id AS id, d.training_id AS training_id,
                        d.kind || '-' || COALESCE(s.number_text, 'tanpa-nomor') || '.pdf' AS name,
                        s.pdf AS content, s.pdf_sha256 AS sha256
                 FROM document_signatures s JOIN documents d ON d.id = s.document_id {where}",
    },
    FileKind {
        table: "document_tte",
        content: "pdf",
        folder: "surat-tte",
        select: "SELECT t.id AS id, d.training_id AS training_id,
                        d.kind || '-tte.pdf' AS name, t.pdf AS content, t.pdf_sha256 AS sha256
                 FROM document_tte t JOIN documents d ON d.id = t.document_id {where}",
    },
    FileKind {
        table: "dispatches",
        content: "proof_file",
        folder: "bukti-kirim",
        select: "SELECT x.id AS id, r.training_id AS training_id,
                        r.region_name || '-' || COALESCE(x.proof_name, 'bukti') AS name,
                        x.proof_file AS content, x.proof_sha256 AS sha256
                 FROM dispatches x JOIN recipients r ON r.id = x.recipient_id
                 {where} AND x.proof_sha256 IS NOT NULL",
    },
    FileKind {
        table: "replies",
        content: "file",
        folder: "surat-masuk",
        select: "SELECT y.id AS id, y.training_id AS training_id,
                        'agenda-' || y.agenda_year || '-' || y.agenda_seq || '-' || COALESCE(y.file_name, 'surat') AS name,
                        y.file AS content, y.file_sha256 AS sha256
                 FROM replies y {where} AND y.file_sha256 IS NOT NULL",
    },
    FileKind {
        table: "certificates",
        content: "pdf",
        folder: "sertifikat",
        select: "SELECT c.id AS id, c.training_id AS training_id,
                        c.number_text || '-' || c.nama || '.pdf' AS name,
                        c.pdf AS content, c.pdf_sha256 AS sha256
                 FROM certificates c {where}",
    },
];

impl FileKind {
    fn rows_sql(&self, outer: &str) -> String {
        format!(
            "SELECT * FROM ({}) f {outer}",
            self.select.replace("{where}", "WHERE 1 = 1")
        )
    }
}

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

/// A row whose file is in neither its content column nor the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFile {
    pub table: &'static str,
    pub id: i64,
    pub training_id: Option<i64>,
    pub name: String,
    pub sha256: String,
    /// Where it was looked for.
    pub place: String,
}

/// The result of re-hashing every stored file.
#[derive(Debug, Default)]
pub struct FileCheck {
    pub checked: usize,
    pub bytes: u64,
    /// How many of the checked files were read from the database, and how many from the store.
    pub in_database: usize,
    pub in_store: usize,
    pub mismatches: Vec<FileMismatch>,
    pub missing: Vec<MissingFile>,
}

/// What a move of the bytes did.
#[derive(Debug, Default)]
pub struct FileMove {
    /// Files copied to the target and checked there.
    pub copied: usize,
    /// Files the target already held with the right bytes (an earlier, interrupted run).
    pub already_there: usize,
    /// Rows whose content column was cleared (moved out) or filled (moved in).
    pub rows_updated: usize,
    /// Files that could not be moved: not found, or not matching their checksum.
    pub failed: Vec<MissingFile>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A row of a kind's select, before its bytes are looked up.
struct FileRow {
    id: i64,
    training_id: Option<i64>,
    name: String,
    content: Option<Vec<u8>>,
    sha256: Option<String>,
}

fn file_row(row: &sqlx::any::AnyRow) -> Result<FileRow> {
    Ok(FileRow {
        id: row.try_get("id")?,
        training_id: row.try_get("training_id")?,
        name: row
            .try_get::<Option<String>, _>("name")?
            .unwrap_or_else(|| "berkas".into()),
        content: row.try_get("content")?,
        sha256: row.try_get("sha256")?,
    })
}

/// What a file's bytes will be saved as: the checksum and size always; the bytes themselves
/// for the content column only when files stay in the database.
pub(crate) struct KeptFile {
    pub sha256: String,
    pub size: i64,
    pub content: Option<Vec<u8>>,
}

impl Store {
    /// Puts a new file's bytes where files are kept. Called before the transaction that
    /// inserts the row naming the file commits, so the row never points at nothing.
    pub(crate) async fn keep_file(&self, bytes: &[u8]) -> Result<KeptFile> {
        let sha256 = sha256_hex(bytes);
        let size = bytes.len() as i64;
        if self.files.in_database() {
            return Ok(KeptFile {
                sha256,
                size,
                content: Some(bytes.to_vec()),
            });
        }
        self.files.put(&sha256, bytes).await?;
        Ok(KeptFile {
            sha256,
            size,
            content: None,
        })
    }

    /// A file's bytes for serving: the row's content when it holds them, else the store's copy,
    /// which must hash to the recorded checksum.
    pub(crate) async fn file_bytes(
        &self,
        content: Option<Vec<u8>>,
        sha256: &str,
    ) -> Result<Vec<u8>> {
        match content {
            Some(bytes) => Ok(bytes),
            None => self.files.get_checked(sha256).await,
        }
    }

    /// The bytes as stored (unchecked), so an export or `verify` can say what changed.
    async fn raw_bytes(&self, row: &FileRow) -> Result<Option<Vec<u8>>> {
        match (&row.content, &row.sha256) {
            (Some(bytes), _) => Ok(Some(bytes.clone())),
            (None, Some(sha)) => self.files.get(sha).await,
            (None, None) => Ok(None),
        }
    }

    /// Every stored file of one training, kind by kind, oldest first.
    pub async fn files_of_training(&self, training_id: i64) -> Result<Vec<StoredFile>> {
        let mut out = Vec::new();
        for kind in FILE_KINDS {
            // The owning table differs per kind; filter on the select's own `training_id`.
            let sql = kind.rows_sql("WHERE training_id = $1 ORDER BY id");
            for row in sqlx::query(&sql)
                .bind(training_id)
                .fetch_all(&self.pool)
                .await?
            {
                let row = file_row(&row)?;
                let content =
                    self.raw_bytes(&row)
                        .await?
                        .ok_or_else(|| StoreError::FileMissing {
                            sha256: row.sha256.clone().unwrap_or_default(),
                            place: format!(
                                "{} ({} id {})",
                                self.files.describe(),
                                kind.table,
                                row.id
                            ),
                        })?;
                out.push(StoredFile {
                    table: kind.table,
                    folder: kind.folder,
                    id: row.id,
                    training_id: row.training_id,
                    name: row.name,
                    content,
                    sha256: row.sha256,
                });
            }
        }
        Ok(out)
    }

    /// The ids of a kind's rows with a file, oldest first.
    async fn file_ids(&self, kind: &FileKind) -> Result<Vec<i64>> {
        sqlx::query(&kind.rows_sql("ORDER BY id"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id").map_err(StoreError::from))
            .collect()
    }

    async fn file_by_id(&self, kind: &FileKind, id: i64) -> Result<FileRow> {
        let row = sqlx::query(&kind.rows_sql("WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        file_row(&row)
    }

    /// Re-hashes every stored file of every unit, wherever its bytes are (its row or the
    /// store), and names those that are missing or whose content no longer matches the
    /// recorded SHA-256. Files are read one at a time, so memory stays at one file.
    pub async fn verify_files(&self) -> Result<FileCheck> {
        let mut check = FileCheck::default();
        for kind in FILE_KINDS {
            for id in self.file_ids(kind).await? {
                let file = self.file_by_id(kind, id).await?;
                check.checked += 1;
                if file.content.is_some() {
                    check.in_database += 1;
                } else {
                    check.in_store += 1;
                }
                let Some(bytes) = self.raw_bytes(&file).await? else {
                    check.missing.push(MissingFile {
                        table: kind.table,
                        id: file.id,
                        training_id: file.training_id,
                        name: file.name,
                        sha256: file.sha256.unwrap_or_default(),
                        place: self.files.describe(),
                    });
                    continue;
                };
                check.bytes += bytes.len() as u64;
                let actual = sha256_hex(&bytes);
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

    /// Moves every file's bytes to `target`: out of the content columns (and out of this
    /// store's place) into a folder or bucket, or back into the database when `target` keeps
    /// files there. Each copy is read back and checked against the recorded SHA-256 before a
    /// content column is cleared; a row is filled only with bytes that hash right. Resumable:
    /// a run that stopped half-way is finished by running it again, files already in place
    /// are not copied twice. `progress` hears of each row done.
    pub async fn move_files(
        &self,
        target: &FileStore,
        mut progress: impl FnMut(&'static str, i64),
    ) -> Result<FileMove> {
        let mut report = FileMove::default();
        for kind in FILE_KINDS {
            for id in self.file_ids(kind).await? {
                let row = self.file_by_id(kind, id).await?;
                let Some(sha) = row.sha256.clone() else {
                    continue;
                };
                let fail = |place: String| MissingFile {
                    table: kind.table,
                    id: row.id,
                    training_id: row.training_id,
                    name: row.name.clone(),
                    sha256: sha.clone(),
                    place,
                };
                if target.in_database() {
                    if row.content.is_some() {
                        continue;
                    }
                    match self.files.get(&sha).await? {
                        Some(bytes) if sha256_hex(&bytes) == sha => {
                            self.set_file_content(kind, row.id, Some(bytes)).await?;
                            report.rows_updated += 1;
                        }
                        _ => report.failed.push(fail(self.files.describe())),
                    }
                } else {
                    match target.get(&sha).await? {
                        Some(there) if sha256_hex(&there) == sha => report.already_there += 1,
                        _ => {
                            let Some(bytes) = self.raw_bytes(&row).await? else {
                                report.failed.push(fail(self.files.describe()));
                                continue;
                            };
                            if sha256_hex(&bytes) != sha {
                                report.failed.push(fail(self.files.describe()));
                                continue;
                            }
                            target.put(&sha, &bytes).await?;
                            if target.get(&sha).await?.map(|b| sha256_hex(&b)) != Some(sha.clone())
                            {
                                report.failed.push(fail(target.describe()));
                                continue;
                            }
                            report.copied += 1;
                        }
                    }
                    if row.content.is_some() {
                        self.set_file_content(kind, row.id, None).await?;
                        report.rows_updated += 1;
                    }
                }
                progress(kind.table, row.id);
            }
        }
        Ok(report)
    }

    /// Clears (None) or fills a row's content column; the tables' freeze triggers allow only
    /// this one change, between NULL and the bytes.
    async fn set_file_content(
        &self,
        kind: &FileKind,
        id: i64,
        content: Option<Vec<u8>>,
    ) -> Result<()> {
        let (table, c) = (kind.table, kind.content);
        match content {
            Some(bytes) => {
                let sql = format!("UPDATE {table} SET {c} = $1 WHERE id = $2 AND {c} IS NULL");
                sqlx::query(&sql)
                    .bind(bytes)
                    .bind(id)
                    .execute(&self.pool)
                    .await?
            }
            None => {
                let sql =
                    format!("UPDATE {table} SET {c} = NULL WHERE id = $1 AND {c} IS NOT NULL");
                sqlx::query(&sql).bind(id).execute(&self.pool).await?
            }
        };
        Ok(())
    }
}
