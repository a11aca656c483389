//! A training's documents: content versions, paraf per version, returns, signing with a number, TTE.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::audit::{self, NewEntry};
use crate::register::{assign_number_in, AssignedNumber, NumberFor};
use crate::time::ts_col;
use crate::unit_profile::profile_in;
use crate::{format_ts, Result, SignerSnapshot, Store, StoreError, UnitProfile, User};

/// Document kind keys the SOP produces (kinds are text, so others can be added).
pub const DOCUMENT_KINDS: [&str; 4] =
    ["undangan", "surat_pengantar", "sk_panitia", "rencana_kerja"];

/// How many paraf a kind needs on the signed version unless the document says otherwise.
///
/// Paraf hierarki (Permendagri 54/2009 Lampiran C): the SK passes the Kepala Bidang and the
/// Sekretaris; a letter passes the Kepala Bidang; the rencana kerja is internal.
pub fn default_parafs_required(kind: &str) -> u32 {
    match kind {
        "sk_panitia" => 2,
        "undangan" | "surat_pengantar" => 1,
        _ => 0,
    }
}

/// What is given to start a document of a training.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct NewDocument {
    pub training_id: i64,
    pub kind: String,
    pub title: String,
    /// `None`: [`default_parafs_required`] for the kind.
    pub parafs_required: Option<u32>,
}

/// A document of a training.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Document {
    pub id: i64,
    pub unit_id: i64,
    pub training_id: i64,
    pub kind: String,
    pub title: String,
    /// 0 until the first save.
    pub current_version: i64,
    pub parafs_required: i64,
    pub signed_at: Option<DateTime<Utc>>,
}

/// One saved content of a document.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DocumentVersion {
    pub version: i64,
    pub content: serde_json::Value,
    /// SHA-256 (hex) of the stored JSON text.
    pub content_sha256: String,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A paraf on one version; valid only while that version is current.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Paraf {
    pub id: i64,
    pub version: i64,
    pub user_id: i64,
    pub name: String,
    pub jabatan: String,
    pub at: DateTime<Utc>,
    pub valid: bool,
}

/// A return note written on a document at the checking step.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReturnNote {
    pub id: i64,
    pub version: i64,
    pub note: String,
    pub by_user: Option<i64>,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// What was signed, frozen at signing.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Signature {
    pub version: i64,
    pub number: Option<String>,
    pub register_entry_id: Option<i64>,
    /// The date line of the document (the unit's local date of signing).
    pub date: NaiveDate,
    pub signed_at: DateTime<Utc>,
    pub signer: SignerSnapshot,
    pub profile_version: i64,
    pub pdf_sha256: String,
    pub verification_token: String,
    pub tte_sha256: Option<String>,
    pub tte_at: Option<DateTime<Utc>>,
}

/// A document with its versions, paraf, returns and signature.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DocumentDetail {
    pub document: Document,
    /// Oldest first; the last is the current one.
    pub versions: Vec<DocumentVersion>,
    /// Every paraf ever given, oldest first; `valid` marks those on the current version.
    pub parafs: Vec<Paraf>,
    pub returns: Vec<ReturnNote>,
    pub signature: Option<Signature>,
}

impl DocumentDetail {
    /// The current version's content, if saved at least once.
    pub fn current(&self) -> Option<&DocumentVersion> {
        self.versions.last()
    }

    /// Paraf that still count (on the current version).
    pub fn valid_parafs(&self) -> Vec<&Paraf> {
        self.parafs.iter().filter(|p| p.valid).collect()
    }
}

/// Everything the PDF renderer needs, so it never touches the database.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SignedFacts {
    pub document_id: i64,
    pub training_id: i64,
    pub kind: String,
    pub title: String,
    pub version: i64,
    pub content: serde_json::Value,
    pub content_sha256: String,
    /// `None` when signed without a register (an internal document).
    pub number: Option<AssignedNumber>,
    pub date: NaiveDate,
    pub signed_at: DateTime<Utc>,
    pub signer: SignerSnapshot,
    pub parafs: Vec<Paraf>,
    pub profile: UnitProfile,
    pub verification_token: String,
    pub verification_url: String,
}

/// What the public verification page shows.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Verification {
    pub document_kind: String,
    pub title: String,
    pub number: Option<String>,
    pub date: NaiveDate,
    pub signer: SignerSnapshot,
    pub pdf_sha256: String,
    pub tte_sha256: Option<String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// True when the bytes after the original PDF hold a signature dictionary (an incremental update).
fn has_signature_dictionary(tail: &[u8]) -> bool {
    contains(tail, b"/Type /Sig")
        || contains(tail, b"/Type/Sig")
        || (contains(tail, b"/ByteRange") && contains(tail, b"/Contents"))
}

fn verification_token() -> String {
    crate::random_hex(20)
}

fn entry<'a>(
    unit_id: i64,
    training_id: i64,
    by: &'a User,
    action: &'a str,
    note: &'a str,
    at: DateTime<Utc>,
) -> NewEntry<'a> {
    NewEntry {
        unit_id,
        training_id: Some(training_id),
        actor_id: Some(by.id),
        actor_name: &by.full_name,
        actor_role: None,
        action,
        step_no: None,
        round: None,
        note: Some(note),
        state_before: None,
        state_after: None,
        at,
    }
}

const DOCUMENT_COLUMNS: &str =
    "id, unit_id, training_id, kind, title, current_version, parafs_required, signed_at";
const SIGNATURE_COLUMNS: &str = "s.version, s.register_entry_id, s.number_text, s.signed_date, s.signed_at,
    s.signer_json, s.profile_version, s.pdf_sha256, s.verification_token, t.pdf_sha256 AS tte_sha256, t.at AS tte_at";

impl Store {
    /// Starts a document of a training (no content yet: version 0).
    pub async fn create_document(
        &self,
        unit_id: i64,
        new: &NewDocument,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Document> {
        let kind = new.kind.trim();
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(StoreError::invalid(
                "kind",
                "Jenis naskah wajib diisi dengan huruf kecil dan garis bawah (misalnya sk_panitia).",
            ));
        }
        if new.title.trim().is_empty() {
            return Err(StoreError::invalid("title", "Judul naskah wajib diisi."));
        }
        self.training(unit_id, new.training_id).await?;
        let required = new
            .parafs_required
            .unwrap_or_else(|| default_parafs_required(kind));
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO documents (unit_id, training_id, kind, title, current_version, parafs_required, created_by, created_at)
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7) RETURNING id",
        )
        .bind(unit_id)
        .bind(new.training_id)
        .bind(kind)
        .bind(new.title.trim())
        .bind(required as i64)
        .bind(by.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let note = format!("{kind}: {}", new.title.trim());
        audit::append(
            &mut tx,
            entry(unit_id, new.training_id, by, "document.created", &note, now),
        )
        .await?;
        tx.commit().await?;
        self.document_row(unit_id, id).await
    }

    /// Saves new content as the next version; paraf on earlier versions stop counting.
    ///
    /// Content identical to the current version creates nothing (so a paraf is not lost to a
    /// save without changes) and returns the current version.
    pub async fn save_document(
        &self,
        unit_id: i64,
        document_id: i64,
        content: &serde_json::Value,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<DocumentVersion> {
        let text = serde_json::to_string(content).expect("JSON values serialise");
        let sha = sha256_hex(text.as_bytes());
        let before = self.document_row(unit_id, document_id).await?;
        if before.signed_at.is_some() {
            return Err(signed_refusal());
        }
        if let Some(current) = self.version_of(document_id, before.current_version).await? {
            if current.content_sha256 == sha {
                return Ok(current);
            }
        }
        let mut tx = self.pool.begin().await?;
        // Write first: bumping the version takes the lock, so two saves get two numbers.
        let bumped = sqlx::query(
            "UPDATE documents SET current_version = current_version + 1
             WHERE id = $1 AND unit_id = $2 AND signed_at IS NULL RETURNING current_version, training_id",
        )
        .bind(document_id)
        .bind(unit_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(bumped) = bumped else {
            // Signed between the read above and now.
            return Err(signed_refusal());
        };
        let version: i64 = bumped.try_get("current_version")?;
        let training_id: i64 = bumped.try_get("training_id")?;
        sqlx::query(
            "INSERT INTO document_versions (document_id, version, content_json, content_sha256, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(document_id)
        .bind(version)
        .bind(&text)
        .bind(&sha)
        .bind(by.id)
        .bind(&by.full_name)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        let note = format!("{} versi {version} ({})", before.title, &sha[..12]);
        audit::append(
            &mut tx,
            entry(unit_id, training_id, by, "document.saved", &note, now),
        )
        .await?;
        tx.commit().await?;
        self.version_of(document_id, version)
            .await?
            .ok_or(StoreError::NotFound("versi naskah"))
    }

    /// Records `user`'s paraf on `version`, which must be the current, unsigned version.
    pub async fn record_paraf(
        &self,
        unit_id: i64,
        document_id: i64,
        version: i64,
        user: &User,
        jabatan: &str,
        at: DateTime<Utc>,
    ) -> Result<Paraf> {
        let jabatan = match jabatan.trim() {
            "" => user.jabatan.trim(),
            j => j,
        };
        let mut tx = self.pool.begin().await?;
        // Inserted only if the version is current: the check and the write are one statement.
        let inserted = sqlx::query(
            "INSERT INTO document_parafs (document_id, version, user_id, name, jabatan, at)
             SELECT id, $1, $2, $3, $4, $5 FROM documents
             WHERE id = $6 AND unit_id = $7 AND current_version = $1 AND signed_at IS NULL
             RETURNING id",
        )
        .bind(version)
        .bind(user.id)
        .bind(&user.full_name)
        .bind(jabatan)
        .bind(format_ts(at))
        .bind(document_id)
        .bind(unit_id)
        .fetch_optional(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(Some(row)) => row.try_get("id")?,
            Ok(None) => {
                drop(tx);
                return Err(self
                    .why_not_current(unit_id, document_id, version, "diparaf")
                    .await);
            }
            Err(e) if StoreError::is_unique_violation(&e, "uq_document_paraf") => {
                return Err(StoreError::refused(
                    "paraf_exists",
                    format!(
                        "{} sudah memaraf versi {version} naskah ini.",
                        user.full_name
                    ),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let doc = document_in(&mut tx, unit_id, document_id).await?;
        let note = format!(
            "{} versi {version}: paraf {} ({jabatan})",
            doc.title, user.full_name
        );
        audit::append(
            &mut tx,
            entry(unit_id, doc.training_id, user, "document.paraf", &note, at),
        )
        .await?;
        tx.commit().await?;
        Ok(Paraf {
            id,
            version,
            user_id: user.id,
            name: user.full_name.clone(),
            jabatan: jabatan.to_string(),
            at,
            valid: true,
        })
    }

    /// Records a return note on the current version (step 5: the checker sends it back).
    pub async fn return_document(
        &self,
        unit_id: i64,
        document_id: i64,
        note: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<ReturnNote> {
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::invalid(
                "note",
                "Catatan pengembalian wajib diisi: tulis apa yang harus diperbaiki.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO document_returns (document_id, version, note, by_user, by_name, at)
             SELECT id, current_version, $1, $2, $3, $4 FROM documents
             WHERE id = $5 AND unit_id = $6 AND signed_at IS NULL
             RETURNING id, version",
        )
        .bind(note)
        .bind(by.id)
        .bind(&by.full_name)
        .bind(format_ts(now))
        .bind(document_id)
        .bind(unit_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            drop(tx);
            let doc = self.document_row(unit_id, document_id).await?;
            return Err(if doc.signed_at.is_some() {
                signed_refusal()
            } else {
                StoreError::NotFound("naskah")
            });
        };
        let (id, version): (i64, i64) = (row.try_get("id")?, row.try_get("version")?);
        let doc = document_in(&mut tx, unit_id, document_id).await?;
        let audit_note = format!("{} versi {version} dikembalikan: {note}", doc.title);
        audit::append(
            &mut tx,
            entry(
                unit_id,
                doc.training_id,
                by,
                "document.returned",
                &audit_note,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ReturnNote {
            id,
            version,
            note: note.to_string(),
            by_user: Some(by.id),
            by_name: by.full_name.clone(),
            at: now,
        })
    }

    /// Signs `version` in one transaction: checks it is current and has its paraf, gives the
    /// number from `register_id`, has `render` make the PDF with that number, and freezes signer,
    /// number, date, PDF and its SHA-256 with a verification token.
    ///
    /// `render` runs on a blocking thread while the register is locked, so it must not wait on the
    /// database; if it fails, nothing is stored and the number is not used.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_document<F>(
        &self,
        unit_id: i64,
        document_id: i64,
        version: i64,
        signer: &SignerSnapshot,
        register_id: Option<i64>,
        by: &User,
        at: DateTime<Utc>,
        render: F,
    ) -> Result<Signature>
    where
        F: FnOnce(&SignedFacts) -> std::result::Result<Vec<u8>, String> + Send + 'static,
    {
        let mut tx = self.pool.begin().await?;
        // The first statement writes: it takes the lock and checks current-and-unsigned at once.
        let marked = sqlx::query(
            "UPDATE documents SET signed_at = $1
             WHERE id = $2 AND unit_id = $3 AND current_version = $4 AND current_version > 0 AND signed_at IS NULL
             RETURNING training_id, kind, title, parafs_required",
        )
        .bind(format_ts(at))
        .bind(document_id)
        .bind(unit_id)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(marked) = marked else {
            drop(tx);
            return Err(self
                .why_not_current(unit_id, document_id, version, "ditandatangani")
                .await);
        };
        let training_id: i64 = marked.try_get("training_id")?;
        let kind: String = marked.try_get("kind")?;
        let title: String = marked.try_get("title")?;
        let required: i64 = marked.try_get("parafs_required")?;
        let parafs = parafs_in(&mut tx, document_id, version).await?;
        let valid: Vec<Paraf> = parafs.into_iter().filter(|p| p.valid).collect();
        if (valid.len() as i64) < required {
            return Err(StoreError::refused(
                "paraf_missing",
                format!(
                    "Naskah ini memerlukan {required} paraf pada versi {version} sebelum ditandatangani; baru ada {}.",
                    valid.len()
                ),
            ));
        }
        let content = version_in(&mut tx, document_id, version)
            .await?
            .ok_or(StoreError::NotFound("versi naskah"))?;
        let profile = profile_in(&mut tx, unit_id).await?;
        let date = at.with_timezone(&profile.zone.offset()).date_naive();
        let number = match register_id {
            Some(register_id) => Some(
                assign_number_in(
                    &mut tx,
                    unit_id,
                    register_id,
                    &NumberFor {
                        document_id: Some(document_id),
                        training_id: Some(training_id),
                        document_kind: Some(kind.clone()),
                        title: title.clone(),
                        signer_name: Some(signer.name.clone()),
                        kode: None,
                    },
                    date,
                    Some(by.id),
                    at,
                )
                .await?,
            ),
            None => None,
        };
        let token = verification_token();
        let facts = SignedFacts {
            document_id,
            training_id,
            kind,
            title,
            version,
            content: content.content,
            content_sha256: content.content_sha256,
            number,
            date,
            signed_at: at,
            signer: signer.clone(),
            parafs: valid,
            verification_url: profile.verification_url(&token),
            profile,
            verification_token: token,
        };
        let (facts, rendered) = tokio::task::spawn_blocking(move || {
            let pdf = render(&facts);
            (facts, pdf)
        })
        .await
        .map_err(|e| StoreError::refused("pdf_render_failed", format!("PDF gagal dibuat: {e}")))?;
        let pdf = match rendered {
            Ok(pdf) if !pdf.is_empty() => pdf,
            Ok(_) => {
                return Err(StoreError::refused(
                    "pdf_render_failed",
                    "PDF gagal dibuat: hasilnya kosong; naskah belum ditandatangani.",
                ))
            }
            Err(e) => {
                return Err(StoreError::refused(
                    "pdf_render_failed",
                    format!(
                    "PDF gagal dibuat: {e}; naskah belum ditandatangani dan nomor tidak terpakai."
                ),
                ))
            }
        };
        // Into the file store before the row naming it commits (see `file_store`).
        let kept = self.keep_file(&pdf).await?;
        let pdf_sha = kept.sha256.clone();
        let signer_json = serde_json::to_string(&facts.signer).expect("signer serialises");
        sqlx::query(
            "INSERT INTO document_signatures (document_id, version, register_entry_id, number_text, signed_date,
                signed_at, signer_json, profile_version, pdf, pdf_sha256, pdf_size, verification_token, signed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(document_id)
        .bind(version)
        .bind(facts.number.as_ref().map(|n| n.entry_id))
        .bind(facts.number.as_ref().map(|n| n.text.clone()))
        .bind(date.to_string())
        .bind(format_ts(at))
        .bind(&signer_json)
        .bind(facts.profile.version)
        .bind(kept.content)
        .bind(&pdf_sha)
        .bind(kept.size)
        .bind(&facts.verification_token)
        .bind(by.id)
        .execute(&mut *tx)
        .await?;
        let note = format!(
            "{} versi {version} nomor {} tanggal {date}, {} {} (NIP {}), PDF {}",
            facts.title,
            facts.number.as_ref().map_or("-", |n| n.text.as_str()),
            signer.title_line(),
            signer.name,
            signer.nip,
            &pdf_sha[..12]
        );
        audit::append(
            &mut tx,
            NewEntry {
                state_after: Some(&signer_json),
                ..entry(unit_id, training_id, by, "document.signed", &note, at)
            },
        )
        .await?;
        tx.commit().await?;
        self.signature(document_id)
            .await?
            .ok_or(StoreError::NotFound("tanda tangan"))
    }

    /// Stores the PDF returned by the TTE service beside the original, with its own SHA-256.
    ///
    /// Accepted only as an incremental update of the signed PDF: the original bytes exactly,
    /// followed by a signature dictionary.
    pub async fn attach_tte_signed_pdf(
        &self,
        unit_id: i64,
        document_id: i64,
        bytes: &[u8],
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let doc = self.document_row(unit_id, document_id).await?;
        let original = self.signed_pdf(unit_id, document_id).await?;
        if bytes.len() <= original.len() || !bytes.starts_with(&original) {
            return Err(StoreError::refused(
                "tte_prefix_mismatch",
                "Berkas TTE tidak berasal dari PDF yang ditandatangani di Laksana: bagian awalnya harus sama persis dengan PDF asli.",
            ));
        }
        if !has_signature_dictionary(&bytes[original.len()..]) {
            return Err(StoreError::refused(
                "tte_no_signature",
                "Berkas TTE tidak memuat tanda tangan elektronik (tidak ada kamus /Sig dengan /ByteRange dan /Contents).",
            ));
        }
        let kept = self.keep_file(bytes).await?;
        let sha = kept.sha256.clone();
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO document_tte (document_id, pdf, pdf_sha256, pdf_size, by_user, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(document_id)
        .bind(kept.content)
        .bind(&sha)
        .bind(kept.size)
        .bind(by.id)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if StoreError::is_unique_violation(&e, "uq_document_tte_document") => {
                return Err(StoreError::refused(
                    "tte_exists",
                    "PDF ber-TTE untuk naskah ini sudah diunggah.",
                ))
            }
            Err(e) => return Err(e.into()),
        }
        let note = format!("{}: PDF ber-TTE {}", doc.title, &sha[..12]);
        audit::append(
            &mut tx,
            entry(
                unit_id,
                doc.training_id,
                by,
                "document.tte_attached",
                &note,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(sha)
    }

    /// A document with its versions, paraf (marked valid or not), returns and signature.
    pub async fn document(&self, unit_id: i64, document_id: i64) -> Result<DocumentDetail> {
        let document = self.document_row(unit_id, document_id).await?;
        let mut conn = self.pool.acquire().await?;
        let versions = sqlx::query(
            "SELECT version, content_json, content_sha256, created_by, created_by_name, created_at
             FROM document_versions WHERE document_id = $1 ORDER BY version",
        )
        .bind(document_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(version_from_row)
        .collect::<Result<Vec<_>>>()?;
        let parafs = parafs_in(&mut conn, document_id, document.current_version).await?;
        let returns = sqlx::query(
            "SELECT id, version, note, by_user, by_name, at FROM document_returns WHERE document_id = $1 ORDER BY id",
        )
        .bind(document_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ReturnNote {
                id: r.try_get("id")?,
                version: r.try_get("version")?,
                note: r.try_get("note")?,
                by_user: r.try_get("by_user")?,
                by_name: r.try_get("by_name")?,
                at: ts_col(r.try_get("at")?).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        drop(conn);
        let signature = self.signature(document_id).await?;
        Ok(DocumentDetail {
            document,
            versions,
            parafs,
            returns,
            signature,
        })
    }

    /// The documents of a training, oldest first.
    pub async fn documents_of_training(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Vec<Document>> {
        sqlx::query(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE unit_id = $1 AND training_id = $2 ORDER BY id"
        ))
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(document_from_row)
        .collect()
    }

    /// The PDF exactly as signed (reprints serve these bytes, never a new rendering).
    pub async fn signed_pdf(&self, unit_id: i64, document_id: i64) -> Result<Vec<u8>> {
        let row = sqlx::query(
            "SELECT s.pdf, s.pdf_sha256 FROM document_signatures s JOIN documents d ON d.id = s.document_id
             WHERE s.document_id = $1 AND d.unit_id = $2",
        )
        .bind(document_id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| {
            StoreError::refused("document_not_signed", "Naskah ini belum ditandatangani.")
        })?;
        let sha: String = row.try_get("pdf_sha256")?;
        self.file_bytes(row.try_get("pdf")?, &sha).await
    }

    /// The PDF with the TTE, when one was attached.
    pub async fn tte_pdf(&self, unit_id: i64, document_id: i64) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query(
            "SELECT t.pdf, t.pdf_sha256 FROM document_tte t JOIN documents d ON d.id = t.document_id
             WHERE t.document_id = $1 AND d.unit_id = $2",
        )
        .bind(document_id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => {
                let sha: String = r.try_get("pdf_sha256")?;
                Ok(Some(self.file_bytes(r.try_get("pdf")?, &sha).await?))
            }
            None => Ok(None),
        }
    }

    /// What the public verification page shows for a token (no login, any unit).
    pub async fn document_by_verification(&self, token: &str) -> Result<Verification> {
        let row = sqlx::query(&format!(
            "SELECT {SIGNATURE_COLUMNS}, d.kind, d.title FROM document_signatures s
             JOIN documents d ON d.id = s.document_id
             LEFT JOIN document_tte t ON t.document_id = s.document_id
             WHERE s.verification_token = $1"
        ))
        .bind(token.trim())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("naskah dengan kode verifikasi ini"))?;
        let sig = signature_from_row(&row)?;
        Ok(Verification {
            document_kind: row.try_get("kind")?,
            title: row.try_get("title")?,
            number: sig.number,
            date: sig.date,
            signer: sig.signer,
            pdf_sha256: sig.pdf_sha256,
            tte_sha256: sig.tte_sha256,
        })
    }

    async fn document_row(&self, unit_id: i64, document_id: i64) -> Result<Document> {
        let mut conn = self.pool.acquire().await?;
        document_in(&mut conn, unit_id, document_id).await
    }

    async fn version_of(&self, document_id: i64, version: i64) -> Result<Option<DocumentVersion>> {
        let mut conn = self.pool.acquire().await?;
        version_in(&mut conn, document_id, version).await
    }

    async fn signature(&self, document_id: i64) -> Result<Option<Signature>> {
        sqlx::query(&format!(
            "SELECT {SIGNATURE_COLUMNS} FROM document_signatures s
             LEFT JOIN document_tte t ON t.document_id = s.document_id WHERE s.document_id = $1"
        ))
        .bind(document_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| signature_from_row(&r))
        .transpose()
    }

    /// Why `version` cannot be acted on: not found, already signed, or not the current version.
    async fn why_not_current(
        &self,
        unit_id: i64,
        document_id: i64,
        version: i64,
        verb: &str,
    ) -> StoreError {
        match self.document_row(unit_id, document_id).await {
            Err(e) => e,
            Ok(doc) if doc.signed_at.is_some() => signed_refusal(),
            Ok(doc) if doc.current_version == 0 => StoreError::refused(
                "document_empty",
                "Naskah ini belum punya isi; simpan isinya dulu.",
            ),
            Ok(doc) => StoreError::refused(
                "stale_version",
                format!(
                    "Versi {version} bukan versi terkini (versi {}); hanya versi terkini yang dapat {verb}. Periksa perubahan terbaru.",
                    doc.current_version
                ),
            ),
        }
    }
}

fn signed_refusal() -> StoreError {
    StoreError::refused(
        "document_signed",
        "Naskah ini sudah ditandatangani dan tidak dapat diubah; buat naskah baru bila perlu perbaikan.",
    )
}

async fn document_in(conn: &mut AnyConnection, unit_id: i64, document_id: i64) -> Result<Document> {
    let row = sqlx::query(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1 AND unit_id = $2"
    ))
    .bind(document_id)
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("naskah"))?;
    document_from_row(&row)
}

async fn version_in(
    conn: &mut AnyConnection,
    document_id: i64,
    version: i64,
) -> Result<Option<DocumentVersion>> {
    sqlx::query(
        "SELECT version, content_json, content_sha256, created_by, created_by_name, created_at
         FROM document_versions WHERE document_id = $1 AND version = $2",
    )
    .bind(document_id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| version_from_row(&r))
    .transpose()
}

/// Every paraf of a document, marked valid when on `current`.
async fn parafs_in(conn: &mut AnyConnection, document_id: i64, current: i64) -> Result<Vec<Paraf>> {
    sqlx::query(
        "SELECT id, version, user_id, name, jabatan, at FROM document_parafs WHERE document_id = $1 ORDER BY id",
    )
    .bind(document_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let version: i64 = r.try_get("version")?;
        Ok(Paraf {
            id: r.try_get("id")?,
            version,
            user_id: r.try_get("user_id")?,
            name: r.try_get("name")?,
            jabatan: r.try_get("jabatan")?,
            at: ts_col(r.try_get("at")?).unwrap_or_default(),
            valid: version == current,
        })
    })
    .collect()
}

fn document_from_row(row: &sqlx::any::AnyRow) -> Result<Document> {
    Ok(Document {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        training_id: row.try_get("training_id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        current_version: row.try_get("current_version")?,
        parafs_required: row.try_get("parafs_required")?,
        signed_at: ts_col(row.try_get("signed_at")?),
    })
}

fn version_from_row(row: &sqlx::any::AnyRow) -> Result<DocumentVersion> {
    let text: String = row.try_get("content_json")?;
    Ok(DocumentVersion {
        version: row.try_get("version")?,
        content: serde_json::from_str(&text)
            .map_err(|e| StoreError::CorruptDefinition(format!("document_versions: {e}")))?,
        content_sha256: row.try_get("content_sha256")?,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: ts_col(row.try_get("created_at")?).unwrap_or_default(),
    })
}

fn signature_from_row(row: &sqlx::any::AnyRow) -> Result<Signature> {
    let signer: String = row.try_get("signer_json")?;
    let date: String = row.try_get("signed_date")?;
    Ok(Signature {
        version: row.try_get("version")?,
        number: row.try_get("number_text")?,
        register_entry_id: row.try_get("register_entry_id")?,
        date: date.parse().unwrap_or_default(),
        signed_at: ts_col(row.try_get("signed_at")?).unwrap_or_default(),
        signer: serde_json::from_str(&signer).map_err(|e| {
            StoreError::CorruptDefinition(format!("document_signatures.signer_json: {e}"))
        })?,
        profile_version: row.try_get("profile_version")?,
        pdf_sha256: row.try_get("pdf_sha256")?,
        verification_token: row.try_get("verification_token")?,
        tte_sha256: row.try_get("tte_sha256")?,
        tte_at: ts_col(row.try_get("tte_at")?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_dictionary_is_recognised_in_either_spelling() {
        assert!(has_signature_dictionary(
            b"1 0 obj << /Type /Sig /Filter /Adobe.PPKLite >>"
        ));
        assert!(has_signature_dictionary(
            b"<</ByteRange [0 10 20 30] /Contents <00>>>"
        ));
        assert!(!has_signature_dictionary(
            b"%%EOF\n1 0 obj << /Type /Page >>"
        ));
    }
}
