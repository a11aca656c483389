//! Operations from the command line (issue 7, items 4 and 5): `audit verify` over a real
//! database the test app wrote, tampered with as an attacker with the file would.

mod support;

use std::process::{Command, Output};

use support::TestApp;

fn laksana(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_laksana"))
        .args(args)
        .env("RUST_LOG", "error")
        .env_remove("LAKSANA_DB")
        .output()
        .expect("run laksana")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// These tests drive the SQLite tools (VACUUM INTO, the file's triggers); when the suite runs
/// on PostgreSQL (after the PostgreSQL work), they say so and pass.
fn on_sqlite(app: &TestApp) -> bool {
    let sqlite = app.store.backend() == laksana_store::Backend::Sqlite;
    if !sqlite {
        eprintln!("dilewati: uji ini untuk berkas SQLite");
    }
    sqlite
}

/// The test app's database file, as a URL for the command line.
async fn db_url(app: &TestApp) -> String {
    let path: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    format!("sqlite://{path}")
}

async fn exec(app: &TestApp, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(app.store.pool()).await.map(|_| ())
}

#[tokio::test]
async fn audit_verify_passes_a_clean_chain_and_names_an_edited_or_deleted_entry() {
    let app = TestApp::spawn().await;
    if !on_sqlite(&app) {
        return;
    }
    app.training_at("Pelatihan Las Angkatan I", "persetujuan-rencana-kerja")
        .await;
    let url = db_url(&app).await;
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(entries > 3, "the training wrote audit entries");

    let out = laksana(&["audit", "verify", "--db", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("Rantai audit utuh: {entries} entri di 1 unit")),
        "{}",
        text(&out)
    );

    // The database itself refuses to change or remove an entry.
    let update = exec(&app, "UPDATE audit_log SET note = 'diubah' WHERE seq = 3").await;
    assert!(
        update.unwrap_err().to_string().contains("append-only"),
        "UPDATE must be refused"
    );
    let delete = exec(&app, "DELETE FROM audit_log WHERE seq = 3").await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));

    // Someone with the file drops the triggers and edits a note.
    exec(&app, "DROP TRIGGER audit_log_no_update")
        .await
        .unwrap();
    exec(&app, "DROP TRIGGER audit_log_no_delete")
        .await
        .unwrap();
    let edited: i64 =
        sqlx::query_scalar("UPDATE audit_log SET note = 'disunting' WHERE seq = 3 RETURNING id")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let out = laksana(&["audit", "verify", "--db", &url]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("entri seq 3, id {edited}")) && report.contains("hash"),
        "{report}"
    );

    // Deleting an entry (in another database) names the one after the gap.
    let fresh = TestApp::spawn().await;
    fresh
        .training_at("Pelatihan Las Angkatan II", "persetujuan-rencana-kerja")
        .await;
    let url = db_url(&fresh).await;
    exec(&fresh, "DROP TRIGGER audit_log_no_delete")
        .await
        .unwrap();
    let next: i64 = sqlx::query_scalar("SELECT id FROM audit_log WHERE seq = 5")
        .fetch_one(fresh.store.pool())
        .await
        .unwrap();
    exec(&fresh, "DELETE FROM audit_log WHERE seq = 4")
        .await
        .unwrap();
    let out = laksana(&["audit", "verify", "--db", &url]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("entri seq 5, id {next}")) && report.contains("hilang"),
        "{report}"
    );
}

/// Keeps creating trainings (each with its audit entry) until told to stop; returns how many.
fn keep_writing(
    app: &TestApp,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<usize> {
    let store = app.store.clone();
    let unit = app.unit.clone();
    let now = app.clock_now();
    tokio::spawn(async move {
        let admin = store.user_by_username("admin").await.unwrap();
        let mut n = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let new = laksana_store::NewTraining {
                title: format!("Pelatihan Beban {n}"),
                kejuruan: "Otomotif".into(),
                start_date: (now + chrono::Duration::days(40)).date_naive(),
                location: "Bengkel".into(),
            };
            store
                .create_training(&unit, &admin, &new, now)
                .await
                .unwrap();
            n += 1;
        }
        n
    })
}

async fn sqlite_scalar(path: &std::path::Path, sql: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let row: (String,) = sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
    row.0
}

#[tokio::test]
async fn a_backup_taken_while_the_server_writes_is_whole_and_restores_only_when_checked() {
    let app = TestApp::spawn().await;
    if !on_sqlite(&app) {
        return;
    }
    app.training_at("Pelatihan Las Angkatan I", "persetujuan-rencana-kerja")
        .await;
    let url = db_url(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("cadangan.db");

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = keep_writing(&app, stop.clone());
    // Let the writer get going, back up in the middle of it, then let it go on a little.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let args = ["backup", "--db", &url, copy.to_str().unwrap()].map(String::from);
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        laksana(&args)
    })
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("integrity_check ok"), "{}", text(&out));
    assert!(written > 0, "the writer wrote while the backup ran");

    assert_eq!(sqlite_scalar(&copy, "PRAGMA integrity_check").await, "ok");
    let copied: i64 = sqlite_scalar(&copy, "SELECT CAST(COUNT(*) AS TEXT) FROM trainings")
        .await
        .parse()
        .unwrap();
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trainings")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(copied >= 1 && copied <= live, "copy {copied}, live {live}");
    let copy_url = format!("sqlite://{}", copy.display());
    let check = laksana(&["audit", "verify", "--db", &copy_url]);
    assert!(check.status.success(), "{}", text(&check));

    // A second backup to the same name is refused rather than overwriting it.
    let again = laksana(&["backup", "--db", &url, copy.to_str().unwrap()]);
    assert!(!again.status.success(), "{}", text(&again));
    // A mistyped source is refused, not backed up as a new empty database.
    let missing = dir.path().join("salah-ketik.db");
    let typo = format!("sqlite://{}", missing.display());
    let out = laksana(&[
        "backup",
        "--db",
        &typo,
        dir.path().join("x.db").to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("tidak ada"), "{}", text(&out));
    assert!(!missing.exists(), "no empty database was created");

    // Restore into a fresh place works and says what it brought back.
    let target = dir.path().join("pulih.db");
    let target_url = format!("sqlite://{}", target.display());
    let out = laksana(&["restore", "--db", &target_url, copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("{copied} pelatihan"))
            && text(&out).contains("Rantai audit utuh"),
        "{}",
        text(&out)
    );
    // Over an existing database it is refused without --force, and the old one is kept with it.
    let out = laksana(&["restore", "--db", &target_url, copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    let out = laksana(&[
        "restore",
        "--db",
        &target_url,
        copy.to_str().unwrap(),
        "--force",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("sebelum-pulih"), "{}", text(&out));
    let kept = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.starts_with("pulih.db.sebelum-pulih-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .count();
    assert_eq!(kept, 1);

    // Files that are not a Laksana database are refused before anything is touched.
    let text_file = dir.path().join("catatan.txt");
    std::fs::write(&text_file, "bukan basis data").unwrap();
    let other = dir.path().join("lain.db");
    {
        use sqlx::Connection;
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", other.display()))
                .await
                .unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let fresh = dir.path().join("baru.db");
    let fresh_url = format!("sqlite://{}", fresh.display());
    for bad in [&text_file, &other] {
        let out = laksana(&["restore", "--db", &fresh_url, bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("bukan basis data Laksana"),
            "{}",
            text(&out)
        );
        assert!(!fresh.exists());
    }
}

fn zip_entries(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        out.insert(f.name().to_string(), content);
    }
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn export_writes_one_readable_zip_with_the_data_the_audit_and_every_stored_file() {
    let app = TestApp::spawn().await;
    if !on_sqlite(&app) {
        return;
    }
    let id = app
        .training_at("Pelatihan Tata Boga Angkatan III", "rapat-persiapan")
        .await;
    // A second training whose records must not leak into the first one's archive.
    let other = app
        .training_at("Pelatihan Menjahit", "persetujuan-rencana-kerja")
        .await;
    let url = db_url(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("arsip.zip");
    let out = laksana(&[
        "export",
        "--db",
        &url,
        "--pelatihan",
        &id.to_string(),
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let entries = zip_entries(&std::fs::read(&out_path).unwrap());

    let readme = String::from_utf8(entries["BACA-SAYA.txt"].clone()).unwrap();
    for word in [
        "pelatihan.json",
        "jejak-audit.csv",
        "SHA256SUMS",
        "sha256sum -c",
    ] {
        assert!(readme.contains(word), "BACA-SAYA lacks {word}:\n{readme}");
    }

    let data: serde_json::Value = serde_json::from_slice(&entries["pelatihan.json"]).unwrap();
    assert_eq!(data["pelatihan"]["id"], id);
    assert_eq!(
        data["pelatihan"]["title"],
        "Pelatihan Tata Boga Angkatan III"
    );
    let steps = data["langkah"].as_array().unwrap();
    assert!(steps.len() >= 8, "every step run: {}", steps.len());
    assert!(steps
        .iter()
        .all(|s| s["training_id"] == id && s["started_at"].is_string()));
    assert!(steps.iter().any(|s| s["completed_at"].is_string()));
    // JSON kept as JSON, not as a quoted string.
    assert!(data["rencana_kerja"][0]["plan_json"].is_object());
    assert!(!data["calon_peserta"].as_array().unwrap().is_empty());
    assert!(data["calon_peserta"][0]["data"].is_object());
    // Secrets stay out.
    let json_text = String::from_utf8_lossy(&entries["pelatihan.json"]);
    for secret in ["token_hash", "qr_secret", "body_text", "password_hash"] {
        assert!(!json_text.contains(secret), "{secret} exported");
    }

    // The audit entries are the training's, with their hashes, and nothing of the other one.
    let audit = app.store.audit_of_training(id).await.unwrap();
    let mut csv = csv::Reader::from_reader(entries["jejak-audit.csv"].as_slice());
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), audit.len());
    assert_eq!(&rows[0][12], audit[0].hash.as_str());
    assert_eq!(
        &rows.last().unwrap()[11],
        audit.last().unwrap().prev_hash.as_str()
    );
    let other_ids: Vec<String> = app
        .store
        .audit_of_training(other)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id.to_string())
        .collect();
    assert!(rows.iter().all(|r| !other_ids.contains(&r[0].to_string())));

    // Every signed document is in dokumen/, byte for byte, and SHA256SUMS names each.
    let signed: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.pdf_sha256, d.kind FROM document_signatures s JOIN documents d ON d.id = s.document_id
         WHERE d.training_id = $1",
    )
    .bind(id)
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert!(
        signed.len() >= 2,
        "the sample signs the undangan and the SK"
    );
    let sums = String::from_utf8(entries["dokumen/SHA256SUMS"].clone()).unwrap();
    let listed: Vec<(&str, &str)> = sums.lines().map(|l| l.split_once("  ").unwrap()).collect();
    let files: Vec<&String> = entries
        .keys()
        .filter(|k| k.starts_with("dokumen/") && *k != "dokumen/SHA256SUMS")
        .collect();
    assert_eq!(listed.len(), files.len());
    for (hash, path) in &listed {
        let content = &entries[&format!("dokumen/{path}")];
        assert_eq!(&sha256(content), hash, "{path}");
        assert!(content.starts_with(b"%PDF"), "{path}");
    }
    for (hash, kind) in &signed {
        assert!(
            listed
                .iter()
                .any(|(h, p)| h == hash && p.starts_with("surat/") && p.contains(kind.as_str())),
            "signed {kind} missing from {sums}"
        );
    }

    // An unknown training is an error, not an empty archive.
    let out = laksana(&[
        "export",
        "--db",
        &url,
        "--pelatihan",
        "9999",
        dir.path().join("x.zip").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(!dir.path().join("x.zip").exists());
}

#[tokio::test]
async fn verify_rehashes_every_stored_file_and_names_the_one_that_changed() {
    let app = TestApp::spawn().await;
    if !on_sqlite(&app) {
        return;
    }
    let id = app
        .training_at("Pelatihan Tata Boga Angkatan IV", "distribusi-undangan")
        .await;
    let url = db_url(&app).await;
    let out = laksana(&["verify", "--db", &url]);
    assert!(out.status.success(), "{}", text(&out));
    let files: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM document_signatures s JOIN documents d ON d.id = s.document_id WHERE d.training_id = $1",
    )
    .bind(id)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(files >= 2);
    assert!(
        text(&out).contains(&format!("Semua berkas utuh: {files} berkas")),
        "{}",
        text(&out)
    );

    // Someone with the file swaps a signed PDF's bytes (after removing the freeze).
    exec(&app, "DROP TRIGGER document_signatures_no_update")
        .await
        .unwrap();
    let changed: i64 = sqlx::query_scalar(
        "UPDATE document_signatures SET pdf = CAST('%PDF-palsu' AS BLOB)
         WHERE id = (SELECT MIN(id) FROM document_signatures) RETURNING id",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let out = laksana(&["verify", "--db", &url]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("document_signatures id {changed} "))
            && report.contains(&sha256(b"%PDF-palsu")),
        "{report}"
    );
    assert!(
        report.contains(&format!("1 dari {files} berkas")),
        "{report}"
    );
}

fn laksana_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_laksana"));
    cmd.args(args)
        .env("RUST_LOG", "error")
        .env_remove("LAKSANA_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run laksana")
}

#[test]
fn the_configuration_layers_file_environment_and_flags_and_names_a_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("laksana.toml");
    std::fs::write(
        &file,
        "db = \"sqlite:///srv/laksana/laksana.db\"\nlisten = \"0.0.0.0:9000\"\nmail_from = \"UPT BLK <blk@example.go.id>\"\n",
    )
    .unwrap();
    let secret = dir.path().join("smtp-url");
    std::fs::write(&secret, "smtps://blk:Rahasia99@mail.example.go.id:465\n").unwrap();
    let conf = file.to_str().unwrap();
    let out = laksana_env(
        &["config", "tampil", "--config", conf],
        &[
            ("LAKSANA_LISTEN", "127.0.0.1:9100"),
            ("LAKSANA_SMTP_URL_FILE", secret.to_str().unwrap()),
        ],
    );
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("db = \"sqlite:///srv/laksana/laksana.db\""),
        "{shown}"
    );
    assert!(
        shown.contains("listen = \"127.0.0.1:9100\""),
        "env beats file: {shown}"
    );
    assert!(shown.contains("UPT BLK"), "{shown}");
    assert!(
        shown.contains("smtps://blk:***@mail.example.go.id:465"),
        "{shown}"
    );
    assert!(!shown.contains("Rahasia99"), "{shown}");

    // An unknown key in the file stops every command before it does anything.
    std::fs::write(&file, "db = \"x.db\"\nlisten_adress = \"0.0.0.0:1\"\n").unwrap();
    let out = laksana_env(&["audit", "verify", "--config", conf], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("listen_adress"), "{}", text(&out));

    // So does an unknown LAKSANA_ variable, or a bad value in one.
    let out = laksana_env(&["config", "tampil"], &[("LAKSANA_SMTP_ULR", "smtp://x")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("LAKSANA_SMTP_ULR"), "{}", text(&out));
    let out = laksana_env(
        &["config", "tampil"],
        &[("LAKSANA_SECURE_COOKIES", "kadang")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("LAKSANA_SECURE_COOKIES"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn health_readiness_metrics_and_the_request_id() {
    let app = TestApp::spawn().await;
    let res = app.api.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(res.text().await.unwrap(), "ok");

    let res = app.api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");

    // A caller's request id is echoed; one is made when none is sent.
    let res = app
        .api
        .get(app.url("/masuk"))
        .header("x-request-id", "uji-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "uji-123");
    let a = app.api.get(app.url("/healthz")).send().await.unwrap();
    let b = app.api.get(app.url("/healthz")).send().await.unwrap();
    assert_ne!(a.headers()["x-request-id"], b.headers()["x-request-id"]);

    // Steps completed and the outbox are read from the database at scrape time.
    app.training_at("Pelatihan Las Angkatan I", "persetujuan-rencana-kerja")
        .await;
    let done: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM step_runs WHERE completed_at IS NOT NULL")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let depth = app.store.outbox_depth().await.unwrap();
    let token = app.api_login("jfu").await;
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM trainings")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let res = app
        .get_api(&token, &format!("/api/v1/trainings/{id}"))
        .await;
    assert_eq!(res.status(), 200);
    let res = app.api.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 3"),
        "{text}"
    );
    // The route template, not the path with the id in it.
    assert!(
        text.contains("route=\"/api/v1/trainings/{id}\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/readyz\""));
    assert!(
        text.contains(&format!("laksana_steps_completed_total {done}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("laksana_outbox_depth {depth}")),
        "{text}"
    );
    assert!(done > 0);

    // Through a proxy (a forwarding header) and without a token: refused with a stable code.
    let res = app
        .api
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "metrics_forbidden");

    // With the database gone, /readyz says so with a reason and /healthz still answers.
    app.store.close().await;
    let res = app.api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_ready");
    assert!(body["reason"].as_str().unwrap().contains("basis data"));
    let res = app.api.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}
