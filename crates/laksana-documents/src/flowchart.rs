//! The SOP flowchart table as geometry: columns, rows with their heights and wrapped texts,
//! the symbol of each step in its pelaksana's column, arrows with right-angled paths, "Ya" and
//! "Tidak" labels, and off-page connectors where the table breaks across pages.
//!
//! Everything is computed here, in plain Rust and in points, so that one geometry feeds both
//! outputs: the PDF (the geometry becomes a list of drawing primitives that the Typst template
//! places) and the SVG the web app shows ([`flowchart_svg`]). Only the five symbols of
//! Permenpan RB 35/2012 are used: capsule (first and last step), rectangle (process), diamond
//! (decision), arrow, and pentagon (off-page connector).
//!
//! Arrows run only inside the pelaksana columns, where the only texts are the arrow labels and
//! connector letters, and labels are placed where no line, symbol or other label is; so no
//! arrow ever crosses cell text.

mod draw;
mod route;
mod svg;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use laksana_engine::SopDefinition;

use crate::metrics::{metrics, Metrics};

pub use draw::{display_list, Prim};
pub use svg::{flowchart_svg, to_svg};

/// Points per millimetre.
pub const MM: f64 = 72.0 / 25.4;

/// Body text size of the table, in points.
const FONT: f64 = 8.0;
/// Distance between two baselines of a cell.
const LINE: f64 = FONT * 1.2;
const PAD_X: f64 = 1.4 * MM;
const PAD_Y: f64 = 1.4 * MM;
/// Free space kept above and below a symbol, for the arrows that enter and leave it.
const SYMBOL_GAP: f64 = 3.5 * MM;
const CONNECTOR_ROW: f64 = 11.0 * MM;
const CONNECTOR_W: f64 = 6.0 * MM;
const CONNECTOR_H: f64 = 6.5 * MM;
/// Size of the "Ya"/"Tidak" labels and connector letters.
const LABEL_FONT: f64 = 6.5;

/// A point in the table's coordinate system (points; y grows downwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
}

/// A column's left edge and width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Column {
    pub x: f64,
    pub width: f64,
}

impl Column {
    pub fn center(&self) -> f64 {
        self.x + self.width / 2.0
    }
    pub fn right(&self) -> f64 {
        self.x + self.width
    }
}

/// The table's columns, left to right.
#[derive(Clone, Debug, PartialEq)]
pub struct Columns {
    pub no: Column,
    pub kegiatan: Column,
    /// One per pelaksana, in the definition's role order.
    pub lanes: Vec<Column>,
    pub persyaratan: Column,
    pub waktu: Column,
    pub output: Column,
    pub keterangan: Column,
}

impl Columns {
    /// Splits `width` among the columns. Each pelaksana gets about 19 mm (less when there are
    /// many); the text columns share the rest in fixed proportions.
    fn new(roles: usize, width: f64) -> Columns {
        let roles = roles.max(1);
        let no = 8.0 * MM;
        let lanes_total = (roles as f64 * 19.0 * MM).min(width * 0.5);
        let lane = lanes_total / roles as f64;
        let rest = width - no - lanes_total;
        // Kegiatan : Persyaratan : Waktu : Output : Keterangan
        let shares = [3.2, 2.2, 1.0, 2.2, 1.3];
        let total: f64 = shares.iter().sum();
        let w: Vec<f64> = shares.iter().map(|s| rest * s / total).collect();
        let mut x = 0.0;
        let mut next = |width: f64| {
            let c = Column { x, width };
            x += width;
            c
        };
        let no = next(no);
        let kegiatan = next(w[0]);
        let lanes = (0..roles).map(|_| next(lane)).collect();
        Columns {
            no,
            kegiatan,
            lanes,
            persyaratan: next(w[1]),
            waktu: next(w[2]),
            output: next(w[3]),
            keterangan: next(w[4]),
        }
    }

    /// The x of every vertical border, left edge to right edge.
    pub fn borders(&self) -> Vec<f64> {
        let mut xs = vec![self.no.x, self.kegiatan.x];
        xs.extend(self.lanes.iter().map(|l| l.x));
        xs.extend([
            self.persyaratan.x,
            self.waktu.x,
            self.output.x,
            self.keterangan.x,
            self.keterangan.right(),
        ]);
        xs
    }

    pub fn width(&self) -> f64 {
        self.keterangan.right()
    }

    /// Left and right edge of the pelaksana area.
    pub fn lanes_span(&self) -> (f64, f64) {
        let first = self.lanes.first().map_or(self.kegiatan.right(), |l| l.x);
        (first, self.persyaratan.x)
    }
}

/// Horizontal alignment of a cell's lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// A block of already wrapped lines in a rectangle.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub lines: Vec<String>,
    pub align: Align,
    pub bold: bool,
}

/// The two header rows: "No | Kegiatan | Pelaksana (roles) | Mutu Baku (Persyaratan/
/// Kelengkapan, Waktu, Output) | Keterangan", repeated at the top of every page.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Height of the first row (the group titles "Pelaksana" and "Mutu Baku").
    pub group_height: f64,
    pub height: f64,
    pub cells: Vec<Cell>,
}

/// What a row holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// The row of step `n`.
    Step(u32),
    /// The empty row at the bottom or top of a page that holds off-page connectors.
    Connectors,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub kind: RowKind,
    pub y: f64,
    pub height: f64,
    /// No, Kegiatan, Persyaratan, Waktu, Output, Keterangan (empty for connector rows).
    pub cells: Vec<Cell>,
}

/// The five allowed symbols, less the arrow and the connector (drawn separately).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// Capsule: the first and the last step.
    Terminator,
    /// Rectangle: an activity.
    Process,
    /// Diamond: a check whose "Tidak" returns to an earlier step.
    Decision,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub step: u32,
    pub kind: SymbolKind,
    /// Index of the pelaksana column.
    pub lane: usize,
    pub center: Point,
    pub width: f64,
    pub height: f64,
    /// The kegiatan (substituted), for tooltips.
    pub title: String,
}

/// A right-angled path; the arrowhead is at the last point.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub points: Vec<Point>,
}

/// "Ya" or "Tidak" beside a decision's exit.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: String,
    /// Left end of the text and its baseline.
    pub x: f64,
    pub baseline: f64,
    pub width: f64,
    pub size: f64,
}

/// Whether the flow leaves the page through a connector or arrives through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectorFlow {
    Out,
    In,
}

/// An off-page connector: a pentagon pointing down, with the same letter on both pages.
#[derive(Clone, Debug, PartialEq)]
pub struct Connector {
    pub label: String,
    pub flow: ConnectorFlow,
    /// Centre of the pentagon's bounding box.
    pub center: Point,
    pub width: f64,
    pub height: f64,
}

impl Connector {
    /// The five corners, clockwise from the top left; the point is at the bottom.
    pub fn corners(&self) -> [Point; 5] {
        let (l, r) = (
            self.center.x - self.width / 2.0,
            self.center.x + self.width / 2.0,
        );
        let top = self.center.y - self.height / 2.0;
        let shoulder = top + self.height * 0.6;
        [
            Point::new(l, top),
            Point::new(r, top),
            Point::new(r, shoulder),
            Point::new(self.center.x, top + self.height),
            Point::new(l, shoulder),
        ]
    }
}

/// One page of the table. Coordinates are relative to the page's table origin.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowPage {
    /// Height from the top of the header to the bottom of the last row.
    pub height: f64,
    pub rows: Vec<Row>,
    pub symbols: Vec<Symbol>,
    pub arrows: Vec<Arrow>,
    pub labels: Vec<Label>,
    pub connectors: Vec<Connector>,
}

/// The whole flowchart table, split into pages.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLayout {
    pub columns: Columns,
    pub header: Header,
    pub pages: Vec<FlowPage>,
}

/// How many symbols of each kind the layout draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SymbolCounts {
    pub terminators: usize,
    pub processes: usize,
    pub decisions: usize,
    /// Off-page connectors (each break counts twice: once on each page).
    pub connectors: usize,
}

impl FlowLayout {
    pub fn counts(&self) -> SymbolCounts {
        let mut c = SymbolCounts::default();
        for page in &self.pages {
            for s in &page.symbols {
                match s.kind {
                    SymbolKind::Terminator => c.terminators += 1,
                    SymbolKind::Process => c.processes += 1,
                    SymbolKind::Decision => c.decisions += 1,
                }
            }
            c.connectors += page.connectors.len();
        }
        c
    }

    pub fn width(&self) -> f64 {
        self.columns.width()
    }
}

/// Page size for the layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutOptions {
    /// Width of the table in points.
    pub width: f64,
    /// Greatest table height per page in points; `None` for one unbroken page (the screen).
    pub page_height: Option<f64>,
}

impl LayoutOptions {
    /// The table area of an A4 landscape page with the margins of the SOP template.
    pub fn a4_landscape() -> LayoutOptions {
        LayoutOptions {
            width: crate::sop::TABLE_WIDTH,
            page_height: Some(crate::sop::TABLE_HEIGHT),
        }
    }

    /// Same width, no page breaks: for the web page.
    pub fn screen() -> LayoutOptions {
        LayoutOptions {
            width: crate::sop::TABLE_WIDTH,
            page_height: None,
        }
    }
}

/// What the web app marks on the flowchart: per step number, whether it is the current step,
/// whether it is finished, and how many times it was returned ("Tidak"); plus the settings
/// used to substitute display texts (e.g. `head_title`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowMarks {
    pub steps: BTreeMap<u32, StepMark>,
    pub settings: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepMark {
    pub current: bool,
    pub done: bool,
    /// Rounds in which this step's decision answered "Tidak".
    pub returned: u32,
}

impl FlowMarks {
    /// Marks `current` as current, every number in `done` as finished.
    pub fn progress(current: Option<u32>, done: &BTreeSet<u32>) -> FlowMarks {
        let mut marks = FlowMarks::default();
        if let Some(n) = current {
            marks.steps.entry(n).or_default().current = true;
        }
        for &n in done {
            marks.steps.entry(n).or_default().done = true;
        }
        marks
    }

    pub fn with_returned(mut self, step: u32, rounds: u32) -> FlowMarks {
        self.steps.entry(step).or_default().returned = rounds;
        self
    }

    pub fn with_setting(mut self, name: &str, value: &str) -> FlowMarks {
        self.settings.insert(name.to_string(), value.to_string());
        self
    }

    pub fn mark(&self, step: u32) -> StepMark {
        self.steps.get(&step).copied().unwrap_or_default()
    }
}

/// A step's row before it is placed on a page.
struct StepRow {
    number: u32,
    kind: SymbolKind,
    lane: usize,
    height: f64,
    /// (column, lines, align)
    texts: Vec<(Column, Vec<String>, Align)>,
    title: String,
    on_return: Option<usize>,
}

/// Lays out the flowchart of `def`, with display texts substituted through `settings`.
pub fn layout(
    def: &SopDefinition,
    settings: &dyn Fn(&str) -> Option<String>,
    options: &LayoutOptions,
) -> FlowLayout {
    let m = metrics();
    let columns = Columns::new(def.roles.len(), options.width);
    let roles: Vec<String> = def
        .roles
        .iter()
        .map(|r| def.substitute(&r.name, settings))
        .collect();
    let header = header(m, &columns, &roles);
    let rows = step_rows(m, def, settings, &columns);
    let heights: Vec<f64> = rows.iter().map(|r| r.height).collect();
    let loops: Vec<(usize, usize)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.on_return.map(|t| (t, i)))
        .collect();
    let ranges = paginate(&heights, header.height, options.page_height, &loops);
    let mut pages: Vec<FlowPage> = ranges
        .iter()
        .enumerate()
        .map(|(p, range)| place_page(&columns, &header, &rows, range.clone(), p, ranges.len()))
        .collect();
    route::route(&mut pages, &rows_meta(&rows), &ranges, &columns);
    FlowLayout {
        columns,
        header,
        pages,
    }
}

/// What routing needs to know about each step row.
pub(crate) struct StepMeta {
    pub lane: usize,
    pub on_return: Option<usize>,
}

fn rows_meta(rows: &[StepRow]) -> Vec<StepMeta> {
    rows.iter()
        .map(|r| StepMeta {
            lane: r.lane,
            on_return: r.on_return,
        })
        .collect()
}

fn header(m: &Metrics, c: &Columns, roles: &[String]) -> Header {
    let wrap = |text: &str, col: &Column| m.wrap(text, col.width - 2.0 * PAD_X, FONT, true);
    let block = |lines: &Vec<String>| lines.len() as f64 * LINE + 2.0 * PAD_Y;
    let (lanes_l, lanes_r) = c.lanes_span();
    let pelaksana = Column {
        x: lanes_l,
        width: lanes_r - lanes_l,
    };
    let mutu = Column {
        x: c.persyaratan.x,
        width: c.keterangan.x - c.persyaratan.x,
    };
    let groups = [("Pelaksana", pelaksana), ("Mutu Baku", mutu)];
    let group_lines: Vec<(Column, Vec<String>)> =
        groups.iter().map(|(t, col)| (*col, wrap(t, col))).collect();
    let group_height = group_lines
        .iter()
        .map(|(_, l)| block(l))
        .fold(0.0, f64::max);
    let mut subs: Vec<(Column, Vec<String>)> = roles
        .iter()
        .zip(&c.lanes)
        .map(|(r, col)| (*col, wrap(r, col)))
        .collect();
    for (t, col) in [
        ("Persyaratan/ Kelengkapan", c.persyaratan),
        ("Waktu", c.waktu),
        ("Output", c.output),
    ] {
        subs.push((col, wrap(t, &col)));
    }
    let sub_height = subs.iter().map(|(_, l)| block(l)).fold(0.0, f64::max);
    let spanning: Vec<(Column, Vec<String>)> = [
        ("No", c.no),
        ("Kegiatan", c.kegiatan),
        ("Keterangan", c.keterangan),
    ]
    .iter()
    .map(|(t, col)| (*col, wrap(t, col)))
    .collect();
    let spanning_height = spanning.iter().map(|(_, l)| block(l)).fold(0.0, f64::max);
    let height = (group_height + sub_height).max(spanning_height);
    let sub_height = height - group_height;
    let cell = |col: Column, y: f64, h: f64, lines: Vec<String>| Cell {
        x: col.x,
        y,
        width: col.width,
        height: h,
        lines,
        align: Align::Center,
        bold: true,
    };
    let mut cells: Vec<Cell> = spanning
        .into_iter()
        .map(|(col, l)| cell(col, 0.0, height, l))
        .collect();
    cells.extend(
        group_lines
            .into_iter()
            .map(|(col, l)| cell(col, 0.0, group_height, l)),
    );
    cells.extend(
        subs.into_iter()
            .map(|(col, l)| cell(col, group_height, sub_height, l)),
    );
    Header {
        group_height,
        height,
        cells,
    }
}

/// Symbol size for a lane of width `lane`.
pub(crate) fn symbol_size(kind: SymbolKind, lane: f64) -> (f64, f64) {
    let w = (11.0 * MM).min(lane * 0.6);
    match kind {
        SymbolKind::Decision => (w, 8.5 * MM),
        SymbolKind::Process | SymbolKind::Terminator => (w, 6.0 * MM),
    }
}

fn step_rows(
    m: &Metrics,
    def: &SopDefinition,
    settings: &dyn Fn(&str) -> Option<String>,
    c: &Columns,
) -> Vec<StepRow> {
    let last = def.steps.len().saturating_sub(1);
    let index_of = |n: u32| def.steps.iter().position(|s| s.number == n);
    def.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let text = |t: &str| def.substitute(t, settings);
            let kegiatan = text(&s.kegiatan);
            let mut texts = vec![
                (c.no, s.number.to_string(), Align::Center),
                (c.kegiatan, kegiatan.clone(), Align::Left),
                (c.persyaratan, text(&s.persyaratan), Align::Left),
                (c.waktu, s.waktu.to_string(), Align::Center),
                (c.output, text(&s.output), Align::Left),
                (c.keterangan, text(&s.keterangan), Align::Left),
            ]
            .into_iter()
            .map(|(col, t, align)| (col, m.wrap(&t, col.width - 2.0 * PAD_X, FONT, false), align))
            .collect::<Vec<_>>();
            texts.retain(|(_, lines, _)| !lines.is_empty());
            let kind = if i == 0 || i == last {
                SymbolKind::Terminator
            } else if s.decision.is_some() {
                SymbolKind::Decision
            } else {
                SymbolKind::Process
            };
            let lane = def
                .roles
                .iter()
                .position(|r| r.key == s.pelaksana)
                .unwrap_or(0);
            let text_h = texts
                .iter()
                .map(|(_, l, _)| l.len() as f64 * LINE + 2.0 * PAD_Y)
                .fold(0.0, f64::max);
            let (_, sym_h) = symbol_size(kind, c.lanes.first().map_or(60.0, |l| l.width));
            StepRow {
                number: s.number,
                kind,
                lane,
                height: text_h.max(sym_h + 2.0 * SYMBOL_GAP),
                texts,
                title: kegiatan,
                on_return: s
                    .decision
                    .and_then(|d| index_of(d.on_return))
                    .filter(|&t| t < i),
            }
        })
        .collect()
}

/// Splits rows into pages. Each page holds the header, a connector row at the top when it
/// continues a previous page, its rows, and a connector row at the bottom when the table goes
/// on. A break that would cut a "Tidak" loop moves up to just before the loop's target when
/// the whole loop fits on one page, so loops stay on one page whenever possible.
fn paginate(
    heights: &[f64],
    header: f64,
    page_height: Option<f64>,
    loops: &[(usize, usize)],
) -> Vec<Range<usize>> {
    let n = heights.len();
    let Some(page) = page_height else {
        // One page holding every row: a one-element list of ranges, not a list of indices.
        #[allow(clippy::single_range_in_vec_init)]
        return vec![0..n];
    };
    let loop_fits = |t: usize, d: usize| {
        header + 2.0 * CONNECTOR_ROW + heights[t..=d].iter().sum::<f64>() <= page
    };
    let mut pages = Vec::new();
    let mut start = 0;
    while start < n {
        let mut used = header + if start > 0 { CONNECTOR_ROW } else { 0.0 };
        let mut end = start;
        while end < n {
            let bottom = if end + 1 < n { CONNECTOR_ROW } else { 0.0 };
            if used + heights[end] + bottom > page {
                break;
            }
            used += heights[end];
            end += 1;
        }
        // A row taller than a page still gets a page of its own.
        end = end.max(start + 1);
        while end < n {
            let cut = loops
                .iter()
                .filter(|&&(t, d)| t < end && d >= end && t > start && loop_fits(t, d))
                .map(|&(t, _)| t)
                .min();
            match cut {
                Some(t) => end = t,
                None => break,
            }
        }
        pages.push(start..end);
        start = end;
    }
    if pages.is_empty() {
        pages.push(0..0);
    }
    pages
}

fn place_page(
    c: &Columns,
    header: &Header,
    rows: &[StepRow],
    range: Range<usize>,
    page: usize,
    page_count: usize,
) -> FlowPage {
    let mut y = header.height;
    let mut out_rows = Vec::new();
    let connector_row = |y: f64| Row {
        kind: RowKind::Connectors,
        y,
        height: CONNECTOR_ROW,
        cells: Vec::new(),
    };
    if page > 0 {
        out_rows.push(connector_row(y));
        y += CONNECTOR_ROW;
    }
    let mut symbols = Vec::new();
    for r in &rows[range] {
        let cells = r
            .texts
            .iter()
            .map(|(col, lines, align)| Cell {
                x: col.x,
                y,
                width: col.width,
                height: r.height,
                lines: lines.clone(),
                align: *align,
                bold: false,
            })
            .collect();
        let lane = c.lanes[r.lane.min(c.lanes.len() - 1)];
        let (w, h) = symbol_size(r.kind, lane.width);
        symbols.push(Symbol {
            step: r.number,
            kind: r.kind,
            lane: r.lane,
            center: Point::new(lane.center(), y + r.height / 2.0),
            width: w,
            height: h,
            title: r.title.clone(),
        });
        out_rows.push(Row {
            kind: RowKind::Step(r.number),
            y,
            height: r.height,
            cells,
        });
        y += r.height;
    }
    if page + 1 < page_count {
        out_rows.push(connector_row(y));
        y += CONNECTOR_ROW;
    }
    FlowPage {
        height: y,
        rows: out_rows,
        symbols,
        arrows: Vec::new(),
        labels: Vec::new(),
        connectors: Vec::new(),
    }
}

/// Text layout constants shared with the drawing code.
pub(crate) mod text {
    pub const FONT: f64 = super::FONT;
    pub const LINE: f64 = super::LINE;
    pub const PAD_X: f64 = super::PAD_X;
    pub const PAD_Y: f64 = super::PAD_Y;
    pub const LABEL_FONT: f64 = super::LABEL_FONT;
    pub const CONNECTOR_W: f64 = super::CONNECTOR_W;
    pub const CONNECTOR_H: f64 = super::CONNECTOR_H;
    pub const SYMBOL_GAP: f64 = super::SYMBOL_GAP;
}
