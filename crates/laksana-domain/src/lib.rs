//! The training centre's model, pure (no I/O, no async): what the SOP's steps produce and
//! consume as data rather than as notes.
//!
//! - [`plan`]: the work plan (rencana kerja) of step 1, approved at step 2, read later by the
//!   letters, the distribution, the sessions and the report, so nothing is typed twice.
//! - [`rupiah`]: money as whole rupiah, printed "Rp 1.250.000".

pub mod plan;
pub mod rupiah;

pub use plan::{
    BudgetLine, Check, CommitteeMember, Criteria, Education, Kedudukan, PlanProblem, Quota,
    ScheduleItem, Severity, WorkPlan,
};
pub use rupiah::{parse_rupiah, rupiah};
