//! `laksana demo --trainings N [--berjalan M] [--pengguna K]`: many trainings for the dashboard
//! and the load test, quickly: N finished ones, M of them instead left running at a random step
//! (so inboxes and training lists are as full as a busy province's), and K extra accounts
//! spread over the SOP's roles.
//!
//! This is test data for the dashboard and its benchmark, NOT a way to run trainings: the rows
//! are written straight into `trainings`, `step_runs`, `recipients`, `replies` and
//! `nominations` with batched INSERTs (one transaction per 500 trainings), bypassing the engine,
//! its guards and the audit trail. Step times are drawn around each step's standard time on the
//! working calendar (log-normal, so most are near the standard and some are well over it), and
//! the due times are the calendar's, so "late" means the same as in a real training.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use laksana_calendar::Span;
use laksana_engine::{InstanceState, Status};
use laksana_store::{format_ts, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

const BATCH_TRAININGS: usize = 500;
/// Rows per INSERT statement, well under SQLite's limit on bound parameters.
const ROWS_PER_STATEMENT: usize = 200;

const KEJURUAN: &[&str] = &[
    "Teknik Las",
    "Tata Boga",
    "Garmen Apparel",
    "Teknologi Informasi",
    "Otomotif",
    "Pariwisata",
];

/// A value bound into an INSERT.
#[derive(Clone)]
enum V {
    I(i64),
    T(String),
    /// NULL of an integer column (PostgreSQL refuses a text NULL there).
    NullInt,
    /// NULL of a text column.
    NullText,
}

/// Inserts `rows` into `table` in multi-row statements.
async fn insert(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<V>],
) -> anyhow::Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    V::I(i) => q.bind(*i),
                    V::T(t) => q.bind(t.clone()),
                    V::NullInt => q.bind(None::<i64>),
                    V::NullText => q.bind(None::<String>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn max_id(store: &Store, table: &str) -> anyhow::Result<i64> {
    let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"))
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get::<i64, _>(0)?)
}

/// A normal draw (Box–Muller), for the log-normal spread of step times.
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Writes `n` finished trainings on the unit's newest SOP. Returns how long it took.
/// What `generate` writes.
pub struct Spread {
    /// Trainings in all.
    pub trainings: usize,
    /// How many of them are still running, each at one active step.
    pub running: usize,
    /// Seed of the random spread, so two runs give the same data.
    pub seed: u64,
}

pub async fn generate(store: &Store, spread: &Spread) -> anyhow::Result<std::time::Duration> {
    let (n, seed) = (spread.trainings, spread.seed);
    anyhow::ensure!(
        spread.running <= n,
        "--berjalan ({}) tidak boleh lebih dari --trainings ({n})",
        spread.running
    );
    let began = Instant::now();
    let now = Utc::now();
    let unit = store.default_unit(now).await?;
    let def_row = store.latest_definition(unit.id).await?;
    let def = store.definition(def_row.id).await?;
    let admin = store
        .user_by_username("admin")
        .await
        .context("pengguna admin (jalankan dengan data demo)")?;
    let finished_json = serde_json::to_string(&InstanceState {
        status: Status::Finished,
        rounds: def.steps.iter().map(|s| (s.number, 1)).collect(),
    })?;
    let regions: Vec<(String, String)> = sqlx::query(
        "SELECT code, name FROM regions WHERE level <> 'provinsi' ORDER BY code LIMIT 40",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<anyhow::Result<_>>()?;
    let reply_step = def
        .steps
        .iter()
        .position(|s| s.key == laksana_store::REPLY_STEP_KEY);
    let cal = store.calendar();
    let zone = unit.zone;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut training_id = max_id(store, "trainings").await?;
    let mut recipient_id = max_id(store, "recipients").await?;
    let mut reply_id = max_id(store, "replies").await?;
    let mut agenda_seq: i64 = sqlx::query("SELECT COALESCE(MAX(agenda_seq), 0) FROM replies")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    let mut done = 0;
    while done < n {
        let count = BATCH_TRAININGS.min(n - done);
        let (mut trainings, mut runs, mut recipients, mut replies, mut nominations) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for j in 0..count {
            training_id += 1;
            // The running ones spread evenly through the ids, each stopped at a random step.
            let index = done + j;
            let stopped_at = (((index + 1) * spread.running) / n > (index * spread.running) / n)
                .then(|| rng.gen_range(0..def.steps.len()));
            // Opened on a working morning between January 2025 and mid-2027 (the years the
            // calendar has data for), starting about six weeks later.
            let day = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()
                + Duration::days(rng.gen_range(0..880));
            let opened = zone
                .offset()
                .from_local_datetime(&day.and_hms_opt(rng.gen_range(8..11), 0, 0).unwrap())
                .single()
                .unwrap()
                .with_timezone(&Utc);
            let start_date = day + Duration::days(rng.gen_range(35..60));
            let mut at = opened;
            let mut reply_due: Option<DateTime<Utc>> = None;
            for (i, step) in def.steps.iter().enumerate() {
                let standard = f64::from(step.waktu.standard_minutes().max(5));
                // Most steps near their standard, about one in six well over it.
                let factor = (normal(&mut rng) * 0.55 - 0.25).exp();
                let minutes = (standard * factor).round().max(1.0) as u32;
                let due = cal.due_for(at, &step.waktu, zone)?;
                let completed = cal.due(
                    at,
                    &Span {
                        months: 0,
                        days: 0,
                        minutes,
                    },
                    zone,
                )?;
                if Some(i) == stopped_at {
                    // The step its holder has in the inbox now: begun, not completed.
                    runs.push(vec![
                        V::I(training_id),
                        V::I(i64::from(step.number)),
                        V::I(1),
                        V::T(step.pelaksana.clone()),
                        V::T("active".into()),
                        V::NullText,
                        V::T(format_ts(at)),
                        V::T(format_ts(due)),
                        V::NullText,
                        V::NullInt,
                        V::NullInt,
                    ]);
                    break;
                }
                if Some(i) == reply_step {
                    reply_due = Some(due);
                }
                runs.push(vec![
                    V::I(training_id),
                    V::I(i64::from(step.number)),
                    V::I(1),
                    V::T(step.pelaksana.clone()),
                    V::T("done".into()),
                    V::T(
                        if step.decision.is_some() {
                            "approve"
                        } else {
                            "complete"
                        }
                        .into(),
                    ),
                    V::T(format_ts(at)),
                    V::T(format_ts(due)),
                    V::T(format_ts(completed)),
                    V::I(admin.id),
                    // Completed `minutes` working minutes after it began, by construction.
                    V::I(i64::from(minutes)),
                ]);
                at = completed;
            }
            trainings.push(vec![
                V::I(training_id),
                V::I(unit.id),
                V::I(def_row.id),
                V::T(format!("Pelatihan uji dasbor #{training_id}")),
                V::T(KEJURUAN[rng.gen_range(0..KEJURUAN.len())].into()),
                V::T(start_date.to_string()),
                V::T("Workshop UPT BLK".into()),
            ]);
            let row = trainings.last_mut().expect("just pushed");
            match stopped_at.map(|k| &def.steps[k]) {
                None => row.extend([
                    V::T(finished_json.clone()),
                    V::T("selesai".into()),
                    V::NullInt,
                    V::I(def.steps.len() as i64),
                    V::I(admin.id),
                    V::T(format_ts(opened)),
                    V::T(format_ts(at)),
                ]),
                Some(step) => row.extend([
                    V::T(serde_json::to_string(&InstanceState {
                        status: Status::Active {
                            step: step.number,
                            round: 1,
                        },
                        rounds: def
                            .steps
                            .iter()
                            .take_while(|s| s.number <= step.number)
                            .map(|s| (s.number, 1))
                            .collect(),
                    })?),
                    V::T("berjalan".into()),
                    V::I(i64::from(step.number)),
                    V::I(step.number as i64),
                    V::I(admin.id),
                    V::T(format_ts(opened)),
                    V::NullText,
                ]),
            }
            // Three to five Kabupaten/Kota invited; most answer, some after the deadline.
            let invited = rng.gen_range(3..=5usize);
            let first = rng.gen_range(0..regions.len());
            let mut seq = 0;
            for k in 0..invited {
                let (code, name) = &regions[(first + k * 7) % regions.len()];
                recipient_id += 1;
                recipients.push(vec![
                    V::I(recipient_id),
                    V::I(unit.id),
                    V::I(training_id),
                    V::T(code.clone()),
                    V::T(name.clone()),
                    V::I(rng.gen_range(2..6)),
                    V::I(admin.id),
                    V::T(format_ts(opened)),
                ]);
                let Some(due) = reply_due else { continue };
                if rng.gen_bool(0.15) {
                    continue;
                }
                let received = due - Duration::hours(rng.gen_range(-48..200));
                reply_id += 1;
                agenda_seq += 1;
                replies.push(vec![
                    V::I(reply_id),
                    V::I(unit.id),
                    V::I(training_id),
                    V::I(recipient_id),
                    V::I(i64::from(chrono::Datelike::year(&received))),
                    V::I(agenda_seq),
                    V::T(format_ts(received)),
                    V::T("form".into()),
                    V::T(format_ts(received)),
                ]);
                for _ in 0..rng.gen_range(1..=4) {
                    seq += 1;
                    let nik = format!("{code:0<6}{:010}", rng.gen_range(0..10_000_000_000u64));
                    let nama = format!("Peserta Uji {training_id}-{seq}");
                    let data = serde_json::to_string(&laksana_nomination::Participant {
                        nik: nik.clone(),
                        nama: nama.clone(),
                        ..Default::default()
                    })?;
                    let withdrawn = rng.gen_bool(0.05);
                    nominations.push(vec![
                        V::I(unit.id),
                        V::I(training_id),
                        V::I(recipient_id),
                        V::I(reply_id),
                        V::I(seq),
                        V::T(nik),
                        V::T(nama),
                        V::T(data),
                        V::T("form".into()),
                        if withdrawn {
                            V::T(format_ts(received))
                        } else {
                            V::NullText
                        },
                        V::T(format_ts(received)),
                        V::T(format_ts(received)),
                    ]);
                }
            }
        }
        let mut tx = store.pool().begin().await?;
        insert(
            &mut tx,
            "trainings",
            &[
                "id",
                "unit_id",
                "definition_id",
                "title",
                "kejuruan",
                "start_date",
                "location",
                "state_json",
                "status",
                "current_step",
                "version",
                "created_by",
                "created_at",
                "finished_at",
            ],
            &trainings,
        )
        .await?;
        insert(
            &mut tx,
            "step_runs",
            &[
                "training_id",
                "step_no",
                "round",
                "pelaksana",
                "status",
                "outcome",
                "started_at",
                "due_at",
                "completed_at",
                "completed_by",
                "working_minutes",
            ],
            &runs,
        )
        .await?;
        insert(
            &mut tx,
            "recipients",
            &[
                "id",
                "unit_id",
                "training_id",
                "region_code",
                "region_name",
                "quota",
                "created_by",
                "created_at",
            ],
            &recipients,
        )
        .await?;
        insert(
            &mut tx,
            "replies",
            &[
                "id",
                "unit_id",
                "training_id",
                "recipient_id",
                "agenda_year",
                "agenda_seq",
                "received_at",
                "via",
                "recorded_at",
            ],
            &replies,
        )
        .await?;
        insert(
            &mut tx,
            "nominations",
            &[
                "unit_id",
                "training_id",
                "recipient_id",
                "reply_id",
                "seq",
                "nik",
                "nama",
                "data",
                "via",
                "withdrawn_at",
                "created_at",
                "updated_at",
            ],
            &nominations,
        )
        .await?;
        if store.backend() == laksana_store::Backend::Postgres {
            // The ids above were given explicitly, which PostgreSQL's identity columns do not
            // count: move them past the new rows, or the application's next insert collides.
            for table in ["trainings", "recipients", "replies"] {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table})) AS v"
                ))
                .fetch_one(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        done += count;
    }
    // Tens of thousands of rows arrived at once: fresh statistics, or PostgreSQL plans the
    // dashboard's first query for empty tables (5 s instead of 0.3 s for 5,000 trainings).
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    if store.backend() == laksana_store::Backend::Sqlite {
        // SQLite's ANALYZE also samples values into sqlite_stat4, and with those present the
        // bundled SQLite re-plans a statement whenever its bound values change: every query of
        // every page was parsed and planned again (38% of the server's CPU under the load
        // test). sqlite_stat1's row counts give the plans; the samples add nothing to ours.
        let has_samples = sqlx::query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat4'")
            .fetch_optional(store.pool())
            .await?
            .is_some();
        if has_samples {
            sqlx::query("DELETE FROM sqlite_stat4")
                .execute(store.pool())
                .await?;
        }
    }
    Ok(began.elapsed())
}

/// Times `GET /dasbor` over HTTP as the head of unit: 3 warm-ups, then the median of 20.
/// What `--bench` measured of `GET /dasbor`.
pub struct DashboardTimes {
    /// The first request: the history figures computed from the database.
    pub cold: std::time::Duration,
    /// The median of 20 requests after 3 warm-ups (the figures served from the cache).
    pub warm_median: std::time::Duration,
    pub bytes: usize,
}

pub async fn bench_dashboard(store: &Store) -> anyhow::Result<DashboardTimes> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let now = Utc::now();
    let unit = store.default_unit(now).await?;
    let kadis = store
        .user_by_username("kadis")
        .await
        .context("pengguna kadis (data demo)")?;
    let token = store
        .create_session(
            kadis.id,
            unit.id,
            laksana_store::SessionKind::Web,
            &laksana_store::SessionPolicy::default(),
            now,
        )
        .await?;
    let state = laksana_web::AppState {
        store: store.clone(),
        clock: std::sync::Arc::new(laksana_web::SystemClock),
        demo: false,
        secure_cookies: false,
        public_base_url: "http://127.0.0.1".into(),
        mail_wake: None,
        security: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, laksana_web::router(state)).await;
    });
    let request = format!(
        "GET /dasbor HTTP/1.1\r\nHost: {addr}\r\nCookie: laksana_session={token}\r\nConnection: close\r\n\r\n"
    );
    let mut times = Vec::new();
    let mut size = 0;
    let mut cold = std::time::Duration::ZERO;
    for i in 0..23 {
        let began = Instant::now();
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut body = Vec::new();
        stream.read_to_end(&mut body).await?;
        let took = began.elapsed();
        anyhow::ensure!(
            body.starts_with(b"HTTP/1.1 200"),
            "GET /dasbor: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        );
        size = body.len();
        if i == 0 {
            cold = took;
        }
        if i >= 3 {
            times.push(took);
        }
    }
    server.abort();
    times.sort();
    Ok(DashboardTimes {
        cold,
        warm_median: (times[9] + times[10]) / 2,
        bytes: size,
    })
}

/// `k` more accounts, `pengguna001` … with the demo password, the SOP's roles dealt out in turn
/// (so a load test's users each have an inbox). Existing ones are kept: safe to run twice.
pub async fn users(store: &Store, k: usize) -> anyhow::Result<Vec<String>> {
    let now = Utc::now();
    let unit = store.default_unit(now).await?;
    let def = store
        .definition(store.latest_definition(unit.id).await?.id)
        .await?;
    let keys: Vec<String> = def.roles.iter().map(|r| r.key.clone()).collect();
    let mut names = Vec::with_capacity(k);
    for i in 1..=k {
        let username = format!("pengguna{i:03}");
        if store.user_by_username(&username).await.is_err() {
            let role = &keys[(i - 1) % keys.len()];
            let id = store
                .create_user(
                    laksana_store::NewUser {
                        username: &username,
                        password: crate::demo::DEMO_PASSWORD,
                        full_name: &format!("Pengguna Uji {i}"),
                        nip: "",
                        jabatan: "",
                        is_admin: false,
                    },
                    now,
                )
                .await?;
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
        names.push(username);
    }
    Ok(names)
}
