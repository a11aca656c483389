//! Why the engine refused an action: a typed error with a stable code and an Indonesian message.

/// Longest note a step may carry, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The actor does not hold the step's role; `required` is the role's display name.
    #[error("Langkah {step} harus dikerjakan oleh {required}.")]
    WrongRole { step: u32, required: String },
    /// The step is not the active one (`active` is `None` when the instance's active step is
    /// not in the definition).
    #[error("Langkah {step} tidak sedang aktif{}.", active_step(*active))]
    StepNotActive { step: u32, active: Option<u32> },
    #[error("Pelatihan ini sudah selesai; tidak ada langkah yang dapat dikerjakan lagi.")]
    Finished,
    #[error("Langkah {step} belum dapat diselesaikan karena belum ada: {}.", missing.join(", "))]
    GuardNotMet { step: u32, missing: Vec<String> },
    #[error("Langkah {step} bukan langkah keputusan: langkah ini diselesaikan, tidak disetujui atau dikembalikan.")]
    NotADecision { step: u32 },
    #[error("Langkah {step} adalah langkah keputusan: pilih setujui atau kembalikan.")]
    DecisionRequired { step: u32 },
    #[error("Tuliskan catatan alasan saat mengembalikan langkah {step}.")]
    NoteRequired { step: u32 },
    #[error("Catatan terlalu panjang; paling banyak {max} karakter.")]
    NoteTooLong { max: usize },
}

impl EngineError {
    /// Stable code for logs, the audit trail and the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::WrongRole { .. } => "wrong_role",
            EngineError::StepNotActive { .. } => "step_not_active",
            EngineError::Finished => "training_finished",
            EngineError::GuardNotMet { .. } => "guard_not_met",
            EngineError::NotADecision { .. } => "not_a_decision",
            EngineError::DecisionRequired { .. } => "decision_required",
            EngineError::NoteRequired { .. } => "note_required",
            EngineError::NoteTooLong { .. } => "note_too_long",
        }
    }
}

fn active_step(active: Option<u32>) -> String {
    match active {
        Some(n) => format!("; yang aktif sekarang langkah {n}"),
        None => String::new(),
    }
}
