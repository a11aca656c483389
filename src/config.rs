//! One typed configuration: defaults in code, then `laksana.toml`, then `LAKSANA_*`
//! environment variables, then command-line flags. Anything unknown or unreadable stops the
//! start with a message naming the key, because a typo that is silently ignored leaves a server
//! running on a default nobody chose.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Log lines as text for a terminal or one JSON object per line for a log collector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The effective settings of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Database URL: sqlite://PATH (created if missing) or postgres://….
    pub db: String,
    /// Address the web server listens on.
    pub listen: SocketAddr,
    /// The address users reach Laksana at, for links in mails (default: http://LISTEN).
    pub public_url: Option<String>,
    /// Mark cookies Secure (when served behind TLS).
    pub secure_cookies: bool,
    /// SMTP server URL (may carry USER:PASS@); without it mail waits in the outbox.
    pub smtp_url: Option<String>,
    /// The From of outgoing mail.
    pub mail_from: String,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info,sqlx=warn`.
    pub log_level: String,
    /// Bearer token that opens `/metrics` to other hosts; loopback needs none.
    pub metrics_token: Option<String>,
    /// Where stored files' bytes live: `db` (in the database), `folder:/PATH` (or
    /// `file:///PATH`), or `s3://BUCKET/PREFIX` with the `s3_*` settings.
    pub files: String,
    /// The S3-compatible server, e.g. `http://127.0.0.1:9000` for MinIO (empty: AWS itself).
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// Path-style addressing (`ENDPOINT/BUCKET/KEY`); unset: on when an endpoint is given,
    /// as MinIO-like servers need it, off for AWS.
    pub s3_path_style: Option<bool>,
    /// How often, in seconds, the reminder and late-step sweeps run.
    pub sweep_seconds: u64,
    /// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (in the
    /// environment: comma-separated). Without one those headers are ignored.
    pub trusted_proxy: Vec<std::net::IpAddr>,
    /// A login session ends after this many minutes without use.
    pub session_idle_minutes: i64,
    /// A login session ends this many hours after login, used or not.
    pub session_max_hours: i64,
    /// Shortest password accepted, in characters (at least 8).
    pub password_min_length: usize,
    /// Failed logins allowed per account within `login_window_minutes`.
    pub login_max_failures_account: usize,
    /// Failed logins allowed per client address within `login_window_minutes`.
    pub login_max_failures_address: usize,
    pub login_window_minutes: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: "sqlite://laksana.db".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            secure_cookies: false,
            smtp_url: None,
            mail_from: "Laksana <laksana@localhost>".into(),
            log_format: LogFormat::Text,
            log_level: "info,sqlx=warn".into(),
            metrics_token: None,
            files: "db".into(),
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_path_style: None,
            sweep_seconds: 60,
            trusted_proxy: Vec::new(),
            session_idle_minutes: 60,
            session_max_hours: 12,
            password_min_length: laksana_store::password_policy::DEFAULT_MIN_LEN,
            login_max_failures_account: 5,
            login_max_failures_address: 20,
            login_window_minutes: 15,
        }
    }
}

/// Keys that hold secrets: they may come from `LAKSANA_<KEY>_FILE` and are redacted in output.
const SECRET_KEYS: &[&str] = &[
    "db",
    "smtp_url",
    "metrics_token",
    "s3_access_key_id",
    "s3_secret_access_key",
];

/// `LAKSANA_` variables that are not configuration keys but are read elsewhere: a password
/// for `user add`, the config file's path and the test suite's switches. Anything starting
/// with `LAKSANA_TEST_` or ending in `_TESTS` belongs to the tests.
const OTHER_VARIABLES: &[&str] = &[
    "LAKSANA_CONFIG",
    "LAKSANA_PASSWORD",
    "LAKSANA_BROWSER_TESTS",
    "LAKSANA_TTE_TESTS",
    "LAKSANA_PYHANKO",
    "LAKSANA_CERT_PDF",
    "LAKSANA_SCAN_VENV",
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("berkas konfigurasi {path}: {message}")]
    File { path: String, message: String },
    #[error("variabel lingkungan {name}: {message}")]
    Env { name: String, message: String },
    #[error("pengaturan {key}: {message}")]
    Value { key: &'static str, message: String },
}

impl Config {
    /// The file named by `--config` (which must exist), else `./laksana.toml` when present.
    pub fn file_to_read(flag: Option<&Path>) -> Option<PathBuf> {
        match flag {
            Some(p) => Some(p.to_path_buf()),
            None => {
                let default = PathBuf::from("laksana.toml");
                default.exists().then_some(default)
            }
        }
    }

    /// Defaults, then the file's text (if any), then the environment.
    pub fn load(
        file: Option<(&Path, &str)>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some((path, text)) => {
                toml::from_str::<Config>(text).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    message: e.to_string().trim_end().replace('\n', " "),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.check()?;
        Ok(config)
    }

    /// The checks no single key's parsing can make: run after the file and the environment,
    /// and again after the command line's flags.
    pub fn check(&self) -> Result<(), ConfigError> {
        let bad = |key: &'static str, message: &str| {
            Err(ConfigError::Value {
                key,
                message: message.to_string(),
            })
        };
        self.file_store().map_err(|message| ConfigError::Value {
            key: "files",
            message,
        })?;
        // Upper bounds too: a value past them is a typo, and a huge one would overflow the
        // date arithmetic of every login.
        let within = |key: &'static str, value: i64, low: i64, high: i64| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                bad(key, &format!("harus antara {low} dan {high}"))
            }
        };
        within(
            "sweep_seconds",
            self.sweep_seconds.min(i64::MAX as u64) as i64,
            1,
            86_400,
        )?;
        within("session_idle_minutes", self.session_idle_minutes, 1, 43_200)?;
        within("session_max_hours", self.session_max_hours, 1, 8_760)?;
        within(
            "password_min_length",
            self.password_min_length.min(1 << 20) as i64,
            8,
            128,
        )?;
        within("login_window_minutes", self.login_window_minutes, 1, 10_080)?;
        // 0 would mean "no login ever", not "no limit": refused, like any other slip.
        within(
            "login_max_failures_account",
            self.login_max_failures_account.min(1 << 30) as i64,
            1,
            1_000_000,
        )?;
        within(
            "login_max_failures_address",
            self.login_max_failures_address.min(1 << 30) as i64,
            1,
            1_000_000,
        )?;
        Ok(())
    }

    /// The web application's security settings from these keys.
    pub fn security(&self) -> laksana_web::SecuritySettings {
        use chrono::Duration;
        laksana_web::SecuritySettings {
            sessions: laksana_store::SessionPolicy {
                web_idle: Duration::minutes(self.session_idle_minutes),
                web_absolute: Duration::hours(self.session_max_hours),
                ..laksana_store::SessionPolicy::default()
            },
            login: laksana_store::LoginLimits {
                per_account: self.login_max_failures_account,
                per_address: self.login_max_failures_address,
                window: Duration::minutes(self.login_window_minutes),
            },
            passwords: laksana_store::password_policy::PasswordPolicy {
                min_len: self.password_min_length,
            },
            trusted_proxies: self.trusted_proxy.clone(),
        }
    }

    /// The `files` setting with the S3 connection settings, checked.
    pub fn file_store(&self) -> Result<laksana_store::FileStoreSetting, String> {
        let s3 = laksana_store::S3Settings {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self.s3_secret_access_key.clone(),
            path_style: self.s3_path_style.unwrap_or(self.s3_endpoint.is_some()),
            ..Default::default()
        };
        laksana_store::FileStoreSetting::parse(&self.files, s3)
    }

    /// Applies every `LAKSANA_*` variable; an unknown one is an error naming it.
    fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<(), ConfigError> {
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("LAKSANA_") else {
                continue;
            };
            if OTHER_VARIABLES.contains(&name.as_str())
                || rest.starts_with("TEST_")
                || rest.ends_with("_TESTS")
            {
                continue;
            }
            let (key, value) = match rest.strip_suffix("_FILE") {
                Some(key) => {
                    let key = key.to_ascii_lowercase();
                    if !SECRET_KEYS.contains(&key.as_str()) {
                        return Err(ConfigError::Env {
                            name: name.clone(),
                            message: "hanya rahasia yang dibaca dari berkas: LAKSANA_DB_FILE, LAKSANA_SMTP_URL_FILE, LAKSANA_METRICS_TOKEN_FILE, LAKSANA_S3_ACCESS_KEY_ID_FILE, LAKSANA_S3_SECRET_ACCESS_KEY_FILE".into(),
                        });
                    }
                    let text = std::fs::read_to_string(value).map_err(|e| ConfigError::Env {
                        name: name.clone(),
                        message: format!("membaca {value}: {e}"),
                    })?;
                    (key, text.trim_end_matches(['\n', '\r']).to_string())
                }
                None => (rest.to_ascii_lowercase(), value.clone()),
            };
            self.set(&key, &value).map_err(|message| ConfigError::Env {
                name: name.clone(),
                message,
            })?;
        }
        Ok(())
    }

    /// Sets one key from its text form, as an environment variable gives it.
    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let some = |v: &str| (!v.trim().is_empty()).then(|| v.to_string());
        match key {
            "db" => self.db = value.to_string(),
            "listen" => {
                self.listen = value
                    .parse()
                    .map_err(|e| format!("\"{value}\" bukan alamat HOST:PORT ({e})"))?
            }
            "public_url" => self.public_url = some(value),
            "secure_cookies" => self.secure_cookies = parse_bool(value)?,
            "smtp_url" => self.smtp_url = some(value),
            "mail_from" => self.mail_from = value.to_string(),
            "log_format" => {
                self.log_format = match value {
                    "text" => LogFormat::Text,
                    "json" => LogFormat::Json,
                    _ => return Err(format!("\"{value}\" bukan text atau json")),
                }
            }
            "log_level" => self.log_level = value.to_string(),
            "metrics_token" => self.metrics_token = some(value),
            "files" => self.files = value.to_string(),
            "s3_endpoint" => self.s3_endpoint = some(value),
            "s3_region" => self.s3_region = value.to_string(),
            "s3_access_key_id" => self.s3_access_key_id = some(value),
            "s3_secret_access_key" => self.s3_secret_access_key = some(value),
            "s3_path_style" => {
                self.s3_path_style = (!value.trim().is_empty())
                    .then(|| parse_bool(value))
                    .transpose()?
            }
            "sweep_seconds" => self.sweep_seconds = number(value)?,
            "trusted_proxy" => {
                self.trusted_proxy = value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.parse().map_err(|_| format!("\"{v}\" bukan alamat IP")))
                    .collect::<Result<_, _>>()?
            }
            "session_idle_minutes" => self.session_idle_minutes = number(value)?,
            "session_max_hours" => self.session_max_hours = number(value)?,
            "password_min_length" => self.password_min_length = number(value)?,
            "login_max_failures_account" => self.login_max_failures_account = number(value)?,
            "login_max_failures_address" => self.login_max_failures_address = number(value)?,
            "login_window_minutes" => self.login_window_minutes = number(value)?,
            _ => {
                return Err(format!(
                    "kunci konfigurasi \"{key}\" tidak dikenal; yang dikenal: {}",
                    KEYS.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// A copy safe to print or log: passwords in URLs and tokens replaced by `***`.
    pub fn redacted(&self) -> Config {
        Config {
            db: redact_url(&self.db),
            smtp_url: self.smtp_url.as_deref().map(redact_url),
            metrics_token: self.metrics_token.as_ref().map(|_| "***".into()),
            s3_secret_access_key: self.s3_secret_access_key.as_ref().map(|_| "***".into()),
            ..self.clone()
        }
    }

    /// The redacted configuration as TOML (`laksana config tampil`).
    pub fn show(&self) -> String {
        toml::to_string(&self.redacted()).unwrap_or_default()
    }
}

const KEYS: &[&str] = &[
    "db",
    "listen",
    "public_url",
    "secure_cookies",
    "smtp_url",
    "mail_from",
    "log_format",
    "log_level",
    "metrics_token",
    "files",
    "s3_endpoint",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "s3_path_style",
    "sweep_seconds",
    "trusted_proxy",
    "session_idle_minutes",
    "session_max_hours",
    "password_min_length",
    "login_max_failures_account",
    "login_max_failures_address",
    "login_window_minutes",
];

fn number<T: std::str::FromStr>(v: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("\"{v}\" bukan bilangan yang sah"))
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "ya" | "yes" | "on" => Ok(true),
        "0" | "false" | "tidak" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("\"{v}\" bukan true atau false")),
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`; other text unchanged.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    let user = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:***"),
        None => userinfo.to_string(),
    };
    format!("{scheme}://{user}@{host}{path}")
}

/// The process environment's `LAKSANA_*` variables.
pub fn process_env() -> BTreeMap<String, String> {
    std::env::vars()
        .filter(|(k, _)| k.starts_with("LAKSANA_"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn file(text: &str) -> Result<Config, ConfigError> {
        Config::load(Some((Path::new("laksana.toml"), text)), &env(&[]))
    }

    #[test]
    fn security_and_sweep_settings_are_keys_like_the_others() {
        let c = Config::load(
            Some((
                Path::new("laksana.toml"),
                "trusted_proxy = [\"10.0.0.1\"]\nsession_idle_minutes = 30\nsweep_seconds = 5\n",
            )),
            &env(&[
                ("LAKSANA_LOGIN_MAX_FAILURES_ACCOUNT", "3"),
                ("LAKSANA_TRUSTED_PROXY", "10.0.0.2, 10.0.0.3"),
            ]),
        )
        .unwrap();
        assert_eq!(c.session_idle_minutes, 30);
        assert_eq!(c.sweep_seconds, 5);
        assert_eq!(c.login_max_failures_account, 3);
        assert_eq!(
            c.trusted_proxy.len(),
            2,
            "the environment replaces the file's list"
        );
        let s = c.security();
        assert_eq!(s.sessions.web_idle, chrono::Duration::minutes(30));
        assert_eq!(s.login.per_account, 3);
        assert_eq!(s.login.per_address, 20, "default kept");

        for (name, value, key) in [
            ("LAKSANA_PASSWORD_MIN_LENGTH", "6", "password_min_length"),
            ("LAKSANA_SWEEP_SECONDS", "0", "sweep_seconds"),
            ("LAKSANA_SESSION_MAX_HOURS", "-1", "session_max_hours"),
            // Past the bounds: these used to overflow the session and login arithmetic.
            (
                "LAKSANA_SESSION_IDLE_MINUTES",
                "9223372036854775807",
                "session_idle_minutes",
            ),
            (
                "LAKSANA_SESSION_MAX_HOURS",
                "2000000000000",
                "session_max_hours",
            ),
            (
                "LAKSANA_LOGIN_WINDOW_MINUTES",
                "100000000000000",
                "login_window_minutes",
            ),
            (
                "LAKSANA_LOGIN_MAX_FAILURES_ACCOUNT",
                "0",
                "login_max_failures_account",
            ),
        ] {
            let e = Config::load(None, &env(&[(name, value)])).unwrap_err();
            assert!(e.to_string().contains(key), "{name}={value}: {e}");
        }
        let e = Config::load(None, &env(&[("LAKSANA_SWEEP_SECONDS", "sebentar")])).unwrap_err();
        assert!(e.to_string().contains("LAKSANA_SWEEP_SECONDS"), "{e}");
        let e = Config::load(None, &env(&[("LAKSANA_TRUSTED_PROXY", "proxy.lan")])).unwrap_err();
        assert!(e.to_string().contains("bukan alamat IP"), "{e}");
    }

    #[test]
    fn defaults_then_file_then_environment() {
        assert_eq!(Config::load(None, &env(&[])).unwrap(), Config::default());
        let c = Config::load(
            Some((
                Path::new("laksana.toml"),
                "db = \"sqlite:///srv/a.db\"\nlisten = \"0.0.0.0:9000\"\nlog_format = \"json\"\n",
            )),
            &env(&[("LAKSANA_LISTEN", "127.0.0.1:9100")]),
        )
        .unwrap();
        assert_eq!(c.db, "sqlite:///srv/a.db");
        assert_eq!(c.listen.to_string(), "127.0.0.1:9100", "env beats the file");
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.mail_from, Config::default().mail_from, "default kept");
    }

    #[test]
    fn an_unknown_key_in_the_file_is_named() {
        let err = file("db = \"x.db\"\nlisten_addr = \"0.0.0.0:1\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("listen_addr") && err.contains("laksana.toml"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_value_in_the_file_is_named() {
        let err = file("listen = \"di mana saja\"\n").unwrap_err().to_string();
        assert!(err.contains("listen"), "{err}");
        let err = file("secure_cookies = \"kadang\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("secure_cookies"), "{err}");
        let err = file("files = \"ember:/x\"\n").unwrap_err().to_string();
        assert!(err.contains("files") && err.contains("ember:/x"), "{err}");
        let err = file("log_format = \"xml\"\n").unwrap_err().to_string();
        assert!(err.contains("log_format") || err.contains("xml"), "{err}");
    }

    #[test]
    fn an_unknown_or_bad_variable_is_named() {
        let err = Config::load(None, &env(&[("LAKSANA_LISEN", "1")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("LAKSANA_LISEN") && err.contains("tidak dikenal"),
            "{err}"
        );
        let err = Config::load(None, &env(&[("LAKSANA_LISTEN", "delapan")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("LAKSANA_LISTEN") && err.contains("delapan"),
            "{err}"
        );
        let err = Config::load(None, &env(&[("LAKSANA_MAIL_FROM_FILE", "/x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("LAKSANA_MAIL_FROM_FILE"), "{err}");
        // Variables read elsewhere are not configuration and not refused.
        assert!(Config::load(
            None,
            &env(&[
                ("LAKSANA_PASSWORD", "x"),
                ("LAKSANA_TTE_TESTS", "1"),
                ("LAKSANA_TEST_POSTGRES_URL", "postgres://localhost/uji"),
            ])
        )
        .is_ok());
    }

    #[test]
    fn secrets_come_from_files_and_are_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("smtp");
        std::fs::write(&secret, "smtps://blk:rahasia%21@mail.example.go.id:465\n").unwrap();
        let c = Config::load(
            None,
            &env(&[
                ("LAKSANA_SMTP_URL_FILE", secret.to_str().unwrap()),
                ("LAKSANA_DB", "postgres://laksana:sandi@db.internal/laksana"),
                ("LAKSANA_METRICS_TOKEN", "t0ken"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.smtp_url.as_deref(),
            Some("smtps://blk:rahasia%21@mail.example.go.id:465")
        );
        let shown = c.show();
        for secret in ["rahasia", "sandi", "t0ken"] {
            assert!(!shown.contains(secret), "{secret} shown:\n{shown}");
        }
        assert!(
            shown.contains("smtps://blk:***@mail.example.go.id:465"),
            "{shown}"
        );
        assert!(shown.contains("postgres://laksana:***@db.internal/laksana"));
        assert_eq!(redact_url("sqlite://laksana.db"), "sqlite://laksana.db");

        // The S3 secret likewise, from its file, and never shown.
        let key = dir.path().join("s3-secret");
        std::fs::write(&key, "kunci-rahasia-s3\n").unwrap();
        let c = Config::load(
            None,
            &env(&[
                ("LAKSANA_FILES", "s3://arsip/laksana"),
                ("LAKSANA_S3_ENDPOINT", "http://127.0.0.1:9000"),
                ("LAKSANA_S3_ACCESS_KEY_ID", "laksana"),
                ("LAKSANA_S3_SECRET_ACCESS_KEY_FILE", key.to_str().unwrap()),
            ]),
        )
        .unwrap();
        assert_eq!(c.s3_secret_access_key.as_deref(), Some("kunci-rahasia-s3"));
        assert!(!c.show().contains("kunci-rahasia-s3"), "{}", c.show());
        match c.file_store().unwrap() {
            laksana_store::FileStoreSetting::S3(s3) => {
                assert!(s3.path_style, "an endpoint means path-style by default");
                assert_eq!(s3.prefix, "laksana");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(redact_url("smtp://relay:25"), "smtp://relay:25");
    }
}
