//! Copies of the SQLite database: a consistent copy while the server writes (`VACUUM INTO`),
//! and the checks a file must pass before it may replace a live database.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

use crate::{Backend, Result, Store, StoreError};

/// What a check of a database file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseFacts {
    /// Migrations applied in the file, oldest first.
    pub migrations: Vec<i64>,
    pub units: i64,
    pub trainings: i64,
    pub audit_entries: i64,
    pub bytes: u64,
}

impl Store {
    /// Writes a consistent copy of a SQLite database to `out`, which must not exist yet.
    ///
    /// `VACUUM INTO` reads inside one transaction, so the copy is the database as of one
    /// moment even while other connections keep committing; it is written beside `out` under
    /// a temporary name and renamed, so a half-written copy never carries the final name.
    pub async fn backup_sqlite(&self, out: &Path) -> Result<DatabaseFacts> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::invalid(
                "db",
                "pencadangan bawaan hanya untuk SQLite; gunakan pg_dump untuk PostgreSQL",
            ));
        }
        if out.exists() {
            return Err(StoreError::invalid(
                "out",
                format!("{} sudah ada; pilih nama berkas baru", out.display()),
            ));
        }
        let partial = partial_name(out);
        let _ = std::fs::remove_file(&partial);
        let target = partial
            .to_str()
            .ok_or_else(|| StoreError::invalid("out", "nama berkas harus UTF-8"))?
            .to_string();
        sqlx::query("VACUUM INTO $1")
            .bind(&target)
            .execute(&self.pool)
            .await?;
        let facts = match check_sqlite_file(&partial).await {
            Ok(facts) => facts,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .and_then(|_| std::fs::rename(&partial, out))
            .map_err(|e| io_error("out", out, e))?;
        Ok(facts)
    }
}

/// Migration versions this build knows, oldest first.
pub fn known_migrations() -> Vec<i64> {
    sqlx::migrate!("migrations/sqlite")
        .iter()
        .map(|m| m.version)
        .collect()
}

/// Opens `path` read-only and checks that it is an intact Laksana database: SQLite's own
/// `integrity_check`, the migrations table, and no migration this build does not know (a copy
/// from a newer Laksana would be half understood).
pub async fn check_sqlite_file(path: &Path) -> Result<DatabaseFacts> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| io_error("file", path, e))?
        .len();
    let not_laksana = |why: String| {
        StoreError::refused(
            "not_a_laksana_database",
            format!("{} bukan basis data Laksana: {why}", path.display()),
        )
    };
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .read_only(true)
        .disable_statement_logging();
    let mut conn = options
        .connect()
        .await
        .map_err(|e| not_laksana(e.to_string()))?;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| not_laksana(e.to_string()))?;
    if integrity != ["ok"] {
        return Err(StoreError::refused(
            "database_corrupt",
            format!(
                "{} rusak (integrity_check): {}",
                path.display(),
                integrity.join("; ")
            ),
        ));
    }
    let has_migrations: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut conn)
    .await?;
    if has_migrations == 0 {
        return Err(not_laksana("tabel migrasi tidak ada".into()));
    }
    let migrations: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success = 1 ORDER BY version",
    )
    .fetch_all(&mut conn)
    .await?;
    let known = known_migrations();
    if migrations.first() != known.first() {
        return Err(not_laksana("migrasi pertamanya bukan milik Laksana".into()));
    }
    if let Some(unknown) = migrations.iter().find(|v| !known.contains(v)) {
        return Err(StoreError::refused(
            "database_too_new",
            format!(
                "{} memakai migrasi {unknown} yang tidak dikenal versi Laksana ini; pulihkan dengan versi yang membuatnya",
                path.display()
            ),
        ));
    }
    let count = |table: &'static str| format!("SELECT COUNT(*) AS n FROM {table}");
    let mut facts = DatabaseFacts {
        migrations,
        units: 0,
        trainings: 0,
        audit_entries: 0,
        bytes,
    };
    facts.units = sqlx::query(&count("units"))
        .fetch_one(&mut conn)
        .await?
        .try_get("n")?;
    facts.trainings = sqlx::query(&count("trainings"))
        .fetch_one(&mut conn)
        .await?
        .try_get("n")?;
    facts.audit_entries = sqlx::query(&count("audit_log"))
        .fetch_one(&mut conn)
        .await?
        .try_get("n")?;
    conn.close().await?;
    Ok(facts)
}

/// The file a SQLite URL or bare path names; `None` for an in-memory database or another backend.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if url.starts_with("postgres://")
        || url.starts_with("postgresql://")
        || url.contains(":memory:")
    {
        return None;
    }
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// `OUT` → `OUT.sebagian`, in the same folder so the final rename is atomic.
fn partial_name(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".sebagian");
    out.with_file_name(name)
}

fn io_error(field: &'static str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::invalid(field, format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_sqlite_url_is_found_in_every_spelling() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/laksana/laksana.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/laksana/laksana.db"))
        );
        assert_eq!(
            sqlite_file("sqlite://laksana.db"),
            Some(PathBuf::from("laksana.db"))
        );
        assert_eq!(sqlite_file("sqlite:x.db"), Some(PathBuf::from("x.db")));
        assert_eq!(sqlite_file("data/x.db"), Some(PathBuf::from("data/x.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }

    #[test]
    fn the_partial_copy_sits_beside_the_final_name() {
        assert_eq!(
            partial_name(Path::new("/srv/cadangan/x.db")),
            PathBuf::from("/srv/cadangan/x.db.sebagian")
        );
    }
}
