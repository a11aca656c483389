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
    fn lifetime(self) -> Duration {
        match self {
            SessionKind::Web => Duration::hours(12),
            SessionKind::Api => Duration::days(30),
        }
    }
}

/// Who is behind a token, in which unit, and the CSRF token their forms must echo.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub user: User,
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

impl Store {
    /// Opens a session and returns its secret token (shown once, never stored in clear).
    pub async fn create_session(
        &self,
        user_id: i64,
        unit_id: i64,
        kind: SessionKind,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let token = random_token();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, unit_id, kind, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(unit_id)
        .bind(kind.as_str())
        .bind(random_token())
        .bind(format_ts(now))
        .bind(format_ts(now + kind.lifetime()))
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The live session for a token of the given kind, if any.
    pub async fn session(
        &self,
        token: &str,
        kind: SessionKind,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionInfo>> {
        let row = sqlx::query(
            "SELECT user_id, unit_id, csrf_token FROM sessions
             WHERE token_hash = $1 AND kind = $2 AND expires_at > $3",
        )
        .bind(token_hash(token))
        .bind(kind.as_str())
        .bind(format_ts(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = self.user(row.try_get("user_id")?).await?;
        if !user.active {
            return Ok(None);
        }
        Ok(Some(SessionInfo {
            user,
            unit_id: row.try_get("unit_id")?,
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
