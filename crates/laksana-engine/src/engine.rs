//! The pure state machine that moves one training through its SOP's steps: state and action
//! in, new state and effects out. No I/O; the store keeps the history of rounds and notes.

mod error;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::definition::{SopDefinition, Step};

pub use error::{EngineError, MAX_NOTE_CHARS};

/// Where an instance stands. The full history lives in the store; the state only keeps what
/// the next decision needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceState {
    pub status: Status,
    /// Step number -> its latest round (1-based). A step gets a new round each time it is
    /// activated, so a returned step and everything after it start fresh rounds.
    pub rounds: BTreeMap<u32, u32>,
}

impl InstanceState {
    /// The active step's number, or `None` once finished.
    pub fn active_step(&self) -> Option<u32> {
        match self.status {
            Status::Active { step, .. } => Some(step),
            Status::Finished => None,
        }
    }

    /// The latest round of `step`; 0 if it was never reached.
    pub fn round(&self, step: u32) -> u32 {
        self.rounds.get(&step).copied().unwrap_or(0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Status {
    Active { step: u32, round: u32 },
    Finished,
}

/// What the actor does at the active step. Approve and Return exist only at decision steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Complete {
        note: Option<String>,
    },
    Approve {
        note: Option<String>,
    },
    /// "Tidak": the note saying what to revise is required.
    Return {
        note: String,
    },
}

/// Who acts: the role keys they hold at this moment (the store resolves delegations and dates).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    pub roles: Vec<String>,
}

impl Actor {
    pub fn new(roles: impl IntoIterator<Item = impl Into<String>>) -> Actor {
        Actor {
            roles: roles.into_iter().map(Into::into).collect(),
        }
    }

    pub fn holds(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// One request to the engine.
pub struct Command<'a> {
    /// The step the actor believes is active; a stale page gets `StepNotActive`.
    pub step: u32,
    pub action: Action,
    pub actor: &'a Actor,
    /// Whether a named guard input exists yet (a signed undangan, say).
    pub available: &'a dyn Fn(&str) -> bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    Approved,
    Returned,
}

impl Outcome {
    /// Stable code, e.g. for audit entries.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Approved => "approved",
            Outcome::Returned => "returned",
        }
    }
}

/// What happened, in order, for the caller to record and act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    StepCompleted {
        step: u32,
        round: u32,
        outcome: Outcome,
    },
    StepActivated {
        step: u32,
        round: u32,
    },
    Finished,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub state: InstanceState,
    pub effects: Vec<Effect>,
}

/// Starts an instance: step 1, round 1. A definition without steps is finished at once.
pub fn start(def: &SopDefinition) -> Transition {
    let mut transition = Transition {
        state: InstanceState {
            status: Status::Finished,
            rounds: BTreeMap::new(),
        },
        effects: Vec::new(),
    };
    transition.enter(def.first_step().map(|s| s.number));
    transition
}

/// Where the active step goes, as decided by [`table`].
enum Move {
    Forward(Outcome),
    Back { to: u32 },
}

/// The transition table: (kind of active step, action) -> move or refusal. One arm per row;
/// a finished instance refuses everything before reaching it.
///
/// | step      | action   | result                                  |
/// |-----------|----------|-----------------------------------------|
/// | work      | complete | completed, next step (or finished)      |
/// | work      | approve  | refused: not a decision                 |
/// | work      | return   | refused: not a decision                 |
/// | decision  | complete | refused: decision required              |
/// | decision  | approve  | approved, next step (or finished)       |
/// | decision  | return   | returned, back to the "tidak" step      |
fn table(step: &Step, action: &Action) -> Result<Move, EngineError> {
    let number = step.number;
    match (step.decision, action) {
        (None, Action::Complete { .. }) => Ok(Move::Forward(Outcome::Completed)),
        (None, Action::Approve { .. }) => Err(EngineError::NotADecision { step: number }),
        (None, Action::Return { .. }) => Err(EngineError::NotADecision { step: number }),
        (Some(_), Action::Complete { .. }) => Err(EngineError::DecisionRequired { step: number }),
        (Some(_), Action::Approve { .. }) => Ok(Move::Forward(Outcome::Approved)),
        (Some(d), Action::Return { .. }) => Ok(Move::Back { to: d.on_return }),
    }
}

/// Applies one command. Checks run from the broadest to the narrowest: finished, stale step,
/// role (so a wrong-role user learns nothing more), the table, the note, then the guards.
pub fn apply(
    def: &SopDefinition,
    state: &InstanceState,
    cmd: Command,
) -> Result<Transition, EngineError> {
    let Status::Active {
        step: active,
        round,
    } = state.status
    else {
        return Err(EngineError::Finished);
    };
    if cmd.step != active {
        return Err(EngineError::StepNotActive {
            step: cmd.step,
            active: Some(active),
        });
    }
    let step = def.step(active).ok_or(EngineError::StepNotActive {
        step: cmd.step,
        active: None,
    })?;
    if !cmd.actor.holds(&step.pelaksana) {
        let required = def
            .role(&step.pelaksana)
            .map_or(&step.pelaksana, |r| &r.name);
        return Err(EngineError::WrongRole {
            step: active,
            required: required.clone(),
        });
    }
    let movement = table(step, &cmd.action)?;
    check_note(active, &cmd.action)?;

    let mut transition = Transition {
        state: state.clone(),
        effects: Vec::new(),
    };
    match movement {
        Move::Forward(outcome) => {
            let missing: Vec<String> = step
                .guards
                .iter()
                .filter(|g| !(cmd.available)(g))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(EngineError::GuardNotMet {
                    step: active,
                    missing,
                });
            }
            transition.complete(active, round, outcome);
            transition.enter(def.next_step(active).map(|s| s.number));
        }
        Move::Back { to } => {
            transition.complete(active, round, Outcome::Returned);
            transition.enter(Some(to));
        }
    }
    Ok(transition)
}

fn check_note(step: u32, action: &Action) -> Result<(), EngineError> {
    let note = match action {
        Action::Complete { note } | Action::Approve { note } => note.as_deref(),
        Action::Return { note } => Some(note.as_str()),
    };
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(EngineError::NoteTooLong {
            max: MAX_NOTE_CHARS,
        });
    }
    match action {
        Action::Return { note } if note.trim().is_empty() => {
            Err(EngineError::NoteRequired { step })
        }
        _ => Ok(()),
    }
}

impl Transition {
    fn complete(&mut self, step: u32, round: u32, outcome: Outcome) {
        self.effects.push(Effect::StepCompleted {
            step,
            round,
            outcome,
        });
    }

    /// Activates `step` in a new round, or finishes when there is no step left.
    fn enter(&mut self, step: Option<u32>) {
        match step {
            Some(step) => {
                let round = self.state.rounds.entry(step).or_insert(0);
                *round += 1;
                let round = *round;
                self.state.status = Status::Active { step, round };
                self.effects.push(Effect::StepActivated { step, round });
            }
            None => {
                self.state.status = Status::Finished;
                self.effects.push(Effect::Finished);
            }
        }
    }
}

#[cfg(test)]
mod tests;
