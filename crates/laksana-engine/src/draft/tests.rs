//! The draft of the seed against the shipped definition, two more SOP texts in the same
//! extracted layout, and the promise that `sop check` on a draft reports its TODOs only.

use super::*;
use crate::{Problem, SopDefinition, SEED_SOP};

/// The seed sits in `shared/`, beside the repository (as for the faithfulness test).
const SEED_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/000_f1d0972994eb6d66.txt"
);
const LEGALISIR: &str = include_str!("../../tests/fixtures/legalisir-ijazah.txt");
const PENDAFTARAN: &str = include_str!("../../tests/fixtures/pendaftaran-peserta.txt");

fn seed_text() -> String {
    std::fs::read_to_string(SEED_PATH).unwrap_or_else(|e| {
        panic!(
            "The seed text {SEED_PATH} cannot be read ({e}); place shared/ beside the \
             repository."
        )
    })
}

fn draft(text: &str) -> Draft {
    draft_from_text(text).expect("a draft is made")
}

fn problems(draft: &Draft) -> Vec<Problem> {
    SopDefinition::parse(&draft.toml).expect_err("a draft has TODOs")
}

/// The draft with every TODO filled in the simplest valid way.
fn filled(draft: &Draft) -> SopDefinition {
    let role_key = pelaksana_keys(draft)[0].clone();
    let toml = draft
        .toml
        .replace(
            "pelaksana = \"TODO\"",
            &format!("pelaksana = \"{role_key}\""),
        )
        .replace("keputusan = { tidak = 0 }", "keputusan = { tidak = 1 }");
    SopDefinition::parse(&toml).unwrap_or_else(|p| panic!("{p:#?}\n{toml}"))
}

/// The `kunci` of each `[[pelaksana]]` block, read from the draft's text.
fn pelaksana_keys(draft: &Draft) -> Vec<String> {
    let lines: Vec<&str> = draft.toml.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0] == "[[pelaksana]]")
        .map(|w| {
            w[1].trim_start_matches("kunci = ")
                .trim_matches('"')
                .to_string()
        })
        .collect()
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Expected rows: (kegiatan, persyaratan, waktu, output).
fn assert_steps(def: &SopDefinition, expected: &[(&str, &str, &str, &str)]) {
    let got: Vec<(String, String, String, String)> = def
        .steps
        .iter()
        .map(|s| {
            (
                s.kegiatan.clone(),
                s.persyaratan.clone(),
                s.waktu.raw.clone(),
                s.output.clone(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(k, p, w, o)| (k.to_string(), p.to_string(), w.to_string(), o.to_string()))
        .collect();
    assert_eq!(got, expected);
}

/// `sop check` on the draft: one problem per TODO, on its line, saying TODO; nothing else.
fn assert_check_reports_exactly_the_todos(draft: &Draft) {
    let found = problems(draft);
    let lines: Vec<Option<usize>> = found.iter().map(|p| p.line).collect();
    let todo_lines: Vec<Option<usize>> = draft.todos.iter().map(|t| Some(t.line)).collect();
    assert_eq!(lines, todo_lines, "{found:#?}\n{}", draft.toml);
    for p in &found {
        assert!(p.message.contains("TODO"), "{p}");
    }
    for todo in &draft.todos {
        let line = draft.toml.lines().nth(todo.line - 1).unwrap();
        assert!(
            line.contains("TODO") || line.contains("tidak = 0"),
            "{line}"
        );
    }
}

#[test]
fn the_seeds_eleven_steps_match_the_shipped_definition() {
    let draft = draft(&seed_text());
    assert_eq!(draft.steps, 11);
    let ours = filled(&draft);
    let shipped = SopDefinition::parse(SEED_SOP).unwrap();
    assert_eq!(ours.steps.len(), 11);
    for (a, b) in ours.steps.iter().zip(&shipped.steps) {
        assert_eq!(a.number, b.number);
        assert_eq!(
            normalise(&a.kegiatan),
            normalise(&b.kegiatan),
            "kegiatan {}",
            a.number
        );
        assert_eq!(a.persyaratan, b.persyaratan, "persyaratan {}", a.number);
        assert_eq!(a.waktu.raw, b.waktu.raw, "waktu {}", a.number);
        assert_eq!(a.waktu, b.waktu);
        assert_eq!(a.output, b.output, "output {}", a.number);
    }
}

#[test]
fn the_seed_without_empty_lines_or_with_crlf_gives_the_same_draft() {
    let seed = seed_text();
    let expected = draft(&seed);
    let tight: String = seed
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(draft(&tight).toml, expected.toml);
    let crlf = seed.replace('\n', "\r\n");
    assert_eq!(draft(&crlf).toml, expected.toml);
}

#[test]
fn checking_the_seed_draft_reports_exactly_its_eleven_pelaksana_todos() {
    let draft = draft(&seed_text());
    assert_eq!(draft.todos.len(), 11, "{:#?}", draft.todos);
    assert!(draft.todos.iter().all(|t| t.message.contains("pelaksana")));
    assert_check_reports_exactly_the_todos(&draft);
}

#[test]
fn the_seed_draft_reads_the_title_the_boxes_and_the_pelaksana_columns() {
    let draft = draft(&seed_text());
    let ours = filled(&draft);
    let shipped = SopDefinition::parse(SEED_SOP).unwrap();
    assert_eq!(ours.key, shipped.key);
    assert_eq!(ours.nama, shipped.nama);
    assert_eq!(ours.subjudul, shipped.subjudul);
    assert_eq!(ours.unit, shipped.unit);
    assert_eq!(ours.dasar_hukum, shipped.dasar_hukum);
    assert_eq!(ours.kualifikasi_pelaksana, shipped.kualifikasi_pelaksana);
    assert_eq!(ours.keterkaitan, shipped.keterkaitan);
    assert_eq!(ours.peralatan, shipped.peralatan);
    assert_eq!(ours.peringatan, shipped.peringatan);
    assert_eq!(ours.pencatatan, shipped.pencatatan);
    let names = |d: &SopDefinition| -> Vec<(String, String)> {
        d.roles
            .iter()
            .map(|r| (r.key.clone(), r.name.clone()))
            .collect()
    };
    assert_eq!(names(&ours), names(&shipped));
    assert_eq!(
        draft.roles,
        ["JFU", "Kepala Bidang", "Staf", "Kepala Dinas", "Panitia"]
    );
}

#[test]
fn the_seed_draft_suggests_decisions_for_its_checking_steps_without_claiming_them() {
    let draft = draft(&seed_text());
    assert!(!draft.toml.lines().any(|l| l.starts_with("keputusan")));
    let hints: Vec<&str> = draft
        .toml
        .lines()
        .filter(|l| l.starts_with("# Langkah pemeriksaan"))
        .collect();
    assert_eq!(hints.len(), 2, "steps 2 and 5 start with \"Memeriksa\"");
    assert!(hints[0].ends_with("keputusan = { tidak = 1 }"));
    assert!(hints[1].ends_with("keputusan = { tidak = 4 }"));
}

#[test]
fn the_legalisir_text_gives_its_seven_steps_and_its_decision() {
    let draft = draft(LEGALISIR);
    let def = filled(&draft);
    assert_steps(
        &def,
        &[
            (
                "Menyerahkan fotokopi ijazah dan ijazah asli.",
                "Fotokopi ijazah, ijazah asli",
                "5 menit",
                "Berkas permohonan legalisir",
            ),
            (
                "Menerima dan mencatat berkas permohonan dalam buku agenda legalisir.",
                "Berkas permohonan legalisir",
                "10 menit",
                "Tanda terima berkas",
            ),
            (
                "Meneliti kesesuaian fotokopi dengan ijazah asli.",
                "Fotokopi ijazah, ijazah asli",
                "15 Menit",
                "Berkas yang sudah diteliti",
            ),
            (
                "Memeriksa keabsahan berkas.",
                "Berkas yang sudah diteliti",
                "1 jam",
                "Berkas disetujui atau dikembalikan",
            ),
            (
                "Membubuhkan paraf pada fotokopi ijazah.",
                "Berkas disetujui",
                "30 menit",
                "Fotokopi ijazah berparaf",
            ),
            (
                "Menandatangani legalisir.",
                "Fotokopi ijazah berparaf",
                "1 hari",
                "Fotokopi ijazah terlegalisir",
            ),
            (
                "Menyerahkan fotokopi ijazah terlegalisir kepada pemohon.",
                "Tanda terima berkas, fotokopi ijazah terlegalisir",
                "10 menit",
                "Legalisir diterima pemohon",
            ),
        ],
    );
    let decisions: Vec<u32> = def
        .steps
        .iter()
        .filter(|s| s.decision.is_some())
        .map(|s| s.number)
        .collect();
    assert_eq!(decisions, [4]);
    assert_eq!(
        draft.roles,
        ["Pemohon", "Petugas Loket", "Kepala Seksi", "Kepala Dinas"]
    );
}

#[test]
fn the_legalisir_text_gives_its_identity_block_and_boxes() {
    let def = filled(&draft(LEGALISIR));
    assert_eq!(def.key, "pelayanan-legalisir-ijazah");
    assert_eq!(def.nama, "PELAYANAN LEGALISIR IJAZAH");
    assert_eq!(def.unit, "PEMERINTAH KABUPATEN SUKAMAJU DINAS PENDIDIKAN");
    assert_eq!(def.subjudul, None);
    assert_eq!(def.identity.nomor.as_deref(), Some("012/SOP/DISDIK/2025"));
    assert_eq!(
        def.identity.tanggal_pembuatan.as_deref(),
        Some("3 Februari 2025")
    );
    assert_eq!(def.identity.tanggal_revisi.as_deref(), Some("-"));
    assert_eq!(
        def.identity.tanggal_efektif.as_deref(),
        Some("10 Februari 2025")
    );
    assert_eq!(
        def.dasar_hukum,
        [
            "Undang-Undang Nomor 20 Tahun 2003 tentang Sistem Pendidikan Nasional",
            "Peraturan Menteri Pendidikan dan Kebudayaan Nomor 29 Tahun 2014 tentang \
             Pengesahan Fotokopi Ijazah/Surat Tanda Tamat Belajar",
        ]
    );
    assert_eq!(
        def.kualifikasi_pelaksana,
        [
            "Memahami tata naskah dinas",
            "Mampu mengoperasikan komputer"
        ]
    );
    assert_eq!(def.keterkaitan, ["SOP Pengarsipan Dokumen"]);
    assert_eq!(def.peralatan, ["Komputer dan printer", "Stempel dinas"]);
    assert_eq!(
        def.peringatan,
        [
            "Legalisir hanya diberikan untuk ijazah yang diterbitkan satuan pendidikan di \
          wilayah Kabupaten Sukamaju."
        ]
    );
    assert_eq!(
        def.pencatatan,
        [
            "Buku agenda legalisir",
            "Arsip fotokopi ijazah yang dilegalisir"
        ]
    );
}

#[test]
fn the_pendaftaran_text_gives_its_six_steps_across_a_page_break() {
    let draft = draft(PENDAFTARAN);
    let def = filled(&draft);
    assert_steps(
        &def,
        &[
            (
                "Mengisi formulir pendaftaran dan melampirkan fotokopi KTP serta ijazah \
                 terakhir.",
                "Formulir pendaftaran, fotokopi KTP, fotokopi ijazah",
                "15 menit",
                "Formulir pendaftaran terisi",
            ),
            (
                "Memeriksa kelengkapan berkas pendaftaran.",
                "Formulir pendaftaran terisi",
                "5-10 menit",
                "Berkas pendaftaran lengkap",
            ),
            (
                "Memasukkan data calon peserta ke dalam aplikasi pendaftaran dan mencetak \
                 bukti pendaftaran beserta nomor urut peserta seleksi.",
                "Berkas pendaftaran lengkap",
                "10 menit",
                "Bukti pendaftaran",
            ),
            (
                "Melaksanakan seleksi administrasi dan wawancara.",
                "-",
                "1-2 hari",
                "Hasil seleksi administrasi dan wawancara",
            ),
            (
                "Menetapkan daftar peserta pelatihan.",
                "Hasil seleksi",
                "1 hari kerja",
                "Daftar peserta pelatihan yang ditetapkan",
            ),
            (
                "Mengumumkan daftar peserta pelatihan.",
                "Daftar peserta pelatihan yang ditetapkan",
                "30 menit",
                "Pengumuman peserta pelatihan",
            ),
        ],
    );
    assert!(def.step(2).unwrap().waktu.is_range());
    assert_eq!(
        draft.roles,
        [
            "Calon Peserta",
            "Petugas Pendaftaran",
            "Kepala Sub Bagian Tata Usaha"
        ]
    );
    assert_eq!(
        pelaksana_keys(&draft),
        [
            "calon-peserta",
            "petugas-pendaftaran",
            "kepala-sub-bagian-tata-usaha"
        ]
    );
}

#[test]
fn the_pendaftaran_text_gives_its_wrapped_title_and_single_boxes() {
    let def = filled(&draft(PENDAFTARAN));
    assert_eq!(def.nama, "PENDAFTARAN PESERTA PELATIHAN");
    assert_eq!(def.unit, "UPTD BALAI LATIHAN KERJA KOTA SUKAMAJU");
    assert_eq!(def.identity.nomor.as_deref(), Some("800/045/UPTD-BLK/2024"));
    assert_eq!(def.dasar_hukum.len(), 2);
    assert!(def.dasar_hukum[1].ends_with("tentang Penyelenggaraan Ketenagakerjaan"));
    assert_eq!(def.kualifikasi_pelaksana.len(), 2);
    assert!(def.keterkaitan.is_empty());
    assert_eq!(def.peralatan, ["Komputer", "Aplikasi pendaftaran peserta"]);
    assert_eq!(
        def.peringatan,
        ["Berkas yang tidak lengkap tidak dapat diproses."]
    );
    assert_eq!(def.pencatatan, ["Buku register pendaftaran peserta"]);
}

#[test]
fn checking_the_other_drafts_reports_exactly_their_pelaksana_and_decision_todos() {
    for (text, steps) in [(LEGALISIR, 7), (PENDAFTARAN, 6)] {
        let draft = draft(text);
        assert_eq!(draft.steps, steps);
        // One pelaksana per step, plus the decision's "Tidak" target.
        assert_eq!(draft.todos.len(), steps + 1, "{:#?}", draft.todos);
        assert_check_reports_exactly_the_todos(&draft);
    }
}

#[test]
fn a_step_without_a_readable_waktu_or_pelaksana_header_gets_todos_check_reports() {
    let text = "NO KEGIATAN PELAKSANA MUTU BAKU\n\
                1 2 3 4 5 6 7 8\n\
                1 Membuat konsep.     Data\n\
                1 hari Konsep\n\
                2 Memeriksa konsep.     Konsep\n\
                segera Konsep diperiksa\n";
    let draft = draft(text);
    let what: Vec<&str> = draft.todos.iter().map(|t| t.message.as_str()).collect();
    assert_eq!(
        what,
        [
            "kunci SOP",
            "nama SOP",
            "unit",
            "nama pelaksana kolom ke-1",
            "nama pelaksana kolom ke-2",
            "langkah 1: pelaksana (tanda centang hilang)",
            "langkah 2: pelaksana (tanda centang hilang)",
            "langkah 2: waktu",
        ]
    );
    assert_check_reports_exactly_the_todos(&draft);
}

#[test]
fn garbage_gives_a_clear_error_rather_than_a_panic() {
    assert_eq!(draft_from_text(""), Err(DraftError::Empty));
    assert_eq!(draft_from_text(" \n\t\n"), Err(DraftError::Empty));
    assert_eq!(
        draft_from_text("Lorem ipsum dolor sit amet.\n1 2 3\n\u{0}\u{1b}[0m ÿþ"),
        Err(DraftError::NoTable)
    );
    assert_eq!(
        draft_from_text("judul\nNO KEGIATAN PELAKSANA\nJFU\n"),
        Err(DraftError::NoSteps { header_line: 2 })
    );
    let message = DraftError::NoTable.to_string();
    assert!(message.contains("NO KEGIATAN PELAKSANA"), "{message}");
}

#[test]
fn every_cut_of_the_seed_gives_an_error_or_a_draft_whose_problems_are_its_todos() {
    let seed = seed_text();
    for end in (0..=seed.len()).step_by(7) {
        if !seed.is_char_boundary(end) {
            continue;
        }
        if let Ok(draft) = draft_from_text(&seed[..end]) {
            assert_check_reports_exactly_the_todos(&draft);
        }
    }
}
