//! Walks of the shipped SOP through the engine, one test per row of the table and per refusal.

use super::*;
use crate::definition::SEED_SOP;

fn seed() -> SopDefinition {
    SopDefinition::parse(SEED_SOP).expect("the shipped definition is valid")
}

fn complete() -> Action {
    Action::Complete { note: None }
}

fn approve() -> Action {
    Action::Approve { note: None }
}

fn give_back(note: &str) -> Action {
    Action::Return { note: note.into() }
}

/// Acts on `step` as its own pelaksana, with every guard input present.
fn act(
    def: &SopDefinition,
    state: &InstanceState,
    step: u32,
    action: Action,
) -> Result<Transition, EngineError> {
    let actor = Actor::new([def.step(step).unwrap().pelaksana.clone()]);
    let cmd = Command {
        step,
        action,
        actor: &actor,
        available: &|_| true,
    };
    apply(def, state, cmd)
}

/// Moves the active step forward the ordinary way: approve at a decision, complete elsewhere.
fn forward(def: &SopDefinition, state: &InstanceState) -> InstanceState {
    let step = state.active_step().expect("an active step");
    let action = if def.step(step).unwrap().decision.is_some() {
        approve()
    } else {
        complete()
    };
    act(def, state, step, action).unwrap().state
}

fn state_at(def: &SopDefinition, step: u32) -> InstanceState {
    let mut state = start(def).state;
    while state.active_step() != Some(step) {
        state = forward(def, &state);
    }
    state
}

#[test]
fn a_new_training_starts_at_step_one_in_round_one() {
    let t = start(&seed());
    assert_eq!(t.state.status, Status::Active { step: 1, round: 1 });
    assert_eq!(t.state.rounds, BTreeMap::from([(1, 1)]));
    assert_eq!(t.effects, [Effect::StepActivated { step: 1, round: 1 }]);
}

#[test]
fn the_full_walk_of_eleven_steps_finishes_the_training() {
    let def = seed();
    let mut state = start(&def).state;
    for n in 1..=11 {
        let action = if matches!(n, 2 | 5) {
            approve()
        } else {
            complete()
        };
        let t = act(&def, &state, n, action).unwrap();
        let outcome = if matches!(n, 2 | 5) {
            Outcome::Approved
        } else {
            Outcome::Completed
        };
        let next = if n == 11 {
            Effect::Finished
        } else {
            Effect::StepActivated {
                step: n + 1,
                round: 1,
            }
        };
        let completed = Effect::StepCompleted {
            step: n,
            round: 1,
            outcome,
        };
        assert_eq!(t.effects, [completed, next]);
        state = t.state;
    }
    assert_eq!(state.status, Status::Finished);
    assert_eq!(state.rounds, (1..=11).map(|n| (n, 1)).collect());
}

#[test]
fn step_two_returned_twice_then_approved_leaves_three_rounds_of_steps_one_and_two() {
    let def = seed();
    let mut state = state_at(&def, 2);
    for note in ["Anggaran belum sesuai DPA.", "Jadwal bentrok dengan rapat."] {
        let t = act(&def, &state, 2, give_back(note)).unwrap();
        let round = state.round(2);
        let returned = Effect::StepCompleted {
            step: 2,
            round,
            outcome: Outcome::Returned,
        };
        let reopened = Effect::StepActivated {
            step: 1,
            round: round + 1,
        };
        assert_eq!(t.effects, [returned, reopened]);
        state = forward(&def, &t.state);
    }
    let t = act(&def, &state, 2, approve()).unwrap();
    assert_eq!(t.state.rounds, BTreeMap::from([(1, 3), (2, 3), (3, 1)]));
    assert_eq!(t.state.status, Status::Active { step: 3, round: 1 });
}

#[test]
fn returning_at_step_five_reopens_step_four_in_round_two() {
    let def = seed();
    let state = state_at(&def, 5);
    let t = act(&def, &state, 5, give_back("Nama kabupaten salah.")).unwrap();
    assert_eq!(t.state.status, Status::Active { step: 4, round: 2 });
    let state = forward(&def, &t.state);
    assert_eq!(state.status, Status::Active { step: 5, round: 2 });
    assert_eq!(
        state.round(3),
        1,
        "steps before the target keep their round"
    );
}

#[test]
fn a_user_without_the_steps_role_is_refused() {
    let def = seed();
    let state = state_at(&def, 2);
    let staf = Actor::new(["staf"]);
    let cmd = Command {
        step: 2,
        action: approve(),
        actor: &staf,
        available: &|_| true,
    };
    let err = apply(&def, &state, cmd).unwrap_err();
    assert_eq!(
        err,
        EngineError::WrongRole {
            step: 2,
            required: "Kepala Bidang".into()
        }
    );
    assert_eq!(err.code(), "wrong_role");
    assert_eq!(
        err.to_string(),
        "Langkah 2 harus dikerjakan oleh Kepala Bidang."
    );
}

#[test]
fn completing_a_step_that_is_not_active_is_refused() {
    let def = seed();
    let state = state_at(&def, 3);
    let err = act(&def, &state, 4, complete()).unwrap_err();
    assert_eq!(
        err,
        EngineError::StepNotActive {
            step: 4,
            active: Some(3)
        }
    );
    assert_eq!(err.code(), "step_not_active");
}

#[test]
fn a_finished_training_refuses_every_action() {
    let def = seed();
    let mut state = start(&def).state;
    while state.active_step().is_some() {
        state = forward(&def, &state);
    }
    for action in [complete(), approve(), give_back("lagi")] {
        let err = act(&def, &state, 11, action).unwrap_err();
        assert_eq!(err, EngineError::Finished);
        assert_eq!(err.code(), "training_finished");
    }
}

#[test]
fn a_missing_guard_input_is_named_in_the_error() {
    let mut def = seed();
    def.steps[5].guards = vec!["undangan-ditandatangani".into(), "daftar-tujuan".into()];
    let state = state_at(&def, 6);
    let staf = Actor::new(["staf"]);
    let only_list = |name: &str| name == "daftar-tujuan";
    let cmd = Command {
        step: 6,
        action: complete(),
        actor: &staf,
        available: &only_list,
    };
    let err = apply(&def, &state, cmd).unwrap_err();
    assert_eq!(
        err,
        EngineError::GuardNotMet {
            step: 6,
            missing: vec!["undangan-ditandatangani".into()]
        }
    );
    assert!(err.to_string().contains("undangan-ditandatangani"));
    assert_eq!(err.code(), "guard_not_met");
}

#[test]
fn a_return_does_not_wait_for_guard_inputs() {
    let mut def = seed();
    def.steps[4].guards = vec!["konsep-undangan".into()];
    let state = state_at(&def, 5);
    let kabid = Actor::new(["kepala-bidang"]);
    let cmd = Command {
        step: 5,
        action: give_back("Konsep belum diunggah."),
        actor: &kabid,
        available: &|_| false,
    };
    let t = apply(&def, &state, cmd).unwrap();
    assert_eq!(t.state.status, Status::Active { step: 4, round: 2 });
}

#[test]
fn a_note_over_ten_thousand_characters_is_refused() {
    let def = seed();
    let state = start(&def).state;
    let at_limit = Some("é".repeat(MAX_NOTE_CHARS));
    assert!(act(&def, &state, 1, Action::Complete { note: at_limit }).is_ok());
    let over = Some("é".repeat(MAX_NOTE_CHARS + 1));
    let err = act(&def, &state, 1, Action::Complete { note: over }).unwrap_err();
    assert_eq!(err, EngineError::NoteTooLong { max: 10_000 });
    assert_eq!(err.code(), "note_too_long");
}

#[test]
fn a_return_with_an_empty_note_is_refused() {
    let def = seed();
    let state = state_at(&def, 2);
    for note in ["", "   \n"] {
        let err = act(&def, &state, 2, give_back(note)).unwrap_err();
        assert_eq!(err, EngineError::NoteRequired { step: 2 });
        assert_eq!(err.code(), "note_required");
    }
}

#[test]
fn approving_or_returning_a_work_step_is_refused() {
    let def = seed();
    let state = start(&def).state;
    for action in [approve(), give_back("tidak")] {
        let err = act(&def, &state, 1, action).unwrap_err();
        assert_eq!(err, EngineError::NotADecision { step: 1 });
        assert_eq!(err.code(), "not_a_decision");
    }
}

#[test]
fn plain_completion_of_a_decision_step_is_refused() {
    let def = seed();
    let state = state_at(&def, 5);
    let err = act(&def, &state, 5, complete()).unwrap_err();
    assert_eq!(err, EngineError::DecisionRequired { step: 5 });
    assert_eq!(err.code(), "decision_required");
}

#[test]
fn a_definition_without_steps_is_finished_at_once() {
    let mut def = seed();
    def.steps.clear();
    let t = start(&def);
    assert_eq!(t.state.status, Status::Finished);
    assert_eq!(t.effects, [Effect::Finished]);
}
