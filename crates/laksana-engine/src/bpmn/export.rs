//! SOP definition → BPMN 2.0 XML (semantic model, Laksana extensions, BPMNDI).

use crate::definition::{SopDefinition, Step};

use super::layout::{self, Kind, Layout, Node};
use super::xml::Writer;
use super::{
    gateway_id, lane_id, task_id, BPMNDI_NS, BPMN_NS, DC_NS, DI_NS, END_ID, LAKSANA_NS,
    RETURN_CONDITION, START_ID, XSI_NS,
};

/// A sequence flow between two nodes (indices into the node list).
struct Flow {
    id: String,
    source: usize,
    target: usize,
    name: Option<&'static str>,
    /// The "Tidak" flow: carries the condition and runs back.
    returns: bool,
}

/// The process as nodes in column order and the flows between them.
struct Plan {
    nodes: Vec<Node>,
    flows: Vec<Flow>,
    /// For each decision step's gateway: (node index, id of its "Ya" flow).
    defaults: Vec<(usize, String)>,
}

fn plan(def: &SopDefinition) -> Plan {
    let lane_of = |role: &str| def.roles.iter().position(|r| r.key == role).unwrap_or(0);
    let mut nodes = Vec::new();
    let first_lane = def.steps.first().map_or(0, |s| lane_of(&s.pelaksana));
    let last_lane = def.steps.last().map_or(0, |s| lane_of(&s.pelaksana));
    nodes.push(Node {
        id: START_ID.to_string(),
        kind: Kind::Start,
        lane: first_lane,
    });
    // Index of each step's task node, by position in `def.steps`.
    let mut task_node = Vec::new();
    for step in &def.steps {
        let lane = lane_of(&step.pelaksana);
        task_node.push(nodes.len());
        nodes.push(Node {
            id: task_id(&step.key),
            kind: Kind::Task,
            lane,
        });
        if step.decision.is_some() {
            nodes.push(Node {
                id: gateway_id(step.number),
                kind: Kind::Gateway,
                lane,
            });
        }
    }
    let end = nodes.len();
    nodes.push(Node {
        id: END_ID.to_string(),
        kind: Kind::End,
        lane: last_lane,
    });

    let mut flows = Vec::new();
    let mut defaults = Vec::new();
    flows.push(Flow {
        id: "Flow_mulai".into(),
        source: 0,
        target: task_node.first().copied().unwrap_or(end),
        name: None,
        returns: false,
    });
    for (i, step) in def.steps.iter().enumerate() {
        let task = task_node[i];
        let next = task_node.get(i + 1).copied().unwrap_or(end);
        let n = step.number;
        match step.decision {
            None => flows.push(Flow {
                id: format!("Flow_{n}"),
                source: task,
                target: next,
                name: None,
                returns: false,
            }),
            Some(decision) => {
                let gateway = task + 1;
                flows.push(Flow {
                    id: format!("Flow_{n}"),
                    source: task,
                    target: gateway,
                    name: None,
                    returns: false,
                });
                flows.push(Flow {
                    id: format!("Flow_{n}_ya"),
                    source: gateway,
                    target: next,
                    name: Some("Ya"),
                    returns: false,
                });
                defaults.push((gateway, format!("Flow_{n}_ya")));
                let back = def
                    .steps
                    .iter()
                    .position(|s| s.number == decision.on_return)
                    .map_or(task, |j| task_node[j]);
                flows.push(Flow {
                    id: format!("Flow_{n}_tidak"),
                    source: gateway,
                    target: back,
                    name: Some("Tidak"),
                    returns: true,
                });
            }
        }
    }
    Plan {
        nodes,
        flows,
        defaults,
    }
}

/// Id fragment of the SOP's key for the process, pool and diagram ids.
fn sop_id(def: &SopDefinition) -> String {
    def.key.replace('-', "_")
}

pub(super) fn write(def: &SopDefinition) -> String {
    let plan = plan(def);
    let k = sop_id(def);
    let process = format!("Process_{k}");
    let collaboration = format!("Collaboration_{k}");
    let participant = format!("Participant_{k}");
    let version = env!("CARGO_PKG_VERSION");
    let definitions = format!("Definitions_{k}");
    let target_ns = format!("urn:laksana:sop:{}", def.key);

    let mut w = Writer::new();
    w.comment(&format!(
        "SOP {} ({}), versi {}: diekspor oleh Laksana. Satu lajur per pelaksana, satu userTask \
         per langkah; keputusan: \"Ya\" adalah alur bawaan, \"Tidak\" bersyarat {}. Id tetap \
         (Task_<kunci langkah>, Lane_<kunci pelaksana>, Gateway_<nomor>).",
        def.nama, def.unit, def.version, RETURN_CONDITION
    ));
    w.open(
        "bpmn:definitions",
        &[
            ("xmlns:bpmn", BPMN_NS),
            ("xmlns:bpmndi", BPMNDI_NS),
            ("xmlns:dc", DC_NS),
            ("xmlns:di", DI_NS),
            ("xmlns:xsi", XSI_NS),
            ("xmlns:laksana", LAKSANA_NS),
            ("id", &definitions),
            ("targetNamespace", &target_ns),
            ("exporter", "Laksana"),
            ("exporterVersion", version),
        ],
    );
    w.open("bpmn:collaboration", &[("id", &collaboration)]);
    w.empty(
        "bpmn:participant",
        &[
            ("id", &participant),
            ("name", &def.unit),
            ("processRef", &process),
        ],
    );
    w.close("bpmn:collaboration");

    w.open(
        "bpmn:process",
        &[
            ("id", &process),
            ("name", &def.nama),
            ("isExecutable", "true"),
        ],
    );
    w.open("bpmn:extensionElements", &[]);
    sop_extension(def, &mut w);
    w.close("bpmn:extensionElements");
    lanes(def, &plan, &k, &mut w);
    flow_nodes(def, &plan, &mut w);
    for flow in &plan.flows {
        let source = &plan.nodes[flow.source].id;
        let target = &plan.nodes[flow.target].id;
        let mut attrs = vec![("id", flow.id.as_str())];
        if let Some(name) = flow.name {
            attrs.push(("name", name));
        }
        attrs.push(("sourceRef", source));
        attrs.push(("targetRef", target));
        if flow.returns {
            w.open("bpmn:sequenceFlow", &attrs);
            w.text(
                "bpmn:conditionExpression",
                &[("xsi:type", "bpmn:tFormalExpression")],
                RETURN_CONDITION,
            );
            w.close("bpmn:sequenceFlow");
        } else {
            w.empty("bpmn:sequenceFlow", &attrs);
        }
    }
    w.close("bpmn:process");

    diagram(def, &plan, &k, &collaboration, &participant, &mut w);
    w.close("bpmn:definitions");
    w.finish()
}

/// The identity block and everything else BPMN has no element for.
fn sop_extension(def: &SopDefinition, w: &mut Writer) {
    let mut attrs = vec![("kunci", def.key.as_str()), ("versi", def.version.as_str())];
    if let Some(subjudul) = &def.subjudul {
        attrs.push(("subjudul", subjudul));
    }
    w.open("laksana:sop", &attrs);
    let id = &def.identity;
    let fields = [
        ("nomor", &id.nomor),
        ("tanggal_pembuatan", &id.tanggal_pembuatan),
        ("tanggal_revisi", &id.tanggal_revisi),
        ("tanggal_efektif", &id.tanggal_efektif),
    ];
    let present: Vec<(&str, &str)> = fields
        .iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v)))
        .collect();
    match &id.disahkan_oleh {
        Some(p) => {
            w.open("laksana:identitas", &present);
            w.empty(
                "laksana:disahkan_oleh",
                &[("jabatan", &p.jabatan), ("nama", &p.nama), ("nip", &p.nip)],
            );
            w.close("laksana:identitas");
        }
        None if !present.is_empty() => w.empty("laksana:identitas", &present),
        None => {}
    }
    let lists = [
        ("dasar_hukum", &def.dasar_hukum),
        ("kualifikasi_pelaksana", &def.kualifikasi_pelaksana),
        ("keterkaitan", &def.keterkaitan),
        ("peralatan_perlengkapan", &def.peralatan),
        ("peringatan", &def.peringatan),
        ("pencatatan_pendataan", &def.pencatatan),
    ];
    for (name, items) in lists {
        for item in items {
            w.text(&format!("laksana:{name}"), &[], item);
        }
    }
    for note in &def.notes {
        let step = note.step.map(|n| n.to_string());
        let mut attrs = Vec::new();
        if let Some(step) = &step {
            attrs.push(("langkah", step.as_str()));
        }
        if let Some(field) = &note.field {
            attrs.push(("kolom", field.as_str()));
        }
        w.text("laksana:catatan", &attrs, &note.text);
    }
    for s in &def.substitutions {
        w.empty(
            "laksana:substitusi",
            &[("teks", &s.literal), ("pengaturan", &s.setting)],
        );
    }
    w.close("laksana:sop");
}

fn lanes(def: &SopDefinition, plan: &Plan, k: &str, w: &mut Writer) {
    w.open("bpmn:laneSet", &[("id", &format!("LaneSet_{k}"))]);
    for (i, role) in def.roles.iter().enumerate() {
        w.open(
            "bpmn:lane",
            &[("id", &lane_id(&role.key)), ("name", &role.name)],
        );
        w.open("bpmn:extensionElements", &[]);
        let mut attrs = vec![("kunci", role.key.as_str())];
        if let Some(atasan) = &role.atasan {
            attrs.push(("atasan", atasan));
        }
        w.empty("laksana:pelaksana", &attrs);
        w.close("bpmn:extensionElements");
        for node in plan.nodes.iter().filter(|n| n.lane == i) {
            w.text("bpmn:flowNodeRef", &[], &node.id);
        }
        w.close("bpmn:lane");
    }
    w.close("bpmn:laneSet");
}

/// The mutu baku (and keterangan) as documentation lines that import reads back.
pub(super) fn documentation(step: &Step) -> String {
    let mut text = format!(
        "Persyaratan: {}\nWaktu: {}\nOutput: {}",
        step.persyaratan, step.waktu.raw, step.output
    );
    if !step.keterangan.is_empty() {
        text.push_str(&format!("\nKeterangan: {}", step.keterangan));
    }
    text
}

fn flow_nodes(def: &SopDefinition, plan: &Plan, w: &mut Writer) {
    let incoming = |node: usize| -> Vec<&str> {
        plan.flows
            .iter()
            .filter(|f| f.target == node)
            .map(|f| f.id.as_str())
            .collect()
    };
    let outgoing = |node: usize| -> Vec<&str> {
        plan.flows
            .iter()
            .filter(|f| f.source == node)
            .map(|f| f.id.as_str())
            .collect()
    };
    let refs = |w: &mut Writer, node: usize| {
        for id in incoming(node) {
            w.text("bpmn:incoming", &[], id);
        }
        for id in outgoing(node) {
            w.text("bpmn:outgoing", &[], id);
        }
    };
    let mut steps = def.steps.iter();
    for (i, node) in plan.nodes.iter().enumerate() {
        match node.kind {
            Kind::Start => {
                w.open("bpmn:startEvent", &[("id", &node.id), ("name", "Mulai")]);
                refs(w, i);
                w.close("bpmn:startEvent");
            }
            Kind::End => {
                w.open("bpmn:endEvent", &[("id", &node.id), ("name", "Selesai")]);
                refs(w, i);
                w.close("bpmn:endEvent");
            }
            Kind::Task => {
                let step = steps.next().expect("one task node per step");
                let name = format!("{}. {}", step.number, step.kegiatan);
                w.open("bpmn:userTask", &[("id", &node.id), ("name", &name)]);
                w.text("bpmn:documentation", &[], &documentation(step));
                w.open("bpmn:extensionElements", &[]);
                if step.guards.is_empty() {
                    w.empty("laksana:langkah", &[("kunci", &step.key)]);
                } else {
                    w.open("laksana:langkah", &[("kunci", &step.key)]);
                    for guard in &step.guards {
                        w.text("laksana:masukan_wajib", &[], guard);
                    }
                    w.close("laksana:langkah");
                }
                w.close("bpmn:extensionElements");
                refs(w, i);
                w.close("bpmn:userTask");
            }
            Kind::Gateway => {
                let number = node.id.trim_start_matches("Gateway_");
                let name = format!("Langkah {number} disetujui?");
                let default = plan
                    .defaults
                    .iter()
                    .find(|(g, _)| *g == i)
                    .map(|(_, f)| f.as_str())
                    .unwrap_or_default();
                w.open(
                    "bpmn:exclusiveGateway",
                    &[("id", &node.id), ("name", &name), ("default", default)],
                );
                refs(w, i);
                w.close("bpmn:exclusiveGateway");
            }
        }
    }
}

fn bounds(w: &mut Writer, b: layout::Bounds) {
    let (x, y, width, height) = (
        b.x.to_string(),
        b.y.to_string(),
        b.width.to_string(),
        b.height.to_string(),
    );
    w.empty(
        "dc:Bounds",
        &[("x", &x), ("y", &y), ("width", &width), ("height", &height)],
    );
}

fn diagram(
    def: &SopDefinition,
    plan: &Plan,
    k: &str,
    collaboration: &str,
    participant: &str,
    w: &mut Writer,
) {
    let layout: Layout = layout::place(&plan.nodes, def.roles.len());
    let diagram_name = format!("SOP {}", def.nama);
    w.open(
        "bpmndi:BPMNDiagram",
        &[("id", &format!("Diagram_{k}")), ("name", &diagram_name)],
    );
    w.open(
        "bpmndi:BPMNPlane",
        &[
            ("id", &format!("Plane_{k}")),
            ("bpmnElement", collaboration),
        ],
    );
    let shape = |w: &mut Writer, element: &str, extra: &[(&str, &str)], b: layout::Bounds| {
        let id = format!("{element}_di");
        let mut attrs = vec![("id", id.as_str()), ("bpmnElement", element)];
        attrs.extend_from_slice(extra);
        w.open("bpmndi:BPMNShape", &attrs);
        bounds(w, b);
        w.close("bpmndi:BPMNShape");
    };
    shape(w, participant, &[("isHorizontal", "true")], layout.pool);
    for (role, b) in def.roles.iter().zip(&layout.lanes) {
        shape(w, &lane_id(&role.key), &[("isHorizontal", "true")], *b);
    }
    for (node, b) in plan.nodes.iter().zip(&layout.nodes) {
        let extra: &[(&str, &str)] = match node.kind {
            Kind::Gateway => &[("isMarkerVisible", "true")],
            _ => &[],
        };
        shape(w, &node.id, extra, *b);
    }
    for flow in &plan.flows {
        let points = if flow.returns {
            let lane = plan.nodes[flow.target].lane;
            layout.back(flow.source, flow.target, lane)
        } else {
            layout.forward(flow.source, flow.target, plan.nodes[flow.source].kind)
        };
        let id = format!("{}_di", flow.id);
        w.open("bpmndi:BPMNEdge", &[("id", &id), ("bpmnElement", &flow.id)]);
        for (x, y) in &points {
            w.empty(
                "di:waypoint",
                &[("x", &x.to_string()), ("y", &y.to_string())],
            );
        }
        if flow.name.is_some() {
            w.open("bpmndi:BPMNLabel", &[]);
            bounds(w, layout::label(&points));
            w.close("bpmndi:BPMNLabel");
        }
        w.close("bpmndi:BPMNEdge");
    }
    w.close("bpmndi:BPMNPlane");
    w.close("bpmndi:BPMNDiagram");
}
