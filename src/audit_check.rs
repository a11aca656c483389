//! `laksana audit verify` (the audit chains, one line per broken unit) and `laksana verify`
//! (the stored files against their SHA-256).

use std::process::ExitCode;

use anyhow::Context;
use laksana_calendar::WorkingCalendar;
use laksana_store::{ChainCheck, FileStore, Store, UnitChain};

/// Opens the database without adding anything to it (no `open`: that stores the shipped SOPs,
/// which would append audit entries to the very chain being checked).
pub async fn connect_quiet(url: &str) -> anyhow::Result<Store> {
    Store::connect(url, WorkingCalendar::builtin())
        .await
        .with_context(|| format!("membuka basis data {url}"))
}

pub async fn verify(url: &str) -> anyhow::Result<ExitCode> {
    let store = connect_quiet(url).await?;
    let chains = store.verify_all_audit_chains().await?;
    store.close().await;
    let (text, intact) = report(&chains);
    print!("{text}");
    Ok(if intact {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The printed report and whether every chain is intact.
pub fn report(chains: &[UnitChain]) -> (String, bool) {
    let mut out = String::new();
    let mut entries = 0;
    let mut intact = true;
    for chain in chains {
        match &chain.check {
            ChainCheck::Intact { entries: n } => entries += n,
            ChainCheck::Broken { seq, id, reason } => {
                intact = false;
                let row = match id {
                    Some(id) => format!("id {id}"),
                    None => "baris tidak ada".to_string(),
                };
                out.push_str(&format!(
                    "Rantai audit RUSAK di unit {} (id unit {}): entri seq {seq}, {row}: {reason}\n",
                    chain.unit_code, chain.unit_id
                ));
            }
        }
    }
    if intact {
        out.push_str(&format!(
            "Rantai audit utuh: {entries} entri di {} unit\n",
            chains.len()
        ));
    }
    (out, intact)
}

/// `laksana verify`: every stored file re-hashed against its recorded SHA-256.
pub async fn verify_files(url: &str, files: &FileStore) -> anyhow::Result<ExitCode> {
    let store = connect_quiet(url).await?.with_files(files.clone());
    let check = store.verify_files().await?;
    store.close().await;
    for gone in &check.missing {
        println!(
            "HILANG: {} id {} ({}{}): berkas {} tidak ada di {}",
            gone.table,
            gone.id,
            gone.name,
            gone.training_id
                .map(|t| format!(", pelatihan {t}"))
                .unwrap_or_default(),
            gone.sha256,
            gone.place
        );
    }
    for bad in &check.mismatches {
        println!(
            "TIDAK COCOK: {} id {} ({}{}): tercatat {}, isi sekarang {}",
            bad.table,
            bad.id,
            bad.name,
            bad.training_id
                .map(|t| format!(", pelatihan {t}"))
                .unwrap_or_default(),
            bad.recorded.as_deref().unwrap_or("(tidak ada)"),
            bad.actual
        );
    }
    let place = if files.is_database() {
        format!(
            "{} di basis data, {} di luar basis data",
            check.in_database, check.in_store
        )
    } else {
        format!(
            "{} di basis data, {} di {}",
            check.in_database,
            check.in_store,
            files.describe()
        )
    };
    if files.is_database() && check.in_store > 0 {
        // Rows whose bytes were moved out, checked without saying where to: not lost, asked
        // of the wrong place.
        println!(
            "Catatan: {} berkas tersimpan di luar basis data, tetapi tidak ada --files (atau \
             `files` di laksana.toml / LAKSANA_FILES). Jalankan lagi dengan pengaturan yang \
             dipakai server, mis. --files folder:/PATH atau s3://BUCKET/PREFIX.",
            check.in_store
        );
    }
    if check.mismatches.is_empty() && check.missing.is_empty() {
        println!(
            "Semua berkas utuh: {} berkas, {} bita diperiksa ({place}).",
            check.checked, check.bytes
        );
        Ok(ExitCode::SUCCESS)
    } else {
        if !check.mismatches.is_empty() {
            println!(
                "{} dari {} berkas tidak cocok dengan SHA-256-nya.",
                check.mismatches.len(),
                check.checked
            );
        }
        if !check.missing.is_empty() {
            println!(
                "{} dari {} berkas hilang ({place}).",
                check.missing.len(),
                check.checked
            );
        }
        Ok(ExitCode::from(1))
    }
}
