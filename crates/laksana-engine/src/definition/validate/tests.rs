//! One test per kind of problem, each checking the line it is reported on.

use super::*;

const VALID: &str = r#"kunci = "contoh"
versi = "1"
nama = "CONTOH"
unit = "BLK"

[[pelaksana]]
kunci = "jfu"
nama = "JFU"
atasan = "kabid"

[[pelaksana]]
kunci = "kabid"
nama = "Kepala Bidang"

[[langkah]]
nomor = 1
kunci = "konsep"
kegiatan = "Membuat konsep."
pelaksana = "jfu"
waktu = "1 hari"

[[langkah]]
nomor = 2
kunci = "periksa"
kegiatan = "Memeriksa konsep."
pelaksana = "kabid"
waktu = "30 menit"
keputusan = { tidak = 1 }
"#;

/// VALID with one line replaced; the replaced line must exist exactly once.
fn edit(old: &str, new: &str) -> String {
    assert_eq!(VALID.matches(old).count(), 1, "{old:?} must occur once");
    VALID.replace(old, new)
}

/// 1-based line of the `nth` (0-based) occurrence of `needle`.
fn line_of(src: &str, needle: &str, nth: usize) -> usize {
    let (at, _) = src.match_indices(needle).nth(nth).expect("needle present");
    src[..at].matches('\n').count() + 1
}

fn problems(src: &str) -> Vec<Problem> {
    SopDefinition::parse(src).expect_err("the definition has problems")
}

/// Exactly one problem, on `line`, whose message contains `words`.
fn assert_single(src: &str, line: usize, words: &str) {
    let found = problems(src);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, Some(line), "{found:#?}");
    assert!(found[0].message.contains(words), "{found:#?}");
}

#[test]
fn a_valid_definition_has_no_problems() {
    let def = SopDefinition::parse(VALID).unwrap();
    assert_eq!(
        def.step(2).unwrap().decision,
        Some(Decision { on_return: 1 })
    );
    assert_eq!(def.role("jfu").unwrap().atasan.as_deref(), Some("kabid"));
}

#[test]
fn a_toml_syntax_error_is_reported_at_its_line() {
    let src = edit(
        "kegiatan = \"Memeriksa konsep.\"",
        "kegiatan = \"Memeriksa konsep.",
    );
    assert_single(&src, line_of(&src, "Memeriksa", 0), "TOML");
}

#[test]
fn a_missing_value_names_its_line_and_column() {
    let src = edit("waktu = \"1 hari\"", "waktu = ");
    let found = problems(&src);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, Some(line_of(&src, "waktu = \n", 0)));
    assert!(found[0]
        .message
        .starts_with("Penulisan TOML tidak sah pada kolom 9"));
}

#[test]
fn a_note_on_a_step_with_problems_is_not_a_problem_itself() {
    let src = format!("{VALID}\n[[catatan]]\nlangkah = 2\nteks = \"x\"\n")
        .replace("waktu = \"30 menit\"", "waktu = \"sebentar\"");
    assert_eq!(problems(&src).len(), 1);
}

#[test]
fn an_unknown_key_is_reported_in_indonesian_at_its_line() {
    let src = edit("pelaksana = \"kabid\"", "pelaksanaa = \"kabid\"");
    assert_single(&src, line_of(&src, "pelaksanaa", 0), "tidak dikenal");
}

#[test]
fn an_unknown_role_is_reported_at_its_line() {
    let src = edit("pelaksana = \"kabid\"", "pelaksana = \"kadis\"");
    assert_single(&src, line_of(&src, "\"kadis\"", 0), "Pelaksana \"kadis\"");
}

#[test]
fn a_step_without_pelaksana_is_reported_at_the_step() {
    let src = edit("pelaksana = \"kabid\"\n", "");
    assert_single(
        &src,
        line_of(&src, "[[langkah]]", 1),
        "tidak memiliki pelaksana",
    );
}

#[test]
fn a_duplicate_step_number_is_reported_with_the_gap_it_leaves() {
    let src = edit("nomor = 2", "nomor = 1").replace("keputusan = { tidak = 1 }\n", "");
    let found = problems(&src);
    let second = line_of(&src, "[[langkah]]", 1);
    let messages: Vec<(Option<usize>, &str)> =
        found.iter().map(|p| (p.line, p.message.as_str())).collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(messages.iter().all(|(line, _)| *line == Some(second)));
    assert!(messages[0].1.contains("Nomor langkah 1 dipakai dua kali"));
    assert!(messages[1].1.contains("Nomor langkah 2 tidak ada"));
}

#[test]
fn a_missing_step_number_is_reported_at_the_step_after_the_gap() {
    let src = edit("nomor = 2", "nomor = 3");
    assert_single(
        &src,
        line_of(&src, "[[langkah]]", 1),
        "Nomor langkah 2 tidak ada",
    );
}

#[test]
fn a_duplicate_step_key_is_reported_at_its_line() {
    let src = edit("kunci = \"periksa\"", "kunci = \"konsep\"");
    assert_single(
        &src,
        line_of(&src, "kunci = \"konsep\"", 1),
        "dipakai dua kali",
    );
}

#[test]
fn a_decision_must_return_to_an_earlier_step() {
    let src = edit("tidak = 1", "tidak = 2");
    assert_single(&src, line_of(&src, "keputusan", 0), "langkah sebelumnya");
}

#[test]
fn a_decision_must_return_to_a_step_that_exists() {
    let src = edit("tidak = 1", "tidak = 0");
    assert_single(&src, line_of(&src, "keputusan", 0), "yang tidak ada");
}

#[test]
fn an_unreadable_waktu_is_reported_with_the_calendars_message() {
    let src = edit("waktu = \"30 menit\"", "waktu = \"sebentar\"");
    let reason = Waktu::parse("sebentar").unwrap_err().to_string();
    assert_single(&src, line_of(&src, "sebentar", 0), &reason);
}

#[test]
fn an_atasan_naming_an_unknown_role_is_reported_at_its_line() {
    let src = edit("atasan = \"kabid\"", "atasan = \"kadis\"");
    assert_single(&src, line_of(&src, "atasan", 0), "Atasan \"kadis\"");
}

#[test]
fn a_circle_of_atasan_is_reported_for_each_role_in_it() {
    let src = edit(
        "nama = \"Kepala Bidang\"",
        "nama = \"Kepala Bidang\"\natasan = \"jfu\"",
    );
    let found = problems(&src);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|p| p.message.contains("berputar")));
}

#[test]
fn a_missing_sop_key_is_reported_without_a_line() {
    let src = edit("kunci = \"contoh\"\n", "");
    let found = problems(&src);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, None);
    assert_eq!(found[0].to_string(), "Kunci SOP (kunci) belum diisi.");
}

#[test]
fn a_note_on_a_missing_step_or_unknown_column_is_reported() {
    let src = format!("{VALID}\n[[catatan]]\nlangkah = 7\nkolom = \"warna\"\nteks = \"x\"\n");
    let found = problems(&src);
    let lines: Vec<Option<usize>> = found.iter().map(|p| p.line).collect();
    let expected = [line_of(&src, "langkah = 7", 0), line_of(&src, "kolom", 0)];
    assert_eq!(lines, expected.map(Some), "{found:#?}");
}

#[test]
fn several_problems_are_reported_at_once_in_line_order() {
    let src = VALID
        .replace("atasan = \"kabid\"", "atasan = \"kadis\"")
        .replace("kunci = \"periksa\"", "kunci = \"konsep\"")
        .replace("pelaksana = \"kabid\"", "pelaksana = \"staf\"")
        .replace("waktu = \"30 menit\"", "waktu = \"sebentar\"");
    let found = problems(&src);
    let lines: Vec<Option<usize>> = found.iter().map(|p| p.line).collect();
    let expected = [
        line_of(&src, "atasan", 0),
        line_of(&src, "kunci = \"konsep\"", 1),
        line_of(&src, "\"staf\"", 0),
        line_of(&src, "sebentar", 0),
    ];
    assert_eq!(lines, expected.map(Some), "{found:#?}");
    assert!(found[0]
        .to_string()
        .starts_with(&format!("baris {}: ", expected[0])));
}

#[test]
fn a_pelaksana_left_as_todo_is_reported_as_a_todo_naming_the_roles() {
    let src = edit("pelaksana = \"kabid\"", "pelaksana = \"TODO\"");
    assert_single(&src, line_of(&src, "\"TODO\"", 0), "masih TODO");
    assert!(problems(&src)[0].message.contains("jfu, kabid"));
}

#[test]
fn a_waktu_or_a_required_text_left_as_todo_is_reported_as_a_todo() {
    let src = edit("waktu = \"30 menit\"", "waktu = \"TODO\"");
    assert_single(
        &src,
        line_of(&src, "\"TODO\"", 0),
        "Waktu langkah 2 masih TODO",
    );
    let src = edit("unit = \"BLK\"", "unit = \"TODO\"");
    assert_single(&src, line_of(&src, "\"TODO\"", 0), "Unit (unit) masih TODO");
    let src = edit("kegiatan = \"Membuat konsep.\"", "kegiatan = \"TODO\"");
    assert_single(
        &src,
        line_of(&src, "\"TODO\"", 0),
        "Kegiatan langkah 1 masih TODO",
    );
}

#[test]
fn a_decision_returning_to_step_zero_is_reported_as_a_todo() {
    let src = edit("keputusan = { tidak = 1 }", "keputusan = { tidak = 0 }");
    assert_single(&src, line_of(&src, "tidak = 0", 0), "masih TODO");
}
