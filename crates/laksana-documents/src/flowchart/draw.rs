//! A laid-out page as a flat list of drawing primitives, the one thing both back ends read:
//! the Typst template places them one by one, and [`super::svg`] writes them as SVG elements.

use super::{
    text, Align, Cell, FlowLayout, FlowMarks, FlowPage, Point, RowKind, Symbol, SymbolKind,
};
use crate::metrics::metrics;

const GRID: f64 = 0.5;
const BORDER: f64 = 0.9;
const ARROW: f64 = 0.7;
const SYMBOL: f64 = 0.8;
const HEAD_LEN: f64 = 4.2;
const HEAD_HALF: f64 = 1.9;

const HEADER_FILL: &str = "#e4e4e4";
const WHITE: &str = "#ffffff";
const CURRENT_ROW: &str = "#fff6cc";
const CURRENT_FILL: &str = "#ffcf33";
const DONE_FILL: &str = "#cfe8cf";

/// One drawing operation, in points, y downwards.
#[derive(Clone, Debug, PartialEq)]
pub enum Prim {
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        radius: f64,
        fill: Option<&'static str>,
        stroke: f64,
        class: Option<&'static str>,
        step: Option<u32>,
        title: Option<String>,
    },
    /// An open polyline.
    Line { points: Vec<Point>, stroke: f64 },
    Polygon {
        points: Vec<Point>,
        fill: Option<&'static str>,
        stroke: f64,
        class: Option<&'static str>,
        step: Option<u32>,
        title: Option<String>,
    },
    /// One line of text. `x` is its left end; `width` its measured width.
    Text {
        x: f64,
        baseline: f64,
        text: String,
        size: f64,
        bold: bool,
        width: f64,
        centered: bool,
        class: Option<&'static str>,
    },
}

/// The primitives of page `page`; `marks` colour the current and finished steps (screen only).
pub fn display_list(layout: &FlowLayout, page: usize, marks: Option<&FlowMarks>) -> Vec<Prim> {
    let Some(p) = layout.pages.get(page) else {
        return Vec::new();
    };
    let width = layout.width();
    let mut out = vec![Prim::Rect {
        x: 0.0,
        y: 0.0,
        w: width,
        h: layout.header.height,
        radius: 0.0,
        fill: Some(HEADER_FILL),
        stroke: 0.0,
        class: Some("header"),
        step: None,
        title: None,
    }];
    if let Some(marks) = marks {
        for row in &p.rows {
            if let RowKind::Step(n) = row.kind {
                if marks.mark(n).current {
                    out.push(Prim::Rect {
                        x: 0.0,
                        y: row.y,
                        w: width,
                        h: row.height,
                        radius: 0.0,
                        fill: Some(CURRENT_ROW),
                        stroke: 0.0,
                        class: Some("row-current"),
                        step: Some(n),
                        title: None,
                    });
                }
            }
        }
    }
    grid(layout, p, &mut out);
    for cell in layout
        .header
        .cells
        .iter()
        .chain(p.rows.iter().flat_map(|r| &r.cells))
    {
        cell_text(cell, &mut out);
    }
    for arrow in &p.arrows {
        arrow_prims(&arrow.points, &mut out);
    }
    for s in &p.symbols {
        symbol(s, marks, &mut out);
    }
    for c in &p.connectors {
        out.push(Prim::Polygon {
            points: c.corners().to_vec(),
            fill: Some(WHITE),
            stroke: SYMBOL,
            class: Some("connector"),
            step: None,
            title: None,
        });
        let size = text::LABEL_FONT + 0.5;
        let w = metrics().width(&c.label, size, true);
        let top = c.center.y - c.height / 2.0;
        out.push(Prim::Text {
            x: c.center.x - w / 2.0,
            baseline: top + c.height * 0.3 + 0.36 * size,
            text: c.label.clone(),
            size,
            bold: true,
            width: w,
            centered: true,
            class: Some("connector-label"),
        });
    }
    for l in &p.labels {
        out.push(Prim::Text {
            x: l.x,
            baseline: l.baseline,
            text: l.text.clone(),
            size: l.size,
            bold: false,
            width: l.width,
            centered: false,
            class: Some("branch"),
        });
    }
    out
}

fn grid(layout: &FlowLayout, p: &FlowPage, out: &mut Vec<Prim>) {
    let c = &layout.columns;
    let width = layout.width();
    let h = p.height;
    let line = |a: Point, b: Point, stroke: f64| Prim::Line {
        points: vec![a, b],
        stroke,
    };
    // Below the group titles "Pelaksana" and "Mutu Baku" only.
    let (lanes_l, _) = c.lanes_span();
    let g = layout.header.group_height;
    out.push(line(
        Point::new(lanes_l, g),
        Point::new(c.keterangan.x, g),
        GRID,
    ));
    out.push(line(
        Point::new(0.0, layout.header.height),
        Point::new(width, layout.header.height),
        BORDER,
    ));
    for row in p.rows.iter().filter(|r| r.y + r.height < h - 0.01) {
        let y = row.y + row.height;
        out.push(line(Point::new(0.0, y), Point::new(width, y), GRID));
    }
    let inside_groups: Vec<f64> = c
        .lanes
        .iter()
        .skip(1)
        .map(|l| l.x)
        .chain([c.waktu.x, c.output.x])
        .collect();
    let borders = c.borders();
    for &x in &borders[1..borders.len() - 1] {
        let top = if inside_groups.iter().any(|g| (g - x).abs() < 0.01) {
            g
        } else {
            0.0
        };
        out.push(line(Point::new(x, top), Point::new(x, h), GRID));
    }
    out.push(Prim::Rect {
        x: 0.0,
        y: 0.0,
        w: width,
        h,
        radius: 0.0,
        fill: None,
        stroke: BORDER,
        class: Some("frame"),
        step: None,
        title: None,
    });
}

fn cell_text(cell: &Cell, out: &mut Vec<Prim>) {
    let m = metrics();
    let size = text::FONT;
    let block = cell.lines.len() as f64 * text::LINE;
    // Lines are centred vertically in their row, like the symbol beside them.
    let top = cell.y + ((cell.height - block) / 2.0).max(text::PAD_Y);
    let lead = (text::LINE - size * 1.14) / 2.0;
    for (i, line) in cell.lines.iter().enumerate() {
        let w = m.width(line.trim_end(), size, cell.bold);
        let x = match cell.align {
            Align::Left => cell.x + text::PAD_X,
            Align::Center => cell.x + (cell.width - w) / 2.0,
        };
        out.push(Prim::Text {
            x,
            baseline: top + i as f64 * text::LINE + lead + m.ascent(size),
            text: line.clone(),
            size,
            bold: cell.bold,
            width: w,
            centered: cell.align == Align::Center,
            class: None,
        });
    }
}

fn arrow_prims(points: &[Point], out: &mut Vec<Prim>) {
    let n = points.len();
    if n < 2 {
        return;
    }
    let (a, tip) = (points[n - 2], points[n - 1]);
    let len = ((tip.x - a.x).powi(2) + (tip.y - a.y).powi(2))
        .sqrt()
        .max(0.001);
    let (ux, uy) = ((tip.x - a.x) / len, (tip.y - a.y) / len);
    let base = Point::new(tip.x - ux * HEAD_LEN, tip.y - uy * HEAD_LEN);
    // The line stops at the head's base so it does not show through the tip.
    let mut line = points.to_vec();
    line[n - 1] = base;
    out.push(Prim::Line {
        points: line,
        stroke: ARROW,
    });
    out.push(Prim::Polygon {
        points: vec![
            tip,
            Point::new(base.x - uy * HEAD_HALF, base.y + ux * HEAD_HALF),
            Point::new(base.x + uy * HEAD_HALF, base.y - ux * HEAD_HALF),
        ],
        fill: Some("#000000"),
        stroke: 0.0,
        class: Some("arrowhead"),
        step: None,
        title: None,
    });
}

fn symbol(s: &Symbol, marks: Option<&FlowMarks>, out: &mut Vec<Prim>) {
    let mark = marks.map(|m| m.mark(s.step)).unwrap_or_default();
    let (fill, class, stroke) = if mark.current {
        (CURRENT_FILL, "symbol current", SYMBOL * 1.8)
    } else if mark.done {
        (DONE_FILL, "symbol done", SYMBOL)
    } else {
        (WHITE, "symbol", SYMBOL)
    };
    let title = Some(format!("{}. {}", s.step, s.title));
    let (cx, cy, w, h) = (s.center.x, s.center.y, s.width, s.height);
    match s.kind {
        SymbolKind::Terminator | SymbolKind::Process => out.push(Prim::Rect {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
            radius: if s.kind == SymbolKind::Terminator {
                h / 2.0
            } else {
                0.0
            },
            fill: Some(fill),
            stroke,
            class: Some(class),
            step: Some(s.step),
            title,
        }),
        SymbolKind::Decision => out.push(Prim::Polygon {
            points: vec![
                Point::new(cx, cy - h / 2.0),
                Point::new(cx + w / 2.0, cy),
                Point::new(cx, cy + h / 2.0),
                Point::new(cx - w / 2.0, cy),
            ],
            fill: Some(fill),
            stroke,
            class: Some(class),
            step: Some(s.step),
            title,
        }),
    }
    if mark.returned > 0 {
        let size = text::LABEL_FONT;
        let label = format!("\u{21ba}{}", mark.returned);
        out.push(Prim::Text {
            x: cx + w / 2.0 + 1.0,
            baseline: cy - h / 2.0 - 1.5,
            width: metrics().width(&label, size, true),
            text: label,
            size,
            bold: true,
            centered: false,
            class: Some("returned"),
        });
    }
}
