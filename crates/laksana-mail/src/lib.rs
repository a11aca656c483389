//! Outgoing mail: the worker that takes mail from the store's outbox and sends it over SMTP.
//!
//! Mail is never sent from a request handler. The change that causes a mail queues it in its
//! own transaction (`laksana_store::enqueue_mail`); this worker claims due rows under a lease,
//! sends them and records the outcome, so a mail survives a restart, a down SMTP server and
//! several app servers sharing one database.

mod settings;
pub mod testing;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use laksana_store::{OutboxMail, Store, StoreError};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

pub use settings::{Security, SettingsError, SmtpSettings};

/// Mails claimed per pass.
pub const BATCH: i64 = 20;
/// One SMTP exchange may take this long before it counts as failed.
pub const SMTP_TIMEOUT: StdDuration = StdDuration::from_secs(30);
/// How long a claim holds. It must outlast a whole batch (20 × 30 s), or a slow pass would
/// let another worker take, and send again, mails this one is still sending.
pub const LEASE_MINUTES: i64 = 15;
/// Pause between passes when there was nothing to send.
pub const IDLE: StdDuration = StdDuration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("pengaturan TLS server SMTP: {0}")]
    Tls(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The SMTP transport built from the settings. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, MailError> {
        let host = settings.host.as_str();
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.port)
            .timeout(Some(SMTP_TIMEOUT));
        let tls =
            || TlsParameters::new(host.to_string()).map_err(|e| MailError::Tls(e.to_string()));
        builder = match settings.security {
            Security::Plain => builder.tls(Tls::None),
            Security::StartTls => builder.tls(Tls::Required(tls()?)),
            Security::Tls => builder.tls(Tls::Wrapper(tls()?)),
        };
        if let Some((user, pass)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: settings.from_mailbox.clone(),
            server: settings.server(),
        })
    }

    /// `host:port` of the server, for logs.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The message for an outbox row. The Message-ID is derived from the row id (and the
    /// sender's domain), so a mail sent again after a crash carries the same id and the
    /// receiving side can recognise the duplicate.
    pub fn message(&self, mail: &OutboxMail, now: DateTime<Utc>) -> Result<Message, String> {
        let address = mail
            .to_address
            .parse()
            .map_err(|e| format!("alamat penerima tidak sah: {e}"))?;
        let to_name = (!mail.to_name.is_empty()).then(|| mail.to_name.clone());
        let builder = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(to_name, address))
            .subject(mail.subject.clone())
            .message_id(Some(message_id(mail.id, self.from.email.domain())))
            .date(now.into());
        let built = match &mail.body_html {
            None => builder.singlepart(SinglePart::plain(mail.body_text.clone())),
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                html.clone(),
            )),
        };
        built.map_err(|e| format!("surel tidak dapat disusun: {e}"))
    }

    /// Sends one row; the error is the text stored in `last_error`.
    async fn deliver(&self, mail: &OutboxMail, now: DateTime<Utc>) -> Result<(), String> {
        let message = self.message(mail, now)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("{} ({})", e, self.server))
    }
}

/// `<laksana.outbox.ID@DOMAIN>`.
pub fn message_id(outbox_id: i64, domain: &str) -> String {
    format!("<laksana.outbox.{outbox_id}@{domain}>")
}

/// One pass: claims up to [`BATCH`] due mails, sends each, records the outcome. Returns how
/// many were delivered; a failed delivery is recorded in the outbox (retried with backoff),
/// not returned as an error. Errors are the store's only.
pub async fn send_once(
    store: &Store,
    mailer: &Mailer,
    worker_id: &str,
    now: DateTime<Utc>,
) -> Result<usize, MailError> {
    let claimed = store
        .claim_mail(worker_id, now, Duration::minutes(LEASE_MINUTES), BATCH)
        .await?;
    let mut sent = 0;
    for mail in &claimed {
        match mailer.deliver(mail, now).await {
            Ok(()) => {
                store.mail_sent(mail.id, worker_id, now).await?;
                tracing::info!(id = mail.id, kind = %mail.kind, "surel terkirim");
                sent += 1;
            }
            Err(error) => {
                let after = store.mail_failed(mail.id, worker_id, &error, now).await?;
                match after {
                    Some(m) if m.failed_at.is_some() => tracing::error!(
                        id = mail.id, attempts = m.attempts, %error,
                        "surel gagal dikirim; berhenti mencoba (kirim ulang dari Kotak Keluar)"
                    ),
                    Some(m) => tracing::warn!(
                        id = mail.id, attempts = m.attempts, next = %m.next_attempt_at, %error,
                        "surel gagal dikirim; dicoba lagi nanti"
                    ),
                    None => tracing::warn!(id = mail.id, "klaim surel sudah lewat waktu"),
                }
            }
        }
    }
    Ok(sent)
}

/// A handle to nudge the worker: after queuing a mail, `wake()` starts the next pass now
/// instead of after the idle pause.
#[derive(Clone, Default)]
pub struct MailWorker {
    notify: Arc<Notify>,
}

impl MailWorker {
    pub fn new() -> MailWorker {
        MailWorker::default()
    }

    /// A worker woken through `notify`, which the web layer holds to nudge it.
    pub fn from_notify(notify: Arc<Notify>) -> MailWorker {
        MailWorker { notify }
    }

    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Runs passes until `shutdown` completes. A pass in progress is finished first (its
    /// sends are short and bounded by [`SMTP_TIMEOUT`]), so no claimed mail is left behind
    /// except by a crash, which the lease covers.
    pub async fn run(
        &self,
        store: Store,
        mailer: Mailer,
        worker_id: String,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        tracing::info!(worker = %worker_id, server = %mailer.server(), "pengirim surel berjalan");
        loop {
            let busy = match send_once(&store, &mailer, &worker_id, Utc::now()).await {
                // A full batch suggests more are waiting: go again at once.
                Ok(n) => n as i64 >= BATCH,
                Err(e) => {
                    tracing::error!(error = %e, "pengirim surel: galat basis data");
                    false
                }
            };
            if busy {
                // Go again at once, unless shutdown was asked meanwhile (biased: checked first).
                tokio::select! {
                    biased;
                    _ = &mut shutdown => break,
                    _ = std::future::ready(()) => continue,
                }
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
        tracing::info!(worker = %worker_id, "pengirim surel berhenti");
    }
}

/// [`MailWorker::run`] without a wake handle.
pub async fn run_worker(
    store: Store,
    mailer: Mailer,
    worker_id: String,
    shutdown: impl Future<Output = ()>,
) {
    MailWorker::new()
        .run(store, mailer, worker_id, shutdown)
        .await
}

/// `hostname-pid`: unique per process across servers sharing a database, and readable in
/// the outbox's `claimed_by`.
pub fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "laksana".to_string());
    format!("{host}-{}", std::process::id())
}
