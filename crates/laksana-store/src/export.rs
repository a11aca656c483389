//! Everything the store holds about one training, as plain JSON a person can read: one
//! section per record kind, rows with their column names. Stored files are named, not
//! embedded (they go beside the JSON); secrets (link and QR secrets, token hashes, the mails'
//! bodies, which carry the operators' links) are left out.

use serde_json::{Map, Value};
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// One section of `pelatihan.json`: its key, what it is (for BACA-SAYA), and its rows.
struct Section {
    key: &'static str,
    about: &'static str,
    sql: &'static str,
}

/// Columns never exported: bearer secrets and their hashes, and file contents (exported as
/// files). Mail bodies carry the operators' secret links.
const OMITTED: &[&str] = &[
    "token_hash",
    "qr_secret",
    "csrf_token",
    "password_hash",
    "body_text",
    "body_html",
    "pdf",
    "proof_file",
    "file",
    "logo",
];

/// Text columns that hold JSON, shown as nested values rather than strings.
const JSON_COLUMNS: &[&str] = &[
    "state_json",
    "plan_json",
    "content_json",
    "signer_json",
    "data",
    "snapshot",
    "attendees",
    "decisions",
    "narrative",
    "state_before",
    "state_after",
];

const SECTIONS: &[Section] = &[
    Section {
        key: "pelatihan",
        about: "data pelatihan (judul, kejuruan, tanggal, lokasi, status)",
        sql: "SELECT * FROM trainings WHERE id = $1",
    },
    Section {
        key: "langkah",
        about: "setiap langkah SOP yang dijalankan: mulai, tenggat, selesai, oleh siapa, catatan",
        sql: "SELECT r.*, u.full_name AS completed_by_name FROM step_runs r
              LEFT JOIN users u ON u.id = r.completed_by
              WHERE r.training_id = $1 ORDER BY r.started_at, r.step_no, r.round",
    },
    Section {
        key: "rencana_kerja",
        about: "setiap versi rencana kerja (kuota, anggaran, panitia, jadwal)",
        sql: "SELECT * FROM work_plans WHERE training_id = $1 ORDER BY version",
    },
    Section {
        key: "dokumen",
        about: "surat dan keputusan pelatihan",
        sql: "SELECT * FROM documents WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "versi_dokumen",
        about: "isi setiap versi surat",
        sql: "SELECT v.* FROM document_versions v JOIN documents d ON d.id = v.document_id
              WHERE d.training_id = $1 ORDER BY v.document_id, v.version",
    },
    Section {
        key: "paraf",
        about: "paraf pada surat",
        sql: "SELECT p.* FROM document_parafs p JOIN documents d ON d.id = p.document_id
              WHERE d.training_id = $1 ORDER BY p.id",
    },
    Section {
        key: "pengembalian_dokumen",
        about: "surat yang dikembalikan dengan catatan",
        sql: "SELECT x.* FROM document_returns x JOIN documents d ON d.id = x.document_id
              WHERE d.training_id = $1 ORDER BY x.id",
    },
    Section {
        key: "tanda_tangan",
        about: "penandatanganan: nomor, tanggal, penanda tangan, SHA-256 PDF",
        sql: "SELECT s.* FROM document_signatures s JOIN documents d ON d.id = s.document_id
              WHERE d.training_id = $1 ORDER BY s.id",
    },
    Section {
        key: "tte",
        about: "salinan bertanda tangan elektronik yang diunggah",
        sql: "SELECT t.* FROM document_tte t JOIN documents d ON d.id = t.document_id
              WHERE d.training_id = $1 ORDER BY t.id",
    },
    Section {
        key: "nomor_register",
        about: "nomor dari buku register",
        sql: "SELECT * FROM register_entries WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "penerima_undangan",
        about: "Kabupaten/Kota yang diundang dengan kuotanya",
        sql: "SELECT * FROM recipients WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "buku_ekspedisi",
        about: "pengiriman undangan dan buktinya",
        sql: "SELECT x.* FROM dispatches x JOIN recipients r ON r.id = x.recipient_id
              WHERE r.training_id = $1 ORDER BY x.id",
    },
    Section {
        key: "agenda_surat_masuk",
        about: "balasan Kabupaten/Kota",
        sql: "SELECT * FROM replies WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "calon_peserta",
        about: "calon peserta dalam urutan kedatangan, dengan data lengkapnya",
        sql: "SELECT * FROM nominations WHERE training_id = $1 ORDER BY seq",
    },
    Section {
        key: "konfirmasi_daftar",
        about: "daftar peserta yang dikonfirmasi panitia",
        sql: "SELECT * FROM roster_confirmations WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "rapat_persiapan",
        about: "rapat internal persiapan: waktu, tempat, hadirin, notulen, keputusan",
        sql: "SELECT * FROM meetings WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "perubahan_daftar",
        about: "peserta yang dikeluarkan atau cadangan yang dinaikkan, dengan alasannya",
        sql: "SELECT * FROM roster_changes WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "sesi",
        about: "sesi pelatihan: hari, jam, materi, instruktur, ruang",
        sql: "SELECT * FROM class_sessions WHERE training_id = $1 ORDER BY starts_at, id",
    },
    Section {
        key: "kehadiran",
        about: "kehadiran setiap peserta di setiap sesi, dengan waktu penandaan",
        sql: "SELECT a.* FROM attendance a JOIN class_sessions s ON s.id = a.session_id
              WHERE s.training_id = $1 ORDER BY a.session_id, a.nomination_id",
    },
    Section {
        key: "nilai_tes",
        about: "nilai pre-test dan post-test",
        sql: "SELECT t.* FROM test_scores t JOIN nominations n ON n.id = t.nomination_id
              WHERE n.training_id = $1 ORDER BY t.nomination_id",
    },
    Section {
        key: "penyelenggara",
        about: "siapa yang menyelenggarakan (unit sendiri atau LPK) dan registrasinya",
        sql: "SELECT * FROM training_providers WHERE training_id = $1",
    },
    Section {
        key: "sertifikat",
        about: "sertifikat yang diterbitkan: nomor, nama, tanggal, SHA-256 PDF",
        sql: "SELECT * FROM certificates WHERE training_id = $1 ORDER BY id",
    },
    Section {
        key: "laporan",
        about: "setiap versi narasi laporan pelaksanaan",
        sql: "SELECT * FROM reports WHERE training_id = $1 ORDER BY version",
    },
    Section {
        key: "surel",
        about: "surel yang dikirim untuk pelatihan ini (tanpa isi, yang memuat tautan rahasia)",
        sql: "SELECT * FROM outbox WHERE training_id = $1 ORDER BY id",
    },
];

/// The sections' keys and what each holds, in order, for the archive's BACA-SAYA.
pub fn export_sections() -> Vec<(&'static str, &'static str)> {
    SECTIONS.iter().map(|s| (s.key, s.about)).collect()
}

/// One column's value, whatever its type; `None` for a column whose content is a file.
fn column_value(row: &sqlx::any::AnyRow, i: usize) -> Option<Value> {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Some(v.map(Value::from).unwrap_or(Value::Null));
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return Some(v.map(Value::from).unwrap_or(Value::Null));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return Some(v.map(Value::from).unwrap_or(Value::Null));
    }
    None
}

/// A row as a JSON object: JSON text columns nested, omitted columns left out.
fn row_object(row: &sqlx::any::AnyRow) -> Map<String, Value> {
    use sqlx::Column;
    let mut obj = Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let name = col.name();
        if OMITTED.contains(&name) {
            continue;
        }
        let Some(mut value) = column_value(row, i) else {
            continue;
        };
        if JSON_COLUMNS.contains(&name) {
            if let Value::String(text) = &value {
                if let Ok(parsed) = serde_json::from_str::<Value>(text) {
                    if parsed.is_object() || parsed.is_array() {
                        value = parsed;
                    }
                }
            }
        }
        obj.insert(name.to_string(), value);
    }
    obj
}

impl Store {
    /// Every record of one training in the unit, section by section (`laksana export`).
    pub async fn export_training(&self, unit_id: i64, training_id: i64) -> Result<Value> {
        // Checks the training belongs to the unit before anything is read.
        self.training(unit_id, training_id).await?;
        let mut out = Map::new();
        for section in SECTIONS {
            let rows = sqlx::query(section.sql)
                .bind(training_id)
                .fetch_all(&self.pool)
                .await?;
            let rows: Vec<Value> = rows.iter().map(|r| Value::Object(row_object(r))).collect();
            let value = if section.key == "pelatihan" {
                rows.into_iter()
                    .next()
                    .ok_or(StoreError::NotFound("pelatihan"))?
            } else {
                Value::Array(rows)
            };
            out.insert(section.key.to_string(), value);
        }
        Ok(Value::Object(out))
    }

    /// The unit a training belongs to (the command line names a training by id alone).
    pub async fn unit_of_training(&self, training_id: i64) -> Result<i64> {
        sqlx::query("SELECT unit_id FROM trainings WHERE id = $1")
            .bind(training_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("pelatihan"))?
            .try_get("unit_id")
            .map_err(Into::into)
    }
}
