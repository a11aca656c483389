//! Login sessions (cookie) and API tokens (Bearer), stored by the SHA-256 of the token.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{format_ts, Result, Store, User};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// How long a session lives: at most `absolute` after login, and it ends once unused for
/// `idle`. Settings of the installation; checked on every request against the stored times, so
/// shortening a setting also shortens the sessions already open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub web_idle: Duration,
    pub web_absolute: Duration,
    pub api_idle: Duration,
    pub api_absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            web_idle: Duration::minutes(60),
            web_absolute: Duration::hours(12),
            api_idle: Duration::days(7),
            api_absolute: Duration::days(30),
        }
    }
}

impl SessionPolicy {
    fn limits(&self, kind: SessionKind) -> (Duration, Duration) {
        match kind {
            SessionKind::Web => (self.web_idle, self.web_absolute),
            SessionKind::Api => (self.api_idle, self.api_absolute),
        }
    }
}

/// A session's last use is written at most this often, so reading pages does not turn every
/// request into a write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Who is behind a token, in which unit, and the CSRF token their forms must echo.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub user: User,
    /// The units the user may enter (as [`Store::units_of`] gives them), read with the session.
    pub units: Vec<crate::Unit>,
    pub unit_id: i64,
    pub csrf_token: String,
    pub kind: SessionKind,
}

fn random_token() -> String {
    crate::random_hex(32)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session's query (see [`Store::session`]), built once: it runs before every request.
static SESSION_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT s.unit_id AS s_unit_id, s.csrf_token, COALESCE(s.last_seen_at, s.created_at) AS seen,
                    u.id AS u_id, u.username, u.full_name, u.nip, u.jabatan, u.email, u.is_admin,
                    u.active, u.must_change_password, {}
             FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN units un ON u.is_admin <> 0
               OR un.id IN (SELECT r.unit_id FROM user_roles r WHERE r.user_id = u.id)
             LEFT JOIN user_roles g ON g.unit_id = un.id AND g.user_id = u.id
             WHERE s.token_hash = $1 AND s.kind = $2 AND s.expires_at > $3
               AND s.created_at > $4 AND COALESCE(s.last_seen_at, s.created_at) > $5
             ORDER BY un.id, g.id",
            crate::user::grants_and_units_columns()
    )
});

impl Store {
    /// Opens a session and returns its secret token (shown once, never stored in clear).
    pub async fn create_session(
        &self,
        user_id: i64,
        unit_id: i64,
        kind: SessionKind,
        policy: &SessionPolicy,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let token = random_token();
        let (_, absolute) = policy.limits(kind);
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, unit_id, kind, csrf_token, created_at, expires_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(unit_id)
        .bind(kind.as_str())
        .bind(random_token())
        .bind(format_ts(now))
        .bind(format_ts(now + absolute))
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The live session for a token of the given kind, if any.
    pub async fn session(
        &self,
        token: &str,
        kind: SessionKind,
        policy: &SessionPolicy,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionInfo>> {
        let (idle, absolute) = policy.limits(kind);
        let hash = token_hash(token);
        // The account, the units it may enter and its grants there in the same query: this
        // runs before every page and API call, and on the cached pages it is the only one. One
        // row per unit and grant; an administrator may enter every unit, anyone else those
        // where they hold a grant.
        let rows = sqlx::query(&SESSION_SQL)
            .bind(&hash)
            .bind(kind.as_str())
            .bind(format_ts(now))
            .bind(format_ts(now - absolute))
            .bind(format_ts(now - idle))
            .fetch_all(&self.pool)
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let seen = crate::parse_ts(&row.try_get::<String, _>("seen")?);
        if seen.is_none_or(|seen| now - seen >= TOUCH_EVERY) {
            // Only the idle window rests on this write. When it fails (a full disk, a lock
            // held too long) the request goes on: reading must keep working while writing
            // cannot, and the next request tries again.
            if let Err(e) =
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(format_ts(now))
                    .bind(&hash)
                    .execute(&self.pool)
                    .await
            {
                tracing::warn!(error = %e, "sesi: waktu terakhir aktif tidak tercatat");
            }
        }
        let mut user = crate::user::user_from_row_with_id(row, "u_id")?;
        if !user.active {
            return Ok(None);
        }
        let units = crate::user::grants_and_units(&rows, &mut user)?;
        Ok(Some(SessionInfo {
            user,
            units,
            unit_id: row.try_get("s_unit_id")?,
            csrf_token: row.try_get("csrf_token")?,
            kind,
        }))
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Ends every session and API token of a user: "keluar dari semua perangkat", a new
    /// password, a deactivated account. Returns how many were ended.
    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Moves a session to another unit; the caller has checked the user may enter it.
    pub async fn switch_session_unit(&self, token: &str, unit_id: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET unit_id = $1 WHERE token_hash = $2")
            .bind(unit_id)
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
