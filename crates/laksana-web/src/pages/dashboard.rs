//! "Dasbor" for the head of unit, the Kepala Bidang and administrators: trainings by state,
//! the steps overdue now with their holders, the working time of each step against its
//! standard (a heatmap drawn on the server as SVG, readable printed and without script), on-time
//! rates per step and role, and replies and participants per Kabupaten/Kota; each with a CSV of
//! its figures.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use laksana_store::dashboard::stats::{self, Figures, Heat};
use laksana_store::{Dashboard, DashboardFilter, User};

use super::tasks::render_error;
use super::{download, role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::Query;
use crate::format;
use crate::AppState;

/// The SOP roles that see the dashboard (besides administrators).
pub const DASHBOARD_ROLES: [&str; 2] = ["kepala-dinas", "kepala-bidang"];

pub fn may_see(viewer: &Viewer) -> bool {
    viewer.user.is_admin
        || viewer
            .roles
            .iter()
            .any(|r| DASHBOARD_ROLES.contains(&r.as_str()))
}

fn require(viewer: &Viewer) -> Result<(), AppError> {
    if may_see(viewer) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Dasbor hanya untuk Kepala Dinas, Kepala Bidang, dan administrator.",
        ))
    }
}

#[derive(Default, serde::Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    tahun: String,
    #[serde(default)]
    kejuruan: String,
}

impl FilterQuery {
    fn filter(&self) -> Result<DashboardFilter, AppError> {
        let year = match self.tahun.trim() {
            "" => None,
            y => Some(
                y.parse::<i32>()
                    .ok()
                    .filter(|y| (1900..=9999).contains(y))
                    .ok_or_else(|| {
                        AppError::bad_request(
                            "invalid_year",
                            "tahun",
                            "Tahun harus berupa angka, misalnya 2027.",
                        )
                    })?,
            ),
        };
        let kejuruan = Some(self.kejuruan.trim().to_string()).filter(|k| !k.is_empty());
        Ok(DashboardFilter { year, kejuruan })
    }

    /// The query string for links that keep the filter (CSV downloads).
    fn query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.tahun.trim().is_empty() {
            s.append_pair("tahun", self.tahun.trim());
        }
        if !self.kejuruan.trim().is_empty() {
            s.append_pair("kejuruan", self.kejuruan.trim());
        }
        let q = s.finish();
        if q.is_empty() {
            q
        } else {
            format!("?{q}")
        }
    }
}

pub struct OverdueRow {
    pub training_id: i64,
    pub training_title: String,
    pub step: String,
    pub round: i64,
    pub role: String,
    pub holders: String,
    pub due: String,
    pub late: String,
    pub escalated_to: Option<String>,
}

pub struct FigureRow {
    pub label: String,
    pub role: String,
    pub standard: String,
    pub runs: usize,
    pub median: String,
    pub p90: String,
    pub on_time: String,
    pub uncounted: usize,
}

pub struct RegionRow {
    pub name: String,
    pub invited: i64,
    pub answered: i64,
    pub on_time: i64,
    pub rate: String,
    pub participants: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    years: Vec<(String, bool)>,
    kejuruan: Vec<(String, bool)>,
    query: String,
    running: i64,
    finished: i64,
    states: Vec<(String, String, i64)>,
    overdue: Vec<OverdueRow>,
    heatmap: String,
    steps: Vec<FigureRow>,
    roles: Vec<FigureRow>,
    regions: Vec<RegionRow>,
    refreshed: String,
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    q: &FilterQuery,
) -> Result<(Dashboard, Vec<User>), AppError> {
    require(viewer)?;
    let filter = q.filter()?;
    let now = state.clock.now();
    let dash = state.store.dashboard(&viewer.unit, &filter, now).await?;
    let users = if dash.overdue.is_empty() {
        Vec::new()
    } else {
        state.store.list_users().await?
    };
    Ok((dash, users))
}

/// Names of the active holders of each role today.
fn holders(state: &AppState, viewer: &Viewer, users: &[User]) -> HashMap<String, Vec<String>> {
    let today = state
        .clock
        .now()
        .with_timezone(&viewer.unit.zone.offset())
        .date_naive();
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for u in users.iter().filter(|u| u.active) {
        for role in u.roles_on(viewer.unit.id, today) {
            map.entry(role).or_default().push(u.full_name.clone());
        }
    }
    map
}

fn minutes(m: Option<i64>) -> String {
    m.map_or("–".into(), format::durasi_kerja)
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("–".into(), |r| format!("{:.0}%", r * 100.0))
}

/// A decimal as Indonesian spreadsheets read it: comma for the decimal point.
fn decimal(v: Option<f64>, places: usize) -> String {
    v.map_or(String::new(), |v| format!("{v:.places$}").replace('.', ","))
}

fn state_label(status: &str, step_no: Option<i64>, kegiatan: &str) -> (String, String) {
    if status == "selesai" {
        ("Selesai".into(), String::new())
    } else {
        (
            "Berjalan".into(),
            step_no.map_or(kegiatan.to_string(), |n| format!("{n}. {kegiatan}")),
        )
    }
}

fn figure_row(label: String, role: String, standard: Option<i64>, f: &Figures) -> FigureRow {
    FigureRow {
        label,
        role,
        standard: standard.map_or(String::new(), format::durasi_kerja),
        runs: f.runs,
        median: minutes(f.median),
        p90: minutes(f.p90),
        on_time: match f.on_time_rate() {
            Some(r) => format!("{} ({} dari {})", percent(Some(r)), f.on_time, f.judged),
            None => "–".into(),
        },
        uncounted: f.uncounted,
    }
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<FilterQuery>,
) -> Result<Html<String>, AppError> {
    let (dash, users) = load(&state, &viewer, &q).await?;
    let zone = viewer.unit.zone;
    let holders = holders(&state, &viewer, &users);
    let names_of = |role: &str| {
        holders
            .get(role)
            .map(|v| v.join(", "))
            .unwrap_or_else(|| "belum ada pemegang peran".into())
    };
    let overdue = dash
        .overdue
        .iter()
        .map(|r| OverdueRow {
            training_id: r.training_id,
            training_title: r.training_title.clone(),
            step: format!("{}. {}", r.step_no, r.kegiatan),
            round: r.round,
            role: r.role_name.clone(),
            holders: names_of(&r.role_key),
            due: format::waktu(r.due_at, zone),
            late: r
                .late_minutes
                .map_or("belum dapat dihitung".into(), format::durasi_kerja),
            escalated_to: r
                .escalated()
                .then(|| {
                    r.atasan_key.as_deref().map(|k| {
                        format!(
                            "{} ({})",
                            r.atasan_name.clone().unwrap_or_else(|| k.to_string()),
                            names_of(k)
                        )
                    })
                })
                .flatten(),
        })
        .collect();
    let steps = dash
        .steps
        .iter()
        .map(|s| {
            figure_row(
                format!("{}. {}", s.number, s.kegiatan),
                s.role_name.clone(),
                Some(s.standard_minutes),
                &s.figures,
            )
        })
        .collect();
    let roles = dash
        .roles
        .iter()
        .map(|r| figure_row(r.name.clone(), String::new(), None, &r.figures))
        .collect();
    let regions = dash
        .regions
        .iter()
        .map(|r| RegionRow {
            name: r.name.clone(),
            invited: r.invited,
            answered: r.answered,
            on_time: r.answered_on_time,
            rate: percent(stats::rate(r.answered_on_time as usize, r.invited as usize)),
            participants: r.participants,
        })
        .collect();
    let year = dash.filter.year.map(|y| y.to_string()).unwrap_or_default();
    let kej = dash.filter.kejuruan.clone().unwrap_or_default();
    let names = role_names(&state, &viewer).await;
    let page = DashboardPage {
        nav: Some(Nav::new(&state, &viewer, "dasbor", &names)),
        years: dash
            .options
            .years
            .iter()
            .map(|y| (y.to_string(), y.to_string() == year))
            .collect(),
        kejuruan: dash
            .options
            .kejuruan
            .iter()
            .map(|k| (k.clone(), *k == kej))
            .collect(),
        query: q.query_string(),
        running: dash.running,
        finished: dash.finished,
        states: dash
            .states
            .iter()
            .map(|s| {
                let (a, b) = state_label(&s.status, s.step_no, &s.kegiatan);
                (a, b, s.count)
            })
            .collect(),
        overdue,
        heatmap: heatmap_svg(&dash),
        steps,
        roles,
        regions,
        refreshed: format::waktu(state.clock.now(), zone),
    };
    Ok(Html(page.render().map_err(render_error)?))
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Cuts a label to fit its column, on a character boundary.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// The heatmap: rows are steps, columns the standard, the median, the 90th percentile and the
/// on-time rate; each cell carries its figure as text, and the colour bands are light to dark
/// so a greyscale print keeps their order.
pub fn heatmap_svg(dash: &Dashboard) -> String {
    const LABEL_W: i64 = 330;
    const CELL_W: i64 = 150;
    const ROW_H: i64 = 30;
    const HEAD_H: i64 = 34;
    let rows = dash.steps.len() as i64;
    let width = LABEL_W + 4 * CELL_W + 2;
    let legend_y = HEAD_H + rows * ROW_H + 16;
    let height = legend_y + 30;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"heatmap-title\" font-family=\"system-ui, Arial, sans-serif\" font-size=\"12\">\
         <title id=\"heatmap-title\">Waktu kerja sebenarnya per langkah dibanding waktu baku</title>"
    );
    let heads = ["Waktu baku", "Median", "Persentil ke-90", "Tepat waktu"];
    svg.push_str(&format!(
        "<text x=\"4\" y=\"{}\" font-weight=\"bold\">Langkah SOP</text>",
        HEAD_H - 12
    ));
    for (i, h) in heads.iter().enumerate() {
        let x = LABEL_W + i as i64 * CELL_W + CELL_W / 2;
        svg.push_str(&format!(
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{h}</text>",
            HEAD_H - 12
        ));
    }
    for (r, s) in dash.steps.iter().enumerate() {
        let y = HEAD_H + r as i64 * ROW_H;
        let label = fit(&format!("{}. {}", s.number, s.kegiatan), 48);
        svg.push_str(&format!(
            "<text x=\"4\" y=\"{}\"><title>{}</title>{}</text>",
            y + ROW_H / 2 + 4,
            xml(&format!("{}. {} ({})", s.number, s.kegiatan, s.role_name)),
            xml(&label)
        ));
        let f = &s.figures;
        let std_heat = Heat {
            fill: "#ffffff",
            text: "#1d2733",
            label: "",
        };
        let cells = [
            (std_heat, format::durasi_kerja(s.standard_minutes)),
            (
                stats::heat_for_ratio(stats::ratio(f.median, s.standard_minutes)),
                minutes(f.median),
            ),
            (
                stats::heat_for_ratio(stats::ratio(f.p90, s.standard_minutes)),
                minutes(f.p90),
            ),
            (
                stats::heat_for_rate(f.on_time_rate()),
                match f.on_time_rate() {
                    Some(rate) => format!("{} ({}/{})", percent(Some(rate)), f.on_time, f.judged),
                    None => "–".into(),
                },
            ),
        ];
        for (c, (heat, text)) in cells.iter().enumerate() {
            let x = LABEL_W + c as i64 * CELL_W;
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL_W}\" height=\"{ROW_H}\" fill=\"{}\" stroke=\"#8a96a3\" stroke-width=\"1\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                heat.fill,
                x + CELL_W / 2,
                y + ROW_H / 2 + 4,
                heat.text,
                xml(&fit(text, 22))
            ));
        }
    }
    // Legend: the bands of actual / standard (the on-time column uses the same colours).
    let mut x = 4;
    svg.push_str(&format!(
        "<text x=\"{x}\" y=\"{}\">Warna: waktu sebenarnya ÷ waktu baku</text>",
        legend_y + 14
    ));
    x += 250;
    for band in stats::BANDS.iter().chain([&stats::NO_DATA]) {
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{legend_y}\" width=\"18\" height=\"18\" fill=\"{}\" stroke=\"#8a96a3\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            band.fill,
            x + 22,
            legend_y + 14,
            xml(band.label)
        ));
        x += 110;
    }
    svg.push_str("</svg>");
    svg
}

/// The CSV sections: `status`, `terlambat`, `langkah`, `peran`, `wilayah`.
pub const CSV_SECTIONS: [&str; 5] = ["status", "terlambat", "langkah", "peran", "wilayah"];

/// UTF-8 with a BOM, ";" between fields and CRLF, like the app's other CSVs; cells that start
/// like a formula get an apostrophe (CSV injection).
fn csv_text(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(headers);
    for row in rows {
        let _ = w.write_record(row.into_iter().map(|v| {
            if v.starts_with(['=', '+', '-', '@']) {
                format!("'{v}")
            } else {
                v
            }
        }));
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8(bytes).unwrap_or_default())
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn figure_cells(f: &Figures, standard: Option<i64>) -> Vec<String> {
    let mut cells = vec![f.runs.to_string(), opt(f.median), opt(f.p90)];
    if let Some(std) = standard {
        cells.push(decimal(stats::ratio(f.median, std), 2));
        cells.push(decimal(stats::ratio(f.p90, std), 2));
    }
    cells.extend([
        f.on_time.to_string(),
        f.judged.to_string(),
        decimal(f.on_time_rate().map(|r| r * 100.0), 1),
        f.uncounted.to_string(),
    ]);
    cells
}

pub async fn csv(
    state: AppState,
    viewer: Viewer,
    q: FilterQuery,
    section: &'static str,
) -> Result<Response, AppError> {
    let (dash, users) = load(&state, &viewer, &q).await?;
    let zone = viewer.unit.zone;
    let text = match section {
        "status" => csv_text(
            &["Status", "Langkah", "Kegiatan", "Jumlah pelatihan"],
            dash.states
                .iter()
                .map(|s| {
                    vec![
                        s.status.clone(),
                        opt(s.step_no),
                        s.kegiatan.clone(),
                        s.count.to_string(),
                    ]
                })
                .collect(),
        ),
        "terlambat" => {
            let holders = holders(&state, &viewer, &users);
            let names = |k: &str| holders.get(k).map(|v| v.join(", ")).unwrap_or_default();
            csv_text(
                &[
                    "ID pelatihan",
                    "Pelatihan",
                    "Langkah",
                    "Kegiatan",
                    "Putaran",
                    "Pelaksana",
                    "Pemegang peran",
                    "Tenggat",
                    "Terlambat (menit kerja)",
                    "Terlambat",
                    "Eskalasi ke",
                ],
                dash.overdue
                    .iter()
                    .map(|r| {
                        vec![
                            r.training_id.to_string(),
                            r.training_title.clone(),
                            r.step_no.to_string(),
                            r.kegiatan.clone(),
                            r.round.to_string(),
                            r.role_name.clone(),
                            names(&r.role_key),
                            format::waktu(r.due_at, zone),
                            opt(r.late_minutes),
                            r.late_minutes.map(format::durasi_kerja).unwrap_or_default(),
                            if r.escalated() {
                                r.atasan_name.clone().unwrap_or_default()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect(),
            )
        }
        "langkah" => csv_text(
            &[
                "Langkah",
                "Kunci",
                "Kegiatan",
                "Pelaksana",
                "Waktu baku (menit kerja)",
                "Jumlah selesai",
                "Median (menit kerja)",
                "Persentil 90 (menit kerja)",
                "Median/baku",
                "Persentil 90/baku",
                "Tepat waktu",
                "Bertenggat",
                "Tepat waktu (%)",
                "Tidak terhitung",
            ],
            dash.steps
                .iter()
                .map(|s| {
                    let mut row = vec![
                        s.number.to_string(),
                        s.key.clone(),
                        s.kegiatan.clone(),
                        s.role_name.clone(),
                        s.standard_minutes.to_string(),
                    ];
                    row.extend(figure_cells(&s.figures, Some(s.standard_minutes)));
                    row
                })
                .collect(),
        ),
        "peran" => csv_text(
            &[
                "Peran",
                "Kunci",
                "Jumlah selesai",
                "Median (menit kerja)",
                "Persentil 90 (menit kerja)",
                "Tepat waktu",
                "Bertenggat",
                "Tepat waktu (%)",
                "Tidak terhitung",
            ],
            dash.roles
                .iter()
                .map(|r| {
                    let mut row = vec![r.name.clone(), r.key.clone()];
                    row.extend(figure_cells(&r.figures, None));
                    row
                })
                .collect(),
        ),
        _ => csv_text(
            &[
                "Kode wilayah",
                "Kabupaten/Kota",
                "Diundang",
                "Menjawab",
                "Menjawab tepat waktu",
                "Peserta",
            ],
            dash.regions
                .iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.name.clone(),
                        r.invited.to_string(),
                        r.answered.to_string(),
                        r.answered_on_time.to_string(),
                        r.participants.to_string(),
                    ]
                })
                .collect(),
        ),
    };
    let mut name = format!("dasbor-{section}");
    if let Some(y) = dash.filter.year {
        name.push_str(&format!("-{y}"));
    }
    Ok(download(
        text,
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        true,
    ))
}

/// The notices of late steps a user sees on Tugas Saya: steps of roles they hold that passed
/// their due time, and, as the superior, steps late by a further standard time.
pub struct NoticeRow {
    pub training_id: i64,
    pub text: String,
    pub escalation: bool,
}

/// The most late ones first, at most [`NOTICES_SHOWN`]; `more` counts the rest, so a unit
/// with hundreds of late steps does not bury the inbox under them.
pub struct Notices {
    pub shown: Vec<NoticeRow>,
    pub more: usize,
}

/// How many notices the inbox lists before "dan N lainnya".
pub const NOTICES_SHOWN: usize = 10;

pub async fn notices_for(state: &AppState, viewer: &Viewer) -> Result<Notices, AppError> {
    let unit = &viewer.unit;
    if !unit.notify_overdue && !unit.notify_escalation {
        return Ok(Notices {
            shown: Vec::new(),
            more: 0,
        });
    }
    let runs = state
        .store
        .unit_overdue_runs(unit, state.clock.now())
        .await?;
    // Which runs concern this viewer, and as what; only the shown ones are written out.
    let mut mine = Vec::new();
    for r in runs.iter() {
        if unit.notify_overdue && viewer.roles.contains(&r.role_key) {
            mine.push((r, false));
        }
        if unit.notify_escalation
            && r.escalated()
            && r.atasan_key
                .as_ref()
                .is_some_and(|k| viewer.roles.contains(k))
        {
            mine.push((r, true));
        }
    }
    let more = mine.len().saturating_sub(NOTICES_SHOWN);
    let shown = mine
        .into_iter()
        .take(NOTICES_SHOWN)
        .map(|(r, escalation)| {
            let late = format::keterlambatan(r.late_minutes);
            let text = if escalation {
                format!(
                    "Eskalasi: {} · langkah {}. {} ({}) {late}, melebihi waktu bakunya {}.",
                    r.training_title,
                    r.step_no,
                    r.kegiatan,
                    r.role_name,
                    format::durasi_kerja(r.standard_minutes)
                )
            } else {
                format!(
                    "{} · langkah {}. {} melewati tenggat {} ({late}).",
                    r.training_title,
                    r.step_no,
                    r.kegiatan,
                    format::waktu(r.due_at, unit.zone)
                )
            };
            NoticeRow {
                training_id: r.training_id,
                text,
                escalation,
            }
        })
        .collect();
    Ok(Notices { shown, more })
}
