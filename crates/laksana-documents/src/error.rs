//! The one error type of this crate.

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The generated Typst source did not compile. This is a bug in a template, never in the
    /// user's data (data is passed as JSON, not as source); the messages say where.
    #[error("dokumen gagal disusun (Typst): {}", .0.join("; "))]
    Compile(Vec<String>),
    /// The laid-out document could not be written as PDF.
    #[error("PDF gagal dibuat: {}", .0.join("; "))]
    Export(Vec<String>),
    /// The inputs could not be serialised to JSON.
    #[error("data dokumen tidak dapat diserialisasi: {0}")]
    Inputs(#[from] serde_json::Error),
    /// The verification URL could not be encoded as a QR code (e.g. far too long).
    #[error("kode QR verifikasi gagal dibuat: {0}")]
    Qr(String),
    /// The DOCX draft could not be written.
    #[error("konsep DOCX gagal dibuat: {0}")]
    Docx(String),
}
