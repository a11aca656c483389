//! Writes the sample letters (undangan, surat pengantar, SK with a 120-row lampiran, work
//! plan) as PDF and the drafts as DOCX into DIR, to look at them:
//! `cargo run -p laksana-documents --example render_letters -- DIR`

#[path = "../tests/common/letters.rs"]
mod letters;

use laksana_documents::{
    keputusan_docx, letter_docx, render_keputusan, render_letter, render_work_plan,
};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    std::fs::create_dir_all(&dir).expect("create DIR");
    let write = |name: &str, bytes: &[u8]| {
        let path = format!("{dir}/{name}");
        std::fs::write(&path, bytes).expect("write");
        path
    };
    for (name, letter) in [
        ("undangan", letters::undangan()),
        ("pengantar", letters::pengantar()),
    ] {
        let doc = render_letter(&letter).expect("renders");
        println!(
            "{}: {} page(s)",
            write(&format!("{name}.pdf"), &doc.pdf),
            doc.pages
        );
        write(
            &format!("{name}.docx"),
            &letter_docx(&letter).expect("docx"),
        );
    }
    let mut long = letters::undangan();
    long.hal = "Undangan Pengiriman Calon Peserta Pelatihan Berbasis Kompetensi Kejuruan Garmen \
                Apparel Program Menjahit Pakaian Wanita Angkatan I Tahun Anggaran 2027 bagi \
                Pencari Kerja di Kabupaten/Kota se-Provinsi Contoh"
        .into();
    let doc = render_letter(&long).expect("renders");
    println!(
        "{}: {} page(s)",
        write("undangan-hal-panjang.pdf", &doc.pdf),
        doc.pages
    );
    let sk = letters::keputusan(120);
    let doc = render_keputusan(&sk).expect("renders");
    println!("{}: {} page(s)", write("sk-120.pdf", &doc.pdf), doc.pages);
    write("sk-120.docx", &keputusan_docx(&sk).expect("docx"));
    let doc = render_work_plan(&letters::work_plan()).expect("renders");
    println!(
        "{}: {} page(s)",
        write("rencana-kerja.pdf", &doc.pdf),
        doc.pages
    );
}
