//! Words: keys made from Indonesian text, the casing of role names, and the small vocabulary
//! used to mend table-header words that the extraction broke over lines ("KEPAL" / "A").

/// Collapses every run of whitespace to one space and trims the ends.
pub(super) fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Joins the pieces of one cell, read line by line. A piece ending in a hyphen after a letter
/// ("nama-" / "nama") is joined without a space: Indonesian reduplication is common, and the
/// extraction keeps the hyphen.
pub(super) fn join_pieces(pieces: &[String]) -> String {
    let mut out = String::new();
    for piece in pieces.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let glue = out.ends_with('-')
            && out[..out.len() - 1]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic);
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(piece);
    }
    normalise(&out)
}

/// Little words left out of step keys.
const STOPWORDS: &[&str] = &[
    "dan", "atau", "yang", "untuk", "dari", "ke", "di", "dengan", "serta", "sesuai", "pada",
    "oleh", "dalam", "kepada", "beserta", "bagi", "telah", "sudah", "akan",
];

/// The words of `text` as key material: lower-case ASCII letters and digits only.
fn key_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A key from all the words of `text` ("PENDAFTARAN PESERTA" → "pendaftaran-peserta").
pub(super) fn key_of(text: &str) -> String {
    key_words(text).join("-")
}

/// A step key from its kegiatan: the first four words that are not little words, e.g.
/// "Memeriksa dan menyetujui rencana kerja kegiatan." → "memeriksa-menyetujui-rencana-kerja".
pub(super) fn step_key(kegiatan: &str) -> String {
    let words: Vec<String> = key_words(kegiatan)
        .into_iter()
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .take(4)
        .collect();
    words.join("-")
}

/// Makes `key` unique among `taken` by appending "-2", "-3", …; records the result.
pub(super) fn unique(key: String, taken: &mut Vec<String>) -> String {
    let mut candidate = key.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{key}-{n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// Words of table headers and role names, upper case. Used to mend words broken over lines
/// and to write role names in title case (words outside it of up to four letters are taken
/// as abbreviations and stay in capitals: "JFU", "UPTD", "PPK").
const VOCABULARY: &[&str] = &[
    // Column headers.
    "NO",
    "KEGIATAN",
    "URAIAN",
    "PELAKSANA",
    "MUTU",
    "BAKU",
    "BUKU",
    "PERSYARATAN",
    "KELENGKAPAN",
    "WAKTU",
    "OUTPUT",
    "KET",
    "KETERANGAN",
    // Roles and units.
    "KEPALA",
    "WAKIL",
    "BIDANG",
    "DINAS",
    "BADAN",
    "KANTOR",
    "BALAI",
    "SEKSI",
    "SUB",
    "BAGIAN",
    "SUBBAGIAN",
    "STAF",
    "STAFF",
    "PANITIA",
    "PEMOHON",
    "PETUGAS",
    "LOKET",
    "PELAYANAN",
    "SEKRETARIS",
    "SEKRETARIAT",
    "BENDAHARA",
    "UMUM",
    "TATA",
    "USAHA",
    "KEPEGAWAIAN",
    "KEUANGAN",
    "PROGRAM",
    "PERENCANAAN",
    "PENGADMINISTRASI",
    "PENGELOLA",
    "PENYUSUN",
    "ANALIS",
    "OPERATOR",
    "ADMINISTRASI",
    "PEJABAT",
    "PEMBUAT",
    "KOMITMEN",
    "INSTRUKTUR",
    "PESERTA",
    "CALON",
    "PENDAFTARAN",
    "PELATIHAN",
    "PENGAWAS",
    "PIMPINAN",
    "KETUA",
    "ANGGOTA",
    "TIM",
    "KOORDINATOR",
    "VERIFIKATOR",
    "ARSIPARIS",
    "SEKDA",
    "BUPATI",
    "WALIKOTA",
    "GUBERNUR",
    "CAMAT",
    "LURAH",
    "DESA",
    "MASYARAKAT",
    "DAN",
];

/// Role words that need a following word ("KEPALA" → "KEPALA BIDANG").
const HEADS: &[&str] = &[
    "KEPALA",
    "WAKIL",
    "KA",
    "SUB",
    "PETUGAS",
    "CALON",
    "PEJABAT",
    "PEMBUAT",
    "TATA",
    "KETUA",
    "KOORDINATOR",
    "PENGELOLA",
    "ANALIS",
    "PENYUSUN",
    "KASUBAG",
    "KASUBBAG",
    "KABAG",
    "KABID",
    "KASI",
    "KASIE",
];

/// Role words that complete the word before them ("KEPALA BIDANG", "PETUGAS LOKET").
const COMPLEMENTS: &[&str] = &[
    "BIDANG",
    "DINAS",
    "BADAN",
    "KANTOR",
    "BALAI",
    "SEKSI",
    "BAGIAN",
    "SUBBAGIAN",
    "UMUM",
    "TATA",
    "USAHA",
    "LOKET",
    "KEPEGAWAIAN",
    "KEUANGAN",
    "PROGRAM",
    "PERENCANAAN",
    "KOMITMEN",
    "PENDAFTARAN",
    "UPT",
    "UPTD",
];

pub(super) fn is_known(word: &str) -> bool {
    VOCABULARY.contains(&word)
}

pub(super) fn is_head(word: &str) -> bool {
    HEADS.contains(&word)
}

pub(super) fn is_complement(word: &str) -> bool {
    COMPLEMENTS.contains(&word)
}

/// Header words that name columns other than the pelaksana ones.
pub(super) fn is_column_word(word: &str) -> bool {
    matches!(
        word,
        "NO" | "NO."
            | "KEGIATAN"
            | "URAIAN"
            | "PELAKSANA"
            | "MUTU"
            | "BAKU"
            | "BUKU"
            | "PERSYARATAN"
            | "KELENGKAPAN"
            | "WAKTU"
            | "OUTPUT"
            | "KET"
            | "KET."
            | "KETERANGAN"
    )
}

/// "KEPALA BIDANG" → "Kepala Bidang"; abbreviations stay in capitals ("JFU").
pub(super) fn role_name(words: &[String]) -> String {
    let cased: Vec<String> = words
        .iter()
        .map(|w| {
            if !is_known(w) && w.chars().count() <= 4 {
                w.clone()
            } else {
                let lower = w.to_lowercase();
                let mut chars = lower.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
        })
        .collect();
    cased.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_key_takes_the_first_four_words_that_matter() {
        assert_eq!(
            step_key("Memeriksa dan menyetujui rencana kerja kegiatan."),
            "memeriksa-menyetujui-rencana-kerja"
        );
        assert_eq!(step_key("Membuat rencana kerja."), "membuat-rencana-kerja");
        assert_eq!(
            step_key("Mendistribusikan surat undangan sesuai tujuan Kabupaten/Kota."),
            "mendistribusikan-surat-undangan-tujuan"
        );
    }

    #[test]
    fn a_taken_key_gets_a_number() {
        let mut taken = Vec::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a-2");
        assert_eq!(unique("a".into(), &mut taken), "a-3");
    }

    #[test]
    fn role_names_are_title_case_except_abbreviations() {
        let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(role_name(&words("KEPALA BIDANG")), "Kepala Bidang");
        assert_eq!(role_name(&words("JFU")), "JFU");
        assert_eq!(role_name(&words("KEPALA UPTD")), "Kepala UPTD");
    }

    #[test]
    fn a_hyphen_at_a_line_end_joins_without_a_space() {
        let pieces = ["berisi nama-".to_string(), "nama calon".to_string()];
        assert_eq!(join_pieces(&pieces), "berisi nama-nama calon");
        let pieces = ["a  b ".to_string(), " - ".to_string(), "c".to_string()];
        assert_eq!(join_pieces(&pieces), "a b - c");
    }
}
