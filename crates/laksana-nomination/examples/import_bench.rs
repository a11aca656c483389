//! Times the real import path on a participant XLSX: read, suggest a mapping, read the rows, check
//! them. Compare with /work/shared/bench/import_peer.py on the same file in the same run.
//!
//!   cargo run --release -p laksana-nomination --example import_bench -- FILE.xlsx
//!
//! Prints `RESULT laksana rows=N bad=B seconds=S rows_per_s=R`; a row is bad when it has an error
//! (warnings, e.g. a region code from before the 2022 Papua split, do not count).

use std::time::Instant;

use laksana_nomination::{preview, read_table, suggest_mapping, Regions, Rules};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("pakai: import_bench BERKAS.xlsx [--list]");
        std::process::exit(2);
    };
    let list = std::env::args().any(|a| a == "--list");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    // The clock and the region list are outside the timed part, as the peer's imports are.
    let today = chrono::Local::now().date_naive();
    let regions = Regions::embedded();
    let t0 = Instant::now();
    let table = read_table(&bytes, &path).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let mapping = suggest_mapping(&table.headers);
    let missing = mapping.missing_required();
    if !missing.is_empty() {
        eprintln!("kolom wajib tidak ditemukan: {missing:?}");
        std::process::exit(1);
    }
    let rows = preview(&table, &mapping, "", &Rules::default(), regions, today);
    let secs = t0.elapsed().as_secs_f64();
    let bad = rows.iter().filter(|r| r.has_errors()).count();
    if list {
        for r in rows.iter().filter(|r| r.has_errors()) {
            for e in r.errors() {
                println!("baris {} [{}] {}: {}", e.line, e.column, e.code, e.message);
            }
        }
    }
    println!(
        "RESULT laksana rows={} bad={} seconds={:.3} rows_per_s={:.0}",
        rows.len(),
        bad,
        secs,
        rows.len() as f64 / secs
    );
}
