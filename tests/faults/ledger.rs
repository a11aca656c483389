//! What the clients were told succeeded, and the checks that the database holds all of it and
//! nothing half-done, read straight from the tables with a store of the test's own.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use laksana_store::{Backend, ChainCheck, Store};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A step completion answered 200.
#[derive(Clone, Debug)]
pub struct Completion {
    pub run_id: i64,
    pub training_id: i64,
    pub step_no: i64,
    pub outcome: String,
}

/// A number reserved by hand, answered with its number (the book's redirect names it).
#[derive(Clone, Debug)]
pub struct Reservation {
    pub register_id: i64,
    pub number_text: String,
}

/// Every success answer of a run, across restarts.
#[derive(Default)]
pub struct Ledger {
    pub completions: Mutex<Vec<Completion>>,
    /// Documents whose signing was answered with the "signed" redirect.
    pub signings: Mutex<Vec<i64>>,
    pub reservations: Mutex<Vec<Reservation>>,
}

impl Ledger {
    pub fn len(&self) -> usize {
        self.completions.lock().unwrap().len()
            + self.signings.lock().unwrap().len()
            + self.reservations.lock().unwrap().len()
    }
}

/// Opens the database the way `laksana` does, for reading what a server left behind.
pub async fn open(url: &str) -> Store {
    Store::connect(url, laksana_calendar::WorkingCalendar::builtin())
        .await
        .unwrap_or_else(|e| panic!("open {url} after the server: {e}"))
}

/// What the checks counted, for the test's summary.
#[derive(Debug, Default)]
pub struct Tally {
    pub steps_done: usize,
    pub signatures: usize,
    pub register_entries: usize,
    pub audit_entries: usize,
}

/// Every acknowledged change is there and every change there is whole. Panics naming the first
/// thing that is not.
pub async fn check(store: &Store, unit_id: i64, ledger: &Ledger) -> Tally {
    let pool = store.pool();
    let mut tally = Tally::default();

    // The audit trail's step entries per training, as (step, round) pairs.
    let mut step_audit: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    for row in sqlx::query(
        "SELECT training_id, step_no, round FROM audit_log
         WHERE unit_id = $1 AND action IN ('step.completed', 'step.approved', 'step.returned')",
    )
    .bind(unit_id)
    .fetch_all(pool)
    .await
    .unwrap()
    {
        step_audit
            .entry(row.get("training_id"))
            .or_default()
            .push((row.get("step_no"), row.get("round")));
    }

    // Each training: one active step (the one it names) while running, none once finished, as
    // many done steps as transitions (its version), and an audit entry for each done step.
    let trainings = sqlx::query(
        "SELECT id, status, current_step, version, finished_at FROM trainings WHERE unit_id = $1",
    )
    .bind(unit_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut done_runs: BTreeMap<i64, (String, Option<String>)> = BTreeMap::new();
    for t in &trainings {
        let id: i64 = t.get("id");
        let status: String = t.get("status");
        let current: Option<i64> = t.get("current_step");
        let version: i64 = t.get("version");
        let finished_at: Option<String> = t.get("finished_at");
        let runs = sqlx::query(
            "SELECT id, step_no, round, status, outcome, completed_at FROM step_runs WHERE training_id = $1",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap();
        let active: Vec<i64> = runs
            .iter()
            .filter(|r| r.get::<String, _>("status") == "active")
            .map(|r| r.get("step_no"))
            .collect();
        match status.as_str() {
            "berjalan" => {
                assert_eq!(
                    active,
                    current.into_iter().collect::<Vec<_>>(),
                    "training {id}: the active step run is the step the training names"
                );
                assert!(finished_at.is_none(), "training {id}: running yet finished");
            }
            "selesai" => {
                assert!(
                    active.is_empty(),
                    "training {id}: finished with {active:?} active"
                );
                assert!(
                    finished_at.is_some(),
                    "training {id}: finished without a time"
                );
            }
            other => panic!("training {id}: unknown status {other}"),
        }
        let mut done: Vec<(i64, i64)> = Vec::new();
        for r in &runs {
            if r.get::<String, _>("status") == "done" {
                let completed: Option<String> = r.get("completed_at");
                assert!(
                    completed.is_some(),
                    "training {id}: a done run without a time"
                );
                done.push((r.get("step_no"), r.get("round")));
                done_runs.insert(r.get("id"), (r.get("status"), r.get("outcome")));
            }
        }
        assert_eq!(
            done.len() as i64,
            version,
            "training {id}: every transition bumps the version once"
        );
        let mut audited = step_audit.remove(&id).unwrap_or_default();
        audited.sort();
        done.sort();
        assert_eq!(
            done, audited,
            "training {id}: a done step for each audit entry, and an audit entry for each done step"
        );
        tally.steps_done += done.len();
    }
    assert!(
        step_audit.is_empty(),
        "audit entries of steps of unknown trainings: {step_audit:?}"
    );
    for c in ledger.completions.lock().unwrap().iter() {
        let (status, outcome) = done_runs.get(&c.run_id).unwrap_or_else(|| {
            panic!(
                "acknowledged completion of task {} (training {}, step {}) is not in the database",
                c.run_id, c.training_id, c.step_no
            )
        });
        assert_eq!(status, "done");
        assert_eq!(outcome.as_deref(), Some(c.outcome.as_str()), "{c:?}");
    }

    // Each signature: its document marked signed, its number from the register pointing back
    // at the document, its PDF stored whole (the SHA-256 recorded matches the bytes), and its
    // audit entry. A document marked signed has its signature.
    let signatures = sqlx::query(
        "SELECT s.document_id, s.version, s.number_text, s.pdf, s.pdf_sha256, d.signed_at, d.title,
                e.document_id AS entry_document, e.number_text AS entry_number
         FROM document_signatures s
         JOIN documents d ON d.id = s.document_id
         LEFT JOIN register_entries e ON e.id = s.register_entry_id
         WHERE d.unit_id = $1",
    )
    .bind(unit_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let signed_notes: Vec<String> =
        sqlx::query("SELECT note FROM audit_log WHERE unit_id = $1 AND action = 'document.signed'")
            .bind(unit_id)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<Option<String>, _>("note").unwrap_or_default())
            .collect();
    let mut signed_docs = BTreeSet::new();
    for s in &signatures {
        let doc: i64 = s.get("document_id");
        let number: Option<String> = s.get("number_text");
        let number = number.unwrap_or_else(|| panic!("document {doc}: signed without a number"));
        let pdf: Vec<u8> = s.get("pdf");
        assert!(
            pdf.starts_with(b"%PDF"),
            "document {doc}: the stored PDF is not a PDF"
        );
        assert_eq!(
            hex(&Sha256::digest(&pdf)),
            s.get::<String, _>("pdf_sha256"),
            "document {doc}: the stored PDF is not the one signed"
        );
        assert!(
            s.get::<Option<String>, _>("signed_at").is_some(),
            "document {doc}: a signature on a document not marked signed"
        );
        assert_eq!(s.get::<Option<i64>, _>("entry_document"), Some(doc));
        assert_eq!(
            s.get::<Option<String>, _>("entry_number"),
            Some(number.clone())
        );
        // The note names the letter, its version and its number (two registers can give the
        // same text, so the number alone does not name one signing).
        let needle = format!(
            "{} versi {} nomor {number} ",
            s.get::<String, _>("title"),
            s.get::<i64, _>("version")
        );
        assert_eq!(
            signed_notes.iter().filter(|n| n.contains(&needle)).count(),
            1,
            "document {doc}: one audit entry for its signature {number}"
        );
        signed_docs.insert(doc);
    }
    let marked: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM documents WHERE unit_id = $1 AND signed_at IS NOT NULL",
    )
    .bind(unit_id)
    .fetch_one(pool)
    .await
    .unwrap()
    .get("n");
    assert_eq!(
        marked as usize,
        signed_docs.len(),
        "documents marked signed without a signature"
    );
    assert_eq!(
        signed_notes.len(),
        signed_docs.len(),
        "signing audit entries without a signature"
    );
    for doc in ledger.signings.lock().unwrap().iter() {
        assert!(
            signed_docs.contains(doc),
            "acknowledged signing of document {doc} is lost"
        );
    }
    tally.signatures = signed_docs.len();

    // Registers: numbers 1..=counter each year, none twice, every reservation audited.
    let counters = sqlx::query(
        "SELECT c.register_id, c.year, c.last_seq FROM register_counters c
         JOIN registers r ON r.id = c.register_id WHERE r.unit_id = $1",
    )
    .bind(unit_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut reserved: BTreeSet<(i64, String)> = BTreeSet::new();
    for c in &counters {
        let (register, year, last): (i64, i64, i64) =
            (c.get("register_id"), c.get("year"), c.get("last_seq"));
        let entries = sqlx::query(
            "SELECT seq, number_text, entry_kind FROM register_entries
             WHERE register_id = $1 AND year = $2 ORDER BY seq",
        )
        .bind(register)
        .bind(year)
        .fetch_all(pool)
        .await
        .unwrap();
        let seqs: Vec<i64> = entries.iter().map(|e| e.get("seq")).collect();
        assert_eq!(
            seqs,
            (1..=last).collect::<Vec<_>>(),
            "register {register} year {year}: numbers gap-free up to the counter"
        );
        let texts: BTreeSet<String> = entries.iter().map(|e| e.get("number_text")).collect();
        assert_eq!(
            texts.len(),
            entries.len(),
            "register {register}: a number given twice"
        );
        for e in &entries {
            if e.get::<String, _>("entry_kind") == "reservation" {
                reserved.insert((register, e.get("number_text")));
            }
        }
        tally.register_entries += entries.len();
    }
    let reservation_audits: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE unit_id = $1 AND action = 'number.reserved'",
    )
    .bind(unit_id)
    .fetch_one(pool)
    .await
    .unwrap()
    .get("n");
    assert_eq!(
        reservation_audits as usize,
        reserved.len(),
        "a reservation without its audit entry, or the reverse"
    );
    for r in ledger.reservations.lock().unwrap().iter() {
        assert!(
            reserved.contains(&(r.register_id, r.number_text.clone())),
            "acknowledged reservation {} is lost",
            r.number_text
        );
    }

    // The chain is unbroken, and SQLite's own check of the file passes.
    match store.verify_audit_chain(unit_id).await.unwrap() {
        ChainCheck::Intact { entries, .. } => tally.audit_entries = entries as usize,
        broken => panic!("audit chain broken after the crash: {broken:?}"),
    }
    if store.backend() == Backend::Sqlite {
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(pool)
            .await
            .unwrap();
        let said: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(said, vec!["ok".to_string()], "PRAGMA integrity_check");
    }
    tally
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `laksana audit verify --db URL`, the operator's own check: exit 0 and its sentence.
pub fn audit_verify_cli(url: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_laksana"))
        .args(["audit", "verify", "--db", url])
        .output()
        .expect("run laksana audit verify");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "laksana audit verify failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Rantai audit utuh"), "{stdout}");
    stdout
}
