//! The training centre's model, pure (no I/O, no async): what the SOP's steps produce and
//! consume as data rather than as notes.
//!
//! - [`plan`]: the work plan (rencana kerja) of step 1, approved at step 2, read later by the
//!   letters, the distribution, the sessions and the report, so nothing is typed twice.
//! - [`certificate`]: who delivers a training (the BLK or a registered LPK) and who may get a
//!   certificate.
//! - [`rupiah`]: money as whole rupiah, printed "Rp 1.250.000".

pub mod certificate;
pub mod plan;
pub mod rupiah;

pub use certificate::{
    attendance_met, registration_label, unrecognised_reason, Provider, Registration,
    RegistrationProblem, REGISTRATION_KINDS,
};
pub use plan::{
    BudgetLine, Check, CommitteeMember, Criteria, Education, Kedudukan, PlanProblem, Quota,
    ScheduleItem, Severity, WorkPlan,
};
pub use rupiah::{parse_rupiah, rupiah};
