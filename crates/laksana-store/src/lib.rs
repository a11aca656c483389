//! Persistence for Laksana, and the operations that change state.
//!
//! Each operation (pretix-style: a verb on a domain noun) loads what it needs, asks the pure
//! engine to decide, then writes the change and its audit entry in one transaction. SQL is
//! written to be portable (numbered `$n` parameters, `RETURNING`, no SQLite-only functions)
//! so that PostgreSQL can follow through the same `sqlx::Any` pool.

mod audit;
pub mod backup;
mod certificate;
mod committee;
pub mod dashboard;
mod db;
mod definition;
mod document;
mod error;
mod export;
mod file_store;
mod files;
mod health;
mod letter_template;
mod lock;
mod login_throttle;
mod nomination;
mod official;
pub mod outbox;
pub mod password_policy;
mod plan;
mod register;
mod running;
mod session;
#[cfg(feature = "testing")]
pub mod testing;
mod time;
mod training;
mod transition;
mod unit;
mod unit_cache;
mod unit_profile;
mod user;

pub use audit::{AuditEntry, ChainCheck, UnitChain};
pub use backup::{check_sqlite_file, sqlite_file, DatabaseFacts};
pub use certificate::{
    require_certificate_role, Certificate, CertificateFacts, CertificateFor, CertificateSettings,
    CERTIFICATE_KIND, CERTIFICATE_ROLES,
};
pub use committee::{COMMITTEE_DOCUMENT, COMMITTEE_ROLE};
pub use dashboard::{Dashboard, DashboardFilter, OverdueRun};
pub use db::{Backend, Store};
pub use definition::{parse_tanggal, DefinitionRow, DefinitionVersion};
pub use document::{
    default_parafs_required, Document, DocumentDetail, DocumentVersion, NewDocument, Paraf,
    ReturnNote, Signature, SignedFacts, Verification, DOCUMENT_KINDS,
};
pub use error::{DbFault, StoreError};
pub use export::export_sections;
pub use file_store::{FileStore, FileStoreSetting, S3Settings};
pub use files::{sha256_hex, FileCheck, FileMismatch, FileMove, MissingFile, StoredFile};
pub use letter_template::SavedTemplate;
pub use login_throttle::{LoginBlocked, LoginLimits};
pub use nomination::{
    method_label, proof_label, region_rows, Actor as NominationActor, Dispatch, DispatchState,
    ElsewhereNomination, LinkScope, MailDraft, NewDispatch, NewNomination, NewRecipient, NewReply,
    Nomination, PendingImport, Recipient, RegionLoad, RegionRow, Reply, RosterConfirmation,
    UploadedFile, CANDIDATES_ARTIFACT, DISPATCH_ARTIFACT, DISPATCH_METHODS, DISTRIBUTION_STEP_KEY,
    PROOF_KINDS, REPLY_STEP_KEY,
};
pub use official::{
    normalise_nip, position_label, Appointment, AppointmentKind, NewAppointment, NewOfficial,
    Official, SignerSnapshot,
};
pub use outbox::{
    enqueue_mail, mail_backoff, valid_email, MailState, NewMail, OutboxMail, MAX_MAIL_ATTEMPTS,
    MAX_MAIL_BACKOFF_MINUTES,
};
pub use plan::{PlanVersion, PLAN_ARTIFACT, PLAN_STEP_KEY};
pub use register::{
    assign_number_in, validate_format, AssignedNumber, EntryKind, NumberFor, Register,
    RegisterEntry, RegisterSettings, DEFAULT_FORMAT, PLACEHOLDERS,
};
pub use running::{
    AttendanceRow, AttendanceTotal, CheckIn, ClassSession, FinalParticipant, Mark, Meeting,
    MeetingAttendee, NewSession, ReportNarrative, RosterChange, SavedReport, ATTENDANCE_ARTIFACT,
    ATTENDANCE_STATUSES, MEETING_ARTIFACT, MEETING_STEP_KEY, REPORT_ARTIFACT, REPORT_STEP_KEY,
    ROSTER_ARTIFACT, TRAINING_STEP_KEY,
};
pub use session::{SessionInfo, SessionKind, SessionPolicy};
pub use time::{format_ts, parse_ts};
pub use training::{
    check_new_training, NewTraining, StepRun, Task, Training, TrainingDetail, TrainingPage,
    TrainingQuery, TrainingView,
};
pub use transition::{Decision, StepOutcome};
pub use unit::{NewUnit, Unit, UnitKind};
pub use unit_profile::{
    NewUnitProfile, UnitProfile, DEFAULT_KODE_KLASIFIKASI, DEFAULT_UNIT_CODE, MAX_LOGO_BYTES,
};
pub use user::{AccountEdit, GrantPeriod, NewUser, RoleGrant, User};

/// Result of every store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// `bytes` random bytes from the operating system, as lowercase hex: session tokens, link
/// secrets, QR codes and verification tokens (guessing one must be hopeless).
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}
