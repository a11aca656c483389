//! A database for one test: a file in a temporary folder (SQLite), or, when
//! `LAKSANA_TEST_POSTGRES_URL` names a PostgreSQL server, a fresh database on it that is dropped
//! when the test is done. Compiled only with the `testing` feature, which only dev-dependencies
//! turn on, so the binary never carries code that creates and drops databases.

use std::path::{Path, PathBuf};

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection};

/// The variable that switches the tests to PostgreSQL: a URL the tests may create databases on.
pub const POSTGRES_URL_VAR: &str = "LAKSANA_TEST_POSTGRES_URL";

/// The server URL from [`POSTGRES_URL_VAR`], when set and not empty.
pub fn postgres_server_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// One test's database. Keep it alive as long as the test uses the URL: dropping it removes the
/// database (PostgreSQL) or the folder with the file (SQLite).
pub struct TestDatabase {
    url: String,
    kind: Kind,
}

enum Kind {
    Sqlite {
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres {
        server: String,
        name: String,
    },
}

impl TestDatabase {
    /// A new empty database. `file_name` names the SQLite file (tests that look at it, e.g. a
    /// copy of the file, read [`TestDatabase::sqlite_path`]).
    pub async fn create(file_name: &str) -> TestDatabase {
        match postgres_server_url() {
            Some(server) => TestDatabase::create_postgres(&server).await,
            None => TestDatabase::create_sqlite(file_name),
        }
    }

    /// [`TestDatabase::create`] for a test without a runtime of its own.
    pub fn create_blocking(file_name: &str) -> TestDatabase {
        let file_name = file_name.to_string();
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to create the test database")
                .block_on(TestDatabase::create(&file_name))
        })
        .join()
        .expect("creating the test database")
    }

    /// Always SQLite, for the tests that are about SQLite itself (its URL options, its file).
    pub fn create_sqlite(file_name: &str) -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary folder for the test database");
        let path = dir.path().join(file_name);
        TestDatabase {
            url: format!("sqlite://{}", path.display()),
            kind: Kind::Sqlite { path, _dir: dir },
        }
    }

    /// A fresh database `laksana_t_<random hex>` on the PostgreSQL server at `server`, copied
    /// from a migrated template (see [`ensure_template`]), so `Store::connect` finds the schema
    /// in place.
    pub async fn create_postgres(server: &str) -> TestDatabase {
        let mut bytes = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut bytes);
        let name = format!("laksana_t_{}", hex::encode(bytes));
        let mut conn = PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}={server}: {e}"));
        let template = ensure_template(&mut conn, server).await;
        // Both names are ours (hex), so formatting them into the statement is safe.
        conn.execute(format!("CREATE DATABASE {name} TEMPLATE {template}").as_str())
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        conn.close().await.ok();
        TestDatabase {
            url: with_database(server, &name),
            kind: Kind::Postgres {
                server: server.to_string(),
                name,
            },
        }
    }

    /// The URL to give `Store::connect` or `laksana --db`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }

    /// The SQLite file, or None on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.kind {
            Kind::Sqlite { path, .. } => Some(path),
            Kind::Postgres { .. } => None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Kind::Postgres { server, name } = &self.kind else {
            return; // the TempDir removes the SQLite file
        };
        // Drop cannot await, and may run inside a runtime that must not block: drop the database
        // from a thread with its own small runtime. FORCE ends the test's still-open connections.
        let (server, name) = (server.clone(), name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async move {
                let mut conn = PgConnection::connect(&server)
                    .await
                    .map_err(|e| e.to_string())?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                conn.close().await.ok();
                Ok::<(), String>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("test database {} not dropped: {e}", self.url),
            Err(_) => eprintln!(
                "test database {} not dropped: the thread panicked",
                self.url
            ),
        }
    }
}

/// Any key, the same in every test process: it serialises the building of the template.
const TEMPLATE_LOCK: i64 = 0x4c41_4b53_414e_4101;

/// The name of the template database for the PostgreSQL migrations as they are now:
/// `laksana_tpl_<hash of their names and contents>`, so a changed or added migration gets a new
/// template and an old one is never used for it.
fn template_name() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a migration file").path())
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.file_name().unwrap().as_encoded_bytes());
        hash.update(std::fs::read(&file).expect("a readable migration"));
    }
    format!("laksana_tpl_{}", &hex::encode(hash.finalize())[..16])
}

/// Makes the migrated template once per server and migration set; every test database is a
/// copy of it, which is several times faster than running the migrations for each test. Built
/// under a second name and renamed when complete, so a run that dies halfway leaves no broken
/// template; the advisory lock keeps parallel tests and test processes from building it twice.
async fn ensure_template(conn: &mut PgConnection, server: &str) -> String {
    let template = template_name();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut *conn)
        .await
        .expect("the template lock");
    let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&template)
        .fetch_optional(&mut *conn)
        .await
        .expect("look up the template")
        .is_some();
    if !exists {
        let building = format!("{template}_wip");
        for statement in [
            format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
            format!("CREATE DATABASE {building}"),
        ] {
            conn.execute(statement.as_str())
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        let mut target = PgConnection::connect(&with_database(server, &building))
            .await
            .expect("connect to the template being built");
        sqlx::migrate!("migrations/postgres")
            .run(&mut target)
            .await
            .expect("migrate the template");
        target.close().await.expect("close the template");
        let rename = format!("ALTER DATABASE {building} RENAME TO {template}");
        conn.execute(rename.as_str())
            .await
            .unwrap_or_else(|e| panic!("{rename}: {e}"));
    }
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut *conn)
        .await
        .expect("release the template lock");
    template
}

/// `server` with its database name replaced by `name`, query parameters kept.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    // After "scheme://", the first '/' starts the database name; without one there is none.
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h?sslmode=disable", "t1"),
            "postgres://u:p@h/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://h/", "t1"), "postgresql://h/t1");
    }
}
