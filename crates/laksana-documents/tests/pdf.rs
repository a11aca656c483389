//! The SOP as PDF: pages, texts, escaping, substitution, long SOPs.

mod common;

use laksana_documents::render_sop;

/// The PDF's text with every run of whitespace made one space.
fn pdf_text(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf).expect("the PDF's text can be extracted");
    squash(&text)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_seed_renders_an_identity_page_then_the_flowchart_pages() {
    let def = common::seed();
    let doc = render_sop(&def, &common::settings).unwrap();
    assert!(doc.pdf.starts_with(b"%PDF-"));
    assert_eq!(doc.pages, 1 + doc.layout.pages.len());
    assert!(doc.pages >= 2);
    let c = doc.layout.counts();
    assert_eq!((c.terminators, c.processes, c.decisions), (2, 7, 2));

    let text = pdf_text(&doc.pdf);
    for needle in [
        "Nomor SOP",
        "Tanggal Pembuatan",
        "Tanggal Revisi",
        "Tanggal Efektif",
        "Disahkan oleh",
        "Nama SOP",
        "PENYELENGGARAAN PELATIHAN",
        "BALAI LATIHAN KERJA",
        "Dasar Hukum",
        "Kualifikasi Pelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "Pencatatan dan Pendataan",
        "Kegiatan",
        "Pelaksana",
        "Mutu Baku",
        "Keterangan",
        "Kepala Bidang",
        "Ya",
        "Tidak",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    for step in &def.steps {
        let kegiatan = squash(&step.kegiatan);
        assert!(
            text.contains(&kegiatan),
            "step {}: {kegiatan:?} missing",
            step.number
        );
    }
}

#[test]
fn the_head_of_unit_title_is_substituted() {
    let def = common::seed();
    let settings = |name: &str| (name == "head_title").then(|| "Kepala UPT BLK".to_string());
    let doc = render_sop(&def, &settings).unwrap();
    let text = pdf_text(&doc.pdf);
    assert!(text.contains("Instruksi Kepala UPT BLK"), "{text}");
    assert!(!text.contains("BKOM"));
}

#[test]
fn user_text_with_typst_syntax_prints_literally() {
    let nasty = r##"#panic("x") *tebal* $x^2$ ] [ "kutip" \ @ref <lbl> #{1+1} // c"##;
    let def = common::generated(4, false, nasty);
    let doc = render_sop(&def, &common::settings).expect("renders; nothing executed");
    let text = pdf_text(&doc.pdf);
    let expected = squash(nasty);
    // The identity block shows it whole; the kegiatan cell too (possibly over lines).
    assert!(
        text.contains(&expected),
        "{expected:?} missing from:\n{text}"
    );
    assert!(text.matches("#panic").count() >= 8, "{text}");
    assert!(!text.contains("x2 "), "math was not evaluated");
}

#[test]
fn a_sixty_step_sop_renders_across_pages_with_connectors() {
    let def = common::generated(60, true, "Langkah dua");
    let doc = render_sop(&def, &common::settings).unwrap();
    assert!(doc.layout.pages.len() >= 3);
    assert_eq!(doc.pages, 1 + doc.layout.pages.len());
    let c = doc.layout.counts();
    assert_eq!(c.connectors, 2 * (doc.layout.pages.len() - 1) + 2);
    let text = pdf_text(&doc.pdf);
    for step in &def.steps {
        assert!(
            text.contains(&squash(&step.kegiatan)),
            "step {}",
            step.number
        );
    }
}

#[test]
fn missing_identity_fields_print_a_dash() {
    let def = common::seed();
    assert!(def.identity.nomor.is_none());
    let doc = render_sop(&def, &common::settings).unwrap();
    let text = pdf_text(&doc.pdf);
    assert!(text.contains("Nomor SOP -"), "{text}");
}
