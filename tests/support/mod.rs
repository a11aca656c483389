//! A running Laksana for the integration tests (zero-to-production style): every test gets its
//! own temporary database (SQLite, or PostgreSQL when `LAKSANA_TEST_POSTGRES_URL` is set), the seed SOP, one user per role, a clock pinned to a working
//! day, and the real router served on a free port of 127.0.0.1.
//!
//! Helpers are named after what a person does: log in, open a training, look at the task list,
//! finish a step. They assert only what every caller needs (e.g. that a login worked); the tests
//! assert the rest.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use laksana_calendar::WorkingCalendar;
use laksana_engine::SEED_SOP;
use laksana_store::testing::TestDatabase;
use laksana_store::{NewUser, Store, Unit};
use laksana_web::{AppState, FixedClock};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

pub const PASSWORD: &str = "sandi-uji-2026";

/// The accounts every app starts with: (username, full name, role key; "" for the administrator).
pub const USERS: &[(&str, &str, &str)] = &[
    ("admin", "Administrator Sistem", ""),
    ("jfu", "Siti Rahmawati", "jfu"),
    ("kabid", "Drs. Bambang Sutrisno, M.M.", "kepala-bidang"),
    ("staf", "Ni Luh Putu Sri'ani", "staf"),
    ("kadis", "Ir. Ma'ruf Hidayat, M.Si.", "kepala-dinas"),
    ("panitia", "Agus Setiawan, S.T.", "panitia"),
];

/// Full name of one of the [`USERS`].
pub fn full_name(username: &str) -> &'static str {
    USERS
        .iter()
        .find(|(u, _, _)| *u == username)
        .map(|(_, n, _)| *n)
        .unwrap_or_else(|| panic!("no test user {username}"))
}

/// A moment given in WIB (UTC+7), the unit's zone.
pub fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
        )
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Where every app's clock starts: Wednesday 2 December 2026, 09:00 WIB (02:00Z), a working day.
pub fn start_time() -> DateTime<Utc> {
    wib(2026, 12, 2, 9, 0)
}

/// Reads an RFC 3339 timestamp from a JSON answer.
pub fn ts(v: &Value) -> DateTime<Utc> {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("expected a timestamp, got {v}"));
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("bad timestamp {s}: {e}"))
        .with_timezone(&Utc)
}

/// Sessions that last a year: the tests move the clock far ahead and keep their logins.
fn long_sessions() -> laksana_web::SecuritySettings {
    let year = chrono::Duration::days(365);
    laksana_web::SecuritySettings {
        sessions: laksana_store::SessionPolicy {
            web_idle: year,
            web_absolute: year,
            api_idle: year,
            api_absolute: year,
        },
        ..Default::default()
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub store: Store,
    pub clock: Arc<FixedClock>,
    pub unit: Unit,
    /// A plain client for the API (no cookies, no redirects followed).
    pub api: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    // Kept last: the database goes away only after the server has stopped.
    _db: TestDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// An app with the installation's default settings, except that sessions last a year: the
    /// tests move the clock hours and weeks ahead through a training and keep their logins.
    /// Tests of session expiry use [`TestApp::spawn_with`] and the real defaults.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(long_sessions()).await
    }

    /// An app with its own security settings (session expiry, login limits, proxies).
    pub async fn spawn_with(security: laksana_web::SecuritySettings) -> TestApp {
        TestApp::spawn_on(
            TestDatabase::create("laksana.db").await,
            security,
            laksana_store::FileStore::database(),
        )
        .await
    }

    /// [`TestApp::spawn`] on a SQLite file whatever `LAKSANA_TEST_POSTGRES_URL` says, for the
    /// tests about SQLite's own file (its size limit, its integrity check).
    pub async fn spawn_sqlite() -> TestApp {
        TestApp::spawn_on(
            TestDatabase::create_sqlite("laksana.db"),
            long_sessions(),
            laksana_store::FileStore::database(),
        )
        .await
    }

    /// [`TestApp::spawn`] with the stored files' bytes kept in `files` (a folder, a bucket).
    pub async fn spawn_with_files(files: laksana_store::FileStore) -> TestApp {
        TestApp::spawn_on(
            TestDatabase::create("laksana.db").await,
            long_sessions(),
            files,
        )
        .await
    }

    async fn spawn_on(
        db: TestDatabase,
        security: laksana_web::SecuritySettings,
        files: laksana_store::FileStore,
    ) -> TestApp {
        let store = Store::connect(db.url(), WorkingCalendar::builtin())
            .await
            .expect("open the test database")
            .with_files(files);
        let now = start_time();
        store.ensure_regions(now).await.expect("regions");
        let unit = store.default_unit(now).await.expect("default unit");
        store
            .ensure_definition(unit.id, SEED_SOP, now)
            .await
            .expect("store the seed SOP");

        let clock = Arc::new(FixedClock::new(now));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState {
            store: store.clone(),
            clock: clock.clone(),
            demo: false,
            secure_cookies: false,
            public_base_url: address.clone(),
            mail_wake: None,
            security,
        };
        let ops_store = store.clone();
        let server = tokio::spawn(async move {
            // As `laksana serve` runs it: with the operations endpoints and the request layer.
            let app = laksana_web::operations::with_operations(
                laksana_web::router(state),
                ops_store,
                Default::default(),
            );
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("server");
        });
        let app = TestApp {
            address,
            store,
            clock,
            unit,
            api: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            server,
            _db: db,
        };
        // Password hashing is slow on purpose: make the accounts side by side.
        futures::future::join_all(
            USERS
                .iter()
                .map(|(username, name, role)| app.add_user(username, name, role)),
        )
        .await;
        app
    }

    /// Makes one more account holding `role` ("" for an administrator without an SOP role).
    pub async fn add_user(&self, username: &str, full_name: &str, role: &str) -> i64 {
        let now = self.clock_now();
        let id = self
            .store
            .create_user(
                NewUser {
                    username,
                    password: PASSWORD,
                    full_name,
                    nip: "",
                    jabatan: "",
                    is_admin: role.is_empty(),
                },
                now,
            )
            .await
            .unwrap_or_else(|e| panic!("create user {username}: {e}"));
        if !role.is_empty() {
            let def_row = self.store.latest_definition(self.unit.id).await.unwrap();
            let def = self.store.definition(def_row.id).await.unwrap();
            let keys: Vec<String> = def.roles.iter().map(|r| r.key.clone()).collect();
            self.store
                .grant_role(
                    id,
                    self.unit.id,
                    role,
                    laksana_store::GrantPeriod::default(),
                    &keys,
                    None,
                )
                .await
                .unwrap_or_else(|e| panic!("grant {role} to {username}: {e}"));
        }
        id
    }

    /// The URL of this app's database, for a second process on the same data.
    pub fn database_url(&self) -> &str {
        self._db.url()
    }

    /// The SQLite file of this app's database, or None on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        self._db.sqlite_path()
    }

    /// Stops the in-process server and closes its store, leaving the database to a `laksana
    /// serve` child process alone (the file and the test database stay until the app drops).
    pub async fn hand_over(&self) {
        self.server.abort();
        self.store.close().await;
    }

    /// Opens a second unit with the same SOP, as the administrator's page does.
    pub async fn add_unit(&self, code: &str, name: &str) -> Unit {
        let now = self.clock_now();
        let unit = self
            .store
            .create_unit(
                laksana_store::NewUnit {
                    code,
                    name,
                    kind: laksana_store::UnitKind::Upt,
                    zone: laksana_calendar::Zone::Wib,
                    head_title: "Kepala UPT",
                },
                now,
            )
            .await
            .unwrap_or_else(|e| panic!("create unit {code}: {e}"));
        self.store
            .ensure_definition(unit.id, SEED_SOP, now)
            .await
            .expect("store the seed SOP in the new unit");
        unit
    }

    /// Gives an existing account a role in a unit.
    pub async fn grant(&self, user_id: i64, unit_id: i64, role: &str) {
        let def_row = self.store.latest_definition(unit_id).await.unwrap();
        let def = self.store.definition(def_row.id).await.unwrap();
        let keys: Vec<String> = def.roles.iter().map(|r| r.key.clone()).collect();
        self.store
            .grant_role(
                user_id,
                unit_id,
                role,
                laksana_store::GrantPeriod::default(),
                &keys,
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("grant {role} in unit {unit_id}: {e}"));
    }

    /// Makes an account holding `role` in `unit` only.
    pub async fn add_user_in(
        &self,
        unit_id: i64,
        username: &str,
        full_name: &str,
        role: &str,
    ) -> i64 {
        let id = self
            .store
            .create_user(
                NewUser {
                    username,
                    password: PASSWORD,
                    full_name,
                    nip: "",
                    jabatan: "",
                    is_admin: false,
                },
                self.clock_now(),
            )
            .await
            .unwrap_or_else(|e| panic!("create user {username}: {e}"));
        self.grant(id, unit_id, role).await;
        id
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        laksana_web::Clock::now(&*self.clock)
    }

    /// Moves the server's clock to a moment (usually given with [`wib`]).
    pub fn set_time(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    // ----- API -----

    /// `POST /api/v1/session` as it is, for tests of refused logins.
    pub async fn post_session(&self, username: &str, password: &str) -> Response {
        self.api
            .post(self.url("/api/v1/session"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Logs in to the API and returns the Bearer token.
    pub async fn api_login(&self, username: &str) -> String {
        let res = self.post_session(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "API login of {username}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        body["token"].as_str().expect("token").to_string()
    }

    /// `POST /api/v1/trainings` as it is.
    pub async fn post_training(&self, token: &str, body: &Value) -> Response {
        self.api
            .post(self.url("/api/v1/trainings"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Opens a training and returns its detail (201 asserted).
    pub async fn create_training(&self, token: &str, title: &str) -> Value {
        let res = self
            .post_training(
                token,
                &json!({
                    "title": title,
                    "kejuruan": "Teknik Las",
                    "start_date": "2027-01-11",
                    "location": "Workshop UPT BLK",
                }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "create training");
        res.json().await.unwrap()
    }

    pub async fn get_api(&self, token: &str, path: &str) -> Response {
        self.api
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn get_ok(&self, token: &str, path: &str) -> Value {
        let res = self.get_api(token, path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.unwrap()
    }

    /// The caller's task list (`GET /api/v1/tasks`).
    pub async fn tasks(&self, token: &str) -> Vec<Value> {
        let body = self.get_ok(token, "/api/v1/tasks").await;
        body["tasks"].as_array().expect("tasks array").clone()
    }

    pub async fn training(&self, token: &str, id: i64) -> Value {
        self.get_ok(token, &format!("/api/v1/trainings/{id}")).await
    }

    pub async fn audit(&self, token: &str, id: i64) -> Vec<Value> {
        let body = self
            .get_ok(token, &format!("/api/v1/trainings/{id}/audit"))
            .await;
        body["entries"].as_array().expect("entries array").clone()
    }

    /// `POST /api/v1/tasks/{id}/complete`; `decision` and `note` are left out when `None`.
    pub async fn complete(
        &self,
        token: &str,
        task_id: i64,
        decision: Option<&str>,
        note: Option<&str>,
    ) -> Response {
        let mut body = serde_json::Map::new();
        if let Some(d) = decision {
            body.insert("decision".into(), json!(d));
        }
        if let Some(n) = note {
            body.insert("note".into(), json!(n));
        }
        self.api
            .post(self.url(&format!("/api/v1/tasks/{task_id}/complete")))
            .bearer_auth(token)
            .json(&Value::Object(body))
            .send()
            .await
            .unwrap()
    }

    /// Finishes a task and expects success; returns the outcome body.
    pub async fn complete_ok(
        &self,
        token: &str,
        task_id: i64,
        decision: Option<&str>,
        note: Option<&str>,
    ) -> Value {
        let res = self.complete(token, task_id, decision, note).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "complete task {task_id}: {body}");
        body
    }

    /// The one task of `training_id` in the caller's list (panics unless exactly one).
    pub async fn task_of(&self, token: &str, training_id: i64) -> Value {
        let mine: Vec<Value> = self
            .tasks(token)
            .await
            .into_iter()
            .filter(|t| t["training_id"] == training_id)
            .collect();
        assert_eq!(
            mine.len(),
            1,
            "expected one task of training {training_id}, got {mine:?}"
        );
        mine[0].clone()
    }

    /// What a refused request must leave untouched: the training as the API shows it and its audit trail.
    pub async fn snapshot(&self, token: &str, training_id: i64) -> (Value, Vec<Value>) {
        (
            self.training(token, training_id).await,
            self.audit(token, training_id).await,
        )
    }

    // ----- pages -----

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Posts the login form with the form's own CSRF token; returns the answer as it is.
    pub async fn submit_login(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> Response {
        let form = client.get(self.url("/masuk")).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let csrf = hidden_csrf(&form.text().await.unwrap());
        client
            .post(self.url("/masuk"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Logs in on the login page; the returned client carries the session cookie.
    pub async fn page_login(&self, username: &str) -> reqwest::Client {
        let client = self.browser();
        let res = self.submit_login(&client, username, PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "page login of {username}"
        );
        assert_eq!(res.headers()["location"], "/tugas");
        client
    }

    /// GET a page; returns status and HTML.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let res = client.get(self.url(path)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// The session's CSRF token, as the pages embed it in their forms.
    pub async fn page_csrf(&self, client: &reqwest::Client) -> String {
        let (status, html) = self.page(client, "/tugas").await;
        assert_eq!(status, StatusCode::OK);
        hidden_csrf(&html)
    }

    /// Presses a button of a training's step form (`decision` is its value).
    pub async fn page_step(
        &self,
        client: &reqwest::Client,
        training_id: i64,
        run_id: i64,
        fields: &[(&str, &str)],
    ) -> Response {
        client
            .post(self.url(&format!("/pelatihan/{training_id}/langkah/{run_id}")))
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}

/// The value of the first `<input type="hidden" name="csrf" value="…">` of a page.
pub fn hidden_csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf field in page:\n{html}"))
        + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_string()
}

/// Checks an API error: its status, `application/problem+json`, and its stable `code`.
/// Returns the body for further checks.
pub async fn expect_problem(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "status of {}", res.url());
    let content_type = res
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(
        content_type.as_deref(),
        Some("application/problem+json"),
        "problem answers are application/problem+json"
    );
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status.as_u16(), "status field in {body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "a problem has a detail sentence: {body}"
    );
    body
}

impl TestApp {
    /// A training on Laksana's current SOP (version 4) worked, through the store's own
    /// operations, up to the step `until` (a step key): the kop and the two signing officials
    /// set up, the work plan of `laksana_web::sample`, drafts, paraf and signatures. The
    /// training starts 30 days after the clock; the clock is moved to the last completion.
    pub async fn training_at(&self, title: &str, until: &str) -> i64 {
        use laksana_engine::LAKSANA_SOP;
        let now = self.clock_now();
        self.store
            .ensure_definition(self.unit.id, LAKSANA_SOP, now)
            .await
            .expect("store the current SOP");
        let admin = self.store.user_by_username("admin").await.unwrap();
        if self
            .store
            .list_officials(self.unit.id)
            .await
            .unwrap()
            .is_empty()
        {
            for (position, username, nip, jabatan) in [
                (
                    "kepala-dinas",
                    "kadis",
                    "196805121994031007",
                    "Kepala Dinas Tenaga Kerja",
                ),
                (
                    "kepala-bidang",
                    "kabid",
                    "197203151998031004",
                    "Kepala Bidang Pelatihan",
                ),
            ] {
                let account = self.store.user_by_username(username).await.unwrap();
                self.store
                    .create_official(
                        self.unit.id,
                        &laksana_store::NewOfficial {
                            position: position.into(),
                            name: account.full_name.clone(),
                            nip: nip.into(),
                            pangkat: "Pembina (IV/a)".into(),
                            jabatan: jabatan.into(),
                            user_id: Some(account.id),
                            since: None,
                            until: None,
                        },
                        &admin,
                        now,
                    )
                    .await
                    .expect("official");
            }
        }
        laksana_web::sample::paperwork_setup(&self.store, &self.unit, &admin, now, &self.address)
            .await
            .expect("kop");
        let new = laksana_store::NewTraining {
            title: title.into(),
            kejuruan: "Tata Boga".into(),
            start_date: (now + chrono::Duration::days(30)).date_naive(),
            location: "Workshop UPT BLK".into(),
        };
        let id = self
            .store
            .create_training(&self.unit, &admin, &new, now)
            .await
            .expect("create training");
        let mut users = Vec::new();
        for (username, _, _) in USERS {
            users.push(self.store.user_by_username(username).await.unwrap());
        }
        let actor_for = move |role: &str| {
            users
                .iter()
                .find(|u| u.roles.iter().any(|g| g.role_key == role))
                .cloned()
        };
        let at =
            laksana_web::sample::advance(&self.store, &self.unit, id, &new, until, &actor_for, now)
                .await
                .unwrap_or_else(|e| panic!("advance to {until}: {e}"));
        self.set_time(at + chrono::Duration::minutes(30));
        id
    }
}
