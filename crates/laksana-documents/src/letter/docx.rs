//! Letters as DOCX drafts, for officials who edit in a word processor before the text is
//! settled. Every draft says KONSEP in its page header: only the PDF is ever signed, so a DOCX
//! must never pass for the final document.
//!
//! The layout follows the PDF in plain Word terms (centred kop with a double rule, a
//! borderless table for nomor/sifat/lampiran/hal, the signature block in the right half);
//! images are left out because the draft is for the text.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, Header, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Table, TableCell, TableRow,
    WidthType,
};

use super::model::{Keputusan, Kop, Letter, Signer};
use super::print::signer_lines;
use super::words::{diktum, huruf, tanggal_indonesia};
use crate::error::DocumentError;

/// Twentieths of a point per millimetre (Word's "twips").
const TWIPS_PER_MM: f64 = 56.692_913;

fn mm(v: f64) -> i32 {
    (v * TWIPS_PER_MM).round() as i32
}

/// The surat dinas as a DOCX draft.
pub fn letter_docx(l: &Letter) -> Result<Vec<u8>, DocumentError> {
    let mut doc = base();
    doc = kop(doc, &l.kop);
    let tanggal = l.tanggal.map_or(String::new(), tanggal_indonesia);
    doc = doc.add_paragraph(text(&format!("{}, {tanggal}", l.tempat)).align(AlignmentType::Right));
    let nomor = l.nomor.clone().unwrap_or_default();
    doc = doc.add_table(fields(&[
        ("Nomor", &nomor),
        ("Sifat", &l.sifat),
        ("Lampiran", dash(&l.lampiran)),
        ("Hal", &l.hal),
    ]));
    doc = doc.add_paragraph(Paragraph::new());
    if l.kepada_terlampir {
        doc = doc.add_paragraph(text("Yth. Daftar terlampir"));
    } else if l.kepada.len() == 1 {
        doc = doc.add_paragraph(text(&format!("Yth. {}", l.kepada[0])));
    } else {
        doc = doc.add_paragraph(text("Yth."));
        for (i, k) in l.kepada.iter().enumerate() {
            doc = doc.add_paragraph(text(&format!("{}. {k}", i + 1)).indent(
                Some(mm(8.0)),
                None,
                None,
                None,
            ));
        }
    }
    if !l.di.is_empty() {
        doc = doc.add_paragraph(text(&format!("di {}", l.di)));
    }
    doc = doc.add_paragraph(Paragraph::new());
    for (i, p) in l.isi.iter().enumerate() {
        if let Some(t) = l.tabel.as_ref().filter(|t| t.setelah_paragraf == i) {
            doc = table(doc, t);
        }
        doc = doc.add_paragraph(body(p));
    }
    if let Some(t) = l
        .tabel
        .as_ref()
        .filter(|t| t.setelah_paragraf >= l.isi.len())
    {
        doc = table(doc, t);
    }
    doc = signature(doc, &l.signer, &[]);
    doc = tembusan(doc, &l.tembusan);
    if l.kepada_terlampir {
        doc = doc.add_paragraph(
            bold("DAFTAR PENERIMA SURAT")
                .align(AlignmentType::Center)
                .page_break_before(true),
        );
        for (i, k) in l.kepada.iter().enumerate() {
            doc = doc.add_paragraph(text(&format!("{}. {k}", i + 1)));
        }
    }
    pack(doc)
}

/// The Keputusan with its lampiran as a DOCX draft.
pub fn keputusan_docx(sk: &Keputusan) -> Result<Vec<u8>, DocumentError> {
    let pejabat = sk.pejabat.trim().to_uppercase();
    let tentang = sk.tentang.trim().to_uppercase();
    let nomor = sk.nomor.clone().unwrap_or_default();
    let tanggal = sk.tanggal.map_or(String::new(), tanggal_indonesia);
    let mut doc = kop(base(), &sk.kop);
    for line in [
        format!("KEPUTUSAN {pejabat}"),
        format!("NOMOR {nomor}"),
        String::new(),
        "TENTANG".into(),
        String::new(),
        tentang.clone(),
        String::new(),
        format!("{pejabat},"),
    ] {
        doc = doc.add_paragraph(bold(&line).align(AlignmentType::Center));
    }
    let mut rows = Vec::new();
    let mut list = |label: &str, items: Vec<(String, &String)>| {
        for (i, (n, t)) in items.into_iter().enumerate() {
            let l = if i == 0 { label } else { "" };
            rows.push(row3(l, if i == 0 { ":" } else { "" }, &format!("{n}\t{t}")));
        }
    };
    list(
        "Menimbang",
        sk.menimbang
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("{}.", huruf(i + 1)), t))
            .collect(),
    );
    list(
        "Mengingat",
        sk.mengingat
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("{}.", i + 1), t))
            .collect(),
    );
    doc = doc.add_table(borderless(rows));
    doc = doc.add_paragraph(bold("MEMUTUSKAN:").align(AlignmentType::Center));
    let mut rows = vec![row3(
        "Menetapkan",
        ":",
        &format!("KEPUTUSAN {pejabat} TENTANG {tentang}."),
    )];
    for (i, t) in sk.diktum.iter().enumerate() {
        rows.push(row3(&diktum(i + 1), ":", t));
    }
    doc = doc.add_table(borderless(rows));
    doc = doc.add_paragraph(Paragraph::new());
    let place = [
        format!("Ditetapkan di {}", sk.tempat),
        format!("pada tanggal {tanggal}"),
    ];
    doc = signature(doc, &sk.signer, &place);
    doc = tembusan(doc, &sk.tembusan);

    doc = doc.add_paragraph(text("LAMPIRAN").page_break_before(true).indent(
        Some(mm(85.0)),
        None,
        None,
        None,
    ));
    for line in [
        format!("KEPUTUSAN {pejabat}"),
        format!("NOMOR   : {nomor}"),
        format!("TANGGAL : {tanggal}"),
        format!("TENTANG : {tentang}"),
    ] {
        doc = doc.add_paragraph(text(&line).indent(Some(mm(85.0)), None, None, None));
    }
    doc = doc.add_paragraph(Paragraph::new());
    doc = doc.add_paragraph(bold(&sk.judul_lampiran.to_uppercase()).align(AlignmentType::Center));
    let head = ["No", "Nama", "NIP/Jabatan", "Kedudukan"];
    let mut rows = vec![TableRow::new(head.iter().map(|h| cell(&bold(h))).collect())];
    for (i, a) in sk.panitia.iter().enumerate() {
        let nip = a
            .nip
            .as_deref()
            .map_or(String::new(), |n| format!("NIP. {n}; "));
        rows.push(TableRow::new(vec![
            cell(&text(&(i + 1).to_string())),
            cell(&text(&a.nama)),
            cell(&text(&format!("{nip}{}", a.jabatan))),
            cell(&text(a.kedudukan.label())),
        ]));
    }
    doc = doc.add_table(Table::new(rows).set_grid(vec![
        mm(11.0) as usize,
        mm(55.0) as usize,
        mm(65.0) as usize,
        mm(34.0) as usize,
    ]));
    doc = doc.add_paragraph(Paragraph::new());
    doc = signature(doc, &sk.signer, &[]);
    pack(doc)
}

/// A4 portrait with the naskah dinas margins and the KONSEP header.
fn base() -> Docx {
    let header = Header::new().add_paragraph(
        Paragraph::new().align(AlignmentType::Right).add_run(
            Run::new()
                .add_text("KONSEP")
                .bold()
                .size(28)
                .color("C00000"),
        ),
    );
    Docx::new()
        .page_size(mm(210.0) as u32, mm(297.0) as u32)
        .page_margin(PageMargin {
            top: mm(20.0),
            left: mm(25.0),
            bottom: mm(20.0),
            right: mm(20.0),
            header: mm(8.0),
            footer: mm(8.0),
            gutter: 0,
        })
        .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial"))
        .default_size(24)
        .header(header)
}

fn kop(mut doc: Docx, k: &Kop) -> Docx {
    for (i, line) in k.nama.iter().take(3).enumerate() {
        let size = if i + 1 == k.nama.len().min(3) { 30 } else { 26 };
        doc = doc.add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                Run::new()
                    .add_text(line.trim().to_uppercase())
                    .bold()
                    .size(size),
            ),
        );
    }
    let mut contact = Vec::new();
    for (label, v) in [
        ("Telepon", &k.telepon),
        ("Pos-el", &k.email),
        ("Laman", &k.laman),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            contact.push(format!("{label} {v}"));
        }
    }
    doc = doc.add_paragraph(small(&k.alamat).align(AlignmentType::Center));
    let mut last = small(&contact.join("  \u{2022}  ")).align(AlignmentType::Center);
    // The double rule under the kop, as a paragraph border.
    last.property = last.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::ThickThinSmallGap)
                .size(18)
                .space(2),
        ),
    );
    doc.add_paragraph(last).add_paragraph(Paragraph::new())
}

fn signature(mut doc: Docx, s: &Signer, above: &[String]) -> Docx {
    let indent = |p: Paragraph| p.indent(Some(mm(90.0)), None, None, None);
    for line in above.iter().chain(signer_lines(s).iter()) {
        doc = doc.add_paragraph(indent(text(line)));
    }
    for _ in 0..3 {
        doc = doc.add_paragraph(Paragraph::new());
    }
    doc = doc.add_paragraph(indent(
        Paragraph::new().add_run(Run::new().add_text(&s.nama).bold().underline("single")),
    ));
    for line in [&s.pangkat, &s.nip.as_ref().map(|n| format!("NIP. {n}"))]
        .into_iter()
        .flatten()
    {
        doc = doc.add_paragraph(indent(text(line)));
    }
    doc
}

fn tembusan(mut doc: Docx, xs: &[String]) -> Docx {
    if xs.is_empty() {
        return doc;
    }
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(text("Tembusan:"));
    for (i, t) in xs.iter().enumerate() {
        doc = doc.add_paragraph(text(&format!("{}. {t}", i + 1)));
    }
    doc
}

fn table(doc: Docx, t: &super::model::LetterTable) -> Docx {
    let mut doc = doc;
    if let Some(j) = &t.judul {
        doc = doc.add_paragraph(bold(j).align(AlignmentType::Center));
    }
    let mut rows = vec![TableRow::new(
        t.kolom.iter().map(|k| cell(&bold(k))).collect(),
    )];
    for r in &t.baris {
        rows.push(TableRow::new(
            (0..t.kolom.len())
                .map(|i| cell(&text(r.get(i).map_or("", String::as_str))))
                .collect(),
        ));
    }
    doc.add_table(Table::new(rows))
        .add_paragraph(Paragraph::new())
}

/// A borderless "label : value" table.
fn fields(rows: &[(&str, &str)]) -> Table {
    borderless(rows.iter().map(|(l, v)| row3(l, ":", v)).collect())
}

fn row3(a: &str, b: &str, c: &str) -> TableRow {
    TableRow::new(vec![
        cell(&text(a)).width(mm(30.0) as usize, WidthType::Dxa),
        cell(&text(b)).width(mm(5.0) as usize, WidthType::Dxa),
        cell(&text(c).align(AlignmentType::Both)).width(mm(130.0) as usize, WidthType::Dxa),
    ])
}

fn borderless(rows: Vec<TableRow>) -> Table {
    Table::without_borders(rows).set_grid(vec![
        mm(30.0) as usize,
        mm(5.0) as usize,
        mm(130.0) as usize,
    ])
}

fn cell(p: &Paragraph) -> TableCell {
    TableCell::new().add_paragraph(p.clone())
}

/// A paragraph of plain text; a newline in the text becomes a line break.
fn text(s: &str) -> Paragraph {
    let mut run = Run::new();
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().add_run(run)
}

fn bold(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(s).bold())
}

fn small(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(s).size(19))
}

fn body(s: &str) -> Paragraph {
    text(s).align(AlignmentType::Both).indent(
        None,
        Some(docx_rs::SpecialIndentType::FirstLine(mm(10.0))),
        None,
        None,
    )
}

fn dash(s: &str) -> &str {
    if s.trim().is_empty() {
        "-"
    } else {
        s
    }
}

fn pack(doc: Docx) -> Result<Vec<u8>, DocumentError> {
    let mut out = Cursor::new(Vec::new());
    doc.pack(&mut out)
        .map_err(|e| DocumentError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
