//! Opening the database: URL handling, connection pragmas and migrations.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use laksana_calendar::WorkingCalendar;
use laksana_engine::SopDefinition;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::unit_cache::UnitCache;

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
    /// Stored definitions' identities by id (key, version, hash): as unchanging as the text.
    pub(crate) definition_rows: Arc<Mutex<HashMap<i64, crate::DefinitionRow>>>,
    /// The dashboard's history figures (see `Store::dashboard`).
    pub(crate) dashboard_cache: Arc<Mutex<crate::dashboard::DashboardCache>>,
    /// Each unit's late steps for the inbox (see `Store::unit_overdue_runs`).
    pub(crate) overdue_cache: Arc<Mutex<HashMap<i64, crate::dashboard::OverdueSnapshot>>>,
    /// Reads kept per unit until its audit chain moves (see `unit_cache`): the unit's signed
    /// committees for the inbox, its newest definition id for the pages' role names, the
    /// inboxes and the training lists.
    pub(crate) committee_cache: Arc<UnitCache<(), Arc<crate::committee::Committees>>>,
    pub(crate) newest_definition_cache: Arc<UnitCache<(), i64>>,
    pub(crate) task_pages:
        Arc<UnitCache<crate::committee::TaskPageKey, crate::committee::TaskPage>>,
    pub(crate) training_pages: Arc<UnitCache<crate::TrainingQuery, crate::TrainingPage>>,
    /// Each training's page, kept until an audit entry names the training.
    pub(crate) training_views: Arc<crate::unit_cache::TrainingCache<Arc<crate::TrainingView>>>,
    /// Where new files' bytes go and where rows without content find theirs.
    pub(crate) files: crate::FileStore,
}

impl Store {
    /// Connects, applies the SQLite pragmas (SQLite only) and runs pending migrations.
    ///
    /// `url` is `sqlite://PATH` (created if missing), `sqlite::memory:`, a bare path, or
    /// `postgres://…` (the database must exist; its schema is created by the migrations).
    pub async fn connect(url: &str, calendar: WorkingCalendar) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url);
        let pool = match backend {
            Backend::Sqlite => connect_sqlite(&url).await?,
            Backend::Postgres => connect_postgres(&url).await?,
        };
        let store = Store {
            pool,
            backend,
            calendar: Arc::new(calendar),
            definitions: Arc::new(Mutex::new(HashMap::new())),
            definition_rows: Arc::new(Mutex::new(HashMap::new())),
            dashboard_cache: Arc::new(Mutex::new(HashMap::new())),
            overdue_cache: Arc::new(Mutex::new(HashMap::new())),
            committee_cache: Arc::new(UnitCache::new(1)),
            newest_definition_cache: Arc::new(UnitCache::new(1)),
            // Per unit: an inbox page per account and role set, a list page per filter, a
            // training per id; a few MiB at most for a busy unit.
            task_pages: Arc::new(UnitCache::new(1024)),
            training_pages: Arc::new(UnitCache::new(256)),
            training_views: Arc::new(crate::unit_cache::TrainingCache::new(512)),
            files: crate::FileStore::database(),
        };
        store.backfill_working_minutes().await?;
        Ok(store)
    }

    /// The same store with files kept in `files` (the default keeps them in the database).
    pub fn with_files(mut self, files: crate::FileStore) -> Store {
        self.files = files;
        self
    }

    pub fn files(&self) -> &crate::FileStore {
        &self.files
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

async fn connect_sqlite(url: &str) -> Result<AnyPool> {
    let (url, synchronous) = take_synchronous(url);
    let options = AnyConnectOptions::from_str(&url)?;
    let memory = url.contains(":memory:");
    let pool = AnyPoolOptions::new()
        // One connection for an in-memory database, or each connection would see its own.
        // Four for a file: SQLite has one writer anyway, and each sqlx connection is a thread
        // that every statement and row is handed to; on two cores the load test served more
        // with 4 than with 8 (793 against 752 req/s, 498 against 418 per CPU-second) or 2 (561).
        .max_connections(if memory { 1 } else { 4 })
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
    Ok(pool)
}

/// Connections per app server on PostgreSQL, unless the URL says `?max_connections=N`. Several
/// servers share one database server, whose default limit is 100 connections in all.
const PG_MAX_CONNECTIONS: u32 = 10;

/// How long a request waits for a PostgreSQL connection. While the server cannot be reached
/// the pool keeps retrying a refused connection until then, so this bounds how long a user
/// waits for the "basis data tidak dapat dihubungi" answer; it is still long enough for a
/// burst of load to queue behind the ten connections.
const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

async fn connect_postgres(url: &str) -> Result<AnyPool> {
    let (url, max) = take_max_connections(url);
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max.unwrap_or(PG_MAX_CONNECTIONS))
        .acquire_timeout(PG_ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    // sqlx's PostgreSQL migrator takes an advisory lock, so two servers starting at once on an
    // empty database do not both create the schema.
    sqlx::migrate!("migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// Removes our own `max_connections=` parameter, which the PostgreSQL driver would refuse.
fn take_max_connections(url: &str) -> (String, Option<u32>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut max = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.split_once('=') {
            Some(("max_connections", v)) => {
                max = v.parse().ok().filter(|n| *n > 0);
                false
            }
            _ => true,
        })
        .collect();
    if rest.is_empty() {
        (base.to_string(), max)
    } else {
        (format!("{base}?{}", rest.join("&")), max)
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
    fn the_max_connections_parameter_is_taken_out_of_a_postgres_url() {
        assert_eq!(
            take_max_connections("postgres://h/db?max_connections=3&sslmode=disable"),
            ("postgres://h/db?sslmode=disable".into(), Some(3))
        );
        assert_eq!(
            take_max_connections("postgres://h/db"),
            ("postgres://h/db".into(), None)
        );
    }

    /// Versions (and names) of one migrations folder, e.g. "20261203000001_create_core".
    fn migration_names(folder: &str) -> std::collections::BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(folder);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(".sql").map(str::to_string))
            .collect()
    }

    #[test]
    fn every_migration_has_its_twin_in_the_other_backend() {
        let sqlite = migration_names("sqlite");
        let postgres = migration_names("postgres");
        assert!(!sqlite.is_empty());
        let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
        let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
        assert!(
            only_sqlite.is_empty() && only_postgres.is_empty(),
            "migrations out of step: only in sqlite/ {only_sqlite:?}, only in postgres/ {only_postgres:?}"
        );
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
