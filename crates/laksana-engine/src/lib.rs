//! SOP definitions in the Permenpan RB 35/2012 layout, read from TOML, and the pure state
//! machine that runs a training through their steps. No I/O happens here.

pub mod definition;
pub mod engine;

pub use definition::{
    Decision, Identity, Note, Pengesah, Problem, Role, SopDefinition, Step, Substitution, SEED_SOP,
};
pub use engine::{
    apply, start, Action, Actor, Command, Effect, EngineError, InstanceState, Outcome, Status,
    Transition, MAX_NOTE_CHARS,
};
