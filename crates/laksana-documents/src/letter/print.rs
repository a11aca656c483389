//! Letters as PDF: each model becomes the JSON the templates read and a few virtual image
//! files (logo, signature, QR), then goes through [`render::render_with_files`].
//!
//! Display forms are decided here rather than in Typst (capitals, Indonesian dates, prefixes,
//! diktum labels, rupiah), so they are tested in Rust and the templates only lay out.

use serde_json::{json, Value};

use super::model::{Anggota, Certificate, Keputusan, Kop, Letter, Paraf, Prefix, Signer, WorkPlan};
use super::qr::qr_svg;
use super::words::{diktum, huruf, rupiah, tanggal_indonesia};
use crate::error::DocumentError;
use crate::render::{self, Rendered};

#[cfg(test)]
const NASKAH: &str = include_str!("../templates/naskah.typ");
const SURAT: &str = concat!(
    include_str!("../templates/naskah.typ"),
    include_str!("../templates/surat.typ")
);
const KEPUTUSAN: &str = concat!(
    include_str!("../templates/naskah.typ"),
    include_str!("../templates/keputusan.typ")
);
const RENCANA_KERJA: &str = concat!(
    include_str!("../templates/naskah.typ"),
    include_str!("../templates/rencana_kerja.typ")
);

const SERTIFIKAT: &str = concat!(
    include_str!("../templates/naskah.typ"),
    include_str!("../templates/sertifikat.typ")
);

const TABEL: &str = concat!(
    include_str!("../templates/naskah.typ"),
    include_str!("../templates/tabel.typ")
);

/// A register or list (buku ekspedisi, daftar calon peserta) as PDF: no signature, no paraf.
pub fn render_table(t: &super::model::TableReport) -> Result<Vec<u8>, DocumentError> {
    let mut files = Files::default();
    let widths: Vec<u32> = if t.lebar.len() == t.kolom.len() {
        t.lebar.clone()
    } else {
        vec![1; t.kolom.len()]
    };
    let rows: Vec<Vec<String>> = t
        .baris
        .iter()
        .map(|r| {
            // Every row has exactly as many cells as there are columns, or Typst's grid shifts.
            let mut r = r.clone();
            r.resize(t.kolom.len(), String::new());
            r
        })
        .collect();
    let inputs = json!({
        "title": t.judul,
        "draft": false,
        "paraf": [],
        "kop": kop_json(&t.kop, &mut files),
        "judul": t.judul,
        "subjudul": t.subjudul,
        "kolom": t.kolom,
        "lebar": widths,
        "baris": rows,
        "catatan": t.catatan,
        "landscape": t.kolom.len() > 6,
    });
    Ok(render::render_with_files(TABEL, &inputs, files.0)?.pdf)
}

const LAPORAN: &str = concat!(
    include_str!("../templates/naskah.typ"),
    include_str!("../templates/laporan.typ")
);

/// A report of headings, paragraphs and tables as PDF, with its page count.
pub fn render_report(r: &super::model::BlockReport) -> Result<Rendered, DocumentError> {
    use super::model::ReportBlock;
    let mut files = Files::default();
    let blocks: Vec<Value> = r
        .blocks
        .iter()
        .map(|b| match b {
            ReportBlock::Heading(t) => json!({"kind": "h", "text": t}),
            ReportBlock::Paragraph(t) => json!({"kind": "p", "text": t}),
            ReportBlock::Table {
                kolom,
                lebar,
                baris,
            } => {
                let widths: Vec<u32> = if lebar.len() == kolom.len() {
                    lebar.clone()
                } else {
                    vec![1; kolom.len()]
                };
                let rows: Vec<Vec<String>> = baris
                    .iter()
                    .map(|row| {
                        let mut row = row.clone();
                        row.resize(kolom.len(), String::new());
                        row
                    })
                    .collect();
                json!({"kind": "t", "kolom": kolom, "lebar": widths, "baris": rows})
            }
        })
        .collect();
    let inputs = json!({
        "title": r.judul,
        "draft": false,
        "paraf": [],
        "kop": kop_json(&r.kop, &mut files),
        "judul": r.judul,
        "subjudul": r.subjudul,
        "blocks": blocks,
        "penanda": r.penanda.as_ref().map(|p| json!({
            "tempat_tanggal": p.tempat_tanggal, "jabatan": p.jabatan,
            "nama": p.nama, "keterangan": p.keterangan,
        })),
    });
    render::render_with_files(LAPORAN, &inputs, files.0)
}

/// At most this many paraf hierarki are printed (Permendagri 54/2009 Lampiran C).
pub const MAX_PARAF: usize = 3;

/// The surat dinas as PDF, with its page count.
pub fn render_letter(letter: &Letter) -> Result<Rendered, DocumentError> {
    let mut files = Files::default();
    let inputs = letter_inputs(letter, &mut files)?;
    render::render_with_files(SURAT, &inputs, files.0)
}

/// The Keputusan with its lampiran as PDF, with its page count.
pub fn render_keputusan(sk: &Keputusan) -> Result<Rendered, DocumentError> {
    let mut files = Files::default();
    let inputs = keputusan_inputs(sk, &mut files)?;
    render::render_with_files(KEPUTUSAN, &inputs, files.0)
}

/// The rencana kerja as PDF, with its page count.
pub fn render_work_plan(plan: &WorkPlan) -> Result<Rendered, DocumentError> {
    let mut files = Files::default();
    let inputs = work_plan_inputs(plan, &mut files);
    render::render_with_files(RENCANA_KERJA, &inputs, files.0)
}

/// The virtual image files of one document.
#[derive(Default)]
struct Files(Vec<(String, Vec<u8>)>);

impl Files {
    /// Serves `bytes` under a path named after `stem` with the extension of its format, and
    /// returns the path for the inputs (Typst picks the decoder from the extension).
    fn add(&mut self, stem: &str, bytes: &[u8]) -> String {
        let ext = image_extension(bytes);
        let path = format!("/{stem}-{}.{ext}", self.0.len());
        self.0.push((path.clone(), bytes.to_vec()));
        path
    }
}

/// The file extension for image bytes: PNG, JPEG or GIF by their magic numbers, else SVG.
fn image_extension(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        "jpg"
    } else if bytes.starts_with(b"GIF8") {
        "gif"
    } else {
        "svg"
    }
}

fn date(d: Option<chrono::NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(tanggal_indonesia(d)))
}

/// Absent and blank both print as nothing.
fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn kop_json(kop: &Kop, files: &mut Files) -> Value {
    let mut kontak = Vec::new();
    if !kop.alamat.trim().is_empty() {
        kontak.push(kop.alamat.trim().to_string());
    }
    let mut line = Vec::new();
    if let Some(t) = nonblank(&kop.telepon) {
        line.push(format!("Telepon {t}"));
    }
    if let Some(e) = nonblank(&kop.email) {
        line.push(format!("Pos-el {e}"));
    }
    if let Some(w) = nonblank(&kop.laman) {
        line.push(format!("Laman {w}"));
    }
    if !line.is_empty() {
        kontak.push(line.join("  \u{2022}  "));
    }
    json!({
        "logo": kop.logo.as_deref().map(|b| files.add("logo", b)),
        // The rule allows at most three name lines; more would push the kop into the body.
        "nama": kop.nama.iter().take(3).map(|n| n.trim().to_uppercase()).collect::<Vec<_>>(),
        "kontak": kontak,
    })
}

/// The lines above the signature: "a.n. Kepala Dinas" / "Kepala Bidang …", "Plt. …".
pub fn signer_lines(s: &Signer) -> Vec<String> {
    let jabatan = s.jabatan.trim().to_string();
    match &s.prefix {
        Prefix::None => vec![format!("{jabatan},")],
        Prefix::An(whom) => vec![format!("a.n. {}", whom.trim()), format!("{jabatan},")],
        Prefix::Ub(whom) => vec![format!("u.b. {}", whom.trim()), format!("{jabatan},")],
        Prefix::Plt => vec![format!("Plt. {jabatan},")],
        Prefix::Plh => vec![format!("Plh. {jabatan},")],
    }
}

fn signer_json(s: &Signer, files: &mut Files) -> Value {
    json!({
        "lines": signer_lines(s),
        "ttd": s.ttd.as_deref().map(|b| files.add("ttd", b)),
        "nama": s.nama,
        "pangkat": nonblank(&s.pangkat),
        "nip": nonblank(&s.nip).map(|n| format!("NIP. {n}")),
    })
}

fn paraf_json(ps: &[Paraf]) -> Value {
    ps.iter()
        .take(MAX_PARAF)
        .map(|p| {
            json!({
                "nama": p.nama,
                "jabatan": p.jabatan,
                "tanggal": p.tanggal.format("%d-%m-%Y").to_string(),
            })
        })
        .collect()
}

fn qr_json(url: &Option<String>, files: &mut Files) -> Result<Value, DocumentError> {
    match nonblank(url) {
        None => Ok(Value::Null),
        Some(url) => {
            let svg = qr_svg(url)?;
            Ok(json!({
                "image": files.add("qr", svg.as_bytes()),
                "url": url,
                "url_text": breakable(url),
            }))
        }
    }
}

/// A URL with zero-width spaces after each slash and every 12 characters of a long part, so
/// the printed link wraps inside its column instead of running off the page.
fn breakable(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + url.len() / 8);
    let mut run = 0;
    for ch in url.chars() {
        out.push(ch);
        run += 1;
        if ch == '/' || run >= 12 {
            out.push('\u{200B}');
            run = 0;
        }
    }
    out
}

fn committee_json(panitia: &[Anggota]) -> Vec<Value> {
    panitia
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let nip_jabatan = match nonblank(&a.nip) {
                Some(nip) => format!("NIP. {nip}\n{}", a.jabatan),
                None => a.jabatan.clone(),
            };
            json!({
                "no": i + 1,
                "nama": a.nama,
                "nip_jabatan": nip_jabatan,
                "kedudukan": a.kedudukan.label(),
            })
        })
        .collect()
}

/// A certificate of training as PDF (one A4 landscape page).
pub fn render_certificate(c: &Certificate) -> Result<Vec<u8>, DocumentError> {
    let mut files = Files::default();
    let inputs = json!({
        "title": format!("{} {}", c.judul, c.nama),
        "draft": false,
        "paraf": [],
        "kop": kop_json(&c.kop, &mut files),
        "judul": c.judul.trim().to_uppercase(),
        "nomor": c.nomor,
        "nama": c.nama.trim(),
        "isi": c.isi,
        "keterangan": c.keterangan,
        "tempat": c.tempat,
        "tanggal": date(c.tanggal),
        "signer": signer_json(&c.signer, &mut files),
        "qr": qr_json(&c.verifikasi, &mut files)?,
    });
    Ok(render::render_with_files(SERTIFIKAT, &inputs, files.0)?.pdf)
}

/// The template inputs of a surat dinas.
fn letter_inputs(l: &Letter, files: &mut Files) -> Result<Value, DocumentError> {
    Ok(json!({
        "title": l.hal,
        "draft": l.draft,
        "kop": kop_json(&l.kop, files),
        "tempat": l.tempat,
        "tanggal": date(l.tanggal),
        "nomor": nonblank(&l.nomor),
        "sifat": l.sifat,
        "lampiran": l.lampiran,
        "hal": l.hal,
        "kepada": l.kepada,
        "kepada_terlampir": l.kepada_terlampir,
        "di": l.di,
        "isi": l.isi,
        "tabel": l.tabel.as_ref().map(|t| json!({
            "judul": t.judul,
            "kolom": t.kolom,
            // Short rows are padded so a missing cell never shifts the columns.
            "baris": t.baris.iter().map(|r| {
                (0..t.kolom.len()).map(|i| r.get(i).cloned().unwrap_or_default()).collect::<Vec<_>>()
            }).collect::<Vec<_>>(),
            "setelah": t.setelah_paragraf,
        })),
        "signer": signer_json(&l.signer, files),
        "tembusan": l.tembusan,
        "paraf": paraf_json(&l.paraf),
        "qr": qr_json(&l.verifikasi, files)?,
    }))
}

/// The template inputs of a Keputusan.
fn keputusan_inputs(sk: &Keputusan, files: &mut Files) -> Result<Value, DocumentError> {
    let pejabat = sk.pejabat.trim().to_uppercase();
    let tentang = sk.tentang.trim().to_uppercase();
    Ok(json!({
        "title": format!("Keputusan {} tentang {}", sk.pejabat.trim(), sk.tentang.trim()),
        "draft": sk.draft,
        "kop": kop_json(&sk.kop, files),
        "pejabat": pejabat,
        "nomor": nonblank(&sk.nomor),
        "tentang": tentang,
        "menimbang": sk.menimbang.iter().enumerate()
            .map(|(i, t)| json!([huruf(i + 1), t])).collect::<Vec<_>>(),
        "mengingat": sk.mengingat.iter().enumerate()
            .map(|(i, t)| json!([(i + 1).to_string(), t])).collect::<Vec<_>>(),
        "menetapkan": format!("KEPUTUSAN {pejabat} TENTANG {tentang}."),
        "diktum": sk.diktum.iter().enumerate()
            .map(|(i, t)| json!([diktum(i + 1), t])).collect::<Vec<_>>(),
        "tempat": sk.tempat,
        "tanggal": date(sk.tanggal),
        "signer": signer_json(&sk.signer, files),
        "tembusan": sk.tembusan,
        "paraf": paraf_json(&sk.paraf),
        "judul_lampiran": sk.judul_lampiran.trim().to_uppercase(),
        "panitia": committee_json(&sk.panitia),
        "qr": qr_json(&sk.verifikasi, files)?,
    }))
}

/// The template inputs of a work plan.
fn work_plan_inputs(p: &WorkPlan, files: &mut Files) -> Value {
    let total: u64 = p.anggaran.iter().map(|a| a.jumlah()).sum();
    let over = total > p.pagu_dpa;
    let waktu = match (p.tanggal_mulai, p.tanggal_selesai) {
        (Some(a), Some(b)) if a == b => tanggal_indonesia(a),
        (Some(a), Some(b)) => format!(
            "{} s.d. {} ({} hari)",
            tanggal_indonesia(a),
            tanggal_indonesia(b),
            (b - a).num_days() + 1
        ),
        (Some(a), None) => tanggal_indonesia(a),
        _ => "-".into(),
    };
    let peserta = &p.peserta;
    json!({
        "title": p.judul,
        "draft": p.draft,
        "kop": kop_json(&p.kop, files),
        "judul": p.judul,
        "kejuruan": p.kejuruan,
        "program": p.program,
        "tujuan": p.tujuan,
        "waktu": waktu,
        "tempat": p.tempat,
        "jadwal": p.jadwal.iter().map(|j| json!({
            "tanggal": tanggal_indonesia(j.tanggal), "waktu": j.waktu, "kegiatan": j.kegiatan,
        })).collect::<Vec<_>>(),
        "peserta": {
            "jumlah": format!("{} orang", peserta.jumlah),
            "usia": format!("{}\u{2013}{} tahun", peserta.usia_min, peserta.usia_max),
            "pendidikan_min": peserta.pendidikan_min,
            "kriteria": peserta.kriteria,
        },
        "undangan": p.undangan.iter().map(|u| json!({
            "daerah": u.daerah, "kuota": u.kuota.to_string(),
        })).collect::<Vec<_>>(),
        "total_kuota": p.undangan.iter().map(|u| u64::from(u.kuota)).sum::<u64>().to_string(),
        "batas_balasan": p.batas_balasan.map_or("-".into(), tanggal_indonesia),
        "anggaran": p.anggaran.iter().map(|a| json!({
            "kode_rekening": a.kode_rekening,
            "uraian": a.uraian,
            "volume": a.volume.to_string(),
            "satuan": a.satuan,
            "harga": rupiah(a.harga),
            "jumlah": rupiah(a.jumlah()),
        })).collect::<Vec<_>>(),
        "total": rupiah(total),
        "pagu": rupiah(p.pagu_dpa),
        "over": over,
        "sisa_label": if over { "Melebihi pagu" } else { "Sisa pagu" },
        "sisa": rupiah(total.abs_diff(p.pagu_dpa)),
        "panitia": committee_json(&p.panitia),
        "peralatan": p.peralatan,
        "kota": p.kota,
        "tanggal": date(p.tanggal),
        "pengusul": signer_json(&p.pengusul, files),
        "penyetuju": p.penyetuju.as_ref().map(|s| signer_json(s, files)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_print_above_the_jabatan() {
        let s = |prefix| Signer {
            jabatan: "Kepala Bidang Pelatihan".into(),
            prefix,
            ..Signer::default()
        };
        assert_eq!(
            signer_lines(&s(Prefix::An("Kepala Dinas Tenaga Kerja".into()))),
            ["a.n. Kepala Dinas Tenaga Kerja", "Kepala Bidang Pelatihan,"]
        );
        assert_eq!(
            signer_lines(&s(Prefix::Plt)),
            ["Plt. Kepala Bidang Pelatihan,"]
        );
        assert_eq!(
            signer_lines(&s(Prefix::Plh)),
            ["Plh. Kepala Bidang Pelatihan,"]
        );
        assert_eq!(signer_lines(&s(Prefix::None)), ["Kepala Bidang Pelatihan,"]);
    }

    #[test]
    fn image_files_are_named_after_their_format() {
        assert_eq!(image_extension(b"\x89PNG\r\n"), "png");
        assert_eq!(image_extension(&[0xFF, 0xD8, 0xFF]), "jpg");
        assert_eq!(image_extension(b"<svg xmlns=\"\"/>"), "svg");
    }

    #[test]
    fn the_shared_template_part_is_the_prefix_of_each_document() {
        assert!(SURAT.starts_with(NASKAH) && KEPUTUSAN.starts_with(NASKAH));
    }
}
