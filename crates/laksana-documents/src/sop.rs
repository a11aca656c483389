//! The official SOP document: page 1 is the identity block of the Permenpan RB 35/2012
//! template, then the flowchart table on A4 landscape, its header repeated on every page.
//!
//! Display texts go through [`SopDefinition::substitute`] with the caller's settings (e.g.
//! `head_title`), so the document shows the unit's own title where the source has a leftover.

use laksana_engine::SopDefinition;
use serde_json::{json, Value};

use crate::error::DocumentError;
use crate::flowchart::{self, display_list, FlowLayout, LayoutOptions, Prim, MM};
use crate::render;

/// Width of the table area: A4 landscape less 15 mm margins at the left and right.
pub const TABLE_WIDTH: f64 = 267.0 * MM;
/// Height of the table area: A4 landscape less the top margin (12 mm) and the footer margin
/// (16 mm), with 1 mm to spare so rounding never pushes a page over.
pub const TABLE_HEIGHT: f64 = 181.0 * MM;

const TEMPLATE: &str = include_str!("templates/sop.typ");

/// A rendered SOP: the PDF, its page count, and the flowchart geometry it was drawn from.
pub struct SopDocument {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub layout: FlowLayout,
}

/// The SOP as PDF bytes.
pub fn sop_pdf(
    def: &SopDefinition,
    settings: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<u8>, DocumentError> {
    render_sop(def, settings).map(|d| d.pdf)
}

/// The SOP as PDF, with its page count and flowchart layout (for tests and diagnostics).
pub fn render_sop(
    def: &SopDefinition,
    settings: &dyn Fn(&str) -> Option<String>,
) -> Result<SopDocument, DocumentError> {
    let layout = flowchart::layout(def, settings, &LayoutOptions::a4_landscape());
    let inputs = sop_inputs(def, settings, &layout);
    let rendered = render::render(TEMPLATE, &inputs)?;
    Ok(SopDocument {
        pdf: rendered.pdf,
        pages: rendered.pages,
        layout,
    })
}

/// The template's inputs: identity fields as strings, the six lists, and the flowchart pages
/// as drawing primitives.
pub fn sop_inputs(
    def: &SopDefinition,
    settings: &dyn Fn(&str) -> Option<String>,
    layout: &FlowLayout,
) -> Value {
    let text = |s: &str| def.substitute(s, settings);
    let opt = |s: &Option<String>| s.as_deref().map(text);
    let list = |xs: &[String]| xs.iter().map(|s| text(s)).collect::<Vec<_>>();
    let id = &def.identity;
    let pages: Vec<Value> = (0..layout.pages.len())
        .map(|p| {
            json!({
                "height": round(layout.pages[p].height),
                "items": display_list(layout, p, None).iter().map(prim_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let nama = text(&def.nama);
    let nomor = opt(&id.nomor).filter(|n| !n.trim().is_empty());
    json!({
        "title": format!("SOP {nama}"),
        "footer": match &nomor {
            Some(n) => format!("SOP {nama} \u{2014} Nomor {n}"),
            None => format!("SOP {nama}"),
        },
        "unit": text(&def.unit),
        "nomor": nomor,
        "tanggal_pembuatan": opt(&id.tanggal_pembuatan),
        "tanggal_revisi": opt(&id.tanggal_revisi),
        "tanggal_efektif": opt(&id.tanggal_efektif),
        "pengesah": id.disahkan_oleh.as_ref().map(|p| json!({
            "jabatan": text(&p.jabatan),
            "nama": text(&p.nama),
            "nip": text(&p.nip),
        })),
        "nama": nama,
        "subjudul": opt(&def.subjudul),
        "dasar_hukum": list(&def.dasar_hukum),
        "kualifikasi_pelaksana": list(&def.kualifikasi_pelaksana),
        "keterkaitan": list(&def.keterkaitan),
        "peralatan": list(&def.peralatan),
        "peringatan": list(&def.peringatan),
        "pencatatan": list(&def.pencatatan),
        "flow": { "width": round(layout.width()), "pages": pages },
    })
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// One primitive in the compact form the template's `draw` reads.
fn prim_json(p: &Prim) -> Value {
    let pts = |points: &[flowchart::Point]| {
        points
            .iter()
            .map(|q| json!([round(q.x), round(q.y)]))
            .collect::<Vec<_>>()
    };
    match p {
        Prim::Rect {
            x,
            y,
            w,
            h,
            radius,
            fill,
            stroke,
            ..
        } => json!({
            "k": "r", "x": round(*x), "y": round(*y), "w": round(*w), "h": round(*h),
            "r": round(*radius), "f": fill, "sw": stroke,
        }),
        Prim::Line { points, stroke } => json!({ "k": "l", "p": pts(points), "sw": stroke }),
        Prim::Polygon {
            points,
            fill,
            stroke,
            ..
        } => json!({ "k": "g", "p": pts(points), "f": fill, "sw": stroke }),
        Prim::Text {
            x,
            baseline,
            text,
            size,
            bold,
            ..
        } => json!({
            "k": "t", "x": round(*x), "y": round(*baseline), "v": text, "s": size, "b": bold,
        }),
    }
}
