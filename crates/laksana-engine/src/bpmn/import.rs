//! BPMN 2.0 XML → SOP definition, for Laksana's subset only.
//!
//! The subset: one process (optionally in a collaboration with one participant, the unit),
//! one lane set whose lanes are the pelaksana, one start and one end event without event
//! definitions, user tasks, exclusive gateways that each follow one user task and choose
//! between "Ya" (onward) and "Tidak" (back to an earlier task, with the condition
//! `approved == 0`), and sequence flows. Diagram interchange is ignored (it is drawing only),
//! and so are other vendors' extension elements and attributes.

use std::collections::{HashMap, HashSet};

use laksana_calendar::Waktu;

use crate::definition::{
    Decision, Identity, Note, Pengesah, Role, SopDefinition, Step, Substitution,
};

use super::xml::{self, Element, Ns};
use super::BpmnProblem;

pub(super) fn read(text: &str) -> Result<SopDefinition, Vec<BpmnProblem>> {
    let root = xml::parse(text).map_err(|p| vec![p])?;
    let mut reader = Reader::default();
    let def = reader.definitions(&root);
    match def {
        Some(def) if reader.problems.is_empty() => Ok(def),
        _ => {
            if reader.problems.is_empty() {
                reader
                    .problems
                    .push(BpmnProblem::general("Berkas BPMN ini tidak dapat dibaca."));
            }
            Err(reader.problems)
        }
    }
}

/// What the elements Laksana reads may contain besides their own kind.
const COMMON_CHILDREN: &[&str] = &["documentation", "extensionElements"];
const NODE_CHILDREN: &[&str] = &["documentation", "extensionElements", "incoming", "outgoing"];
const SUBSET: &str =
    "Laksana hanya membaca userTask, exclusiveGateway, startEvent, endEvent, sequenceFlow dan lane";

#[derive(Default)]
struct Reader {
    problems: Vec<BpmnProblem>,
    /// Ids of elements refused as outside the subset: references to them are not reported
    /// again as "missing", and the flow is not followed, so the reader sees the cause only.
    refused: HashSet<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Start,
    End,
    Task,
    Gateway,
}

struct Flow<'a> {
    id: &'a str,
    name: Option<&'a str>,
    source: &'a str,
    target: &'a str,
    condition: Option<String>,
}

/// A decision found while walking the "Ya" path: the task it follows and where "Tidak" goes.
struct Found<'a> {
    task: &'a str,
    back_flow: &'a str,
    back_to: &'a str,
}

/// Everything `laksana:sop` carries.
#[derive(Default)]
struct SopExtension {
    key: Option<String>,
    version: Option<String>,
    subjudul: Option<String>,
    identity: Identity,
    lists: HashMap<&'static str, Vec<String>>,
    notes: Vec<Note>,
    substitutions: Vec<Substitution>,
}

const LISTS: [&str; 6] = [
    "dasar_hukum",
    "kualifikasi_pelaksana",
    "keterkaitan",
    "peralatan_perlengkapan",
    "peringatan",
    "pencatatan_pendataan",
];

impl Reader {
    fn refuse(&mut self, id: &str, message: String) {
        self.problems.push(BpmnProblem::at(id, message));
    }

    fn general(&mut self, message: String) {
        self.problems.push(BpmnProblem::general(message));
    }

    /// Refuses an element outside the subset, with a sentence saying why when there is one.
    fn outside(&mut self, element: &Element, parent_id: Option<&str>) {
        let why = match (&element.ns, element.name.as_str()) {
            (Ns::Bpmn, "parallelGateway") => {
                "gerbang paralel tidak didukung: langkah SOP berjalan satu per satu, dan \
                 satu-satunya percabangan adalah keputusan Ya/Tidak (exclusiveGateway)"
                    .to_string()
            }
            (Ns::Bpmn, "inclusiveGateway" | "complexGateway" | "eventBasedGateway") => {
                "gerbang ini tidak didukung: satu-satunya percabangan SOP adalah keputusan \
                 Ya/Tidak (exclusiveGateway)"
                    .to_string()
            }
            (Ns::Bpmn, "scriptTask") => {
                "tugas skrip tidak didukung: setiap langkah SOP dikerjakan orang (userTask), dan \
                 Laksana tidak menjalankan kode dari berkas"
                    .to_string()
            }
            (
                Ns::Bpmn,
                "serviceTask" | "sendTask" | "receiveTask" | "businessRuleTask" | "manualTask"
                | "task",
            ) => format!(
                "{} tidak didukung: setiap langkah SOP dikerjakan seorang pelaksana, jadi \
                 harus berupa userTask",
                element.name
            ),
            (Ns::Bpmn, "subProcess" | "adHocSubProcess" | "transaction" | "callActivity") => {
                "subproses tidak didukung: SOP AP adalah satu tabel langkah tanpa prosedur di \
                 dalam langkah"
                    .to_string()
            }
            (Ns::Bpmn, "intermediateCatchEvent" | "intermediateThrowEvent" | "boundaryEvent") => {
                if has_timer(element) {
                    timer_sentence()
                } else {
                    "peristiwa antara tidak didukung: SOP hanya punya satu awal dan satu akhir"
                        .to_string()
                }
            }
            (Ns::Bpmn, "messageFlow") => {
                "alur pesan antarkolam tidak didukung: SOP dijalankan satu unit".to_string()
            }
            (Ns::Bpmn, "standardLoopCharacteristics" | "multiInstanceLoopCharacteristics") => {
                "pengulangan (loop/multi-instance) tidak didukung: satu-satunya pengulangan \
                 adalah kembali lewat keputusan \"Tidak\""
                    .to_string()
            }
            _ => format!(
                "{} tidak termasuk bagian BPMN yang dibaca Laksana",
                element.qualified()
            ),
        };
        let message = format!("{why}. {SUBSET}.");
        if let Some(id) = element.id() {
            self.refused.insert(id.to_string());
        }
        match (element.id(), parent_id) {
            (Some(id), _) => self.refuse(id, format!("{} ditolak: {message}", element.qualified())),
            (None, Some(parent)) => self.refuse(
                parent,
                format!(
                    "berisi {} (tanpa id) yang ditolak: {message}",
                    element.qualified()
                ),
            ),
            (None, None) => self.general(format!("{} ditolak: {message}", element.qualified())),
        }
    }

    /// Refuses children other than the allowed BPMN ones; other vendors' elements may only
    /// appear inside extensionElements, where they are ignored.
    fn only_children(&mut self, element: &Element, allowed: &[&str]) {
        for child in &element.children {
            if !(child.ns == Ns::Bpmn && allowed.contains(&child.name.as_str())) {
                self.outside(child, element.id());
            }
        }
    }

    fn definitions(&mut self, root: &Element) -> Option<SopDefinition> {
        if !root.is(&Ns::Bpmn, "definitions") {
            self.general(format!(
                "Elemen akar {} bukan bpmn:definitions (namespace {}); ini bukan berkas BPMN 2.0.",
                root.qualified(),
                super::BPMN_NS
            ));
            return None;
        }
        let mut processes = Vec::new();
        let mut participants = Vec::new();
        for child in &root.children {
            match (&child.ns, child.name.as_str()) {
                (Ns::Bpmn, "process") => processes.push(child),
                (Ns::Bpmn, "collaboration") => {
                    for part in &child.children {
                        match (&part.ns, part.name.as_str()) {
                            (Ns::Bpmn, "participant") => {
                                self.only_children(part, COMMON_CHILDREN);
                                participants.push(part);
                            }
                            (Ns::Bpmn, "documentation" | "extensionElements") => {}
                            _ => self.outside(part, child.id()),
                        }
                    }
                }
                (Ns::BpmnDi, "BPMNDiagram") => {}
                _ => self.outside(child, None),
            }
        }
        let process = match processes.as_slice() {
            [] => {
                self.general("Berkas tidak berisi bpmn:process.".into());
                return None;
            }
            [one] => *one,
            [first, rest @ ..] => {
                for extra in rest {
                    let id = extra.id().unwrap_or("(tanpa id)");
                    self.refuse(
                        id,
                        "proses kedua ditolak: Laksana membaca satu proses (satu SOP) per berkas."
                            .into(),
                    );
                }
                *first
            }
        };
        let Some(process_id) = process.id() else {
            self.general("bpmn:process tidak punya id.".into());
            return None;
        };
        let unit = self.unit(&participants, process_id);
        self.process(process, process_id, unit)
    }

    fn unit(&mut self, participants: &[&Element], process_id: &str) -> Option<String> {
        for extra in participants.iter().skip(1) {
            self.refuse(
                extra.id().unwrap_or("(tanpa id)"),
                "kolam (participant) kedua ditolak: SOP dijalankan satu unit, jadi hanya satu \
                 kolam."
                    .into(),
            );
        }
        let Some(pool) = participants.first() else {
            self.general(
                "Tidak ada kolam (bpmn:participant) yang namanya nama unit; beri proses ini \
                 sebuah kolam bernama unit pemilik SOP."
                    .into(),
            );
            return None;
        };
        let id = pool.id().unwrap_or("(tanpa id)");
        if pool.attr("processRef") != Some(process_id) {
            self.refuse(
                id,
                format!("kolam ini harus merujuk ke proses {process_id} (processRef)."),
            );
            return None;
        }
        match pool.attr("name").filter(|n| !n.trim().is_empty()) {
            Some(name) => Some(name.to_string()),
            None => {
                self.refuse(id, "kolam tidak bernama; namanya adalah nama unit.".into());
                None
            }
        }
    }

    fn process(
        &mut self,
        process: &Element,
        process_id: &str,
        unit: Option<String>,
    ) -> Option<SopDefinition> {
        let mut extension = SopExtension::default();
        let mut lane_sets = Vec::new();
        let mut nodes: Vec<(Kind, &Element)> = Vec::new();
        let mut flow_elements = Vec::new();
        for child in &process.children {
            match (&child.ns, child.name.as_str()) {
                (Ns::Bpmn, "documentation") => {}
                (Ns::Bpmn, "extensionElements") => {
                    for ext in child.children.iter().filter(|e| e.ns == Ns::Laksana) {
                        if ext.name == "sop" {
                            self.sop_extension(ext, process_id, &mut extension);
                        } else {
                            self.unknown_extension(ext, process_id);
                        }
                    }
                }
                (Ns::Bpmn, "laneSet") => lane_sets.push(child),
                (Ns::Bpmn, "startEvent") => nodes.push((Kind::Start, child)),
                (Ns::Bpmn, "endEvent") => nodes.push((Kind::End, child)),
                (Ns::Bpmn, "userTask") => nodes.push((Kind::Task, child)),
                (Ns::Bpmn, "exclusiveGateway") => nodes.push((Kind::Gateway, child)),
                (Ns::Bpmn, "sequenceFlow") => flow_elements.push(child),
                _ => self.outside(child, Some(process_id)),
            }
        }

        // Ids: every node and flow needs one, and no id may be used twice.
        let mut seen: HashSet<&str> = HashSet::new();
        let mut by_id: HashMap<&str, (Kind, &Element)> = HashMap::new();
        for (kind, element) in &nodes {
            let Some(id) = element.id() else {
                self.general(format!(
                    "{} di proses {process_id} tidak punya id.",
                    element.qualified()
                ));
                continue;
            };
            if !seen.insert(id) {
                self.refuse(id, "id ini dipakai dua kali.".into());
                continue;
            }
            by_id.insert(id, (*kind, element));
            match kind {
                Kind::Start | Kind::End => self.event(element, id),
                Kind::Task => self.only_task_children(element, id),
                Kind::Gateway => self.only_children(element, NODE_CHILDREN),
            }
        }
        let mut flows = Vec::new();
        for element in &flow_elements {
            if let Some(flow) = self.flow(element, &mut seen, &by_id) {
                flows.push(flow);
            }
        }

        let roles_and_lanes = self.lanes(&lane_sets, process_id, &by_id);
        if !self.refused.is_empty() {
            // The path runs through what was refused; following it would only echo that.
            return None;
        }
        let walked = self.walk(&by_id, &flows);
        let (roles, lane_of) = roles_and_lanes?;
        let (order, decisions) = walked?;
        let steps = self.steps(&order, &decisions, &by_id, &roles, &lane_of);

        let name = process.attr("name").filter(|n| !n.trim().is_empty());
        if name.is_none() {
            self.refuse(
                process_id,
                "proses tidak bernama; namanya adalah nama/judul SOP.".into(),
            );
        }
        if !self.problems.is_empty() {
            return None;
        }
        let mut lists = extension.lists;
        let mut list = |key: &str| lists.remove(key).unwrap_or_default();
        Some(SopDefinition {
            key: extension
                .key
                .unwrap_or_else(|| derived_key(process_id, "Process_", "sop")),
            version: extension.version.unwrap_or_else(|| "1".to_string()),
            nama: name?.to_string(),
            subjudul: extension.subjudul,
            unit: unit?,
            identity: extension.identity,
            dasar_hukum: list("dasar_hukum"),
            kualifikasi_pelaksana: list("kualifikasi_pelaksana"),
            keterkaitan: list("keterkaitan"),
            peralatan: list("peralatan_perlengkapan"),
            peringatan: list("peringatan"),
            pencatatan: list("pencatatan_pendataan"),
            roles,
            steps: steps?,
            notes: extension.notes,
            substitutions: extension.substitutions,
        })
    }

    fn unknown_extension(&mut self, ext: &Element, owner: &str) {
        self.refuse(
            owner,
            format!(
                "ekstensi {} tidak dikenal; Laksana mengenal laksana:sop (pada proses), \
                 laksana:pelaksana (pada lane) dan laksana:langkah (pada userTask).",
                ext.qualified()
            ),
        );
    }

    fn event(&mut self, element: &Element, id: &str) {
        for child in &element.children {
            if child.ns == Ns::Bpmn && NODE_CHILDREN.contains(&child.name.as_str()) {
                continue;
            }
            if child.ns == Ns::Bpmn
                && (child.name.ends_with("EventDefinition") || child.name == "eventDefinitionRef")
            {
                let why = if child.name == "timerEventDefinition" {
                    timer_sentence()
                } else {
                    format!(
                        "{} tidak didukung: awal dan akhir SOP adalah peristiwa biasa tanpa \
                         pemicu",
                        child.qualified()
                    )
                };
                self.refuse(
                    id,
                    format!("{} ditolak: {why}. {SUBSET}.", element.qualified()),
                );
            } else {
                self.outside(child, Some(id));
            }
        }
    }

    fn only_task_children(&mut self, element: &Element, id: &str) {
        self.only_children(element, NODE_CHILDREN);
        for ext in element
            .bpmn_children("extensionElements")
            .flat_map(|e| e.children.iter())
            .filter(|e| e.ns == Ns::Laksana && e.name != "langkah")
        {
            self.unknown_extension(ext, id);
        }
    }

    fn flow<'a>(
        &mut self,
        element: &'a Element,
        seen: &mut HashSet<&'a str>,
        nodes: &HashMap<&str, (Kind, &Element)>,
    ) -> Option<Flow<'a>> {
        let Some(id) = element.id() else {
            self.general("Sebuah bpmn:sequenceFlow tidak punya id.".into());
            return None;
        };
        if !seen.insert(id) {
            self.refuse(id, "id ini dipakai dua kali.".into());
            return None;
        }
        self.only_children(
            element,
            &["documentation", "extensionElements", "conditionExpression"],
        );
        let mut ends = Vec::new();
        for attr in ["sourceRef", "targetRef"] {
            match element.attr(attr) {
                Some(target) if nodes.contains_key(target) => ends.push(target),
                Some(target) if self.refused.contains(target) => {}
                Some(target) => {
                    self.refuse(
                        id,
                        format!("{attr} merujuk ke {target}, yang tidak ada di proses ini."),
                    );
                }
                None => self.refuse(id, format!("alur tanpa {attr}.")),
            }
        }
        let [source, target] = ends[..] else {
            return None;
        };
        let condition = element
            .bpmn_children("conditionExpression")
            .next()
            .map(|c| c.text.trim().to_string());
        Some(Flow {
            id,
            name: element.attr("name"),
            source,
            target,
            condition,
        })
    }

    /// The pelaksana from the lanes, in order, and which lane each node is in.
    fn lanes(
        &mut self,
        lane_sets: &[&Element],
        process_id: &str,
        nodes: &HashMap<&str, (Kind, &Element)>,
    ) -> Option<(Vec<Role>, HashMap<String, usize>)> {
        let Some(lane_set) = lane_sets.first() else {
            self.refuse(
                process_id,
                "proses tanpa lajur (laneSet): setiap pelaksana SOP adalah satu lajur (lane)."
                    .into(),
            );
            return None;
        };
        for extra in lane_sets.iter().skip(1) {
            self.refuse(
                extra.id().unwrap_or(process_id),
                "laneSet kedua ditolak: pelaksana ditulis dalam satu laneSet.".into(),
            );
        }
        let mut roles: Vec<Role> = Vec::new();
        let mut lane_ids: Vec<&str> = Vec::new();
        let mut lane_of: HashMap<String, usize> = HashMap::new();
        let lane_set_id = lane_set.id().unwrap_or(process_id);
        for lane in &lane_set.children {
            if !lane.is(&Ns::Bpmn, "lane") {
                if !lane.is(&Ns::Bpmn, "documentation") && !lane.is(&Ns::Bpmn, "extensionElements")
                {
                    self.outside(lane, Some(lane_set_id));
                }
                continue;
            }
            let Some(id) = lane.id() else {
                self.refuse(lane_set_id, "berisi lane tanpa id.".into());
                continue;
            };
            let Some(name) = lane.attr("name").filter(|n| !n.trim().is_empty()) else {
                self.refuse(
                    id,
                    "lane tidak bernama; namanya adalah nama pelaksana.".into(),
                );
                continue;
            };
            let mut key = None;
            let mut atasan = None;
            for child in &lane.children {
                match (&child.ns, child.name.as_str()) {
                    (Ns::Bpmn, "flowNodeRef") => {
                        let target = child.text.trim();
                        if self.refused.contains(target) {
                            continue;
                        }
                        if !nodes.contains_key(target) {
                            self.refuse(
                                id,
                                format!(
                                    "lane {name} merujuk ke \"{target}\" (flowNodeRef), yang \
                                     tidak ada di proses ini."
                                ),
                            );
                        } else if let Some(first) = lane_of.insert(target.to_string(), roles.len())
                        {
                            self.refuse(
                                target,
                                format!(
                                    "berada di dua lane ({} dan {id}); setiap langkah punya satu \
                                     pelaksana.",
                                    lane_ids.get(first).copied().unwrap_or("?")
                                ),
                            );
                        }
                    }
                    (Ns::Bpmn, "extensionElements") => {
                        for ext in child.children.iter().filter(|e| e.ns == Ns::Laksana) {
                            if ext.name == "pelaksana" {
                                key = ext.attr("kunci").map(str::to_string);
                                atasan = ext.attr("atasan").map(str::to_string);
                            } else {
                                self.unknown_extension(ext, id);
                            }
                        }
                    }
                    (Ns::Bpmn, "documentation") => {}
                    (Ns::Bpmn, "childLaneSet") => self.refuse(
                        id,
                        "lane bersarang (childLaneSet) tidak didukung: pelaksana SOP adalah \
                         kolom-kolom sejajar."
                            .into(),
                    ),
                    _ => self.outside(child, Some(id)),
                }
            }
            let key = match key {
                Some(key) => {
                    if !valid_key(&key) {
                        self.refuse(id, format!("kunci pelaksana \"{key}\" tidak sah: pakai huruf kecil, angka dan tanda hubung saja."));
                    } else if roles.iter().any(|r| r.key == key) {
                        self.refuse(id, format!("kunci pelaksana \"{key}\" dipakai dua kali."));
                    }
                    key
                }
                None => {
                    let base = match slug(name) {
                        s if s.is_empty() => derived_key(id, "Lane_", "pelaksana"),
                        s => s,
                    };
                    unique(base, |k| roles.iter().any(|r| r.key == k))
                }
            };
            lane_ids.push(id);
            roles.push(Role {
                key,
                name: name.to_string(),
                atasan,
            });
        }
        if roles.is_empty() {
            self.refuse(
                lane_set_id,
                "laneSet tanpa lane: belum ada pelaksana.".into(),
            );
        }
        for role in &roles {
            if let Some(atasan) = &role.atasan {
                if !roles.iter().any(|r| &r.key == atasan) {
                    let lane = lane_ids[roles.iter().position(|r| r.key == role.key).unwrap_or(0)];
                    self.refuse(
                        lane,
                        format!(
                            "atasan \"{atasan}\" bukan kunci pelaksana mana pun di berkas ini."
                        ),
                    );
                }
            }
        }
        Some((roles, lane_of))
    }

    /// Follows the flow from the start event along "Ya": the tasks in step order, and the
    /// decisions met on the way.
    fn walk<'a>(
        &mut self,
        nodes: &HashMap<&'a str, (Kind, &'a Element)>,
        flows: &[Flow<'a>],
    ) -> Option<(Vec<&'a str>, Vec<Found<'a>>)> {
        let of_kind = |kind: Kind| -> Vec<&'a str> {
            let mut ids: Vec<&'a str> = nodes
                .iter()
                .filter(|(_, (k, _))| *k == kind)
                .map(|(id, _)| *id)
                .collect();
            ids.sort_unstable();
            ids
        };
        let starts = of_kind(Kind::Start);
        let ends = of_kind(Kind::End);
        for extra in starts.iter().skip(1) {
            self.refuse(
                extra,
                "peristiwa mulai kedua ditolak: SOP punya satu awal.".into(),
            );
        }
        for extra in ends.iter().skip(1) {
            self.refuse(
                extra,
                "peristiwa akhir kedua ditolak: SOP punya satu akhir.".into(),
            );
        }
        let Some(start) = starts.first().copied() else {
            self.general("Proses tidak punya peristiwa mulai (bpmn:startEvent).".into());
            return None;
        };
        if ends.is_empty() {
            self.general("Proses tidak punya peristiwa akhir (bpmn:endEvent).".into());
            return None;
        }
        let outgoing =
            |id: &str| -> Vec<&Flow<'a>> { flows.iter().filter(|f| f.source == id).collect() };
        let incoming =
            |id: &str| -> Vec<&Flow<'a>> { flows.iter().filter(|f| f.target == id).collect() };

        let mut order: Vec<&'a str> = Vec::new();
        let mut decisions: Vec<Found<'a>> = Vec::new();
        let mut visited: HashSet<&'a str> = HashSet::from([start]);
        let mut current = start;
        let mut previous_kind = Kind::Start;
        loop {
            let (kind, element) = nodes[current];
            let outs = outgoing(current);
            let next: &'a str = match kind {
                Kind::End => {
                    if let Some(flow) = outs.first() {
                        self.refuse(flow.id, "alur keluar dari peristiwa akhir ditolak.".into());
                    }
                    break;
                }
                Kind::Start | Kind::Task => {
                    let [flow] = outs[..] else {
                        self.refuse(
                            current,
                            format!(
                                "punya {} alur keluar; {} harus punya tepat satu (percabangan \
                                 hanya lewat exclusiveGateway sesudah langkah keputusan).",
                                outs.len(),
                                element.qualified()
                            ),
                        );
                        return None;
                    };
                    if flow.condition.is_some() {
                        self.refuse(
                            flow.id,
                            "alur bersyarat langsung dari tugas atau peristiwa ditolak: syarat \
                             hanya ada pada alur \"Tidak\" sesudah exclusiveGateway."
                                .into(),
                        );
                    }
                    if kind == Kind::Task {
                        order.push(current);
                    }
                    flow.target
                }
                Kind::Gateway => {
                    if previous_kind != Kind::Task {
                        self.refuse(
                            current,
                            "gerbang keputusan harus langsung mengikuti sebuah userTask (langkah \
                             keputusan)."
                                .into(),
                        );
                        return None;
                    }
                    let ins = incoming(current);
                    if ins.len() != 1 {
                        self.refuse(
                            current,
                            format!(
                                "punya {} alur masuk; gerbang keputusan hanya menerima alur dari \
                                 langkahnya sendiri.",
                                ins.len()
                            ),
                        );
                        return None;
                    }
                    let (ya, tidak) = self.branches(element, current, &outs)?;
                    decisions.push(Found {
                        task: order.last().copied().unwrap_or(current),
                        back_flow: tidak.id,
                        back_to: tidak.target,
                    });
                    ya.target
                }
            };
            if nodes[next].0 == Kind::Start {
                self.refuse(current, "alur kembali ke peristiwa mulai ditolak.".into());
                return None;
            }
            if !visited.insert(next) {
                self.refuse(
                    next,
                    "dicapai dua kali di jalur \"Ya\": alur maju tidak boleh berputar; kembali ke \
                     langkah sebelumnya hanya lewat alur \"Tidak\" sebuah gerbang."
                        .into(),
                );
                return None;
            }
            previous_kind = kind;
            current = next;
        }
        for decision in &decisions {
            let position = order.iter().position(|t| *t == decision.back_to);
            let here = order.iter().position(|t| *t == decision.task);
            match (position, here) {
                (Some(back), Some(here)) if back <= here => {}
                _ => self.refuse(
                    decision.back_flow,
                    format!(
                        "alur \"Tidak\" menuju {}, yang bukan langkah sebelum atau sama dengan \
                         langkah keputusannya; \"Tidak\" harus kembali ke langkah sebelumnya.",
                        decision.back_to
                    ),
                ),
            }
        }
        let mut unreached: Vec<&&str> = nodes.keys().filter(|id| !visited.contains(**id)).collect();
        unreached.sort_unstable();
        for id in unreached {
            self.refuse(
                id,
                "tidak terjangkau dari peristiwa mulai lewat jalur \"Ya\"; setiap langkah harus \
                 ada di satu jalur dari awal sampai akhir."
                    .into(),
            );
        }
        Some((order, decisions))
    }

    /// The "Ya" and "Tidak" flows of a gateway.
    fn branches<'f, 'a>(
        &mut self,
        gateway: &Element,
        id: &str,
        outs: &[&'f Flow<'a>],
    ) -> Option<(&'f Flow<'a>, &'f Flow<'a>)> {
        let [a, b] = outs[..] else {
            self.refuse(
                id,
                format!(
                    "punya {} alur keluar; gerbang keputusan punya tepat dua: \"Ya\" (bawaan) dan \
                     \"Tidak\" (syarat approved == 0).",
                    outs.len()
                ),
            );
            return None;
        };
        let (ya, tidak) = match gateway.attr("default") {
            Some(default) if default == a.id => (a, b),
            Some(default) if default == b.id => (b, a),
            Some(default) => {
                self.refuse(
                    id,
                    format!("alur bawaan (default) {default} bukan alur keluar gerbang ini."),
                );
                return None;
            }
            None => match (is_return(a), is_return(b)) {
                (false, true) => (a, b),
                (true, false) => (b, a),
                _ if named(a, "Ya") && named(b, "Tidak") => (a, b),
                _ if named(b, "Ya") && named(a, "Tidak") => (b, a),
                _ => {
                    self.refuse(
                        id,
                        "tidak jelas mana alur \"Ya\" dan mana \"Tidak\": jadikan alur \"Ya\" alur \
                         bawaan (default) dan beri alur \"Tidak\" syarat approved == 0."
                            .into(),
                    );
                    return None;
                }
            },
        };
        if !is_return(tidak) {
            let found = tidak.condition.as_deref().unwrap_or("(tanpa syarat)");
            self.refuse(
                tidak.id,
                format!(
                    "syarat alur \"Tidak\" adalah {found}; Laksana hanya memahami keputusan \
                     Ya/Tidak dengan syarat approved == 0."
                ),
            );
        }
        Some((ya, tidak))
    }

    fn steps(
        &mut self,
        order: &[&str],
        decisions: &[Found<'_>],
        nodes: &HashMap<&str, (Kind, &Element)>,
        roles: &[Role],
        lane_of: &HashMap<String, usize>,
    ) -> Option<Vec<Step>> {
        let mut steps: Vec<Step> = Vec::new();
        let mut ok = true;
        for (i, id) in order.iter().enumerate() {
            let number = i as u32 + 1;
            let element = nodes[id].1;
            let name = element.attr("name").unwrap_or_default();
            let kegiatan = name
                .strip_prefix(&format!("{number}. "))
                .unwrap_or(name)
                .to_string();
            if kegiatan.trim().is_empty() {
                self.refuse(
                    id,
                    "userTask tidak bernama; namanya adalah kegiatan langkah.".into(),
                );
                ok = false;
            }
            let pelaksana = match lane_of.get(*id).and_then(|i| roles.get(*i)) {
                Some(role) => role.key.clone(),
                None => {
                    self.refuse(
                        id,
                        "tidak berada di lane mana pun; setiap langkah perlu pelaksana \
                         (flowNodeRef di lane-nya)."
                            .into(),
                    );
                    ok = false;
                    String::new()
                }
            };
            let doc: Vec<&str> = element
                .bpmn_children("documentation")
                .map(|d| d.text.as_str())
                .collect();
            let fields = MutuBaku::read(&doc.join("\n"));
            let waktu = match &fields.waktu {
                None => {
                    self.refuse(
                        id,
                        "dokumentasi userTask tidak memuat baris \"Waktu: …\" (mutu baku), \
                         misalnya \"Waktu: 1 hari\"."
                            .into(),
                    );
                    None
                }
                Some(text) => match Waktu::parse(text) {
                    Ok(waktu) => Some(waktu),
                    Err(e) => {
                        self.refuse(id, format!("waktu pada dokumentasinya tidak terbaca: {e}."));
                        None
                    }
                },
            };
            let (key, guards) = self.step_extension(element, id);
            let key = key.unwrap_or_else(|| {
                unique(
                    derived_key(id, "Task_", &format!("langkah-{number}")),
                    |k| steps.iter().any(|s| s.key == k),
                )
            });
            let decision = decisions
                .iter()
                .find(|d| d.task == *id)
                .and_then(|d| order.iter().position(|t| *t == d.back_to))
                .map(|back| Decision {
                    on_return: back as u32 + 1,
                });
            let Some(waktu) = waktu else {
                ok = false;
                continue;
            };
            steps.push(Step {
                key,
                number,
                kegiatan,
                pelaksana,
                persyaratan: fields.persyaratan,
                waktu,
                output: fields.output,
                keterangan: fields.keterangan,
                decision,
                guards,
            });
        }
        if order.is_empty() {
            self.general("Proses tidak punya userTask: SOP tanpa langkah.".into());
            ok = false;
        }
        ok.then_some(steps)
    }

    fn step_extension(&mut self, task: &Element, id: &str) -> (Option<String>, Vec<String>) {
        let mut key = None;
        let mut guards = Vec::new();
        for ext in task
            .bpmn_children("extensionElements")
            .flat_map(|e| e.children.iter())
            .filter(|e| e.is(&Ns::Laksana, "langkah"))
        {
            if let Some(k) = ext.attr("kunci") {
                if valid_key(k) {
                    key = Some(k.to_string());
                } else {
                    self.refuse(id, format!("kunci langkah \"{k}\" tidak sah: pakai huruf kecil, angka dan tanda hubung saja."));
                }
            }
            for child in &ext.children {
                if child.is(&Ns::Laksana, "masukan_wajib") {
                    guards.push(child.text.clone());
                } else {
                    self.unknown_extension(child, id);
                }
            }
        }
        (key, guards)
    }

    fn sop_extension(&mut self, ext: &Element, process_id: &str, out: &mut SopExtension) {
        out.key = ext.attr("kunci").map(str::to_string);
        if let Some(key) = &out.key {
            if !valid_key(key) {
                self.refuse(process_id, format!("kunci SOP \"{key}\" tidak sah: pakai huruf kecil, angka dan tanda hubung saja."));
            }
        }
        out.version = ext.attr("versi").map(str::to_string);
        out.subjudul = ext.attr("subjudul").map(str::to_string);
        for child in &ext.children {
            if child.ns != Ns::Laksana {
                continue;
            }
            let name = child.name.as_str();
            if let Some(list) = LISTS.iter().find(|l| **l == name) {
                out.lists.entry(list).or_default().push(child.text.clone());
                continue;
            }
            match name {
                "identitas" => {
                    let get = |k: &str| child.attr(k).map(str::to_string);
                    out.identity.nomor = get("nomor");
                    out.identity.tanggal_pembuatan = get("tanggal_pembuatan");
                    out.identity.tanggal_revisi = get("tanggal_revisi");
                    out.identity.tanggal_efektif = get("tanggal_efektif");
                    if let Some(p) = child
                        .children
                        .iter()
                        .find(|c| c.is(&Ns::Laksana, "disahkan_oleh"))
                    {
                        out.identity.disahkan_oleh = Some(Pengesah {
                            jabatan: p.attr("jabatan").unwrap_or_default().to_string(),
                            nama: p.attr("nama").unwrap_or_default().to_string(),
                            nip: p.attr("nip").unwrap_or_default().to_string(),
                        });
                    }
                }
                "catatan" => {
                    let step = match child.attr("langkah") {
                        None => None,
                        Some(n) => match n.trim().parse::<u32>() {
                            Ok(n) => Some(n),
                            Err(_) => {
                                self.refuse(
                                    process_id,
                                    format!(
                                        "catatan merujuk ke langkah \"{n}\", yang bukan nomor."
                                    ),
                                );
                                None
                            }
                        },
                    };
                    out.notes.push(Note {
                        step,
                        field: child.attr("kolom").map(str::to_string),
                        text: child.text.clone(),
                    });
                }
                "substitusi" => out.substitutions.push(Substitution {
                    literal: child.attr("teks").unwrap_or_default().to_string(),
                    setting: child.attr("pengaturan").unwrap_or_default().to_string(),
                }),
                _ => self.unknown_extension(child, process_id),
            }
        }
    }
}

fn has_timer(element: &Element) -> bool {
    element
        .children
        .iter()
        .any(|c| c.is(&Ns::Bpmn, "timerEventDefinition"))
}

fn timer_sentence() -> String {
    "pengatur waktu (timerEventDefinition) tidak didukung: tenggat tiap langkah dihitung Laksana \
     dari kolom waktu dan kalender kerja, bukan dari timer di berkas"
        .to_string()
}

fn named(flow: &Flow<'_>, name: &str) -> bool {
    flow.name
        .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
}

/// Whether a flow carries the "Tidak" condition in one of the spellings that mean it.
fn is_return(flow: &Flow<'_>) -> bool {
    let Some(condition) = &flow.condition else {
        return false;
    };
    let spaced = condition.split_whitespace().collect::<Vec<_>>().join(" ");
    let compact: String = condition.split_whitespace().collect();
    matches!(
        compact.as_str(),
        "approved==0"
            | "approved==false"
            | "approved==False"
            | "approved===0"
            | "approved===false"
            | "!approved"
    ) || spaced == "not approved"
}

/// Persyaratan, waktu, output and keterangan from a task's documentation, written as
/// "Label: value" lines (Laksana's export) or "Input: … | Waktu: … | Output: …" on one line.
struct MutuBaku {
    persyaratan: String,
    waktu: Option<String>,
    output: String,
    keterangan: String,
}

impl MutuBaku {
    fn label(part: &str) -> Option<(&'static str, &str)> {
        const LABELS: [(&str, &str); 6] = [
            ("Persyaratan/Kelengkapan", "persyaratan"),
            ("Persyaratan", "persyaratan"),
            ("Input", "persyaratan"),
            ("Waktu", "waktu"),
            ("Output", "output"),
            ("Keterangan", "keterangan"),
        ];
        for (label, field) in LABELS {
            let Some(head) = part.get(..label.len()) else {
                continue;
            };
            if head.eq_ignore_ascii_case(label) {
                if let Some(rest) = part[label.len()..].strip_prefix(':') {
                    return Some((field, rest.strip_prefix(' ').unwrap_or(rest)));
                }
            }
        }
        None
    }

    fn read(doc: &str) -> MutuBaku {
        let mut fields: HashMap<&'static str, String> = HashMap::new();
        let parts: Vec<&str> = doc.split(" | ").collect();
        let one_line = !doc.contains('\n')
            && parts.len() > 1
            && parts.iter().all(|p| Self::label(p.trim()).is_some());
        if one_line {
            for part in parts {
                if let Some((field, value)) = Self::label(part.trim()) {
                    fields.insert(field, value.to_string());
                }
            }
        } else {
            let mut current: Option<&'static str> = None;
            for line in doc.split('\n') {
                if let Some((field, value)) = Self::label(line) {
                    fields.insert(field, value.to_string());
                    current = Some(field);
                } else if let Some(field) = current {
                    let text = fields.entry(field).or_default();
                    text.push('\n');
                    text.push_str(line);
                }
            }
        }
        MutuBaku {
            persyaratan: fields.remove("persyaratan").unwrap_or_default(),
            waktu: fields.remove("waktu"),
            output: fields.remove("output").unwrap_or_default(),
            keterangan: fields.remove("keterangan").unwrap_or_default(),
        }
    }
}

fn valid_key(key: &str) -> bool {
    !key.trim().is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Lower-case letters and digits, everything else one hyphen: "Kepala Bidang" → "kepala-bidang".
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A key from an id made by Laksana's export (`Task_rencana_kerja` → `rencana-kerja`) or by
/// hand (`Task_01_rencana_kerja` → `01-rencana-kerja`); `fallback` when nothing is left.
fn derived_key(id: &str, prefix: &str, fallback: &str) -> String {
    let key = slug(id.strip_prefix(prefix).unwrap_or(id));
    if key.is_empty() {
        fallback.to_string()
    } else {
        key
    }
}

/// `base`, or `base-2`, `base-3` … when taken.
fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|i| format!("{base}-{i}"))
        .find(|k| !taken(k))
        .expect("some suffix is free")
}
