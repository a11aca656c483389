//! The flowchart as SVG for the web page: the same geometry as the PDF, on one unbroken page,
//! with the current step highlighted, finished steps filled, and returned rounds counted.
//!
//! Symbols carry `data-step` and classes (`symbol current`, `symbol done`) so the page can
//! style or script them; every text is XML-escaped.

use std::fmt::Write;

use laksana_engine::SopDefinition;

use super::{display_list, layout, FlowLayout, FlowMarks, LayoutOptions, Point, Prim};
use crate::metrics::FAMILY;

/// The whole flowchart of `def` as one SVG document, marked with `marks`.
pub fn flowchart_svg(def: &SopDefinition, marks: &FlowMarks) -> String {
    let settings = |name: &str| marks.settings.get(name).cloned();
    let layout = layout(def, &settings, &LayoutOptions::screen());
    to_svg(&layout, 0, Some(marks))
}

/// Page `page` of a layout as an SVG document.
pub fn to_svg(layout: &FlowLayout, page: usize, marks: Option<&FlowMarks>) -> String {
    let width = layout.width();
    let height = layout.pages.get(page).map_or(0.0, |p| p.height);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sop-flowchart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="'{FAMILY}', 'Times New Roman', serif" role="img" aria-label="Bagan alir SOP">"#,
        w = num(width),
        h = num(height),
    );
    for prim in display_list(layout, page, marks) {
        write_prim(&mut s, &prim);
    }
    s.push_str("</svg>");
    s
}

fn write_prim(s: &mut String, prim: &Prim) {
    match prim {
        Prim::Rect {
            x,
            y,
            w,
            h,
            radius,
            fill,
            stroke,
            class,
            step,
            title,
        } => {
            let _ = write!(
                s,
                r#"<rect x="{}" y="{}" width="{}" height="{}""#,
                num(*x),
                num(*y),
                num(*w),
                num(*h)
            );
            if *radius > 0.0 {
                let _ = write!(s, r#" rx="{0}" ry="{0}""#, num(*radius));
            }
            paint(s, *fill, *stroke, *class, *step);
            close(s, "rect", title.as_deref());
        }
        Prim::Line { points, stroke } => {
            let _ = write!(
                s,
                r##"<polyline points="{}" fill="none" stroke="#000" stroke-width="{}"/>"##,
                points_attr(points),
                num(*stroke)
            );
        }
        Prim::Polygon {
            points,
            fill,
            stroke,
            class,
            step,
            title,
        } => {
            let _ = write!(s, r#"<polygon points="{}""#, points_attr(points));
            paint(s, *fill, *stroke, *class, *step);
            close(s, "polygon", title.as_deref());
        }
        Prim::Text {
            x,
            baseline,
            text,
            size,
            bold,
            width,
            centered,
            class,
        } => {
            // Browsers may draw another font than the one measured: centre by anchor.
            let (x, anchor) = if *centered {
                (x + width / 2.0, r#" text-anchor="middle""#)
            } else {
                (*x, "")
            };
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" font-size="{}"{}{}"#,
                num(x),
                num(*baseline),
                num(*size),
                if *bold { r#" font-weight="bold""# } else { "" },
                anchor
            );
            if let Some(c) = class {
                let _ = write!(s, r#" class="{c}""#);
            }
            let _ = write!(s, ">{}</text>", escape(text));
        }
    }
}

fn paint(s: &mut String, fill: Option<&str>, stroke: f64, class: Option<&str>, step: Option<u32>) {
    let _ = write!(s, r#" fill="{}""#, fill.unwrap_or("none"));
    if stroke > 0.0 {
        let _ = write!(s, r##" stroke="#000" stroke-width="{}""##, num(stroke));
    }
    if let Some(c) = class {
        let _ = write!(s, r#" class="{c}""#);
    }
    if let Some(n) = step {
        let _ = write!(s, r#" data-step="{n}""#);
    }
}

fn close(s: &mut String, tag: &str, title: Option<&str>) {
    match title {
        Some(t) => {
            let _ = write!(s, "><title>{}</title></{tag}>", escape(t));
        }
        None => s.push_str("/>"),
    }
}

fn points_attr(points: &[Point]) -> String {
    points
        .iter()
        .map(|p| format!("{},{}", num(p.x), num(p.y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A coordinate with at most two decimals and no trailing zeros.
pub(crate) fn num(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
