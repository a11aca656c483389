//! Official documents typeset with Typst embedded as a library, and the SOP flowchart as SVG.
//!
//! - [`render`]: any Typst template plus JSON inputs → PDF. The template reads its data with
//!   `json("/inputs.json")`; user text is never spliced into source, so it cannot execute.
//! - [`sop`]: the SOP document in the Permenpan RB 35/2012 layout (identity page, flowchart
//!   table with off-page connectors), A4 landscape.
//! - [`flowchart`]: the table's geometry computed in Rust, drawn by the PDF template and as
//!   SVG for the web page ([`flowchart_svg`]), so both show the same chart.
//!
//! The Typst world ([`world`]) serves only in-memory files and the fonts of `typst-assets`:
//! no file system, no network, no system fonts, so output is the same on every machine.
//!
//! - [`letter`]: the tata naskah dinas of Permendagri 1/2023 — surat dinas (undangan, surat
//!   pengantar), Keputusan with its lampiran, the rencana kerja print — as PDF (with an
//!   optional verification QR) and as DOCX drafts marked KONSEP; body texts with `{named}`
//!   fields ([`letter::fields`]).

pub mod error;
pub mod flowchart;
pub mod letter;
pub mod metrics;
pub mod render;
pub mod sop;
pub mod world;

pub use error::DocumentError;
pub use flowchart::{flowchart_svg, FlowLayout, FlowMarks, LayoutOptions, StepMark, SymbolCounts};
pub use letter::{
    check, default_templates, diktum, fill, keputusan_docx, letter_docx, paragraphs, qr_svg,
    render_keputusan, render_letter, render_work_plan, rupiah, tanggal_indonesia, terbilang,
    Anggaran, Anggota, FieldError, FieldErrorKind, Jadwal, Kedudukan, Keputusan, Kop, KuotaDaerah,
    Letter, LetterTable, Paraf, Prefix, SasaranPeserta, Signer, Template, WorkPlan,
};
pub use render::{render_pdf, render_with_files, warm_up, Rendered};
pub use sop::{render_sop, sop_pdf, SopDocument};
