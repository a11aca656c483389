//! Typst source + JSON inputs → PDF bytes.
//!
//! User data never becomes Typst source: the caller's inputs are serialised to the virtual
//! file `/inputs.json` and the template reads them with `json("/inputs.json")`, so a text
//! containing `#`, `$`, `]` or `"` is a string value and prints literally.

use typst::diag::SourceDiagnostic;
use typst_layout::PagedDocument;

use crate::error::DocumentError;
use crate::world::DocWorld;

/// The virtual path under which templates find their inputs.
pub const INPUTS_PATH: &str = "/inputs.json";

/// A finished PDF and its page count.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// Compiles `source` with `inputs` readable as `json("/inputs.json")` and exports it as PDF.
pub fn render_pdf(source: &str, inputs: &serde_json::Value) -> Result<Vec<u8>, DocumentError> {
    render(source, inputs).map(|r| r.pdf)
}

/// Like [`render_pdf`], also telling the page count.
pub fn render(source: &str, inputs: &serde_json::Value) -> Result<Rendered, DocumentError> {
    render_with_files(source, inputs, Vec::new())
}

/// Like [`render`], also serving `files` (absolute virtual paths such as `/qr.svg`) that the
/// template may read, e.g. with `image(d.qr)`; images travel as files, never as source.
pub fn render_with_files(
    source: &str,
    inputs: &serde_json::Value,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Rendered, DocumentError> {
    let document = compile_with_files(source, inputs, files);
    let pdf = document.and_then(|document| {
        typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map(|pdf| Rendered {
                pdf,
                pages: document.pages().len(),
            })
            .map_err(|errors| DocumentError::Export(messages(&errors)))
    });
    // Typst memoises across compilations; drop what has not been used for a while so a
    // long-running server does not grow without bound.
    typst::comemo::evict(10);
    pdf
}

/// Compiles to laid-out pages (for callers that want the page count or frames).
pub fn compile(source: &str, inputs: &serde_json::Value) -> Result<PagedDocument, DocumentError> {
    compile_with_files(source, inputs, Vec::new())
}

/// Like [`compile`], also serving `files` at their virtual paths.
pub fn compile_with_files(
    source: &str,
    inputs: &serde_json::Value,
    files: Vec<(String, Vec<u8>)>,
) -> Result<PagedDocument, DocumentError> {
    let mut all = vec![(INPUTS_PATH.to_string(), serde_json::to_vec(inputs)?)];
    all.extend(files);
    let world = DocWorld::new(source, all);
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| DocumentError::Compile(messages(&errors)))
}

/// Builds the shared fonts and standard library now, so the first request is not slow.
pub fn warm_up() {
    DocWorld::warm_up();
}

fn messages(errors: &[SourceDiagnostic]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            let hints: String = e
                .hints
                .iter()
                .map(|h| format!(" (hint: {})", h.v))
                .collect();
            format!("{}{hints}", e.message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_document_renders_to_pdf_bytes() {
        let pdf = render_pdf(
            "#let d = json(\"/inputs.json\")\n= #d.title\n",
            &serde_json::json!({ "title": "Halo" }),
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn a_broken_template_is_a_compile_error_with_the_message() {
        let err = render_pdf("#let x = (", &serde_json::json!({})).unwrap_err();
        assert!(
            matches!(err, DocumentError::Compile(ref m) if !m.is_empty()),
            "{err}"
        );
    }
}
