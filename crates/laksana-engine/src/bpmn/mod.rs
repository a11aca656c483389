//! BPMN 2.0 out and in, for the subset an SOP AP table needs.
//!
//! **Out** ([`to_bpmn`]): one collaboration with one pool (the unit) whose process has one
//! lane per pelaksana, a start event, one `userTask` per step (kegiatan as its name, prefixed
//! with the step number; the mutu baku in its documentation), an `exclusiveGateway` after each
//! decision step with a "Ya" flow (the gateway's default, onward) and a "Tidak" flow carrying
//! the condition `approved == 0` (back to the step it returns to), an end event, and BPMNDI
//! coordinates so modelers can draw it. Any engine drives it with one boolean, `approved`.
//!
//! What BPMN has no element for travels in `extensionElements` under the namespace
//! [`LAKSANA_NS`]: the identity block, the six description blocks (dasar hukum …), the notes on
//! the source document, the substitutions, role and step keys, superiors and required inputs.
//!
//! **In** ([`from_bpmn`]): reads that subset back, also from files a modeler made without the
//! Laksana extension (keys are then derived from ids and names), and returns the TOML
//! definition. Anything outside the subset is refused with the element's id and a sentence in
//! Indonesian. Any DOCTYPE is refused outright, so neither external entities nor entity
//! expansion bombs ("billion laughs") can happen; so is a file larger than
//! [`MAX_BPMN_BYTES`].
//!
//! Ids are deterministic: `Task_<step key>`, `Lane_<role key>` (hyphens become underscores),
//! `Gateway_<n>`, `Flow_<n>`, `Flow_<n>_ya`, `Flow_<n>_tidak`, `StartEvent_mulai`,
//! `EndEvent_selesai`.

mod export;
mod import;
mod layout;
mod toml_writer;
mod xml;

#[cfg(test)]
mod tests;

use crate::definition::SopDefinition;

pub use toml_writer::to_toml;

/// Namespace of Laksana's extension elements.
pub const LAKSANA_NS: &str = "urn:laksana:sop:1";
/// Largest BPMN file [`from_bpmn`] reads: an SOP's BPMN is tens of kilobytes.
pub const MAX_BPMN_BYTES: usize = 2 * 1024 * 1024;
/// The condition on every "Tidak" flow; Python and JavaScript evaluators both read it.
pub const RETURN_CONDITION: &str = "approved == 0";

pub(crate) const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
pub(crate) const BPMNDI_NS: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
pub(crate) const DC_NS: &str = "http://www.omg.org/spec/DD/20100524/DC";
pub(crate) const DI_NS: &str = "http://www.omg.org/spec/DD/20100524/DI";
pub(crate) const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// One reason a BPMN file was refused, naming the element's id when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BpmnProblem {
    pub id: Option<String>,
    pub message: String,
}

impl BpmnProblem {
    pub(crate) fn at(id: impl Into<String>, message: impl Into<String>) -> BpmnProblem {
        BpmnProblem {
            id: Some(id.into()),
            message: message.into(),
        }
    }

    pub(crate) fn general(message: impl Into<String>) -> BpmnProblem {
        BpmnProblem {
            id: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for BpmnProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "elemen {id}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The definition as BPMN 2.0 XML (a collaboration with lanes, user tasks, gateways and
/// BPMNDI), deterministic for a given definition.
pub fn to_bpmn(def: &SopDefinition) -> String {
    export::write(def)
}

/// Reads Laksana's BPMN subset and returns the TOML definition, which
/// [`SopDefinition::parse`] accepts; or every problem found.
pub fn from_bpmn(xml: &str) -> Result<String, Vec<BpmnProblem>> {
    let def = import::read(xml)?;
    let text = to_toml(&def);
    // The definition's own rules (keys, superiors, notes …) are checked by its own parser, so
    // what import prints always passes `laksana sop check`.
    match SopDefinition::parse(&text) {
        Ok(_) => Ok(text),
        Err(problems) => Err(problems
            .into_iter()
            .map(|p| BpmnProblem::general(format!("Definisi hasil impor tidak sah: {}", p.message)))
            .collect()),
    }
}

/// XML id of a role's lane.
pub(crate) fn lane_id(role_key: &str) -> String {
    format!("Lane_{}", role_key.replace('-', "_"))
}

/// XML id of a step's user task.
pub(crate) fn task_id(step_key: &str) -> String {
    format!("Task_{}", step_key.replace('-', "_"))
}

/// XML id of the gateway after decision step `number`.
pub(crate) fn gateway_id(number: u32) -> String {
    format!("Gateway_{number}")
}

pub(crate) const START_ID: &str = "StartEvent_mulai";
pub(crate) const END_ID: &str = "EndEvent_selesai";
