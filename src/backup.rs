//! `laksana backup` and `laksana restore`: a consistent copy of a running SQLite database, and
//! bringing one back only after it has been checked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use laksana_store::{check_sqlite_file, sqlite_file, DatabaseFacts};

use crate::audit_check::connect_quiet;

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The commands an operator runs for PostgreSQL, where the server's own tools do it properly.
fn pg_instructions(url: &str, file: &Path) -> String {
    format!(
        "PostgreSQL dicadangkan dan dipulihkan dengan alat PostgreSQL sendiri:\n  \
         pg_dump -Fc --no-owner --file {f} '{url}'\n  \
         pg_restore --clean --if-exists --no-owner --dbname '{url}' {f}\n",
        f = file.display()
    )
}

fn describe(facts: &DatabaseFacts) -> String {
    format!(
        "{} bita, {} migrasi, {} unit, {} pelatihan, {} entri audit",
        facts.bytes,
        facts.migrations.len(),
        facts.units,
        facts.trainings,
        facts.audit_entries
    )
}

/// The backup of the database, and, when files live outside it, the reminder that their
/// place is backed up separately: after this copy, so every row in it finds its file (files
/// are named by their SHA-256 and never change, so a plain incremental copy is enough).
pub async fn backup(
    url: &str,
    out: &Path,
    files: &laksana_store::FileStore,
) -> anyhow::Result<ExitCode> {
    let code = backup_database(url, out).await?;
    if code == ExitCode::SUCCESS && !files.in_database() {
        println!(
            "Berkas tersimpan di luar basis data ({}): cadangkan juga tempat itu, SESUDAH cadangan ini \
             (mis. rsync -a FOLDER TUJUAN/, atau salinan bucket). Berkas dinamai menurut SHA-256-nya \
             dan tidak pernah berubah, jadi salinan bertambah cukup.",
            files.describe()
        );
    }
    Ok(code)
}

async fn backup_database(url: &str, out: &Path) -> anyhow::Result<ExitCode> {
    if is_postgres(url) {
        return pg_dump(url, out);
    }
    // Opening a missing file would create an empty database and "back it up": a nightly job
    // with a mistyped path would succeed forever with nothing in it.
    if let Some(path) = sqlite_file(url) {
        anyhow::ensure!(
            path.exists(),
            "basis data {} tidak ada; periksa --db (tidak ada yang dicadangkan)",
            path.display()
        );
    }
    let store = connect_quiet(url).await?;
    let result = store.backup_sqlite(out).await;
    store.close().await;
    let facts = result?;
    println!(
        "Cadangan dibuat: {} ({}; integrity_check ok).",
        out.display(),
        describe(&facts)
    );
    Ok(ExitCode::SUCCESS)
}

/// Calls `pg_dump -Fc` when it is installed; otherwise prints the commands and exits 1, so a
/// cron job without the tool fails loudly instead of leaving no backup.
fn pg_dump(url: &str, out: &Path) -> anyhow::Result<ExitCode> {
    if out.exists() {
        anyhow::bail!("{} sudah ada; pilih nama berkas baru", out.display());
    }
    match std::process::Command::new("pg_dump")
        .args(["-Fc", "--no-owner", "--file"])
        .arg(out)
        .arg(url)
        .status()
    {
        Ok(status) if status.success() => {
            println!(
                "Cadangan PostgreSQL dibuat dengan pg_dump -Fc: {}. Pulihkan dengan:\n  pg_restore --clean --if-exists --no-owner --dbname '<URL>' {}",
                out.display(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(status) => {
            print!("{}", pg_instructions(url, out));
            println!("pg_dump gagal ({status}); tidak ada cadangan yang dibuat.");
            Ok(ExitCode::from(1))
        }
        Err(e) => {
            print!("{}", pg_instructions(url, out));
            println!("pg_dump tidak dapat dijalankan ({e}); pasang paket postgresql-client.");
            Ok(ExitCode::from(1))
        }
    }
}

pub async fn restore(url: &str, input: &Path, force: bool) -> anyhow::Result<ExitCode> {
    if is_postgres(url) {
        print!("{}", pg_instructions(url, input));
        return Ok(ExitCode::from(1));
    }
    let Some(target) = sqlite_file(url) else {
        anyhow::bail!("{url} bukan berkas SQLite yang dapat dipulihkan");
    };
    let facts = match check_sqlite_file(input).await {
        Ok(facts) => facts,
        Err(e) => {
            println!("{e}");
            println!("Tidak ada yang dipulihkan.");
            return Ok(ExitCode::from(1));
        }
    };
    let mut kept = None;
    if occupied(&target) {
        if !force {
            println!(
                "{} sudah berisi basis data; tidak ditimpa. Hentikan server lalu ulangi dengan --force (berkas lama disimpan di sampingnya).",
                target.display()
            );
            return Ok(ExitCode::from(1));
        }
        kept = Some(set_aside(&target)?);
    }
    place(input, &target)?;
    // Opening it applies the migrations this build has and the copy lacks, and proves the
    // result opens; its chains are checked so the operator knows what came back.
    let store = connect_quiet(&format!("sqlite://{}", target.display())).await?;
    let chains = store.verify_all_audit_chains().await?;
    store.close().await;
    println!(
        "Dipulihkan dari {} ke {} ({}).",
        input.display(),
        target.display(),
        describe(&facts)
    );
    if let Some(old) = kept {
        println!("Basis data sebelumnya disimpan sebagai {}.", old.display());
    }
    let (report, intact) = crate::audit_check::report(&chains);
    print!("{report}");
    Ok(if intact {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A database is there when the file has any content (an empty file is what a failed first
/// start may leave).
fn occupied(path: &Path) -> bool {
    std::fs::metadata(path)
        .map(|m| m.len() > 0)
        .unwrap_or(false)
}

/// Moves the live file and its WAL and shared-memory files aside. A WAL left behind would be
/// replayed into the restored file and corrupt it.
fn set_aside(target: &Path) -> anyhow::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = with_suffix(target, &format!(".sebelum-pulih-{stamp}"));
    for extra in ["", "-wal", "-shm"] {
        let from = with_suffix(target, extra);
        if from.exists() {
            std::fs::rename(&from, with_suffix(&aside, extra))?;
        }
    }
    Ok(aside)
}

/// Copies under a temporary name, syncs, renames: the target is either the old file or the
/// whole new one.
fn place(input: &Path, target: &Path) -> anyhow::Result<()> {
    for extra in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(target, extra));
    }
    let partial = with_suffix(target, ".sebagian");
    std::fs::copy(input, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, target)?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}
