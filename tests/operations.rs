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
