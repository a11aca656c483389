//! Letters as PDF and DOCX: the parts of the tata naskah dinas, hard names, prefixes, long
//! titles, the SK lampiran over many pages (case L4), drafts and the verification QR.

mod common;

use std::io::Read;

use common::letters::{self, NIP_KEPALA, SK_TITLE};
use laksana_documents::{
    check, keputusan_docx, letter_docx, render_keputusan, render_letter, render_work_plan,
    FieldErrorKind, Prefix, Rendered,
};

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF's text with every run of whitespace made one space.
fn pdf_text(pdf: &[u8]) -> String {
    squash(&pdf_extract::extract_text_from_mem(pdf).expect("the PDF's text can be extracted"))
}

/// Each page's text, squashed.
fn page_texts(doc: &Rendered) -> Vec<String> {
    let pages = pdf_extract::extract_text_from_mem_by_pages(&doc.pdf).expect("pages extract");
    assert_eq!(pages.len(), doc.pages);
    pages.iter().map(|p| squash(p)).collect()
}

fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        let needle = squash(needle);
        assert!(text.contains(&needle), "{needle:?} missing from:\n{text}");
    }
}

/// The word/document.xml of a DOCX, which must be a valid zip.
fn docx_document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a DOCX is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn docx_header_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    let mut xml = String::new();
    for name in names.iter().filter(|n| n.starts_with("word/header")) {
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    }
    xml
}

#[test]
fn the_undangan_prints_every_part_of_a_surat_dinas_on_one_page() {
    let letter = letters::undangan();
    let doc = render_letter(&letter).unwrap();
    assert!(doc.pdf.starts_with(b"%PDF-"));
    assert_eq!(doc.pages, 1);
    let text = pdf_text(&doc.pdf);
    assert_contains(
        &text,
        &[
            "PEMERINTAH PROVINSI CONTOH",
            "DINAS TENAGA KERJA DAN TRANSMIGRASI",
            "UPT BALAI LATIHAN KERJA",
            "Jalan Contoh Nomor 1, Kota Contoh 12345",
            "blk@contoh.go.id",
            "Kota Contoh, 23 Desember 2026",
            "Nomor : 500.15.4/123/BLK",
            "Sifat : Penting",
            "Lampiran : 1 (satu) berkas",
            "Hal : Undangan Pelatihan Menjahit Angkatan I",
            "Yth. Kepala Dinas Tenaga Kerja Kabupaten Contoh",
            "di Tempat",
            "Kuota Peserta",
            "Kabupaten/Kota",
            "Kepala Dinas Tenaga Kerja dan Transmigrasi,",
            "Dr. Ni Luh Putu Sri'ani, S.H., M.M.",
            "Pembina Utama Muda (IV/c)",
            &format!("NIP. {NIP_KEPALA}"),
            "Tembusan:",
            "Gubernur Contoh (sebagai laporan);",
            "Arsip.",
            // (the verification link wraps; it is checked in a_signed_document_has_a_qr_code_and_its_url)
        ],
    );
    for p in &letter.isi {
        assert_contains(&text, &[p]);
    }
    // The paraf hierarki: who and when.
    assert_contains(
        &text,
        &["Kepala Seksi Pelatihan", "Ma'ruf", "21-12-2026", "Ñoño"],
    );
    assert!(
        !text.contains("KONSEP"),
        "a final letter is not marked as draft"
    );
}

#[test]
fn a_draft_is_marked_konsep_and_an_unnumbered_letter_keeps_room_for_the_number() {
    let letter = letters::pengantar();
    assert!(letter.draft && letter.nomor.is_none() && letter.tanggal.is_none());
    let doc = render_letter(&letter).unwrap();
    assert_eq!(doc.pages, 1);
    let text = pdf_text(&doc.pdf);
    assert_contains(&text, &["KONSEP", "Nomor : Sifat : Biasa", "Kota Contoh,"]);
    assert!(!text.contains("Desember 2026"), "{text}");
}

#[test]
fn several_addressees_print_as_a_list_and_the_an_prefix_prints_above_the_jabatan() {
    let text = pdf_text(&render_letter(&letters::pengantar()).unwrap().pdf);
    assert_contains(
        &text,
        &[
            "Yth. 1. Kepala Dinas Tenaga Kerja Kabupaten Contoh",
            "2. Kepala Dinas Tenaga Kerja Kota Contoh",
            "3. Kepala Dinas Tenaga Kerja Kabupaten Lain",
            "a.n. Kepala Dinas Tenaga Kerja dan Transmigrasi",
            "Kepala Bidang Pelatihan dan Produktivitas,",
            "Ma'ruf Ñoño, S.T.",
            "NIP. 198001012005011002",
        ],
    );
}

#[test]
fn many_addressees_can_go_to_a_daftar_terlampir_page() {
    let mut letter = letters::pengantar();
    letter.kepada = (1..=30)
        .map(|i| format!("Kepala Dinas Kabupaten Nomor {i}"))
        .collect();
    letter.kepada_terlampir = true;
    let doc = render_letter(&letter).unwrap();
    let pages = page_texts(&doc);
    assert_eq!(doc.pages, 2);
    assert_contains(&pages[0], &["Yth. Daftar terlampir"]);
    assert_contains(
        &pages[1],
        &["DAFTAR PENERIMA SURAT", "Kepala Dinas Kabupaten Nomor 30"],
    );
}

#[test]
fn plt_and_plh_prefixes_print_before_the_jabatan() {
    for (prefix, expected) in [
        (
            Prefix::Plt,
            "Plt. Kepala Dinas Tenaga Kerja dan Transmigrasi,",
        ),
        (
            Prefix::Plh,
            "Plh. Kepala Dinas Tenaga Kerja dan Transmigrasi,",
        ),
        (
            Prefix::Ub("Sekretaris Dinas".into()),
            "u.b. Sekretaris Dinas Kepala Dinas Tenaga Kerja dan Transmigrasi,",
        ),
    ] {
        let mut letter = letters::undangan();
        letter.signer.prefix = prefix;
        let text = pdf_text(&render_letter(&letter).unwrap().pdf);
        assert_contains(&text, &[expected]);
    }
}

#[test]
fn names_and_titles_with_apostrophes_non_ascii_and_typst_syntax_print_exactly() {
    let nasty = r##"Pelatihan #1 "Menjahit" $x^2$ ] [ \ @ref <lbl> // Sri'ani"##;
    let mut letter = letters::undangan();
    letter.hal = nasty.into();
    letter.kepada = vec![format!("Bapak Ñoño ({nasty})")];
    letter.isi[0] = format!("Judul: {nasty}. Nama: Ni Luh Putu Sri'ani dan Ma'ruf.");
    let text = pdf_text(
        &render_letter(&letter)
            .expect("renders; nothing executed")
            .pdf,
    );
    assert_contains(
        &text,
        &[&format!("Hal : {nasty}"), &format!("Bapak Ñoño ({nasty})")],
    );
    assert_contains(&text, &["Nama: Ni Luh Putu Sri'ani dan Ma'ruf."]);
    assert!(!text.contains("x2"), "math was not evaluated");

    let mut sk = letters::keputusan(5);
    sk.tentang = nasty.into();
    sk.panitia[4].nama = "Ni Luh Putu Sri'ani".into();
    let text = pdf_text(&render_keputusan(&sk).unwrap().pdf);
    // Titles print in capitals; Rust's upper-casing keeps the symbols.
    assert_contains(&text, &[&nasty.to_uppercase(), "Ni Luh Putu Sri'ani"]);
}

#[test]
fn a_very_long_hal_wraps_and_the_undangan_stays_on_one_page() {
    let mut letter = letters::undangan();
    letter.hal = "Undangan Pengiriman Calon Peserta Pelatihan Berbasis Kompetensi Kejuruan \
                  Garmen Apparel Program Menjahit Pakaian Wanita Angkatan I Tahun Anggaran 2027 \
                  bagi Pencari Kerja di Kabupaten/Kota se-Provinsi Contoh"
        .into();
    let doc = render_letter(&letter).unwrap();
    assert_eq!(doc.pages, 1);
    let text = pdf_text(&doc.pdf);
    assert_contains(&text, &[&letter.hal, "Kota Contoh, 23 Desember 2026"]);
}

#[test]
fn the_sk_prints_its_structure_with_diktum_ordinals_and_a_lampiran() {
    let sk = letters::keputusan(12);
    let doc = render_keputusan(&sk).unwrap();
    let text = pdf_text(&doc.pdf);
    assert_contains(
        &text,
        &[
            "KEPUTUSAN KEPALA DINAS TENAGA KERJA DAN TRANSMIGRASI PROVINSI CONTOH",
            "NOMOR 500.15.4/124/BLK",
            "TENTANG",
            &SK_TITLE.to_uppercase(),
            "KEPALA DINAS TENAGA KERJA DAN TRANSMIGRASI PROVINSI CONTOH,",
            "Menimbang : a. bahwa dalam rangka",
            "b. bahwa berdasarkan pertimbangan",
            "Mengingat : 1. Undang-Undang Nomor 13 Tahun 2003",
            "3. Peraturan Menteri Dalam Negeri Nomor 1 Tahun 2023",
            "MEMUTUSKAN",
            "Menetapkan : KEPUTUSAN KEPALA DINAS",
            "KESATU : Membentuk Panitia",
            "KEDUA : Panitia sebagaimana",
            "KETIGA : Segala biaya",
            "KEEMPAT : Keputusan ini mulai berlaku",
            "Ditetapkan di : Kota Contoh",
            "pada tanggal : 23 Desember 2026",
            "Dr. Ni Luh Putu Sri'ani, S.H., M.M.",
            &format!("NIP. {NIP_KEPALA}"),
            "Tembusan:",
            "Inspektur Provinsi Contoh;",
            "LAMPIRAN",
            "TANGGAL : 23 Desember 2026",
            "SUSUNAN PANITIA PELATIHAN MENJAHIT ANGKATAN I",
            "No Nama NIP/Jabatan Kedudukan",
            "Pengarah",
            "Penanggung Jawab",
            "Ketua",
            "Sekretaris",
            "Anggota Panitia 12",
        ],
    );
    // The lampiran carries the same signer block as the decree.
    assert_eq!(
        text.matches("Dr. Ni Luh Putu Sri'ani, S.H., M.M.").count(),
        2
    );
}

#[test]
fn a_120_row_lampiran_repeats_its_header_and_never_leaves_the_signature_alone_case_l4() {
    let sk = letters::keputusan(120);
    let doc = render_keputusan(&sk).unwrap();
    let pages = page_texts(&doc);
    let first_lampiran = pages
        .iter()
        .position(|p| p.contains("SUSUNAN PANITIA"))
        .expect("a lampiran page");
    assert!(
        doc.pages - first_lampiran >= 3,
        "120 rows span several pages: {} lampiran pages",
        doc.pages - first_lampiran
    );
    for (i, page) in pages.iter().enumerate().skip(first_lampiran) {
        assert!(
            page.contains("Kedudukan"),
            "page {} has no header row: {page}",
            i + 1
        );
    }
    let last = pages.last().unwrap();
    assert!(last.contains("Dr. Ni Luh Putu Sri'ani"), "{last}");
    assert!(
        last.contains("Anggota Panitia 120 Instruktur Kejuruan Garmen Anggota"),
        "the last page holds table rows with the signature: {last}"
    );
    // The pejabat pengolah's paraf stands at the foot of every page but the last.
    let pengolah = format!("Paraf: {}", sk.paraf[0].nama);
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(
            page.contains(&pengolah),
            i + 1 < pages.len(),
            "page {} of {}: {page}",
            i + 1,
            pages.len()
        );
    }
    // Every member printed once.
    let all = pages.join(" ");
    for i in [1, 59, 60, 61, 119, 120] {
        assert_eq!(
            all.matches(&format!("Anggota Panitia {i} ")).count(),
            1,
            "row {i}"
        );
    }
}

#[test]
fn the_signature_never_stands_alone_whatever_the_row_count() {
    // Row counts around page boundaries: the last page always has rows as well as the name.
    for rows in [
        1, 2, 3, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 45, 46, 47, 48,
    ] {
        let doc = render_keputusan(&letters::keputusan(rows)).unwrap();
        let pages = page_texts(&doc);
        let last = pages.last().unwrap();
        assert!(
            last.contains(&format!("Anggota Panitia {rows} ")) && last.contains("Kedudukan"),
            "{rows} rows: last page without table rows: {last}"
        );
    }
}

#[test]
fn a_500_row_sk_renders() {
    let doc = render_keputusan(&letters::keputusan(500)).unwrap();
    assert!(doc.pages > 15, "{} pages", doc.pages);
    let pages = page_texts(&doc);
    assert!(pages.last().unwrap().contains("Anggota Panitia 500 "));
}

#[test]
fn a_signed_document_has_a_qr_code_and_its_url() {
    let letter = letters::undangan();
    let doc = render_letter(&letter).unwrap();
    // The QR is an image in the PDF (an SVG becomes vector paths; look for its URL text and a
    // form/XObject or path-heavy page rather than decoding the code).
    // The printed link may wrap (it carries zero-width break points): compare without breaks.
    let joined: String = pdf_text(&doc.pdf)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect();
    assert!(
        joined.contains(letter.verifikasi.as_deref().unwrap()),
        "{joined}"
    );
    let mut unsigned = letter.clone();
    unsigned.verifikasi = None;
    let without = render_letter(&unsigned).unwrap();
    assert!(!pdf_text(&without.pdf).contains("verifikasi"));
    assert!(doc.pdf.len() > without.pdf.len(), "the QR adds drawing");
}

#[test]
fn a_long_verification_link_wraps_inside_the_page() {
    let mut letter = letters::undangan();
    let token = "564f151601a33b118bb109ce651213ab9f0c7d2e";
    letter.verifikasi = Some(format!(
        "https://laksana.disnakertrans.jawabarat.example.go.id/verifikasi/{token}"
    ));
    letter.signer.jabatan = "Kepala Dinas Tenaga Kerja dan Transmigrasi Provinsi Jawa Barat".into();
    letter.signer.nama = "Sri'ani Ñurhayati, S.H., M.AP.".into();
    let doc = render_letter(&letter).unwrap();
    let joined: String = pdf_text(&doc.pdf)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect();
    // Every character of the token is printed (nothing ran off the page and was clipped).
    assert!(joined.contains(token), "{joined}");
}

#[test]
fn a_signature_image_and_a_png_logo_are_accepted() {
    // A 1×1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    let mut letter = letters::undangan();
    letter.kop.logo = Some(PNG.to_vec());
    letter.signer.ttd = Some(letters::logo_svg().into_bytes());
    let doc = render_letter(&letter).unwrap();
    assert_eq!(doc.pages, 1);
}

#[test]
fn the_work_plan_prints_schedule_quota_budget_against_the_dpa_and_committee() {
    let plan = letters::work_plan();
    let doc = render_work_plan(&plan).unwrap();
    let text = pdf_text(&doc.pdf);
    assert_contains(
        &text,
        &[
            "UPT BALAI LATIHAN KERJA",
            "Rencana Kerja Pelatihan Menjahit Angkatan I",
            "Kejuruan : Garmen Apparel",
            "Menjahit Pakaian Wanita (240 JP)",
            "11 Januari 2027 s.d. 29 Januari 2027 (19 hari)",
            "Workshop Garmen UPT BLK Kota Contoh",
            "Pembukaan dan orientasi",
            "16 orang",
            "18–45 tahun",
            "SMP/sederajat",
            "Kabupaten Contoh",
            "Jumlah 16",
            "8 Januari 2027",
            "5.1.02.02.01.0003",
            "Honorarium instruktur",
            "Rp 150.000",
            "Rp 36.000.000",
            "Jumlah Rp 60.000.000",
            "Pagu DPA Rp 75.000.000",
            "Sisa pagu Rp 15.000.000",
            "Penanggung Jawab",
            "Mesin jahit high speed (16 unit)",
            "Diusulkan oleh,",
            "Disetujui,",
            "Kota Contoh, 10 Desember 2026",
            "Ma'ruf Ñoño, S.T.",
            "Dr. Ni Luh Putu Sri'ani, S.H., M.M.",
        ],
    );
}

#[test]
fn a_budget_over_the_dpa_ceiling_says_so() {
    let mut plan = letters::work_plan();
    plan.pagu_dpa = 50_000_000;
    let text = pdf_text(&render_work_plan(&plan).unwrap().pdf);
    assert_contains(&text, &["Melebihi pagu Rp 10.000.000"]);
}

#[test]
fn the_docx_drafts_are_zips_with_the_body_text_and_a_konsep_header() {
    let letter = letters::undangan();
    let docx = letter_docx(&letter).unwrap();
    let xml = docx_document_xml(&docx);
    for needle in [
        "PEMERINTAH PROVINSI CONTOH",
        "500.15.4/123/BLK",
        "Undangan Pelatihan Menjahit Angkatan I",
        "Yth. Kepala Dinas Tenaga Kerja Kabupaten Contoh",
        "Dalam rangka meningkatkan kompetensi",
        "Tembusan:",
        NIP_KEPALA,
    ] {
        assert!(xml.contains(needle), "{needle:?} missing from document.xml");
    }
    // Apostrophes are XML-escaped or literal, never lost.
    assert!(xml.contains("Sri'ani") || xml.contains("Sri&apos;ani"));
    assert!(docx_header_xml(&docx).contains("KONSEP"));

    let sk = letters::keputusan(30);
    let docx = keputusan_docx(&sk).unwrap();
    let xml = docx_document_xml(&docx);
    for needle in [
        "KEPUTUSAN KEPALA DINAS",
        "TENTANG",
        "Menimbang",
        "MEMUTUSKAN",
        "KESATU",
        "KEEMPAT",
        "LAMPIRAN",
        "Kedudukan",
        "Anggota Panitia 30",
        "Penanggung Jawab",
    ] {
        assert!(
            xml.contains(needle),
            "{needle:?} missing from the SK's document.xml"
        );
    }
    assert!(docx_header_xml(&docx).contains("KONSEP"));
}

#[test]
fn a_template_with_an_unknown_field_is_refused_with_its_name_and_line() {
    let text = "Pelatihan {judul} di {tempat}.\nBalasan paling lambat {batas_balsan}.";
    let errors = check(text, &["judul", "tempat", "batas_balasan"]).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 2);
    assert_eq!(
        errors[0].kind,
        FieldErrorKind::Unknown("batas_balsan".into())
    );
    assert!(errors[0].to_string().contains("baris 2"), "{}", errors[0]);
    assert!(errors[0].to_string().contains("{batas_balsan}"));
}
