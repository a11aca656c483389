//! SOP definitions in the Permenpan RB 35/2012 layout, read from TOML, and the pure state
//! machine that runs a training through their steps. No I/O happens here.

pub mod bpmn;
pub mod definition;
pub mod draft;
pub mod engine;
pub mod mermaid;

pub use bpmn::{from_bpmn, to_bpmn, BpmnProblem};
pub use definition::{
    Decision, Identity, Note, Pengesah, Problem, Role, SopDefinition, Step, Substitution,
    LAKSANA_SOP, LAKSANA_SOP_V2, LAKSANA_SOP_V3, LAKSANA_SOP_V4, SEED_SOP, SHIPPED_SOPS,
};
pub use draft::{draft_from_text, Draft, DraftError};
pub use engine::{
    apply, start, Action, Actor, Command, Effect, EngineError, InstanceState, Outcome, Status,
    Transition, MAX_NOTE_CHARS,
};
pub use mermaid::to_mermaid;
