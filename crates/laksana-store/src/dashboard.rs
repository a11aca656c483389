//! The head of unit's dashboard: trainings by state, the steps overdue now, the working time
//! of each SOP step against its standard, on-time rates per step and role, and the replies and
//! participants per Kabupaten/Kota.
//!
//! The SQL only selects and counts (portable, `$n` parameters); medians, percentiles and
//! working time are computed here in Rust, because working time needs the calendar and
//! percentiles are not portable SQL. The statistics themselves are pure ([`stats`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use laksana_engine::SopDefinition;
use sqlx::Row;

use crate::time::parse_ts;
use crate::{Result, Store, Unit, User, REPLY_STEP_KEY};

/// Which trainings the dashboard looks at: by the year of their start date and by kejuruan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DashboardFilter {
    pub year: Option<i32>,
    pub kejuruan: Option<String>,
}

impl DashboardFilter {
    /// `AND …` conditions on `t` (trainings) with parameters numbered from `next`, and their values.
    fn sql(&self, next: usize) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut binds = Vec::new();
        if let Some(year) = self.year {
            // Dates are "YYYY-MM-DD" text, so a year is a range of strings (index-friendly).
            sql.push_str(&format!(
                " AND t.start_date >= ${} AND t.start_date < ${}",
                next,
                next + 1
            ));
            binds.push(format!("{year:04}-01-01"));
            binds.push(format!("{:04}-01-01", year + 1));
        }
        if let Some(k) = &self.kejuruan {
            sql.push_str(&format!(" AND t.kejuruan = ${}", next + binds.len()));
            binds.push(k.clone());
        }
        (sql, binds)
    }
}

/// The choices of the filter form.
#[derive(Clone, Debug, Default)]
pub struct FilterOptions {
    pub years: Vec<i32>,
    pub kejuruan: Vec<String>,
}

/// How many trainings stand at one step (or are finished).
#[derive(Clone, Debug)]
pub struct StateRow {
    /// `berjalan` or `selesai`.
    pub status: String,
    pub step_no: Option<i64>,
    /// The step's kegiatan, with the unit's titles substituted.
    pub kegiatan: String,
    pub count: i64,
}

/// An active step past its due time.
#[derive(Clone, Debug)]
pub struct OverdueRun {
    pub run_id: i64,
    pub unit_id: i64,
    pub training_id: i64,
    pub training_title: String,
    pub definition_id: i64,
    pub step_no: i64,
    pub step_key: String,
    pub kegiatan: String,
    pub round: i64,
    pub role_key: String,
    pub role_name: String,
    pub due_at: DateTime<Utc>,
    /// Working minutes since the due time; `None` when the calendar lacks the year's data.
    pub late_minutes: Option<i64>,
    /// The step's standard time, in working minutes.
    pub standard_minutes: i64,
    /// The holder role's superior in the SOP (`atasan`), if it has one.
    pub atasan_key: Option<String>,
    pub atasan_name: Option<String>,
}

impl OverdueRun {
    /// Late by a further standard time of the step: the superior is told.
    pub fn escalated(&self) -> bool {
        self.late_minutes
            .is_some_and(|late| late >= self.standard_minutes.max(1))
    }
}

/// How long the history figures may be served from the cache without a step being completed.
pub const HISTORY_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The cached part of a dashboard: what summarises the past.
#[derive(Clone, Debug)]
pub(crate) struct History {
    /// The unit's newest audit entry when these were computed.
    audit_head: String,
    computed: std::time::Instant,
    steps: Vec<StepFigures>,
    roles: Vec<RoleFigures>,
    regions: Vec<RegionFigures>,
}

/// How long, on the clock, the inbox's late-step notices are reused while nothing is completed:
/// they say "terlambat N waktu kerja", which a minute's lag does not falsify, and the inbox
/// itself refreshes once a minute.
pub const OVERDUE_TTL: chrono::Duration = chrono::Duration::seconds(30);

/// One unit's late steps as of `computed_at` (the clock's time, so a test's clock moving on
/// makes them stale just as real time does).
pub(crate) struct OverdueSnapshot {
    audit_head: String,
    computed_at: DateTime<Utc>,
    /// Filled by the request that counts them; those asking meanwhile wait for that count.
    runs: Arc<tokio::sync::OnceCell<Arc<Vec<OverdueRun>>>>,
}

/// The dashboard cache: per unit and filter.
pub(crate) type DashboardCache = HashMap<(i64, DashboardFilter), Arc<History>>;

/// One SOP step across the filtered trainings' completed runs.
#[derive(Clone, Debug)]
pub struct StepFigures {
    pub key: String,
    pub number: u32,
    pub kegiatan: String,
    pub role_name: String,
    pub standard_minutes: i64,
    pub figures: stats::Figures,
}

/// One role's completed runs.
#[derive(Clone, Debug)]
pub struct RoleFigures {
    pub key: String,
    pub name: String,
    pub figures: stats::Figures,
}

/// One Kabupaten/Kota across the filtered trainings.
#[derive(Clone, Debug, Default)]
pub struct RegionFigures {
    pub code: String,
    pub name: String,
    /// Invitations (recipients not removed).
    pub invited: i64,
    pub answered: i64,
    /// First reply received no later than the reply step's due time.
    pub answered_on_time: i64,
    /// Nominations not withdrawn.
    pub participants: i64,
}

/// Everything the dashboard shows, for one unit and filter at one moment.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub filter: DashboardFilter,
    pub options: FilterOptions,
    pub states: Vec<StateRow>,
    pub running: i64,
    pub finished: i64,
    pub overdue: Vec<OverdueRun>,
    pub steps: Vec<StepFigures>,
    pub roles: Vec<RoleFigures>,
    pub regions: Vec<RegionFigures>,
}

/// A completed step run as the statistics need it.
struct DoneRun {
    definition_id: i64,
    step_no: i64,
    pelaksana: String,
    minutes: Option<i64>,
    on_time: Option<bool>,
    /// How many runs share these values.
    count: usize,
}

impl Store {
    /// The dashboard of `unit` for `filter` at `now`.
    pub async fn dashboard(
        &self,
        unit: &Unit,
        filter: &DashboardFilter,
        now: DateTime<Utc>,
    ) -> Result<Dashboard> {
        let options = self.dashboard_options(unit.id).await?;
        let settings = |k: &str| unit.setting(k);

        // a. Trainings by state.
        let (cond, binds) = filter.sql(2);
        let sql = format!(
            "SELECT t.definition_id, t.status, t.current_step, COUNT(*) AS n FROM trainings t
             WHERE t.unit_id = $1{cond} GROUP BY t.definition_id, t.status, t.current_step"
        );
        let mut q = sqlx::query(&sql).bind(unit.id);
        for b in &binds {
            q = q.bind(b);
        }
        let mut by_state: BTreeMap<(String, Option<i64>), (String, i64)> = BTreeMap::new();
        let (mut running, mut finished) = (0, 0);
        for row in q.fetch_all(&self.pool).await? {
            let def = self.definition(row.try_get(0)?).await?;
            let status: String = row.try_get(1)?;
            let step: Option<i64> = row.try_get(2)?;
            let n: i64 = row.try_get(3)?;
            if status == "selesai" {
                finished += n;
            } else {
                running += n;
            }
            let kegiatan = step
                .and_then(|s| def.step(s as u32))
                .map(|s| def.substitute(&s.kegiatan, &settings))
                .unwrap_or_default();
            let entry = by_state
                .entry((status, step))
                .or_insert_with(|| (kegiatan, 0));
            entry.1 += n;
        }
        // Running ones first, in step order, then the finished.
        let mut states: Vec<StateRow> = by_state
            .into_iter()
            .map(|((status, step_no), (kegiatan, count))| StateRow {
                status,
                step_no,
                kegiatan,
                count,
            })
            .collect();
        states.sort_by_key(|s| (s.status == "selesai", s.step_no));

        // b. Overdue now.
        let overdue = self.overdue_runs(Some((unit, filter)), now).await?;

        // c, d, e. The history: completed runs and the Kabupaten/Kota.
        let history = self.history_figures(unit, filter).await?;
        let History {
            steps,
            roles,
            regions,
            ..
        } = (*history).clone();

        Ok(Dashboard {
            filter: filter.clone(),
            options,
            states,
            running,
            finished,
            overdue,
            steps,
            roles,
            regions,
        })
    }

    /// The step, role and Kabupaten/Kota figures of `filter`, from the cache when they are
    /// fresh. They summarise every completed run of every training (tens of thousands of rows
    /// for a busy unit), which costs more than the page may take; the cache keeps them until
    /// the unit's audit chain moves (every step completion is audited in its own transaction)
    /// or for [`HISTORY_TTL`] at most, since replies and nominations change without a step.
    async fn history_figures(&self, unit: &Unit, filter: &DashboardFilter) -> Result<Arc<History>> {
        let head = unit.audit_head.clone();
        let key = (unit.id, filter.clone());
        let now = std::time::Instant::now();
        if let Some(hit) = self.dashboard_cache.lock().expect("cache lock").get(&key) {
            if hit.audit_head == head && now.duration_since(hit.computed) < HISTORY_TTL {
                return Ok(hit.clone());
            }
        }
        let settings = |k: &str| unit.setting(k);
        let (done, defs) = self.done_runs(unit, filter).await?;
        let (steps, roles) = step_and_role_figures(&done, &defs, &settings);
        let regions = self.region_figures(unit.id, filter, &defs).await?;
        let fresh = Arc::new(History {
            audit_head: head,
            computed: now,
            steps,
            roles,
            regions,
        });
        let mut cache = self.dashboard_cache.lock().expect("cache lock");
        // Filters are few (years × kejuruan); a full cache is simply started again.
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(key, fresh.clone());
        Ok(fresh)
    }

    /// The years and kejuruan of a unit's trainings, for the filter form.
    pub async fn dashboard_options(&self, unit_id: i64) -> Result<FilterOptions> {
        let years = sqlx::query(
            "SELECT DISTINCT SUBSTR(start_date, 1, 4) AS y FROM trainings WHERE unit_id = $1 ORDER BY y DESC",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok()?.parse().ok())
        .collect();
        let kejuruan = sqlx::query(
            "SELECT DISTINCT kejuruan FROM trainings WHERE unit_id = $1 ORDER BY kejuruan",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .collect();
        Ok(FilterOptions { years, kejuruan })
    }

    /// [`Store::overdue_runs`] of the whole unit for the inbox's notices, computed at most
    /// once per [`OVERDUE_TTL`] of the clock while the unit's audit chain stands still (every
    /// step completion moves it). Every inbox load asks for them, and a province's unit can
    /// have a thousand late steps, each with its lateness counted on the working calendar.
    /// `unit` is read in the asking request: its `audit_head` is the freshness key.
    pub async fn unit_overdue_runs(
        &self,
        unit: &Unit,
        now: DateTime<Utc>,
    ) -> Result<Arc<Vec<OverdueRun>>> {
        let slot = {
            let mut cache = self.overdue_cache.lock().expect("cache lock");
            let fresh = cache.get(&unit.id).is_some_and(|hit| {
                let age = now - hit.computed_at;
                hit.audit_head == unit.audit_head
                    && age >= chrono::Duration::zero()
                    && age < OVERDUE_TTL
            });
            if !fresh {
                // A step completed or the time passed: one request counts again, and the
                // others asking meanwhile (right after a change, every open inbox of the unit)
                // wait for its count instead of each counting a thousand late steps at once.
                cache.insert(
                    unit.id,
                    OverdueSnapshot {
                        audit_head: unit.audit_head.clone(),
                        computed_at: now,
                        runs: Arc::default(),
                    },
                );
            }
            cache[&unit.id].runs.clone()
        };
        slot.get_or_try_init(|| async {
            Ok(Arc::new(
                self.overdue_runs(Some((unit, &DashboardFilter::default())), now)
                    .await?,
            ))
        })
        .await
        .cloned()
    }

    /// Active step runs past their due time, latest due last: of one unit and filter, or of
    /// every unit (`None`, for the overdue sweep).
    pub async fn overdue_runs(
        &self,
        scope: Option<(&Unit, &DashboardFilter)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<OverdueRun>> {
        let (cond, binds) = match scope {
            Some((_, filter)) => {
                let (c, b) = filter.sql(3);
                (format!(" AND t.unit_id = $2{c}"), b)
            }
            None => (String::new(), Vec::new()),
        };
        let sql = format!(
            "SELECT sr.id, t.unit_id, sr.training_id, t.title, t.definition_id, sr.step_no, sr.round,
                    sr.pelaksana, sr.due_at
             FROM step_runs sr JOIN trainings t ON t.id = sr.training_id
             WHERE sr.status = 'active' AND sr.due_at IS NOT NULL AND sr.due_at < $1{cond}
             ORDER BY sr.due_at, sr.id"
        );
        let mut q = sqlx::query(&sql).bind(crate::format_ts(now));
        if let Some((unit, _)) = scope {
            q = q.bind(unit.id);
        }
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut units: HashMap<i64, Unit> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let unit_id: i64 = row.try_get(1)?;
            if let std::collections::hash_map::Entry::Vacant(slot) = units.entry(unit_id) {
                slot.insert(match scope {
                    Some((u, _)) => u.clone(),
                    None => self.unit(unit_id).await?,
                });
            }
            let unit = &units[&unit_id];
            let def = self.definition(row.try_get(4)?).await?;
            let step_no: i64 = row.try_get(5)?;
            let role_key: String = row.try_get(7)?;
            let Some(due_at) = parse_ts(&row.try_get::<String, _>(8)?) else {
                continue;
            };
            let step = def.step(step_no as u32);
            let role = def.role(&role_key);
            let atasan_key = role.and_then(|r| r.atasan.clone());
            let settings = |k: &str| unit.setting(k);
            out.push(OverdueRun {
                run_id: row.try_get(0)?,
                unit_id,
                training_id: row.try_get(2)?,
                training_title: row.try_get(3)?,
                definition_id: row.try_get(4)?,
                step_no,
                step_key: step.map(|s| s.key.clone()).unwrap_or_default(),
                kegiatan: step
                    .map(|s| def.substitute(&s.kegiatan, &settings))
                    .unwrap_or_default(),
                round: row.try_get(6)?,
                role_name: role.map_or(role_key.clone(), |r| r.name.clone()),
                role_key,
                due_at,
                late_minutes: self
                    .calendar
                    .working_minutes_between(due_at, now, unit.zone)
                    .ok(),
                standard_minutes: step.map_or(0, |s| i64::from(s.waktu.standard_minutes())),
                atasan_name: atasan_key
                    .as_deref()
                    .and_then(|k| def.role(k))
                    .map(|r| r.name.clone()),
                atasan_key,
            });
        }
        Ok(out)
    }

    /// The active accounts holding `role` in the unit on `date`.
    pub async fn role_holders(
        &self,
        unit_id: i64,
        role: &str,
        date: NaiveDate,
    ) -> Result<Vec<User>> {
        Ok(self
            .list_users()
            .await?
            .into_iter()
            .filter(|u| u.active && u.roles_on(unit_id, date).iter().any(|r| r == role))
            .collect())
    }

    /// The filtered trainings' completed step runs, grouped by step, role, working minutes
    /// and punctuality (the minutes are stored at completion, so the database does the
    /// counting), and the definitions they ran on (newest first).
    async fn done_runs(
        &self,
        unit: &Unit,
        filter: &DashboardFilter,
    ) -> Result<(Vec<DoneRun>, Vec<(i64, Arc<SopDefinition>)>)> {
        let (cond, binds) = filter.sql(2);
        // Fixed-width ISO timestamps compare correctly as text on both backends.
        let sql = format!(
            "SELECT t.definition_id, sr.step_no, sr.pelaksana, sr.working_minutes,
                    CASE WHEN sr.due_at IS NULL THEN NULL WHEN sr.completed_at <= sr.due_at THEN 1 ELSE 0 END AS on_time,
                    COUNT(*) AS n
             FROM step_runs sr JOIN trainings t ON t.id = sr.training_id
             WHERE t.unit_id = $1 AND sr.status = 'done' AND sr.completed_at IS NOT NULL{cond}
             GROUP BY t.definition_id, sr.step_no, sr.pelaksana, sr.working_minutes, on_time"
        );
        let mut q = sqlx::query(&sql).bind(unit.id);
        for b in &binds {
            q = q.bind(b);
        }
        let mut ids: Vec<i64> = Vec::new();
        let mut done = Vec::new();
        for row in q.fetch_all(&self.pool).await? {
            let definition_id: i64 = row.try_get(0)?;
            if !ids.contains(&definition_id) {
                ids.push(definition_id);
            }
            done.push(DoneRun {
                definition_id,
                step_no: row.try_get(1)?,
                pelaksana: row.try_get(2)?,
                minutes: row.try_get(3)?,
                on_time: row.try_get::<Option<i64>, _>(4)?.map(|v| v == 1),
                count: row.try_get::<i64, _>(5)? as usize,
            });
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        let mut defs = Vec::with_capacity(ids.len());
        for id in ids {
            defs.push((id, self.definition(id).await?));
        }
        Ok((done, defs))
    }

    /// Counts the working minutes of completed runs that have none stored (completed before
    /// the column existed, or written by a tool that bypasses the engine). Runs once at start;
    /// a run the calendar cannot count (no data for its years) stays empty and is shown as
    /// uncounted.
    pub async fn backfill_working_minutes(&self) -> Result<u64> {
        let rows = sqlx::query(
            "SELECT sr.id, sr.started_at, sr.completed_at, u.zone
             FROM step_runs sr JOIN trainings t ON t.id = sr.training_id JOIN units u ON u.id = t.unit_id
             WHERE sr.status = 'done' AND sr.completed_at IS NOT NULL AND sr.working_minutes IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut filled = 0;
        for chunk in rows.chunks(500) {
            let mut tx = self.pool.begin().await?;
            for row in chunk {
                let zone = row
                    .try_get::<String, _>(3)?
                    .parse()
                    .unwrap_or(laksana_calendar::Zone::Wib);
                let started = fast_ts(&row.try_get::<String, _>(1)?);
                let completed = fast_ts(&row.try_get::<String, _>(2)?);
                let Some(minutes) = started
                    .zip(completed)
                    .and_then(|(s, c)| self.calendar.working_minutes_between(s, c, zone).ok())
                else {
                    continue;
                };
                sqlx::query("UPDATE step_runs SET working_minutes = $1 WHERE id = $2")
                    .bind(minutes)
                    .bind(row.try_get::<i64, _>(0)?)
                    .execute(&mut *tx)
                    .await?;
                filled += 1;
            }
            tx.commit().await?;
        }
        Ok(filled)
    }

    /// Invitations answered (on time) and participants per Kabupaten/Kota.
    async fn region_figures(
        &self,
        unit_id: i64,
        filter: &DashboardFilter,
        defs: &[(i64, Arc<SopDefinition>)],
    ) -> Result<Vec<RegionFigures>> {
        let (cond, binds) = filter.sql(2);
        // The reply step's due time per training; its number depends on the definition.
        let mut reply_due: HashMap<i64, DateTime<Utc>> = HashMap::new();
        let in_use = self.definitions_in_use(unit_id, filter).await?;
        for def_id in in_use {
            let def = match defs.iter().find(|(id, _)| *id == def_id) {
                Some((_, d)) => d.clone(),
                None => self.definition(def_id).await?,
            };
            let Some(step) = def.steps.iter().find(|s| s.key == REPLY_STEP_KEY) else {
                continue;
            };
            let (cond, binds) = filter.sql(4);
            let sql = format!(
                "SELECT sr.training_id, MAX(sr.due_at) AS due FROM step_runs sr
                 JOIN trainings t ON t.id = sr.training_id
                 WHERE t.unit_id = $1 AND t.definition_id = $2 AND sr.step_no = $3{cond}
                 GROUP BY sr.training_id"
            );
            let mut q = sqlx::query(&sql)
                .bind(unit_id)
                .bind(def_id)
                .bind(i64::from(step.number));
            for b in &binds {
                q = q.bind(b);
            }
            for row in q.fetch_all(&self.pool).await? {
                let due: Option<String> = row.try_get(1)?;
                if let Some(due) = due.as_deref().and_then(fast_ts) {
                    reply_due.insert(row.try_get(0)?, due);
                }
            }
        }
        let sql = format!(
            "SELECT r.training_id, r.region_code, r.region_name,
                {first_reply} AS first_reply,
                (SELECT COUNT(*) FROM nominations n
                  WHERE n.training_id = r.training_id AND n.recipient_id = r.id AND n.withdrawn_at IS NULL) AS people
             FROM recipients r JOIN trainings t ON t.id = r.training_id
             WHERE t.unit_id = $1 AND r.removed_at IS NULL{cond}",
            first_reply = crate::nomination::first_reply_sql!()
        );
        let mut q = sqlx::query(&sql).bind(unit_id);
        for b in &binds {
            q = q.bind(b);
        }
        let mut by_code: BTreeMap<String, RegionFigures> = BTreeMap::new();
        for row in q.fetch_all(&self.pool).await? {
            let training_id: i64 = row.try_get(0)?;
            let code: String = row.try_get(1)?;
            let first: Option<String> = row.try_get(3)?;
            let first = first.as_deref().and_then(fast_ts);
            let entry = by_code
                .entry(code.clone())
                .or_insert_with(|| RegionFigures {
                    code,
                    ..Default::default()
                });
            entry.name = row.try_get(2)?;
            entry.invited += 1;
            if let Some(first) = first {
                entry.answered += 1;
                if reply_due.get(&training_id).is_some_and(|due| first <= *due) {
                    entry.answered_on_time += 1;
                }
            }
            entry.participants += row.try_get::<i64, _>(4)?;
        }
        let mut out: Vec<RegionFigures> = by_code.into_values().collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
        Ok(out)
    }

    async fn definitions_in_use(&self, unit_id: i64, filter: &DashboardFilter) -> Result<Vec<i64>> {
        let (cond, binds) = filter.sql(2);
        let sql =
            format!("SELECT DISTINCT t.definition_id FROM trainings t WHERE t.unit_id = $1{cond}");
        let mut q = sqlx::query(&sql).bind(unit_id);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0).map_err(Into::into))
            .collect()
    }
}

/// Groups completed runs by step key (so versions that renumber a step still add up) and by
/// role, in the order of the newest definition's steps and roles.
fn step_and_role_figures(
    done: &[DoneRun],
    defs: &[(i64, Arc<SopDefinition>)],
    settings: &dyn Fn(&str) -> Option<String>,
) -> (Vec<StepFigures>, Vec<RoleFigures>) {
    let def_of = |id: i64| defs.iter().find(|(d, _)| *d == id).map(|(_, d)| d);
    // Row order and labels: the newest definition first, then steps only older ones have.
    let mut step_rows: Vec<StepFigures> = Vec::new();
    let mut role_rows: Vec<RoleFigures> = Vec::new();
    for (_, def) in defs {
        for s in &def.steps {
            if !step_rows.iter().any(|r| r.key == s.key) {
                step_rows.push(StepFigures {
                    key: s.key.clone(),
                    number: s.number,
                    kegiatan: def.substitute(&s.kegiatan, settings),
                    role_name: def
                        .role(&s.pelaksana)
                        .map_or(s.pelaksana.clone(), |r| r.name.clone()),
                    standard_minutes: i64::from(s.waktu.standard_minutes()),
                    figures: stats::Figures::default(),
                });
            }
        }
        for r in &def.roles {
            if !role_rows.iter().any(|x| x.key == r.key) {
                role_rows.push(RoleFigures {
                    key: r.key.clone(),
                    name: r.name.clone(),
                    figures: stats::Figures::default(),
                });
            }
        }
    }
    let mut step_samples: Vec<stats::Samples> = vec![stats::Samples::default(); step_rows.len()];
    let mut role_samples: Vec<stats::Samples> = vec![stats::Samples::default(); role_rows.len()];
    for run in done {
        let Some(key) = def_of(run.definition_id)
            .and_then(|d| d.step(run.step_no as u32))
            .map(|s| s.key.as_str())
        else {
            continue;
        };
        if let Some(i) = step_rows.iter().position(|r| r.key == key) {
            step_samples[i].add_many(run.minutes, run.on_time, run.count);
        }
        if let Some(i) = role_rows.iter().position(|r| r.key == run.pelaksana) {
            role_samples[i].add_many(run.minutes, run.on_time, run.count);
        }
    }
    for (row, samples) in step_rows.iter_mut().zip(step_samples) {
        row.figures = samples.figures();
    }
    for (row, samples) in role_rows.iter_mut().zip(role_samples) {
        row.figures = samples.figures();
    }
    step_rows.sort_by_key(|r| r.number);
    (step_rows, role_rows)
}

/// Reads the store's own fixed-width timestamps ("2026-12-23T03:00:00.000Z") without a format
/// parser: the dashboard reads three per step run, tens of thousands per request.
fn fast_ts(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let fixed = b.len() == 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[23] == b'Z';
    if !fixed {
        return parse_ts(s);
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let t = Utc
        .with_ymd_and_hms(
            num(0, 4)? as i32,
            num(5, 7)?,
            num(8, 10)?,
            num(11, 13)?,
            num(14, 16)?,
            num(17, 19)?,
        )
        .single()?;
    Some(t + chrono::Duration::milliseconds(i64::from(num(20, 23)?)))
}

/// The dashboard's statistics, pure: medians, the 90th percentile, on-time rates and the
/// heatmap's colours.
pub mod stats {
    /// The samples of one step or role as they are collected.
    #[derive(Clone, Debug, Default)]
    pub struct Samples {
        minutes: Vec<i64>,
        on_time: usize,
        judged: usize,
        uncounted: usize,
    }

    impl Samples {
        /// One completed run: its working minutes (None when the calendar could not count
        /// them) and whether it was done by its due time (None when it had none).
        pub fn add(&mut self, minutes: Option<i64>, on_time: Option<bool>) {
            self.add_many(minutes, on_time, 1);
        }

        /// `count` completed runs with the same minutes and punctuality.
        pub fn add_many(&mut self, minutes: Option<i64>, on_time: Option<bool>, count: usize) {
            match minutes {
                Some(m) => self.minutes.extend(std::iter::repeat_n(m, count)),
                None => self.uncounted += count,
            }
            if let Some(ok) = on_time {
                self.judged += count;
                if ok {
                    self.on_time += count;
                }
            }
        }

        pub fn figures(mut self) -> Figures {
            self.minutes.sort_unstable();
            Figures {
                runs: self.minutes.len() + self.uncounted,
                median: median(&self.minutes),
                p90: nearest_rank(&self.minutes, 90),
                on_time: self.on_time,
                judged: self.judged,
                uncounted: self.uncounted,
            }
        }
    }

    /// What is shown of a step or a role.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Figures {
        /// Completed runs.
        pub runs: usize,
        /// Median working minutes, rounded to the minute.
        pub median: Option<i64>,
        /// 90th percentile of the working minutes by nearest rank.
        pub p90: Option<i64>,
        /// Runs completed by their due time, out of `judged` (runs that had a due time).
        pub on_time: usize,
        pub judged: usize,
        /// Runs whose working time could not be counted (a year without calendar data).
        pub uncounted: usize,
    }

    impl Figures {
        pub fn on_time_rate(&self) -> Option<f64> {
            rate(self.on_time, self.judged)
        }
    }

    /// The median of sorted values, the mean of the two middle ones for an even count, rounded
    /// half up to a whole minute.
    pub fn median(sorted: &[i64]) -> Option<i64> {
        let n = sorted.len();
        if n == 0 {
            return None;
        }
        if n % 2 == 1 {
            Some(sorted[n / 2])
        } else {
            let sum = sorted[n / 2 - 1] + sorted[n / 2];
            Some(sum.div_euclid(2) + sum.rem_euclid(2))
        }
    }

    /// The `p`-th percentile by nearest rank: the smallest value with at least p % of the
    /// values at or below it (rank ⌈p·n/100⌉). Always an observed value.
    pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
        let n = sorted.len();
        if n == 0 || p == 0 {
            return sorted.first().copied();
        }
        let rank = (p as usize * n).div_ceil(100).clamp(1, n);
        Some(sorted[rank - 1])
    }

    /// `part / whole`, or None when there is nothing to judge.
    pub fn rate(part: usize, whole: usize) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }

    /// A heatmap cell's colours: fill and the text colour readable on it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Heat {
        pub fill: &'static str,
        pub text: &'static str,
        /// The band's name, for the legend and for readers who cannot tell the colours apart.
        pub label: &'static str,
    }

    pub const NO_DATA: Heat = Heat {
        fill: "#eeeeee",
        text: "#333333",
        label: "tanpa data",
    };

    /// Five bands, light to dark, so a greyscale print still orders them.
    pub const BANDS: [Heat; 5] = [
        Heat {
            fill: "#e3f4e1",
            text: "#1b3a1a",
            label: "≤ standar",
        },
        Heat {
            fill: "#fff3bf",
            text: "#3d3100",
            label: "≤ 1,5× standar",
        },
        Heat {
            fill: "#ffc078",
            text: "#3d2200",
            label: "≤ 2× standar",
        },
        Heat {
            fill: "#f0643c",
            text: "#ffffff",
            label: "≤ 3× standar",
        },
        Heat {
            fill: "#a51d12",
            text: "#ffffff",
            label: "> 3× standar",
        },
    ];

    /// The colour of actual / standard: within the standard is the lightest band.
    pub fn heat_for_ratio(ratio: Option<f64>) -> Heat {
        match ratio {
            None => NO_DATA,
            Some(r) if r <= 1.0 => BANDS[0],
            Some(r) if r <= 1.5 => BANDS[1],
            Some(r) if r <= 2.0 => BANDS[2],
            Some(r) if r <= 3.0 => BANDS[3],
            Some(_) => BANDS[4],
        }
    }

    /// The colour of an on-time rate on the same scale: all on time is the lightest band.
    pub fn heat_for_rate(rate: Option<f64>) -> Heat {
        match rate {
            None => NO_DATA,
            Some(r) if r >= 0.9 => BANDS[0],
            Some(r) if r >= 0.75 => BANDS[1],
            Some(r) if r >= 0.5 => BANDS[2],
            Some(r) if r >= 0.25 => BANDS[3],
            Some(_) => BANDS[4],
        }
    }

    /// actual / standard, or None without a standard (a step of no time) or without samples.
    pub fn ratio(actual: Option<i64>, standard: i64) -> Option<f64> {
        let actual = actual?;
        (standard > 0).then(|| actual as f64 / standard as f64)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
            assert_eq!(median(&[]), None);
            assert_eq!(median(&[7]), Some(7));
            assert_eq!(median(&[1, 2, 9]), Some(2));
            assert_eq!(median(&[10, 20, 30, 40]), Some(25));
            // Half a minute rounds up.
            assert_eq!(median(&[10, 21]), Some(16));
        }

        #[test]
        fn the_90th_percentile_is_by_nearest_rank() {
            let ten: Vec<i64> = (1..=10).collect();
            assert_eq!(nearest_rank(&ten, 90), Some(9));
            let eleven: Vec<i64> = (1..=11).collect();
            // ⌈0.9 · 11⌉ = 10.
            assert_eq!(nearest_rank(&eleven, 90), Some(10));
            assert_eq!(nearest_rank(&[5], 90), Some(5));
            assert_eq!(nearest_rank(&[3, 8], 90), Some(8));
            assert_eq!(nearest_rank(&[], 90), None);
        }

        #[test]
        fn samples_give_figures_and_on_time_rates() {
            let mut s = Samples::default();
            for (m, ok) in [(60, true), (30, true), (120, false), (90, true)] {
                s.add(Some(m), Some(ok));
            }
            s.add(None, None);
            let f = s.figures();
            assert_eq!(f.runs, 5);
            assert_eq!(f.uncounted, 1);
            assert_eq!(f.median, Some(75));
            assert_eq!(f.p90, Some(120));
            assert_eq!(f.on_time_rate(), Some(0.75));
            assert_eq!(rate(0, 0), None);
        }

        #[test]
        fn the_colour_scale_darkens_with_lateness() {
            assert_eq!(heat_for_ratio(None), NO_DATA);
            assert_eq!(heat_for_ratio(Some(0.4)), BANDS[0]);
            assert_eq!(heat_for_ratio(Some(1.0)), BANDS[0]);
            assert_eq!(heat_for_ratio(Some(1.2)), BANDS[1]);
            assert_eq!(heat_for_ratio(Some(2.0)), BANDS[2]);
            assert_eq!(heat_for_ratio(Some(2.5)), BANDS[3]);
            assert_eq!(heat_for_ratio(Some(9.0)), BANDS[4]);
            assert_eq!(heat_for_rate(Some(1.0)), BANDS[0]);
            assert_eq!(heat_for_rate(Some(0.1)), BANDS[4]);
            assert_eq!(ratio(Some(90), 60), Some(1.5));
            assert_eq!(ratio(Some(90), 0), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_width_timestamps_are_read_like_parse_ts() {
        for s in ["2026-12-23T03:00:00.000Z", "2027-02-28T23:59:59.999Z"] {
            assert_eq!(fast_ts(s), parse_ts(s));
        }
        assert_eq!(
            fast_ts("2026-12-23T03:00:00Z"),
            parse_ts("2026-12-23T03:00:00Z")
        );
        assert_eq!(fast_ts("2026-13-23T03:00:00.000Z"), None);
    }

    #[test]
    fn the_filter_adds_numbered_conditions() {
        let f = DashboardFilter {
            year: Some(2027),
            kejuruan: Some("Las".into()),
        };
        let (sql, binds) = f.sql(2);
        assert_eq!(
            sql,
            " AND t.start_date >= $2 AND t.start_date < $3 AND t.kejuruan = $4"
        );
        assert_eq!(binds, ["2027-01-01", "2028-01-01", "Las"]);
        assert_eq!(DashboardFilter::default().sql(2).0, "");
    }
}
