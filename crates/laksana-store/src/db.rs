//! Opening the database: URL handling, connection pragmas and migrations.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use laksana_calendar::WorkingCalendar;
use laksana_engine::SopDefinition;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::Result;

/// Which database server sits behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The handle every operation goes through. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) calendar: Arc<WorkingCalendar>,
    /// Parsed definitions by id: they never change once stored, so caching is always correct.
    pub(crate) definitions: Arc<Mutex<HashMap<i64, Arc<SopDefinition>>>>,
    /// The dashboard's history figures (see `Store::dashboard`).
    pub(crate) dashboard_cache: Arc<Mutex<crate::dashboard::DashboardCache>>,
}

impl Store {
    /// Connects, applies the SQLite pragmas and runs pending migrations.
    ///
    /// `url` is `sqlite://PATH` (created if missing), `sqlite::memory:`, a bare path, or
    /// `postgres://…` (reserved: its migrations come with the PostgreSQL work).
    pub async fn connect(url: &str, calendar: WorkingCalendar) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url);
        let (url, synchronous) = take_synchronous(&url);
        if backend == Backend::Postgres {
            return Err(crate::StoreError::invalid(
                "db",
                "PostgreSQL belum didukung pada versi ini; gunakan sqlite://PATH",
            ));
        }
        let options = AnyConnectOptions::from_str(&url)?;
        let memory = url.contains(":memory:");
        let pool = AnyPoolOptions::new()
            // One connection for an in-memory database, or each connection would see its own.
            .max_connections(if memory { 1 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer. synchronous=FULL by default because
                    // an approval answered "berhasil" must survive a power cut; NORMAL (still safe
                    // against a crashed process) can be chosen with `?synchronous=normal`.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(synchronous.pragma()).await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        let store = Store {
            pool,
            backend,
            calendar: Arc::new(calendar),
            definitions: Arc::new(Mutex::new(HashMap::new())),
            dashboard_cache: Arc::new(Mutex::new(HashMap::new())),
        };
        store.backfill_working_minutes().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// The raw pool, for benchmarks that compare against plain commits.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLite's durability level, chosen in the URL (`?synchronous=normal`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Synchronous {
    Full,
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "PRAGMA synchronous = FULL",
            Synchronous::Normal => "PRAGMA synchronous = NORMAL",
        }
    }
}

/// Removes our own `synchronous=` parameter, which sqlx does not know, from a SQLite URL.
fn take_synchronous(url: &str) -> (String, Synchronous) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), Synchronous::Full);
    };
    let mut sync = Synchronous::Full;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.split_once('=') {
            Some(("synchronous", v)) => {
                if v.eq_ignore_ascii_case("normal") {
                    sync = Synchronous::Normal;
                }
                false
            }
            _ => true,
        })
        .collect();
    if rest.is_empty() {
        (base.to_string(), sync)
    } else {
        (format!("{base}?{}", rest.join("&")), sync)
    }
}

/// Accepts the forms people type and returns a URL sqlx understands.
fn normalise_url(raw: &str) -> (String, Backend) {
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        return (raw.to_string(), Backend::Postgres);
    }
    let url = if raw.starts_with("sqlite:") {
        raw.to_string()
    } else {
        format!("sqlite://{raw}")
    };
    // sqlx opens SQLite read-write but does not create the file unless asked.
    let url = if url.contains(":memory:") || url.contains("mode=") {
        url
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    (url, Backend::Sqlite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_path_becomes_a_sqlite_url_that_creates_the_file() {
        assert_eq!(
            normalise_url("laksana.db"),
            ("sqlite://laksana.db?mode=rwc".into(), Backend::Sqlite)
        );
        assert_eq!(
            normalise_url("sqlite:///tmp/x.db").0,
            "sqlite:///tmp/x.db?mode=rwc"
        );
        assert_eq!(normalise_url("sqlite::memory:").0, "sqlite::memory:");
        assert_eq!(normalise_url("postgres://h/db").1, Backend::Postgres);
    }

    #[test]
    fn the_synchronous_parameter_is_taken_out_of_the_url() {
        let (url, sync) = take_synchronous("sqlite://x.db?synchronous=normal&mode=rwc");
        assert_eq!(
            (url.as_str(), sync),
            ("sqlite://x.db?mode=rwc", Synchronous::Normal)
        );
        assert_eq!(
            take_synchronous("sqlite://x.db?mode=rwc").1,
            Synchronous::Full
        );
    }
}
