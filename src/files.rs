//! `laksana files pindah`: every stored file's bytes moved to another place (the database, a
//! folder or an S3 bucket), each copy checked before the database lets go of the original.

use std::process::ExitCode;

use laksana_store::FileStore;

use crate::audit_check::connect_quiet;

pub async fn move_files(url: &str, from: &FileStore, to: &FileStore) -> anyhow::Result<ExitCode> {
    let store = connect_quiet(url).await?.with_files(from.clone());
    println!(
        "Memindahkan berkas dari basis data dan {} ke {} …",
        from.describe(),
        to.describe()
    );
    let mut done = 0usize;
    let result = store
        .move_files(to, |_, _| {
            done += 1;
            if done.is_multiple_of(500) {
                println!("  {done} berkas …");
            }
        })
        .await;
    store.close().await;
    let report = result?;
    for bad in &report.failed {
        println!(
            "GAGAL: {} id {} ({}): berkas {} tidak ada atau tidak cocok di {}",
            bad.table, bad.id, bad.name, bad.sha256, bad.place
        );
    }
    println!(
        "Selesai: {} berkas disalin dan diperiksa, {} sudah ada di tujuan, {} baris basis data diperbarui, {} gagal.",
        report.copied,
        report.already_there,
        report.rows_updated,
        report.failed.len()
    );
    if report.failed.is_empty() {
        println!(
            "Sekarang atur files = \"{}\" (atau --files) sebelum server dijalankan lagi.",
            to.setting()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}
