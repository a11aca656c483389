//! `laksana audit verify`: the whole database's audit chains, one line per broken unit.

use std::process::ExitCode;

use anyhow::Context;
use laksana_calendar::WorkingCalendar;
use laksana_store::{ChainCheck, Store, UnitChain};

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
