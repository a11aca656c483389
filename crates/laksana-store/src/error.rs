//! The store's error words: what went wrong, in terms the web layer can map to a status.

use chrono::{DateTime, Utc};
use laksana_engine::EngineError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (or is not visible in this unit).
    #[error("{0} tidak ditemukan")]
    NotFound(&'static str),
    /// Another user finished the step first (case W2).
    #[error("Langkah ini sudah diselesaikan oleh {by} pada {}.", laksana_calendar::waktu_indonesia(*at, *zone))]
    AlreadyDone {
        by: String,
        at: DateTime<Utc>,
        /// The unit's zone, for the time in the message.
        zone: laksana_calendar::Zone,
    },
    /// The engine refused the transition (wrong role, not active, guard, ...).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Input that the store itself checks (a duplicate username, an unknown role key, ...).
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A definition that does not pass `sop check`; every problem, with its line.
    #[error("definisi SOP tidak sah: {}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
    Definition(Vec<laksana_engine::Problem>),
    /// A stored SOP definition no longer parses: the file was edited outside Laksana.
    #[error("definisi SOP tersimpan rusak: {0}")]
    CorruptDefinition(String),
    /// A rule of the paperwork refused the operation; `code` is stable for the API.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// A setting the operation needs is missing; the message names what to fill in.
    #[error("{message}")]
    NotConfigured { setting: String, message: String },
    /// The file store (folder or S3) cannot be reached: worth a 503; nothing was saved.
    #[error("penyimpanan berkas tidak dapat dihubungi: {0}")]
    FilesUnavailable(String),
    /// A row names a file the store does not have.
    #[error("berkas {sha256} tidak ada di {place}; jalankan `laksana verify`")]
    FileMissing { sha256: String, place: String },
    /// The store has a file under this checksum, but its bytes hash to something else.
    #[error(
        "isi berkas {sha256} di {place} tidak cocok dengan SHA-256-nya; jalankan `laksana verify`"
    )]
    FileCorrupt { sha256: String, place: String },
    #[error("basis data: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrasi basis data: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// PostgreSQL's SQLSTATEs for "nothing was changed, the same request may succeed in a moment":
/// serialization failure, deadlock detected (one of two servers' transactions is cancelled),
/// lock timeout, too many connections, and a server starting up.
const POSTGRES_TRY_AGAIN: [&str; 5] = ["40001", "40P01", "55P03", "53300", "57P03"];

impl StoreError {
    /// Stable machine-readable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound(_) => "not_found",
            StoreError::AlreadyDone { .. } => "already_done",
            StoreError::Engine(e) => e.code(),
            StoreError::Invalid { .. } => "invalid_input",
            StoreError::Definition(_) => "invalid_definition",
            StoreError::CorruptDefinition(_) => "corrupt_definition",
            StoreError::Refused { code, .. } => code,
            StoreError::NotConfigured { .. } => "not_configured",
            StoreError::FilesUnavailable(_) => "file_store_unavailable",
            StoreError::FileMissing { .. } => "file_missing",
            StoreError::FileCorrupt { .. } => "file_corrupt",
            StoreError::Db(_) | StoreError::Migrate(_) => "internal",
        }
    }

    /// The database is busy or unreachable: worth a 503 and a retry, nothing was changed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::FilesUnavailable(_) => true,
            StoreError::Db(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed,
            ) => true,
            StoreError::Db(sqlx::Error::Database(db)) => {
                let m = db.message();
                m.contains("database is locked")
                    || m.contains("busy")
                    || db
                        .code()
                        .is_some_and(|c| POSTGRES_TRY_AGAIN.contains(&c.as_ref()))
            }
            _ => false,
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub(crate) fn refused(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Refused {
            code,
            message: message.into(),
        }
    }

    /// True when a unique constraint with this name was violated.
    pub(crate) fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
        match err {
            sqlx::Error::Database(db) => {
                db.constraint() == Some(constraint)
                    || (db.is_unique_violation() && db.message().contains(constraint))
                    || db.message().contains("UNIQUE constraint failed")
                        && constraint_columns_match(db.message(), constraint)
            }
            _ => false,
        }
    }
}

/// SQLite reports unique violations by column list, not constraint name; map the ones we name.
fn constraint_columns_match(message: &str, constraint: &str) -> bool {
    let columns = match constraint {
        "uq_user_username" => "users.username",
        "uq_definition_content" => "sop_definitions.unit_id, sop_definitions.content_hash",
        "uq_step_run_round" => "step_runs.training_id",
        "uq_audit_unit_seq" => "audit_log.unit_id",
        "uq_unit_code" => "units.code",
        "uq_unit_profile_version" => "unit_profiles.unit_id, unit_profiles.version",
        "uq_register_unit_key" => "registers.unit_id, registers.register_key",
        "uq_register_counter" => "register_counters.register_id, register_counters.year",
        "uq_register_entry_seq" => {
            "register_entries.register_id, register_entries.year, register_entries.seq"
        }
        "uq_document_version" => "document_versions.document_id, document_versions.version",
        "uq_document_paraf" => {
            "document_parafs.document_id, document_parafs.version, document_parafs.user_id"
        }
        "uq_document_signature_document" => "document_signatures.document_id",
        "uq_document_signature_token" => "document_signatures.verification_token",
        "uq_document_tte_document" => "document_tte.document_id",
        _ => return false,
    };
    message.contains(columns)
}
