use super::xml::{self, Element, Ns};
use super::*;
use crate::definition::{Pengesah, SEED_SOP};

fn seed() -> SopDefinition {
    SopDefinition::parse(SEED_SOP).expect("the shipped definition is valid")
}

fn exported() -> String {
    to_bpmn(&seed())
}

/// Every element in the tree, depth first.
fn all(root: &Element) -> Vec<&Element> {
    let mut out = vec![root];
    for child in &root.children {
        out.extend(all(child));
    }
    out
}

fn bpmn_elements<'a>(root: &'a Element, name: &str) -> Vec<&'a Element> {
    all(root)
        .into_iter()
        .filter(|e| e.is(&Ns::Bpmn, name))
        .collect()
}

fn by_id<'a>(root: &'a Element, id: &str) -> &'a Element {
    all(root)
        .into_iter()
        .find(|e| e.id() == Some(id))
        .unwrap_or_else(|| panic!("no element {id}"))
}

/// The problems of importing `xml`, which must fail.
fn refused(xml: &str) -> Vec<BpmnProblem> {
    match from_bpmn(xml) {
        Ok(toml) => panic!("expected a refusal, got:\n{toml}"),
        Err(problems) => problems,
    }
}

fn has_problem(problems: &[BpmnProblem], id: Option<&str>, words: &str) -> bool {
    problems
        .iter()
        .any(|p| p.id.as_deref() == id && p.message.contains(words))
}

/// Replaces the whole element `<tag id="id" …>…</tag>` (not nested in itself) with `new`.
fn replace_element(xml: &str, tag: &str, id: &str, new: impl Fn(&str) -> String) -> String {
    let start = xml
        .find(&format!("<{tag} id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {tag} {id}"));
    let close = format!("</{tag}>");
    let end = start + xml[start..].find(&close).unwrap() + close.len();
    format!("{}{}{}", &xml[..start], new(&xml[start..end]), &xml[end..])
}

// ---------------------------------------------------------------------------------------------
// Export

#[test]
fn the_seed_survives_toml_to_bpmn_to_toml_without_loss() {
    let def = seed();
    let toml_text = from_bpmn(&to_bpmn(&def)).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(SopDefinition::parse(&toml_text).unwrap(), def);
    // And the TOML says the same as the shipped file, key for key.
    let ours: toml::Value = toml::from_str(&toml_text).unwrap();
    let shipped: toml::Value = toml::from_str(SEED_SOP).unwrap();
    assert_eq!(ours, shipped);
    // A second trip changes nothing.
    let again = SopDefinition::parse(&toml_text).unwrap();
    assert_eq!(to_bpmn(&again), to_bpmn(&def));
}

#[test]
fn a_definition_with_every_optional_field_and_awkward_text_survives_the_round_trip() {
    let mut def = seed();
    def.subjudul = None;
    def.identity.nomor = Some("SOP-001/BLK/2026".into());
    def.identity.tanggal_pembuatan = Some("2 Januari 2026".into());
    def.identity.tanggal_revisi = Some("-".into());
    def.identity.tanggal_efektif = Some("5 Januari 2026".into());
    def.identity.disahkan_oleh = Some(Pengesah {
        jabatan: "Kepala Dinas".into(),
        nama: "Dra. Siti \"Ani\" Rahma".into(),
        nip: "".into(),
    });
    def.steps[0].kegiatan = "Membuat <rencana> & \"jadwal\"\nbaris dua\tdan tab".into();
    def.steps[0].keterangan = "Keterangan: berlapis\nPersyaratan palsu tanpa titik dua".into();
    def.steps[0].persyaratan = String::new();
    def.steps[3].guards = vec!["undangan-ditandatangani".into(), "dpa".into()];
    def.steps[5].output = "  spasi di tepi  ".into();
    def.roles[3].atasan = None;
    def.notes[0].text = "Catatan dengan ]]> dan -- dan \r\n CRLF".into();
    def.dasar_hukum.clear();
    def.substitutions.clear();
    let toml_text = from_bpmn(&to_bpmn(&def)).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(SopDefinition::parse(&toml_text).unwrap(), def);
}

#[test]
fn the_export_has_eleven_user_tasks_five_lanes_two_gateways_and_one_start_and_end() {
    let root = xml::parse(&exported()).unwrap();
    assert!(root.is(&Ns::Bpmn, "definitions"));
    assert_eq!(bpmn_elements(&root, "userTask").len(), 11);
    assert_eq!(bpmn_elements(&root, "lane").len(), 5);
    assert_eq!(bpmn_elements(&root, "exclusiveGateway").len(), 2);
    assert_eq!(bpmn_elements(&root, "startEvent").len(), 1);
    assert_eq!(bpmn_elements(&root, "endEvent").len(), 1);
    assert_eq!(bpmn_elements(&root, "participant").len(), 1);
    // 1 from the start, 11 from the tasks, 2 more from each gateway.
    assert_eq!(bpmn_elements(&root, "sequenceFlow").len(), 16);
    let ids: Vec<&str> = bpmn_elements(&root, "userTask")
        .iter()
        .filter_map(|t| t.id())
        .collect();
    assert_eq!(ids[0], "Task_rencana_kerja");
    assert_eq!(ids[10], "Task_terima_laporan");
    let lanes: Vec<&str> = bpmn_elements(&root, "lane")
        .iter()
        .filter_map(|l| l.attr("name"))
        .collect();
    assert_eq!(
        lanes,
        ["JFU", "Kepala Bidang", "Staf", "Kepala Dinas", "Panitia"]
    );
    assert_eq!(
        by_id(&root, "Lane_kepala_bidang").attr("name"),
        Some("Kepala Bidang")
    );
}

#[test]
fn each_gateway_defaults_to_ya_and_its_tidak_flow_carries_approved_equals_zero() {
    let root = xml::parse(&exported()).unwrap();
    for (n, back) in [(2, "Task_rencana_kerja"), (5, "Task_konsep_undangan")] {
        let gateway = by_id(&root, &format!("Gateway_{n}"));
        assert_eq!(
            gateway.attr("default"),
            Some(format!("Flow_{n}_ya").as_str())
        );
        let ya = by_id(&root, &format!("Flow_{n}_ya"));
        assert_eq!(ya.attr("name"), Some("Ya"));
        assert_eq!(ya.attr("sourceRef"), Some(format!("Gateway_{n}").as_str()));
        assert!(ya.bpmn_children("conditionExpression").next().is_none());
        let tidak = by_id(&root, &format!("Flow_{n}_tidak"));
        assert_eq!(tidak.attr("name"), Some("Tidak"));
        assert_eq!(tidak.attr("targetRef"), Some(back));
        let condition = tidak.bpmn_children("conditionExpression").next().unwrap();
        assert_eq!(condition.text, "approved == 0");
    }
    assert_eq!(
        by_id(&root, "Flow_2").attr("targetRef"),
        Some("Gateway_2"),
        "the decision step flows into its gateway"
    );
    assert!(exported().contains("xsi:type=\"bpmn:tFormalExpression\">approved == 0<"));
}

#[test]
fn every_task_sits_in_the_lane_of_its_pelaksana_and_documents_its_mutu_baku() {
    let def = seed();
    let root = xml::parse(&to_bpmn(&def)).unwrap();
    for step in &def.steps {
        let id = task_id(&step.key);
        let lane = by_id(&root, &lane_id(&step.pelaksana));
        assert!(
            lane.bpmn_children("flowNodeRef").any(|r| r.text == id),
            "{id} not in {}",
            step.pelaksana
        );
        let task = by_id(&root, &id);
        assert_eq!(
            task.attr("name"),
            Some(format!("{}. {}", step.number, step.kegiatan).as_str())
        );
        let doc = &task.bpmn_children("documentation").next().unwrap().text;
        assert!(
            doc.contains(&format!("Persyaratan: {}", step.persyaratan)),
            "{doc}"
        );
        assert!(doc.contains(&format!("Waktu: {}", step.waktu.raw)), "{doc}");
        assert!(doc.contains(&format!("Output: {}", step.output)), "{doc}");
    }
}

#[test]
fn the_export_draws_every_element_and_every_flow() {
    let root = xml::parse(&exported()).unwrap();
    let shapes: Vec<&str> = bpmn_di(&root, "BPMNShape");
    let edges: Vec<&str> = bpmn_di(&root, "BPMNEdge");
    for name in [
        "participant",
        "lane",
        "userTask",
        "exclusiveGateway",
        "startEvent",
        "endEvent",
    ] {
        for element in bpmn_elements(&root, name) {
            assert!(shapes.contains(&element.id().unwrap()), "{name} not drawn");
        }
    }
    for flow in bpmn_elements(&root, "sequenceFlow") {
        assert!(
            edges.contains(&flow.id().unwrap()),
            "{:?} not drawn",
            flow.id()
        );
    }
    let plane = all(&root)
        .into_iter()
        .find(|e| e.is(&Ns::BpmnDi, "BPMNPlane"))
        .unwrap();
    assert_eq!(
        plane.attr("bpmnElement"),
        Some("Collaboration_penyelenggaraan_pelatihan")
    );
}

fn bpmn_di<'a>(root: &'a Element, name: &str) -> Vec<&'a str> {
    all(root)
        .into_iter()
        .filter(|e| e.is(&Ns::BpmnDi, name))
        .filter_map(|e| e.attr("bpmnElement"))
        .collect()
}

#[test]
fn the_extension_carries_what_bpmn_has_no_element_for() {
    let text = exported();
    let root = xml::parse(&text).unwrap();
    let sop = all(&root)
        .into_iter()
        .find(|e| e.is(&Ns::Laksana, "sop"))
        .unwrap();
    assert_eq!(sop.attr("kunci"), Some("penyelenggaraan-pelatihan"));
    assert_eq!(
        sop.attr("subjudul"),
        Some("REGISTRASI PENYELENGARAAN PELATIHAN")
    );
    let count = |name: &str| sop.children.iter().filter(|c| c.name == name).count();
    assert_eq!(count("dasar_hukum"), 3);
    assert_eq!(count("catatan"), seed().notes.len());
    assert_eq!(count("substitusi"), 1);
    assert!(text.contains("<laksana:langkah kunci=\"rencana-kerja\" />"));
    assert!(text.contains("<laksana:pelaksana kunci=\"jfu\" atasan=\"kepala-bidang\" />"));
}

#[test]
fn the_export_is_the_same_every_time() {
    assert_eq!(exported(), exported());
}

// ---------------------------------------------------------------------------------------------
// Import of files Laksana did not write

#[test]
fn a_file_without_laksana_extensions_still_imports_with_keys_from_ids() {
    let mut text = exported();
    while let Some(start) = text.find("<bpmn:extensionElements>") {
        let close = "</bpmn:extensionElements>";
        let end = start + text[start..].find(close).unwrap() + close.len();
        text.replace_range(start..end, "");
    }
    let toml_text = from_bpmn(&text).unwrap_or_else(|p| panic!("{p:?}"));
    let def = SopDefinition::parse(&toml_text).unwrap();
    let seed = seed();
    assert_eq!(def.key, seed.key);
    assert_eq!(def.nama, seed.nama);
    assert_eq!(def.unit, seed.unit);
    assert_eq!(def.steps, seed.steps);
    let keys: Vec<&str> = def.roles.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        ["jfu", "kepala-bidang", "staf", "kepala-dinas", "panitia"]
    );
    assert!(def.notes.is_empty() && def.dasar_hukum.is_empty());
}

const HAND_MADE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Defs" targetNamespace="http://example.invalid/x">
  <bpmn:collaboration id="Collab">
    <bpmn:participant id="Pool" name="Balai Latihan Kerja" processRef="sop_mini" />
  </bpmn:collaboration>
  <bpmn:process id="sop_mini" name="SOP Mini" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_JFU" name="JFU">
        <bpmn:flowNodeRef>Start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_01_buat</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_KepalaBidang" name="Kepala Bidang">
        <bpmn:flowNodeRef>Task_02_periksa</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start" name="Mulai" />
    <bpmn:userTask id="Task_01_buat" name="1. Membuat rencana kerja" camunda:assignee="jfu">
      <bpmn:documentation>Input: Jadwal kegiatan, DPA | Waktu: 1 hari | Output: Rencana kerja</bpmn:documentation>
    </bpmn:userTask>
    <bpmn:userTask id="Task_02_periksa" name="2. Memeriksa rencana kerja">
      <bpmn:documentation>Input: Rencana kerja | Waktu: 30 menit | Output: Rencana disetujui</bpmn:documentation>
      <bpmn:extensionElements><camunda:properties /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gw" name="Disetujui?" />
    <bpmn:endEvent id="End" />
    <bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="Task_01_buat" />
    <bpmn:sequenceFlow id="F1" sourceRef="Task_01_buat" targetRef="Task_02_periksa" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_02_periksa" targetRef="Gw" />
    <bpmn:sequenceFlow id="F_tidak" name="Tidak" sourceRef="Gw" targetRef="Task_01_buat">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">approved == false</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F_ya" name="Ya" sourceRef="Gw" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>
"#;

#[test]
fn a_hand_made_file_in_the_subset_imports_with_derived_keys() {
    let toml_text = from_bpmn(HAND_MADE).unwrap_or_else(|p| panic!("{p:?}"));
    let def = SopDefinition::parse(&toml_text).unwrap();
    assert_eq!(def.key, "sop-mini");
    assert_eq!(def.version, "1");
    assert_eq!(def.unit, "Balai Latihan Kerja");
    let roles: Vec<(&str, &str)> = def
        .roles
        .iter()
        .map(|r| (r.key.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(roles, [("jfu", "JFU"), ("kepala-bidang", "Kepala Bidang")]);
    assert_eq!(def.steps.len(), 2);
    let first = &def.steps[0];
    assert_eq!(first.key, "01-buat");
    assert_eq!(first.kegiatan, "Membuat rencana kerja");
    assert_eq!(first.persyaratan, "Jadwal kegiatan, DPA");
    assert_eq!(first.waktu.raw, "1 hari");
    assert_eq!(first.output, "Rencana kerja");
    assert_eq!(def.steps[1].pelaksana, "kepala-bidang");
    assert_eq!(
        def.steps[1].decision,
        Some(crate::Decision { on_return: 1 })
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals

#[test]
fn a_parallel_gateway_is_refused_with_its_id() {
    let text = replace_element(&exported(), "bpmn:exclusiveGateway", "Gateway_5", |e| {
        e.replace("exclusiveGateway", "parallelGateway")
    });
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Gateway_5"), "gerbang paralel"),
        "{problems:?}"
    );
}

#[test]
fn a_timer_start_event_is_refused_with_its_id() {
    let text = exported().replacen(
        "<bpmn:outgoing>Flow_mulai</bpmn:outgoing>",
        "<bpmn:outgoing>Flow_mulai</bpmn:outgoing>\n<bpmn:timerEventDefinition id=\"Timer_1\">\
         <bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">PT1H</bpmn:timeDuration>\
         </bpmn:timerEventDefinition>",
        1,
    );
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("StartEvent_mulai"), "timerEventDefinition"),
        "{problems:?}"
    );
}

#[test]
fn a_timer_between_steps_is_refused_with_its_id() {
    let text = replace_element(&exported(), "bpmn:userTask", "Task_terima_jawaban", |_| {
        "<bpmn:intermediateCatchEvent id=\"Tunggu_jawaban\">\
         <bpmn:timerEventDefinition id=\"Timer_2\" /></bpmn:intermediateCatchEvent>"
            .into()
    });
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Tunggu_jawaban"), "timer"),
        "{problems:?}"
    );
}

#[test]
fn a_script_task_is_refused_with_its_id() {
    let text = replace_element(&exported(), "bpmn:userTask", "Task_rencana_kerja", |e| {
        e.replace("bpmn:userTask", "bpmn:scriptTask").replace(
            "</bpmn:scriptTask>",
            "<bpmn:script>import os; os.system('rm -rf /')</bpmn:script></bpmn:scriptTask>",
        )
    });
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Task_rencana_kerja"), "tugas skrip"),
        "{problems:?}"
    );
}

#[test]
fn any_doctype_is_refused_outright() {
    let text = exported().replacen("?>\n", "?>\n<!DOCTYPE bpmn:definitions>\n", 1);
    let problems = refused(&text);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("DOCTYPE"), "{problems:?}");
}

#[test]
fn an_external_entity_is_refused_without_reading_it() {
    let text = exported()
        .replacen(
            "?>\n",
            "?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
            1,
        )
        .replacen("Persyaratan: ", "Persyaratan: &xxe;", 1);
    let problems = refused(&text);
    assert!(problems[0].message.contains("DOCTYPE"), "{problems:?}");
    assert!(!problems[0].message.contains("root:"));
}

#[test]
fn a_billion_laughs_file_is_refused_without_expanding_it() {
    let mut dtd = String::from("<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>\n");
    let text = format!("<?xml version=\"1.0\"?>\n{dtd}<lolz>&lol9;</lolz>\n");
    let started = std::time::Instant::now();
    let problems = refused(&text);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert!(
        problems[0].message.contains("billion laughs"),
        "{problems:?}"
    );
}

#[test]
fn an_entity_used_without_a_doctype_is_refused() {
    let text = exported().replacen("Persyaratan: ", "Persyaratan: &lol9;", 1);
    let problems = refused(&text);
    assert!(problems[0].message.contains("&lol9;"), "{problems:?}");
}

#[test]
fn a_huge_file_is_refused_before_it_is_parsed() {
    let text = format!("<a>{}</a>", " ".repeat(MAX_BPMN_BYTES));
    let problems = refused(&text);
    assert!(
        problems[0].message.contains("terlalu besar"),
        "{problems:?}"
    );
}

#[test]
fn a_lane_reference_to_an_unknown_element_is_refused_with_the_lane_id() {
    let text = exported().replacen(
        "<bpmn:flowNodeRef>Task_distribusi_undangan</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>Task_hantu</bpmn:flowNodeRef>",
        1,
    );
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Lane_staf"), "Task_hantu"),
        "{problems:?}"
    );
    // And the task that lost its lane is named too.
    assert!(
        has_problem(&problems, Some("Task_distribusi_undangan"), "lane"),
        "{problems:?}"
    );
}

#[test]
fn a_flow_to_an_unknown_element_is_refused_with_the_flow_id() {
    let text = exported().replacen(
        "sourceRef=\"Task_rapat_persiapan\" targetRef=\"Task_pelaksanaan_pelatihan\"",
        "sourceRef=\"Task_rapat_persiapan\" targetRef=\"Task_hilang\"",
        1,
    );
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Flow_8"), "Task_hilang"),
        "{problems:?}"
    );
}

#[test]
fn a_tidak_flow_with_a_condition_laksana_cannot_drive_is_refused() {
    let text = exported().replacen(
        ">approved == 0</bpmn:conditionExpression>",
        ">anggaran &gt; 1000000</bpmn:conditionExpression>",
        1,
    );
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Flow_2_tidak"), "anggaran > 1000000"),
        "{problems:?}"
    );
}

#[test]
fn a_tidak_flow_that_jumps_forward_is_refused() {
    let text = exported().replacen(
        "id=\"Flow_2_tidak\" name=\"Tidak\" sourceRef=\"Gateway_2\" targetRef=\"Task_rencana_kerja\"",
        "id=\"Flow_2_tidak\" name=\"Tidak\" sourceRef=\"Gateway_2\" targetRef=\"Task_terima_laporan\"",
        1,
    );
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Flow_2_tidak"), "sebelumnya"),
        "{problems:?}"
    );
}

#[test]
fn a_second_outgoing_flow_from_a_task_is_refused_with_the_task_id() {
    let text = exported().replacen(
        "</bpmn:process>",
        "<bpmn:sequenceFlow id=\"Flow_pintas\" sourceRef=\"Task_rencana_kerja\" \
         targetRef=\"Task_terima_laporan\" />\n</bpmn:process>",
        1,
    );
    let problems = refused(&text);
    assert!(
        has_problem(&problems, Some("Task_rencana_kerja"), "2 alur keluar"),
        "{problems:?}"
    );
}

#[test]
fn a_file_that_is_not_xml_or_not_bpmn_is_refused_with_a_sentence() {
    let problems = refused("kunci = \"bukan xml\"");
    assert!(!problems.is_empty());
    let problems = refused("<html><body/></html>");
    assert!(
        problems[0].message.contains("bukan berkas BPMN"),
        "{problems:?}"
    );
    let problems = refused("<a><b></a>");
    assert!(
        problems[0].message.contains("XML tidak sah"),
        "{problems:?}"
    );
}

#[test]
fn problems_print_with_the_element_id_first() {
    let problem = BpmnProblem::at("Gateway_5", "ditolak.");
    assert_eq!(problem.to_string(), "elemen Gateway_5: ditolak.");
    assert_eq!(BpmnProblem::general("Umum.").to_string(), "Umum.");
}
