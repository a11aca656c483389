//! The command line as a user runs it: `sop check`, `sop show`, `calendar due`, `user add`.

use std::process::{Command, Output};

use laksana_store::testing::TestDatabase;

fn laksana(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_laksana"))
        .args(args)
        .env("RUST_LOG", "error")
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

const SEED_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/sop/penyelenggaraan-pelatihan.toml"
);

#[test]
fn the_shipped_sop_checks_clean_with_exit_code_zero() {
    let out = laksana(&["sop", "check", SEED_FILE]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("11 langkah"), "{}", text(&out));
}

#[test]
fn a_broken_sop_reports_every_problem_with_its_line_and_exits_one() {
    let src = std::fs::read_to_string(SEED_FILE).unwrap();
    // Four faults of different kinds in one file.
    let broken = src
        .replacen("pelaksana = \"jfu\"", "pelaksana = \"bendahara\"", 1)
        .replacen("waktu = \"30 menit\"", "waktu = \"sebentar\"", 1)
        .replacen("keputusan = { tidak = 1 }", "keputusan = { tidak = 9 }", 1)
        .replacen("nomor = 3\n", "nomor = 2\n", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rusak.toml");
    std::fs::write(&path, &broken).unwrap();
    let out = laksana(&["sop", "check", path.to_str().unwrap()]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    let line_of = |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() + 1;
    for (needle, word) in [
        ("pelaksana = \"bendahara\"", "bendahara"),
        ("waktu = \"sebentar\"", "sebentar"),
        ("keputusan = { tidak = 9 }", "9"),
    ] {
        let line = line_of(needle);
        assert!(
            report
                .lines()
                .any(|l| l.contains(&format!("baris {line}")) && l.contains(word)),
            "expected a problem at line {line} naming {word}:\n{report}"
        );
    }
    assert!(report.contains("masalah ditemukan"), "{report}");
}

#[test]
fn sop_show_prints_every_step_of_the_table() {
    let out = laksana(&["sop", "show", SEED_FILE]);
    assert!(out.status.success(), "{}", text(&out));
    let table = text(&out);
    for kegiatan in [
        "Membuat rencana kerja",
        "Melaksanakan kegiatan",
        "Menerima laporan",
    ] {
        assert!(table.contains(kegiatan), "missing {kegiatan}:\n{table}");
    }
}

#[test]
fn calendar_due_prints_the_due_moment_in_rfc3339_skipping_cuti_bersama() {
    // Case C2: 24 Dec is cuti bersama, 25 Dec Natal, then the weekend.
    let out = laksana(&[
        "calendar",
        "due",
        "--start",
        "2026-12-23T10:00",
        "--duration",
        "1 hari",
        "--zone",
        "WIB",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "2026-12-28T10:00:00+07:00"
    );
}

#[test]
fn calendar_due_in_a_year_without_holiday_data_is_refused_naming_the_year() {
    let out = laksana(&[
        "calendar",
        "due",
        "--start",
        "2031-03-03T10:00",
        "--duration",
        "2 jam",
        "--zone",
        "WIB",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("2031"), "{}", text(&out));
}

#[test]
fn calendar_due_refuses_an_unreadable_duration() {
    let out = laksana(&[
        "calendar",
        "due",
        "--start",
        "2026-12-23T10:00",
        "--duration",
        "sebentar",
        "--zone",
        "WIB",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("sebentar"), "{}", text(&out));
}

#[test]
fn user_add_creates_a_user_with_roles_who_can_log_in() {
    let test_db = TestDatabase::create_blocking("u.db");
    let db = test_db.url().to_string();
    let out = laksana(&[
        "user",
        "add",
        "--db",
        &db,
        "--username",
        "budi",
        "--name",
        "Budi Santoso",
        "--password",
        "rahasia-sekali",
        "--role",
        "jfu",
        "--role",
        "staf",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let again = laksana(&[
        "user",
        "add",
        "--db",
        &db,
        "--username",
        "budi",
        "--name",
        "B",
        "--password",
        "rahasia-sekali",
    ]);
    assert!(!again.status.success());
    assert!(text(&again).contains("sudah dipakai"), "{}", text(&again));
    let bad_role = laksana(&[
        "user",
        "add",
        "--db",
        &db,
        "--username",
        "ani",
        "--name",
        "Ani",
        "--password",
        "rahasia-sekali",
        "--role",
        "bendahara",
    ]);
    assert!(!bad_role.status.success());
    assert!(text(&bad_role).contains("bendahara"), "{}", text(&bad_role));
}

#[test]
fn bench_engine_runs_the_seed_sop_to_the_end_and_reports_its_rates() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bench.db").display());
    let out = laksana(&["bench", "engine", "--instances", "3", "--db", &db]);
    let stdout = text(&out);
    assert!(out.status.success(), "{stdout}");
    // Eleven steps each, all taken, plus one transition per start.
    assert!(
        stdout.contains("engine=laksana mode=sqlite instances=3 tasks=33 transitions=36"),
        "{stdout}"
    );
    assert!(stdout.contains("laksana_transitions_vs_raw="), "{stdout}");
    // A database already on a later SOP is refused, not benchmarked on a different flow.
    let app_db = format!("sqlite://{}", dir.path().join("app.db").display());
    let seeded = laksana(&["demo", "--trainings", "1", "--db", &app_db]);
    assert!(seeded.status.success(), "{}", text(&seeded));
    let refused = laksana(&["bench", "engine", "--instances", "1", "--db", &app_db]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("basis data baru"),
        "{}",
        text(&refused)
    );
}

/// `laksana demo` leaves SQLite the row counts it plans by (sqlite_stat1) but not the value
/// samples of sqlite_stat4, with which the bundled SQLite re-plans every statement whose bound
/// values change (it was 38% of the server's CPU in the load test).
#[test]
fn demo_data_on_sqlite_keeps_row_counts_but_no_value_samples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let db = format!("sqlite://{}", path.display());
    let seeded = laksana(&["demo", "--trainings", "20", "--berjalan", "5", "--db", &db]);
    assert!(seeded.status.success(), "{}", text(&seeded));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (stat1, stat4): (i64, i64) = rt.block_on(async {
        use sqlx::Row;
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db)
            .await
            .unwrap();
        let count = |sql: &'static str| sqlx::query(sql);
        let stat1 = count("SELECT COUNT(*) FROM sqlite_stat1")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
        let stat4 = match count("SELECT COUNT(*) FROM sqlite_stat4")
            .fetch_one(&mut conn)
            .await
        {
            Ok(row) => row.get(0),
            // A SQLite built without STAT4 has no such table: nothing to re-plan by.
            Err(_) => 0,
        };
        (stat1, stat4)
    });
    assert!(stat1 > 0, "ANALYZE ran");
    assert_eq!(stat4, 0, "no value samples left");
}
