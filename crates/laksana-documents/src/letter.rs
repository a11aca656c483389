//! Letters in the tata naskah dinas of Permendagri 1/2023: the surat dinas (undangan, surat
//! pengantar), the Keputusan (SK Panitia) with its lampiran, and the rencana kerja print.
//!
//! - [`model`]: the print view models, plain serde structs frozen at the time of printing.
//! - [`print`]: model → Typst inputs → PDF, A4 portrait ([`render_letter`] and friends).
//! - [`docx`]: the same letters as DOCX drafts marked KONSEP for editing in a word processor.
//! - [`fields`]: body texts with `{named}` fields, checked and filled as plain text.
//! - [`words`]: Indonesian dates, diktum ordinals (KESATU, KEDUA, …) and rupiah amounts.
//! - [`qr`]: the verification QR code as SVG.

pub mod docx;
pub mod fields;
pub mod model;
pub mod print;
pub mod qr;
pub mod words;

pub use docx::{keputusan_docx, letter_docx};
pub use fields::{
    check, default_templates, fill, paragraphs, FieldError, FieldErrorKind, Template,
    CERTIFICATE_FIELDS, CERTIFICATE_TEMPLATE_KEY,
};
pub use model::{
    Anggaran, Anggota, BlockReport, Certificate, Jadwal, Kedudukan, Keputusan, Kop, KuotaDaerah,
    Letter, LetterTable, Paraf, Prefix, ReportBlock, ReportSigner, SasaranPeserta, Signer,
    TableReport, WorkPlan,
};
pub use print::{
    render_certificate, render_keputusan, render_letter, render_report, render_table,
    render_work_plan,
};
pub use qr::qr_svg;
pub use words::{diktum, rupiah, tanggal_indonesia, terbilang};
