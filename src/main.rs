//! The `laksana` command: serve the web application, check and show SOP files, compute
//! deadlines on the working calendar, manage users, and benchmark the engine.

mod audit_check;
mod backup;
mod bench;
mod config;
mod demo;
mod demo_data;
mod export;
mod files;
mod sop_draft;
mod sop_export;
mod sop_pdf;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::{Parser, Subcommand};
use laksana_calendar::{Waktu, WorkingCalendar, Zone};
use laksana_engine::{SopDefinition, SHIPPED_SOPS};
use laksana_store::{NewUser, Store};
use laksana_web::{AppState, SystemClock};

use crate::config::Config;

/// mimalloc instead of glibc malloc: see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "laksana",
    version,
    about = "Laksana: SOP Penyelenggaraan Pelatihan sebagai aplikasi web"
)]
struct Cli {
    /// Configuration file (default: ./laksana.toml when present).
    #[arg(long, global = true, env = "LAKSANA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArg {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB
    /// (existing); overrides `db` of the
    /// configuration and LAKSANA_DB (default sqlite://laksana.db).
    #[arg(long)]
    db: Option<String>,
    /// Where stored files live: db (in the database), folder:/PATH or s3://BUCKET/PREFIX;
    /// overrides `files` of the configuration and LAKSANA_FILES (default db).
    #[arg(long)]
    files: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on (default 127.0.0.1:8080; `listen`, LAKSANA_LISTEN).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Create demo users (password "coba-demo-2026") and sample trainings, and show them on the login page.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (when served behind TLS; `secure_cookies`, LAKSANA_SECURE_COOKIES).
        #[arg(long)]
        secure_cookies: bool,
        #[command(flatten)]
        mail: MailArgs,
        /// The address users reach Laksana at, for links in e-mails (default: http://LISTEN;
        /// `public_url`, LAKSANA_PUBLIC_URL).
        #[arg(long)]
        public_url: Option<String>,
        /// Seconds between two sweeps for reply reminders and late-step notices (tests shorten it).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        sweep_seconds: Option<u64>,
        #[command(flatten)]
        security: SecurityArgs,
    },
    /// SOP definition files.
    Sop {
        #[command(subcommand)]
        command: SopCommand,
    },
    /// The working calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// The Kemendagri region list (provinces and kabupaten/kota).
    Wilayah {
        #[command(subcommand)]
        command: RegionCommand,
    },
    /// Test data for the dashboard: N finished trainings written straight into the tables
    /// (not through the engine), with the demo accounts; optionally time `GET /dasbor`.
    Demo {
        #[command(flatten)]
        db: DbArg,
        /// How many trainings to add.
        #[arg(long, default_value_t = 5000)]
        trainings: usize,
        /// How many of them are left running, each at a random step (the rest are finished).
        #[arg(long, default_value_t = 0)]
        berjalan: usize,
        /// Extra accounts pengguna001… (password as the demo's), the SOP's roles in turn.
        #[arg(long, default_value_t = 0)]
        pengguna: usize,
        /// Seed of the random spread, so two runs give the same data.
        #[arg(long, default_value_t = 6)]
        seed: u64,
        /// Then time GET /dasbor as the head of unit: 3 warm-ups, median of 20.
        #[arg(long)]
        bench: bool,
    },
    /// Outgoing mail (the outbox).
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// A consistent copy of the database while the server runs (SQLite: VACUUM INTO;
    /// PostgreSQL: pg_dump -Fc when installed, otherwise the commands to run).
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The copy to write; must not exist yet.
        out: PathBuf,
    },
    /// Bring a backup back: checked first (integrity, a Laksana database of a known version);
    /// an existing database is replaced only with --force and kept beside it.
    Restore {
        #[command(flatten)]
        db: DbArg,
        /// The backup file.
        input: PathBuf,
        /// Replace an existing database (stop the server first).
        #[arg(long)]
        force: bool,
    },
    /// Everything of one training (data, documents, audit) as one ZIP a person can read.
    Export {
        #[command(flatten)]
        db: DbArg,
        /// The training's id.
        #[arg(long)]
        pelatihan: i64,
        /// The archive to write (OUT.zip); must not exist yet.
        out: PathBuf,
    },
    /// Re-hash every stored file, in the database or the file store, and name any that is
    /// missing or whose content no longer matches its SHA-256.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
    /// The stored files' place (the `files` setting).
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// The configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// The hash-chained audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum FilesCommand {
    /// Move every stored file from where it is now (the database and the current `files`) to
    /// another place: each copy is checked against its SHA-256 before the database lets go of
    /// it. Resumable: run it again after an interruption. Stop the servers first, then set
    /// `files` to the new place.
    Pindah {
        #[command(flatten)]
        db: DbArg,
        /// The new place: db, folder:/PATH or s3://BUCKET/PREFIX (S3 settings from the
        /// configuration's s3_*).
        #[arg(long)]
        ke: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (defaults, file, environment), secrets redacted.
    Tampil,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every unit's chain and recompute each hash; exit 0 when intact, 1 naming the
    /// first entry that does not match.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
}

/// Session expiry, the login limit, the password rule and the proxies to believe.
#[derive(clap::Args, Clone)]
struct SecurityArgs {
    /// A reverse proxy whose X-Forwarded-For / X-Forwarded-Proto are believed (repeatable).
    /// Without it those headers are ignored. Key `trusted_proxy`.
    #[arg(long)]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// A login session ends after this many minutes without use (default 60).
    #[arg(long)]
    session_idle_minutes: Option<i64>,
    /// A login session ends this many hours after login, used or not (default 12).
    #[arg(long)]
    session_max_hours: Option<i64>,
    /// Shortest password accepted, in characters (default 10).
    #[arg(long)]
    password_min_length: Option<usize>,
    /// Failed logins allowed per account within the login window (default 5).
    #[arg(long)]
    login_max_failures_account: Option<usize>,
    /// Failed logins allowed per client address within the login window (default 20).
    #[arg(long)]
    login_max_failures_address: Option<usize>,
    /// The login window, in minutes (default 15).
    #[arg(long)]
    login_window_minutes: Option<i64>,
}

impl SecurityArgs {
    /// The flags given, over the file and the environment.
    fn apply(&self, config: &mut Config) {
        if !self.trusted_proxy.is_empty() {
            config.trusted_proxy = self.trusted_proxy.clone();
        }
        let set = |slot: &mut i64, flag: Option<i64>| {
            if let Some(v) = flag {
                *slot = v;
            }
        };
        set(&mut config.session_idle_minutes, self.session_idle_minutes);
        set(&mut config.session_max_hours, self.session_max_hours);
        set(&mut config.login_window_minutes, self.login_window_minutes);
        if let Some(v) = self.password_min_length {
            config.password_min_length = v;
        }
        if let Some(v) = self.login_max_failures_account {
            config.login_max_failures_account = v;
        }
        if let Some(v) = self.login_max_failures_address {
            config.login_max_failures_address = v;
        }
    }
}

#[derive(clap::Args, Clone)]
struct MailArgs {
    /// SMTP server: smtp://HOST:PORT (no TLS: loopback or a local relay),
    /// smtp+starttls://HOST:587 or smtps://HOST:465, optionally with USER:PASS@ (percent-encoded).
    /// Without it, mail stays queued in the outbox. (`smtp_url`, LAKSANA_SMTP_URL, LAKSANA_SMTP_URL_FILE)
    #[arg(long)]
    smtp_url: Option<String>,
    /// The From of outgoing mail (default "Laksana <laksana@localhost>"; `mail_from`, LAKSANA_MAIL_FROM).
    #[arg(long)]
    mail_from: Option<String>,
}

#[derive(Subcommand)]
enum RegionCommand {
    /// Replace the region list with a newer release of the Kemendagri codes: the provinces and
    /// kabupaten/kota CSV files of idn-area-data (columns code,name and code,province_code,name).
    Perbarui {
        #[command(flatten)]
        db: DbArg,
        /// provinces.csv
        #[arg(long)]
        provinsi: PathBuf,
        /// regencies.csv
        #[arg(long)]
        kabupaten: PathBuf,
        /// Where the files come from, recorded with the load (e.g. "idn-area-data 4.1.0").
        #[arg(long, default_value = "berkas CSV")]
        sumber: String,
    },
    /// Show which region list is in force and its counts.
    Tampil {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send the due mails of the outbox once (one batch) and print how many were sent.
    Kirim {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        mail: MailArgs,
    },
}

#[derive(Subcommand)]
enum SopCommand {
    /// Validate a definition; prints every problem with its line. Exit 0 when valid, 1 when not.
    Check { file: PathBuf },
    /// Print the SOP table as text.
    Show { file: PathBuf },
    /// Export a definition as BPMN 2.0 XML or a Mermaid flowchart (to standard output or -o).
    Export {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "bpmn")]
        format: sop_export::ExportFormat,
        /// Write here instead of standard output.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Print the official SOP document (Permenpan RB 35/2012 layout, A4 landscape) as PDF.
    Pdf {
        file: PathBuf,
        /// Output file (default: FILE with the extension .pdf).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// The head of unit's title, printed where the SOP names its leftover title.
        #[arg(long, default_value = "Kepala Dinas")]
        head_title: String,
        /// Instead of writing, render N times warm and print the median time.
        #[arg(long)]
        bench: Option<usize>,
    },
    /// Read a BPMN 2.0 file (Laksana's subset) and print the TOML definition.
    Import {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "bpmn")]
        format: sop_export::ImportFormat,
    },
    /// Draft a definition from the text extracted from an SOP AP document (PDF to text).
    /// Prints the TOML; values that could not be read are "TODO", which `sop check` reports.
    Draft { file: PathBuf },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the due moment (RFC 3339) of a duration started at a local time.
    Due {
        /// Local start, e.g. 2026-12-23T10:00.
        #[arg(long)]
        start: String,
        /// Duration as an SOP writes it, e.g. "1 hari", "2 jam", "30 menit".
        #[arg(long)]
        duration: String,
        /// WIB, WITA or WIT.
        #[arg(long, default_value = "WIB")]
        zone: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user, optionally with SOP roles (role keys: jfu, kepala-bidang, staf, kepala-dinas, panitia).
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// Password; read from LAKSANA_PASSWORD when not given.
        #[arg(long, env = "LAKSANA_PASSWORD")]
        password: String,
        #[arg(long, default_value = "")]
        nip: String,
        #[arg(long, default_value = "")]
        jabatan: String,
        /// Role key; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Drive N trainings through all steps, every transition committed with its audit row.
    Engine {
        #[arg(long, default_value_t = 1000)]
        instances: usize,
        /// Database URL; a fresh temporary SQLite file when omitted.
        #[arg(long)]
        db: Option<String>,
    },
}

/// Transparent huge pages off for this process. mimalloc marks its arenas for them, and where
/// the kernel's THP setting is "madvise" (Debian's default) every 2 MiB region the heap touches
/// then counts whole: 17 MiB more resident at start and a third more under load, for a TLB
/// gain no page load notices. A small office server's memory is worth more.
/// The flag belongs to the process's memory map, so setting it on the main thread before any
/// other starts covers them all. A kernel that refuses it only costs memory: no error.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    // The configuration is checked before anything else runs, so a bad key stops the start.
    let config = match load_config(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("galat: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(cli, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("galat: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn load_config(flag: Option<&std::path::Path>) -> anyhow::Result<Config> {
    let env = config::process_env();
    match Config::file_to_read(flag) {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("membaca berkas konfigurasi {}", path.display()))?;
            Ok(Config::load(Some((&path, &text)), &env)?)
        }
        None => Ok(Config::load(None, &env)?),
    }
}

/// Logs go to standard error, as text or one JSON object per line. `RUST_LOG` still wins over
/// `log_level`, for a quick look without editing the file.
fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log_level))
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        config::LogFormat::Json => builder.json().flatten_event(true).init(),
        config::LogFormat::Text => builder.init(),
    }
}

/// The file store: the flag, else the configuration.
fn file_store(config: &Config, arg: &DbArg) -> anyhow::Result<laksana_store::FileStore> {
    let mut config = config.clone();
    if let Some(files) = &arg.files {
        config.files = files.clone();
    }
    let setting = config
        .file_store()
        .map_err(|e| anyhow::anyhow!("--files/files: {e}"))?;
    Ok(laksana_store::FileStore::open(&setting)?)
}

/// The database URL: the flag, else the configuration.
fn db_url(config: &Config, arg: &DbArg) -> String {
    arg.db.clone().unwrap_or_else(|| config.db.clone())
}

async fn run(cli: Cli, mut config: Config) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            demo,
            secure_cookies,
            mail,
            public_url,
            sweep_seconds,
            security,
        } => {
            // Flags last: they beat the file and the environment.
            config.db = db_url(&config, &db);
            if let Some(files) = &db.files {
                config.files = files.clone();
            }
            if let Some(listen) = listen {
                config.listen = listen;
            }
            config.secure_cookies |= secure_cookies;
            config.apply_mail_flags(&mail);
            if public_url.is_some() {
                config.public_url = public_url;
            }
            if let Some(seconds) = sweep_seconds {
                config.sweep_seconds = seconds;
            }
            security.apply(&mut config);
            config.check()?;
            serve(&config, demo).await
        }
        Command::Config {
            command: ConfigCommand::Tampil,
        } => {
            print!("{}", config.show());
            Ok(ExitCode::SUCCESS)
        }
        Command::Wilayah {
            command:
                RegionCommand::Perbarui {
                    db,
                    provinsi,
                    kabupaten,
                    sumber,
                },
        } => {
            let read = |p: &PathBuf| {
                std::fs::read_to_string(p).with_context(|| format!("membaca {}", p.display()))
            };
            let regions = match laksana_nomination::Regions::from_csv(
                &read(&provinsi)?,
                &read(&kabupaten)?,
            ) {
                Ok(r) => r,
                Err(e) => {
                    println!("{e}");
                    println!("Daftar wilayah tidak diubah.");
                    return Ok(ExitCode::from(1));
                }
            };
            let store = open(&db_url(&config, &db)).await?;
            let load = store
                .load_regions(&laksana_store::region_rows(&regions), &sumber, Utc::now())
                .await?;
            println!(
                "Daftar wilayah diperbarui dari {}: {} provinsi, {} kabupaten/kota.",
                load.source, load.provinces, load.regencies
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Wilayah {
            command: RegionCommand::Tampil { db },
        } => {
            let store = open(&db_url(&config, &db)).await?;
            match store.region_load().await? {
                Some(l) => println!(
                    "Sumber: {} · {} provinsi, {} kabupaten/kota · dimuat {}",
                    l.source,
                    l.provinces,
                    l.regencies,
                    l.loaded_at.format("%Y-%m-%d %H:%M UTC")
                ),
                None => println!("Belum ada daftar wilayah."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Mail {
            command: MailCommand::Kirim { db, mail },
        } => {
            config.apply_mail_flags(&mail);
            let Some(mailer) = mailer(&config)? else {
                anyhow::bail!("server SMTP belum diatur: isi --smtp-url atau LAKSANA_SMTP_URL");
            };
            let store = open(&db_url(&config, &db)).await?;
            let worker = laksana_mail::default_worker_id();
            let sent = laksana_mail::send_once(&store, &mailer, &worker, Utc::now()).await?;
            let left = store.outbox_depth().await?;
            println!("{sent} surel terkirim; {left} masih dalam antrean");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { db, out } => {
            let files = file_store(&config, &db)?;
            backup::backup(&db_url(&config, &db), &out, &files).await
        }
        Command::Restore { db, input, force } => {
            backup::restore(&db_url(&config, &db), &input, force).await
        }
        Command::Export { db, pelatihan, out } => {
            let files = file_store(&config, &db)?;
            export::export(&db_url(&config, &db), &files, pelatihan, &out).await
        }
        Command::Verify { db } => {
            let files = file_store(&config, &db)?;
            audit_check::verify_files(&db_url(&config, &db), &files).await
        }
        Command::Files {
            command: FilesCommand::Pindah { db, ke },
        } => {
            let from = file_store(&config, &db)?;
            let to = file_store(
                &config,
                &DbArg {
                    db: None,
                    files: Some(ke),
                },
            )?;
            files::move_files(&db_url(&config, &db), &from, &to).await
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => audit_check::verify(&db_url(&config, &db)).await,
        Command::Sop {
            command: SopCommand::Check { file },
        } => sop_check(&file),
        Command::Sop {
            command: SopCommand::Show { file },
        } => {
            let src = std::fs::read_to_string(&file)
                .with_context(|| format!("membaca {}", file.display()))?;
            match SopDefinition::parse(&src) {
                Ok(def) => {
                    print!("{}", def.render_table());
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    report_problems(&file, &problems);
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Sop {
            command:
                SopCommand::Export {
                    file,
                    format,
                    output,
                },
        } => sop_export::export(&file, format, output.as_deref()),
        Command::Sop {
            command:
                SopCommand::Pdf {
                    file,
                    output,
                    head_title,
                    bench,
                },
        } => sop_pdf::run(&file, output.as_deref(), &head_title, bench),
        Command::Sop {
            command: SopCommand::Import { file, format },
        } => sop_export::import(&file, format),
        Command::Sop {
            command: SopCommand::Draft { file },
        } => sop_draft::draft(&file),
        Command::Calendar {
            command:
                CalendarCommand::Due {
                    start,
                    duration,
                    zone,
                },
        } => calendar_due(&start, &duration, &zone),
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    name,
                    password,
                    nip,
                    jabatan,
                    roles,
                    admin,
                },
        } => {
            let store = open(&db_url(&config, &db)).await?;
            let now = Utc::now();
            let unit = store.default_unit(now).await?;
            let def = store
                .definition(store.latest_definition(unit.id).await?.id)
                .await?;
            let keys: Vec<String> = def.roles.iter().map(|r| r.key.clone()).collect();
            // Check every role before creating anything, so a typo leaves no half-made user.
            if let Some(bad) = roles.iter().find(|r| !keys.contains(r)) {
                anyhow::bail!(
                    "peran \"{bad}\" tidak dikenal dalam SOP; pilih dari: {}",
                    keys.join(", ")
                );
            }
            let id = store
                .create_user(
                    NewUser {
                        username: &username,
                        password: &password,
                        full_name: &name,
                        nip: &nip,
                        jabatan: &jabatan,
                        is_admin: admin,
                    },
                    now,
                )
                .await?;
            for role in &roles {
                store
                    .grant_role(
                        id,
                        unit.id,
                        role,
                        laksana_store::GrantPeriod::default(),
                        &keys,
                        None,
                    )
                    .await?;
            }
            println!("pengguna {username} dibuat (id {id})");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            db,
            trainings,
            berjalan,
            pengguna,
            seed,
            bench,
        } => {
            let store = open(&db_url(&config, &db))
                .await?
                .with_files(file_store(&config, &db)?);
            demo::seed(&store, "http://127.0.0.1:8080").await?;
            let spread = demo_data::Spread {
                trainings,
                running: berjalan,
                seed,
            };
            let took = demo_data::generate(&store, &spread).await?;
            println!(
                "{trainings} pelatihan ({berjalan} berjalan) ditambahkan dalam {:.1} detik",
                took.as_secs_f64()
            );
            if pengguna > 0 {
                let names = demo_data::users(&store, pengguna).await?;
                println!(
                    "{} pengguna uji: {} … {}",
                    names.len(),
                    names[0],
                    names[names.len() - 1]
                );
            }
            if bench {
                let t = demo_data::bench_dashboard(&store).await?;
                println!(
                    "GET /dasbor: pertama {:.1} ms; hangat (median 20 setelah 3 pemanasan) {:.1} ms; {} bita",
                    t.cold.as_secs_f64() * 1000.0,
                    t.warm_median.as_secs_f64() * 1000.0,
                    t.bytes
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command: BenchCommand::Engine { instances, db },
        } => {
            bench::engine(instances, db).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Opens the store and makes sure the unit has an SOP to run.
pub async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url, WorkingCalendar::builtin())
        .await
        .with_context(|| format!("membuka basis data {url}"))?;
    let now = Utc::now();
    store.ensure_regions(now).await?;
    let unit = store.default_unit(now).await?;
    // The shipped versions are added (in order, once each) while the unit runs on shipped
    // versions only; after an administrator's own upload, the unit's choice stands.
    let shipped: Vec<String> = SHIPPED_SOPS
        .iter()
        .map(|s| SopDefinition::content_hash(s))
        .collect();
    let on_shipped = match store.latest_definition(unit.id).await {
        Ok(row) => shipped.contains(&row.content_hash),
        Err(_) => true,
    };
    if on_shipped {
        for src in SHIPPED_SOPS {
            store.ensure_definition(unit.id, src, now).await?;
        }
    }
    Ok(store)
}

/// The mailer from the settings; None when no SMTP server is set. A bad URL or sender stops
/// the start, naming the bad part, rather than failing every mail later.
fn mailer(config: &Config) -> anyhow::Result<Option<laksana_mail::Mailer>> {
    let Some(url) = config.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    let settings = laksana_mail::SmtpSettings::parse(url, &config.mail_from)?;
    Ok(Some(laksana_mail::Mailer::new(&settings)?))
}

impl Config {
    fn apply_mail_flags(&mut self, mail: &MailArgs) {
        if mail.smtp_url.is_some() {
            self.smtp_url = mail.smtp_url.clone();
        }
        if let Some(from) = &mail.mail_from {
            self.mail_from = from.clone();
        }
    }
}

async fn serve(config: &Config, demo: bool) -> anyhow::Result<ExitCode> {
    let security = config.security();
    // How often the reminder and overdue sweeps run (tests use 1).
    let sweep_seconds = config.sweep_seconds;
    tracing::info!(konfigurasi = %config.show().replace('\n', "; "), "konfigurasi");
    let listen = config.listen;
    let secure_cookies = config.secure_cookies;
    let mailer = mailer(config)?;
    let files = laksana_store::FileStore::open(
        &config
            .file_store()
            .map_err(|e| anyhow::anyhow!("files: {e}"))?,
    )?;
    tracing::info!(berkas = %files.describe(), "penyimpanan berkas");
    let store = open(&config.db).await?.with_files(files);
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{listen}"));
    if demo {
        demo::seed(&store, &public_url).await?;
    } else if store.count_users().await? == 0 {
        let password = demo::random_password();
        store
            .create_user(
                NewUser {
                    username: "admin",
                    password: &password,
                    full_name: "Administrator",
                    nip: "",
                    jabatan: "",
                    is_admin: true,
                },
                Utc::now(),
            )
            .await?;
        println!("Pengguna pertama dibuat: admin / {password}  (sekali pakai: catat sekarang; saat masuk pertama Anda diminta menggantinya)");
    }
    let state = AppState {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        demo,
        secure_cookies,
        public_base_url: public_url,
        mail_wake: mailer
            .as_ref()
            .map(|_| Arc::new(tokio::sync::Notify::new())),
        security,
    };
    // Reminders before reply deadlines; the outbox's dedup keys make a second server harmless.
    let every = std::time::Duration::from_secs(sweep_seconds);
    tokio::spawn(laksana_web::reminders::run(state.clone(), every));
    // Notices of late steps and their escalation, sent once each by the same dedup keys.
    tokio::spawn(laksana_web::overdue::run(state.clone(), every));
    let wake = state.mail_wake.clone();
    let app = laksana_web::operations::with_operations(
        laksana_web::router(state),
        store.clone(),
        laksana_web::operations::OperationsSettings {
            metrics_token: config.metrics_token.clone(),
        },
    );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("membuka {listen}"))?;
    tracing::info!("Laksana berjalan di http://{}", listener.local_addr()?);
    // One stop signal for the web server and the mail worker.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let worker = match mailer {
        Some(mailer) => {
            let worker = laksana_mail::MailWorker::from_notify(wake.expect("set with the mailer"));
            let store = store.clone();
            let stop = stopped(stop_rx.clone());
            Some(tokio::spawn(async move {
                worker
                    .run(store, mailer, laksana_mail::default_worker_id(), stop)
                    .await
            }))
        }
        None => {
            tracing::warn!(
                antre = store.outbox_depth().await?,
                "server SMTP belum diatur (--smtp-url / LAKSANA_SMTP_URL): surel disimpan di kotak keluar dan belum dikirim"
            );
            None
        }
    };
    // The peer address tells /metrics whether a request comes from loopback, and feeds the
    // login limit (per client address).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop_rx))
    .await?;
    if let Some(worker) = worker {
        // The worker finishes the pass it is in (each send is bounded by the SMTP timeout).
        let _ = worker.await;
    }
    Ok(ExitCode::SUCCESS)
}

fn report_problems(file: &std::path::Path, problems: &[laksana_engine::Problem]) {
    for p in problems {
        println!("{}: {p}", file.display());
    }
    println!("{} masalah ditemukan.", problems.len());
}

fn sop_check(file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let src =
        std::fs::read_to_string(file).with_context(|| format!("membaca {}", file.display()))?;
    match SopDefinition::parse(&src) {
        Ok(def) => {
            println!(
                "{}: sah. SOP \"{}\" versi {}: {} pelaksana, {} langkah, sha256 {}",
                file.display(),
                def.nama,
                def.version,
                def.roles.len(),
                def.steps.len(),
                SopDefinition::content_hash(&src)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            report_problems(file, &problems);
            Ok(ExitCode::from(1))
        }
    }
}

fn calendar_due(start: &str, duration: &str, zone: &str) -> anyhow::Result<ExitCode> {
    let zone: Zone = zone.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let local = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M"))
        .with_context(|| {
            format!("waktu mulai \"{start}\" tidak terbaca; gunakan format 2026-12-23T10:00")
        })?;
    let start: DateTime<Utc> = local
        .and_local_timezone(zone.offset())
        .single()
        .context("waktu mulai ambigu")?
        .with_timezone(&Utc);
    let waktu = Waktu::parse(duration).map_err(|e| anyhow::anyhow!("{e}"))?;
    match WorkingCalendar::builtin().due_for(start, &waktu, zone) {
        Ok(due) => {
            println!("{}", due.with_timezone(&zone.offset()).to_rfc3339());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("galat: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
