//! Body texts with named fields: "Pelatihan {judul} dimulai {tanggal_mulai}."
//!
//! A template is plain text, not Typst source and not a program: the only syntax is
//! `{name}` for a field and `{{` / `}}` for a literal brace. [`fill`] produces plain text that
//! the document receives as data, so nothing in a template can read a file or run code.

use std::collections::BTreeMap;
use std::fmt;

/// Why a template was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The line (1-based).
    pub line: usize,
    /// The column of the offending brace (1-based, in characters).
    pub column: usize,
    /// What is wrong.
    pub kind: FieldErrorKind,
}

/// What is wrong at a [`FieldError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// A field this template may not use.
    Unknown(String),
    /// A `{` with no `}` on the same line.
    Unclosed,
    /// A `}` with no `{` before it (write `}}` for a literal brace).
    UnmatchedClose,
    /// Something between braces that is not a field name (letters, digits, `_`).
    BadName(String),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "baris {}, kolom {}: ", self.line, self.column)?;
        match &self.kind {
            FieldErrorKind::Unknown(name) => write!(f, "isian {{{name}}} tidak dikenal"),
            FieldErrorKind::Unclosed => {
                write!(f, "kurung {{ tidak ditutup (tulis {{{{ untuk kurung biasa)")
            }
            FieldErrorKind::UnmatchedClose => {
                write!(
                    f,
                    "kurung }} tanpa pasangan (tulis }}}} untuk kurung biasa)"
                )
            }
            FieldErrorKind::BadName(name) => write!(
                f,
                "\"{{{name}}}\" bukan nama isian (hanya huruf kecil, angka dan _)"
            ),
        }
    }
}

/// One piece of a template.
enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Field(&'a str),
}

/// Splits `line` into pieces, or says where its braces are wrong.
fn pieces(line: &str) -> Result<Vec<Piece<'_>>, (usize, FieldErrorKind)> {
    let mut out = Vec::new();
    let mut rest = line;
    let mut col = 1;
    while let Some(i) = rest.find(['{', '}']) {
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        col += rest[..i].chars().count();
        let after = &rest[i + 1..];
        let brace = rest.as_bytes()[i] as char;
        if after.starts_with(brace) {
            out.push(Piece::Brace(brace));
            rest = &after[1..];
            col += 2;
            continue;
        }
        if brace == '}' {
            return Err((col, FieldErrorKind::UnmatchedClose));
        }
        let Some(end) = after.find('}') else {
            return Err((col, FieldErrorKind::Unclosed));
        };
        let name = &after[..end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err((col, FieldErrorKind::BadName(name.to_string())));
        }
        out.push(Piece::Field(name));
        col += name.chars().count() + 2;
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// Checks that `text` uses only the fields in `known` and that its braces balance; every
/// problem is reported with its line.
pub fn check(text: &str, known: &[&str]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        match pieces(line) {
            Err((column, kind)) => errors.push(FieldError {
                line: n + 1,
                column,
                kind,
            }),
            Ok(ps) => {
                let mut col = 1;
                for p in ps {
                    match p {
                        Piece::Text(t) => col += t.chars().count(),
                        Piece::Brace(_) => col += 2,
                        Piece::Field(name) => {
                            if !known.contains(&name) {
                                errors.push(FieldError {
                                    line: n + 1,
                                    column: col,
                                    kind: FieldErrorKind::Unknown(name.to_string()),
                                });
                            }
                            col += name.chars().count() + 2;
                        }
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Replaces each `{name}` by its value and `{{`/`}}` by a brace. A field without a value, or
/// a line [`check`] would refuse, is left as written so the gap shows in the draft.
pub fn fill(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        match pieces(line) {
            Err(_) => out.push_str(line),
            Ok(ps) => {
                for p in ps {
                    match p {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Brace(c) => out.push(c),
                        Piece::Field(name) => match values.get(name) {
                            Some(v) => out.push_str(v),
                            None => {
                                out.push('{');
                                out.push_str(name);
                                out.push('}');
                            }
                        },
                    }
                }
            }
        }
    }
    out
}

/// Splits filled text into paragraphs at blank lines; the lines of one paragraph are joined
/// with a space (a letter's paragraphs are reflowed by the typesetter anyway).
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .flat_map(|block| {
            // Also split on lines holding only spaces.
            let mut paras = vec![String::new()];
            for line in block.lines() {
                let line = line.trim();
                if line.is_empty() {
                    paras.push(String::new());
                } else {
                    let last = paras.last_mut().expect("never empty");
                    if !last.is_empty() {
                        last.push(' ');
                    }
                    last.push_str(line);
                }
            }
            paras
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// A default body text and the fields it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The key under which a unit may store its own version, e.g. "undangan.isi".
    pub key: &'static str,
    /// What it is, for the settings page.
    pub judul: &'static str,
    /// The default text; paragraphs (or list items) separated by blank lines.
    pub teks: &'static str,
    /// The fields this text may use.
    pub fields: &'static [&'static str],
}

const UNDANGAN_FIELDS: &[&str] = &[
    "judul",
    "kejuruan",
    "tanggal_mulai",
    "tanggal_selesai",
    "tempat",
    "batas_balasan",
    "narahubung",
    "kuota",
    "kepala_unit",
];

const SK_FIELDS: &[&str] = &[
    "judul",
    "kejuruan",
    "tanggal_mulai",
    "tanggal_selesai",
    "tempat",
    "kepala_unit",
    "tahun_anggaran",
];

/// The key of the certificate's body text.
pub const CERTIFICATE_TEMPLATE_KEY: &str = "sertifikat.isi";

/// The fields of the certificate text. Deliberately without `nik`: a certificate is shown to
/// employers and put online, and the NIK is personal data it does not need (UU 27/2022).
pub const CERTIFICATE_FIELDS: &[&str] = &[
    "nama",
    "judul_pelatihan",
    "kejuruan",
    "tanggal_pelatihan",
    "tempat",
    "jumlah_jam",
    "nomor",
    "tanggal_terbit",
    "penyelenggara",
];

/// The default texts: the undangan body, the surat pengantar body, and the SK's Menimbang,
/// Mengingat and diktum.
pub fn default_templates() -> Vec<Template> {
    vec![
        Template {
            key: "undangan.isi",
            judul: "Isi surat undangan pelatihan",
            teks:
                "Dalam rangka meningkatkan kompetensi dan daya saing tenaga kerja, {kepala_unit} \
akan menyelenggarakan {judul} kejuruan {kejuruan} pada tanggal {tanggal_mulai} sampai dengan \
{tanggal_selesai} bertempat di {tempat}.

Sehubungan dengan hal tersebut, kami mohon bantuan Saudara untuk mengirimkan calon peserta \
pelatihan sebanyak {kuota} orang sesuai dengan kuota dan persyaratan terlampir. Nama calon \
peserta kami terima paling lambat tanggal {batas_balasan}.

Informasi lebih lanjut dapat menghubungi {narahubung}. Demikian kami sampaikan, atas perhatian \
dan kerja sama Saudara kami ucapkan terima kasih.",
            fields: UNDANGAN_FIELDS,
        },
        Template {
            key: "pengantar.isi",
            judul: "Isi surat pengantar",
            teks: "Bersama ini kami sampaikan dengan hormat berkas {judul} kejuruan {kejuruan} \
yang dilaksanakan pada tanggal {tanggal_mulai} sampai dengan {tanggal_selesai} di {tempat}, \
sebagaimana terlampir, untuk dapat dipergunakan sebagaimana mestinya.

Demikian kami sampaikan, atas perhatian Saudara kami ucapkan terima kasih.",
            fields: UNDANGAN_FIELDS,
        },
        Template {
            key: "sk.menimbang",
            judul: "Menimbang (satu butir per paragraf)",
            teks: "bahwa dalam rangka kelancaran penyelenggaraan {judul} kejuruan {kejuruan} \
pada tanggal {tanggal_mulai} sampai dengan {tanggal_selesai} di {tempat}, perlu dibentuk \
panitia penyelenggara;

bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a, perlu menetapkan \
Keputusan {kepala_unit} tentang Pembentukan Panitia {judul};",
            fields: SK_FIELDS,
        },
        Template {
            key: "sk.mengingat",
            judul: "Mengingat (satu peraturan per paragraf, urut hierarki)",
            teks: "Undang-Undang Nomor 13 Tahun 2003 tentang Ketenagakerjaan (Lembaran Negara \
Republik Indonesia Tahun 2003 Nomor 39, Tambahan Lembaran Negara Republik Indonesia Nomor \
4279);

Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah (Lembaran Negara Republik \
Indonesia Tahun 2014 Nomor 244, Tambahan Lembaran Negara Republik Indonesia Nomor 5587);

Peraturan Pemerintah Nomor 31 Tahun 2006 tentang Sistem Pelatihan Kerja Nasional (Lembaran \
Negara Republik Indonesia Tahun 2006 Nomor 67, Tambahan Lembaran Negara Republik Indonesia \
Nomor 4637);

Peraturan Menteri Dalam Negeri Nomor 1 Tahun 2023 tentang Tata Naskah Dinas di Lingkungan \
Pemerintah Daerah;",
            fields: SK_FIELDS,
        },
        Template {
            key: "sk.diktum",
            judul: "Diktum (satu diktum per paragraf: KESATU, KEDUA, …)",
            teks: "Membentuk Panitia {judul} kejuruan {kejuruan} dengan susunan sebagaimana \
tercantum dalam Lampiran yang merupakan bagian tidak terpisahkan dari Keputusan ini.

Panitia sebagaimana dimaksud dalam Diktum KESATU bertugas mempersiapkan, melaksanakan, \
mengevaluasi dan melaporkan penyelenggaraan pelatihan kepada {kepala_unit}.

Segala biaya yang timbul akibat ditetapkannya Keputusan ini dibebankan pada Dokumen \
Pelaksanaan Anggaran (DPA) Tahun Anggaran {tahun_anggaran}.

Keputusan ini mulai berlaku pada tanggal ditetapkan.",
            fields: SK_FIELDS,
        },
        Template {
            key: CERTIFICATE_TEMPLATE_KEY,
            judul: "Isi sertifikat pelatihan (di bawah nama peserta)",
            teks:
                "telah mengikuti {judul_pelatihan} kejuruan {kejuruan} yang diselenggarakan oleh \
{penyelenggara} pada tanggal {tanggal_pelatihan} bertempat di {tempat} selama {jumlah_jam} jam \
pelatihan, dan dinyatakan telah memenuhi ketentuan kehadiran.",
            fields: CERTIFICATE_FIELDS,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_unknown_field_is_refused_with_its_name_and_line() {
        let err = check(
            "Halo {judul}.\nPada {tanggal_mulia} di {tempat}.",
            &["judul", "tempat"],
        )
        .unwrap_err();
        assert_eq!(
            err,
            [FieldError {
                line: 2,
                column: 6,
                kind: FieldErrorKind::Unknown("tanggal_mulia".into())
            }]
        );
        assert_eq!(
            err[0].to_string(),
            "baris 2, kolom 6: isian {tanggal_mulia} tidak dikenal"
        );
    }

    #[test]
    fn unbalanced_braces_are_refused_and_doubled_braces_are_literal() {
        let err = check("a {judul\nb } c\nd {Judul Besar}", &["judul"]).unwrap_err();
        let kinds: Vec<_> = err.iter().map(|e| (e.line, e.kind.clone())).collect();
        assert_eq!(
            kinds,
            [
                (1, FieldErrorKind::Unclosed),
                (2, FieldErrorKind::UnmatchedClose),
                (3, FieldErrorKind::BadName("Judul Besar".into())),
            ]
        );
        assert!(check("{{bukan isian}} {judul}", &["judul"]).is_ok());
        assert_eq!(
            fill("{{x}} {judul}", &values(&[("judul", "Menjahit")])),
            "{x} Menjahit"
        );
    }

    #[test]
    fn fill_inserts_values_literally_and_keeps_missing_fields_visible() {
        let v = values(&[("judul", "Pelatihan {kejuruan} #1 $x$ ]")]);
        assert_eq!(
            fill("A {judul} B {tempat}\nC", &v),
            "A Pelatihan {kejuruan} #1 $x$ ] B {tempat}\nC"
        );
    }

    #[test]
    fn every_default_template_passes_its_own_check() {
        let templates = default_templates();
        assert_eq!(templates.len(), 6);
        for t in &templates {
            check(t.teks, t.fields).unwrap_or_else(|e| panic!("{}: {e:?}", t.key));
            assert!(!paragraphs(t.teks).is_empty());
        }
        let undangan = &templates[0];
        assert_eq!(paragraphs(undangan.teks).len(), 3);
    }

    #[test]
    fn paragraphs_split_at_blank_lines_and_join_wrapped_lines() {
        assert_eq!(
            paragraphs("satu\ndua\n\n  \ntiga\n"),
            ["satu dua".to_string(), "tiga".to_string()]
        );
    }
}
