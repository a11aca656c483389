//! The load the servers are killed under: people completing steps through the API, the head
//! signing letters and the administrator reserving numbers through the pages, each success
//! written to the [`Ledger`] with what it claimed.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::ledger::{Completion, Ledger, Reservation};
use crate::support::{hidden_csrf, PASSWORD};

/// Shared by the workers of one run: stop when told, and how many writes are on the wire.
#[derive(Default)]
pub struct Gauge {
    pub stop: AtomicBool,
    pub in_flight: AtomicUsize,
    /// Answers that were neither a success nor an expected refusal (a 500 would be a bug).
    pub unexpected: std::sync::Mutex<Vec<String>>,
}

impl Gauge {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// Counts a write as in flight until it is answered (or fails).
struct InFlight<'a>(&'a Gauge);

impl<'a> InFlight<'a> {
    fn new(gauge: &'a Gauge) -> Self {
        gauge.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A client that gives up on an answer after a while, so a worker never waits forever on a
/// server that is gone (the outage test measures its own bounds).
pub fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(cookies)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Logs in on the login page of `base`; returns the client (with its session cookie) and the
/// session's CSRF token.
pub async fn page_login(base: &str, username: &str) -> (reqwest::Client, String) {
    let c = client(true);
    let form = c.get(format!("{base}/masuk")).send().await.unwrap();
    let csrf = hidden_csrf(&form.text().await.unwrap());
    let res = c
        .post(format!("{base}/masuk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username}");
    let page = c.get(format!("{base}/tugas")).send().await.unwrap();
    let csrf = hidden_csrf(&page.text().await.unwrap());
    (c, csrf)
}

/// A Bearer token from `POST /api/v1/session`.
pub async fn api_login(base: &str, username: &str) -> String {
    let res = client(false)
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "API login of {username}");
    let body: Value = res.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

/// One person finishing their tasks of `trainings` (those with `id % of == part`), one after
/// the other, through the API, until told to stop. Decision steps are approved.
pub struct StepWorker {
    pub base: String,
    pub token: String,
    pub trainings: Arc<BTreeSet<i64>>,
    pub decision_steps: Arc<BTreeSet<i64>>,
    pub part: i64,
    pub of: i64,
}

impl StepWorker {
    pub async fn run(self, ledger: Arc<Ledger>, gauge: Arc<Gauge>) {
        let c = client(false);
        while !gauge.stopped() {
            let Ok(res) = c
                .get(format!("{}/api/v1/tasks", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
            else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            if res.status() != StatusCode::OK {
                if res.status() != StatusCode::SERVICE_UNAVAILABLE {
                    note_unexpected(&gauge, "GET tasks", res.status(), res.text().await);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            let Ok(body) = res.json::<Value>().await else {
                continue;
            };
            let task = body["tasks"].as_array().and_then(|tasks| {
                tasks
                    .iter()
                    .find(|t| {
                        let training = t["training_id"].as_i64().unwrap();
                        self.trainings.contains(&training) && training % self.of == self.part
                    })
                    .cloned()
            });
            let Some(task) = task else {
                // Nothing of ours now: another role holds every one of our trainings.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let (run_id, training_id, step_no) = (
                task["id"].as_i64().unwrap(),
                task["training_id"].as_i64().unwrap(),
                task["step_number"].as_i64().unwrap(),
            );
            let decision = if self.decision_steps.contains(&step_no) {
                "approve"
            } else {
                "complete"
            };
            let answer = {
                let _wire = InFlight::new(&gauge);
                c.post(format!("{}/api/v1/tasks/{run_id}/complete", self.base))
                    .bearer_auth(&self.token)
                    .json(&json!({ "decision": decision }))
                    .send()
                    .await
            };
            let Ok(res) = answer else { continue };
            let status = res.status();
            match status {
                StatusCode::OK => {
                    // The answer counts only once it has arrived whole.
                    let Ok(body) = res.json::<Value>().await else {
                        continue;
                    };
                    ledger.completions.lock().unwrap().push(Completion {
                        run_id,
                        training_id,
                        step_no,
                        outcome: body["outcome"].as_str().unwrap().to_string(),
                    });
                }
                // The outage test's expected answer; the crash test has none.
                StatusCode::SERVICE_UNAVAILABLE => {}
                _ => note_unexpected(&gauge, "complete", status, res.text().await),
            }
        }
    }
}

fn note_unexpected(gauge: &Gauge, what: &str, status: StatusCode, body: reqwest::Result<String>) {
    gauge.unexpected.lock().unwrap().push(format!(
        "{what}: {status} {}",
        body.unwrap_or_default()
            .chars()
            .take(300)
            .collect::<String>()
    ));
}

/// The administrator reserving numbers from one register on the register page.
pub struct ReserveWorker {
    pub base: String,
    pub client: reqwest::Client,
    pub csrf: String,
    pub register_id: i64,
    pub date: String,
}

impl ReserveWorker {
    pub async fn run(self, ledger: Arc<Ledger>, gauge: Arc<Gauge>) {
        let mut n = 0;
        while !gauge.stopped() {
            n += 1;
            let answer = {
                let _wire = InFlight::new(&gauge);
                self.client
                    .post(format!(
                        "{}/admin/register/{}/cadangkan",
                        self.base, self.register_id
                    ))
                    .form(&[
                        ("csrf", self.csrf.as_str()),
                        ("date", self.date.as_str()),
                        ("reason", &format!("Surat di luar sistem {n}")),
                    ])
                    .send()
                    .await
            };
            let Ok(res) = answer else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            if res.status() == StatusCode::SEE_OTHER {
                let location = res.headers()["location"].to_str().unwrap().to_string();
                ledger.reservations.lock().unwrap().push(Reservation {
                    register_id: self.register_id,
                    number_text: reserved_number(&location),
                });
            } else {
                note_unexpected(&gauge, "reserve", res.status(), res.text().await);
            }
        }
    }
}

/// The number a reservation's redirect names (`…/buku?tahun=2026&nomor=000.1%2F12%2FBLK`).
pub fn reserved_number(location: &str) -> String {
    reqwest::Url::parse(&format!("http://server{location}"))
        .expect("a redirect path")
        .query_pairs()
        .find(|(k, _)| k == "nomor")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no number in {location}"))
}

/// The head signing letters one after the other (each gets its number and stored PDF).
pub struct SignWorker {
    pub base: String,
    pub client: reqwest::Client,
    pub csrf: String,
    /// (training, document) still to sign; taken from the front.
    pub queue: Arc<std::sync::Mutex<Vec<(i64, i64)>>>,
}

impl SignWorker {
    pub async fn run(self, ledger: Arc<Ledger>, gauge: Arc<Gauge>) {
        while !gauge.stopped() {
            let next = self.queue.lock().unwrap().first().copied();
            let Some((training, doc)) = next else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let answer = {
                let _wire = InFlight::new(&gauge);
                self.client
                    .post(format!(
                        "{}/pelatihan/{training}/naskah/{doc}/tandatangan",
                        self.base
                    ))
                    .form(&[("csrf", self.csrf.as_str())])
                    .send()
                    .await
            };
            let Ok(res) = answer else {
                // The server went away mid-signing: the next run finds it signed or not.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let location = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            match (res.status(), location) {
                (StatusCode::SEE_OTHER, Some(l)) if l.ends_with("ok=signed") => {
                    ledger.signings.lock().unwrap().push(doc);
                    self.queue.lock().unwrap().retain(|d| d.1 != doc);
                }
                // Signed before a crash that lost the answer: the page shows the letter signed.
                (StatusCode::CONFLICT, _) => {
                    self.queue.lock().unwrap().retain(|d| d.1 != doc);
                }
                (status, _) => note_unexpected(&gauge, "sign", status, res.text().await),
            }
        }
    }
}
