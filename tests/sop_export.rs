//! `laksana sop export` and `laksana sop import` as a user runs them.

use std::process::{Command, Output};

use laksana_engine::SopDefinition;

fn laksana(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_laksana"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("run laksana")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const SEED_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/sop/penyelenggaraan-pelatihan.toml"
);

#[test]
fn bpmn_export_goes_to_standard_output_or_to_the_file_given_with_o() {
    let out = laksana(&["sop", "export", "--format", "bpmn", SEED_FILE]);
    assert!(out.status.success(), "{}", stderr(&out));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_eq!(xml.matches("<bpmn:userTask ").count(), 11);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.bpmn");
    let out = laksana(&["sop", "export", SEED_FILE, "-o", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), xml);
}

#[test]
fn the_exported_bpmn_imports_back_to_the_same_toml_data() {
    let dir = tempfile::tempdir().unwrap();
    let bpmn = dir.path().join("sop.bpmn");
    let out = laksana(&["sop", "export", SEED_FILE, "-o", bpmn.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = laksana(&["sop", "import", "--format", "bpmn", bpmn.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let imported = SopDefinition::parse(&stdout(&out)).unwrap();
    let shipped = SopDefinition::parse(&std::fs::read_to_string(SEED_FILE).unwrap()).unwrap();
    assert_eq!(imported, shipped);

    // And `sop check` accepts what import printed.
    let toml_path = dir.path().join("kembali.toml");
    std::fs::write(&toml_path, stdout(&out)).unwrap();
    let check = laksana(&["sop", "check", toml_path.to_str().unwrap()]);
    assert!(check.status.success(), "{}", stdout(&check));
}

#[test]
fn mermaid_export_prints_a_flowchart() {
    let out = laksana(&["sop", "export", "--format", "mermaid", SEED_FILE]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("flowchart TD"));
    assert!(text.contains("langkah_2 -->|Tidak| langkah_1"));
}

#[test]
fn import_refuses_a_doctype_with_exit_code_one_and_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jahat.bpmn");
    std::fs::write(
        &path,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<d>&x;</d>\n",
    )
    .unwrap();
    let out = laksana(&["sop", "import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("DOCTYPE"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("root:"));
}

#[test]
fn import_refuses_a_huge_file_without_reading_all_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("besar.bpmn");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(64 * 1024 * 1024).unwrap();
    let out = laksana(&["sop", "import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("terlalu besar"), "{}", stderr(&out));
}

#[test]
fn exporting_a_broken_definition_lists_its_problems_and_exits_one() {
    let src = std::fs::read_to_string(SEED_FILE).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rusak.toml");
    std::fs::write(
        &path,
        src.replacen("waktu = \"30 menit\"", "waktu = \"sebentar\"", 1),
    )
    .unwrap();
    let out = laksana(&["sop", "export", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("sebentar"), "{}", stderr(&out));
}

#[test]
fn sop_pdf_writes_the_official_document_and_reports_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.pdf");
    let out = laksana(&["sop", "pdf", SEED_FILE, "-o", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = std::fs::read(&path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(stdout(&out).contains("halaman"), "{}", stdout(&out));
}

#[test]
fn sop_pdf_of_a_broken_definition_exits_one_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "nama = \"x\"\n[[langkah]]\nnomor = 1\n").unwrap();
    let path = dir.path().join("sop.pdf");
    let out = laksana(&[
        "sop",
        "pdf",
        bad.to_str().unwrap(),
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!path.exists());
}
