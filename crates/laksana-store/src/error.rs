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

/// Why the database could not do what was asked, when the request itself was fine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbFault {
    /// Locked or busy: nothing was changed, the same request may succeed in a moment.
    Busy,
    /// The database server cannot be reached (refused, lost, or no connection in time). It
    /// comes back by itself; the pool makes new connections once the server answers again.
    Unreachable,
    /// The disk (or the file-size limit) is full: the change was rolled back, what is stored
    /// stays readable, and only an administrator making room helps.
    StorageFull,
}

/// PostgreSQL's SQLSTATEs for "nothing was changed, the same request may succeed in a moment":
/// serialization failure, deadlock detected (one of two servers' transactions is cancelled),
/// lock timeout, and too many connections.
const POSTGRES_TRY_AGAIN: [&str; 4] = ["40001", "40P01", "55P03", "53300"];

/// PostgreSQL's SQLSTATEs for a server that is going away or not there yet: admin or crash
/// shutdown, starting up. (Class 08, connection exceptions, is matched by its prefix.)
const POSTGRES_GONE: [&str; 3] = ["57P01", "57P02", "57P03"];

/// PostgreSQL's disk_full.
const POSTGRES_DISK_FULL: &str = "53100";

/// SQLite's result codes for a write the disk refused: SQLITE_FULL, and the extended I/O
/// errors a full disk or a file-size limit gives (a failed write of a page or WAL frame, a
/// failed truncate or growth of a file, the shared-memory file that cannot grow).
const SQLITE_STORAGE_FULL: [&str; 4] = ["13", "778", "1546", "4874"];

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

    /// The database, not the request, is why this failed (and how), or `None`.
    pub fn fault(&self) -> Option<DbFault> {
        match self {
            StoreError::Db(e) => fault_of(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => fault_of(e),
            _ => None,
        }
    }

    /// The database is busy or unreachable, or the file store is away: worth a 503 and a retry.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::FilesUnavailable(_))
            || matches!(self.fault(), Some(DbFault::Busy | DbFault::Unreachable))
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

/// Classifies one sqlx error; see [`DbFault`].
fn fault_of(err: &sqlx::Error) -> Option<DbFault> {
    match err {
        // No connection in time: on PostgreSQL the pool retries a refused connection until its
        // acquire timeout, so this is what an unreachable server looks like from a request.
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => Some(DbFault::Unreachable),
        // A connection refused, reset or cut in the middle of a message.
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => {
            Some(DbFault::Unreachable)
        }
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            if code == POSTGRES_DISK_FULL || SQLITE_STORAGE_FULL.contains(&code) {
                Some(DbFault::StorageFull)
            } else if POSTGRES_GONE.contains(&code) || (code.len() == 5 && code.starts_with("08")) {
                Some(DbFault::Unreachable)
            } else if POSTGRES_TRY_AGAIN.contains(&code)
                || db.message().contains("database is locked")
                || db.message().contains("busy")
            {
                Some(DbFault::Busy)
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database error with a given code, as the drivers report one.
    #[derive(Debug)]
    struct Coded(&'static str, &'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.1)
        }
    }
    impl std::error::Error for Coded {}
    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            self.1
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn db(code: &'static str, message: &'static str) -> StoreError {
        StoreError::Db(sqlx::Error::Database(Box::new(Coded(code, message))))
    }

    #[test]
    fn a_full_disk_on_either_backend_is_storage_full() {
        for (code, message) in [
            ("13", "database or disk is full"),
            ("778", "disk I/O error"),
            ("1546", "disk I/O error"),
            ("53100", "could not extend file: No space left on device"),
        ] {
            let err = db(code, message);
            assert_eq!(err.fault(), Some(DbFault::StorageFull), "{code}");
            assert!(!err.is_unavailable(), "{code}: retrying does not help");
        }
    }

    #[test]
    fn a_lost_or_refused_connection_is_unreachable_and_a_lock_is_busy() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            StoreError::Db(sqlx::Error::Io(refused)),
            StoreError::Db(sqlx::Error::PoolTimedOut),
            db(
                "57P01",
                "terminating connection due to administrator command",
            ),
            db("08006", "connection failure"),
        ] {
            assert_eq!(err.fault(), Some(DbFault::Unreachable), "{err}");
            assert!(err.is_unavailable());
        }
        for err in [
            db("5", "database is locked"),
            db("40P01", "deadlock detected"),
        ] {
            assert_eq!(err.fault(), Some(DbFault::Busy), "{err}");
        }
    }

    #[test]
    fn ordinary_errors_are_not_faults_of_the_database() {
        assert_eq!(db("23505", "duplicate key").fault(), None);
        assert_eq!(db("1", "no such table: x").fault(), None);
        assert_eq!(StoreError::NotFound("pelatihan").fault(), None);
    }
}
