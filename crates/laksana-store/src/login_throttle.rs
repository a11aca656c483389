//! Failed logins counted per account and per client address, in the database so the limit
//! holds when several app servers share it. The rule itself (`LoginLimits::blocked_until`) is
//! pure; the store only keeps the failures.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use crate::{format_ts, parse_ts, Result, Store};

/// At most `per_account` failures for one account and `per_address` from one address within
/// `window`; past that, logins are refused until the oldest counted failure leaves the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    pub per_account: usize,
    pub per_address: usize,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            per_address: 20,
            window: Duration::minutes(15),
        }
    }
}

impl LoginLimits {
    /// When logins open again given the failures inside the window (any order), or `None` if
    /// another attempt is allowed now.
    pub fn blocked_until(&self, failures: &[DateTime<Utc>], limit: usize) -> Option<DateTime<Utc>> {
        if limit == 0 || failures.len() < limit {
            return None;
        }
        let mut sorted = failures.to_vec();
        sorted.sort();
        // The attempt is allowed again once only `limit - 1` failures remain in the window,
        // i.e. when the failure `limit` places from the newest expires.
        let pivot = sorted[sorted.len() - limit];
        Some(pivot + self.window)
    }
}

/// Why a login may not be tried now, and until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginBlocked {
    pub until: DateTime<Utc>,
}

impl Store {
    /// Refuses a login attempt before the password is even checked when the account or the
    /// address has used up its failures.
    pub async fn login_blocked(
        &self,
        account: &str,
        address: &str,
        limits: &LoginLimits,
        now: DateTime<Utc>,
    ) -> Result<Option<LoginBlocked>> {
        let account = account.trim().to_lowercase();
        let by_account = self.failures("account", &account, limits, now).await?;
        let by_address = self.failures("address", address, limits, now).await?;
        let until = [
            limits.blocked_until(&by_account, limits.per_account),
            limits.blocked_until(&by_address, limits.per_address),
        ]
        .into_iter()
        .flatten()
        .max();
        Ok(until.map(|until| LoginBlocked { until }))
    }

    /// Counts one failed attempt against the account name (known or not) and the address.
    pub async fn record_login_failure(
        &self,
        account: &str,
        address: &str,
        limits: &LoginLimits,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let account = account.trim().to_lowercase();
        let mut tx = self.pool.begin().await?;
        for (scope, key) in [("account", account.as_str()), ("address", address)] {
            sqlx::query("INSERT INTO login_failures (scope, key, at) VALUES ($1, $2, $3)")
                .bind(scope)
                .bind(key)
                .bind(format_ts(now))
                .execute(&mut *tx)
                .await?;
        }
        // Old rows count for nothing; dropping them here keeps the table small without a sweep.
        sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(format_ts(now - limits.window))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A successful login starts the account's count afresh (the address keeps its count, so
    /// one good account cannot be used to reset guessing at others).
    pub async fn clear_login_failures(&self, account: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE scope = 'account' AND key = $1")
            .bind(account.trim().to_lowercase())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn failures(
        &self,
        scope: &str,
        key: &str,
        limits: &LoginLimits,
        now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        let rows =
            sqlx::query("SELECT at FROM login_failures WHERE scope = $1 AND key = $2 AND at > $3")
                .bind(scope)
                .bind(key)
                .bind(format_ts(now - limits.window))
                .fetch_all(&self.pool)
                .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            if let Some(at) = parse_ts(&r.try_get::<String, _>("at")?) {
                out.push(at);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn under_the_limit_is_allowed() {
        let l = LoginLimits::default();
        assert_eq!(l.blocked_until(&[at(0), at(1), at(2), at(3)], 5), None);
    }

    #[test]
    fn at_the_limit_waits_for_the_oldest_counted_failure() {
        let l = LoginLimits::default();
        let f = [at(4), at(0), at(1), at(2), at(3)];
        assert_eq!(l.blocked_until(&f, 5), Some(at(15)));
        // Six failures: the fifth newest (minute 1) is the one that must leave the window.
        let f = [at(0), at(1), at(2), at(3), at(4), at(5)];
        assert_eq!(l.blocked_until(&f, 5), Some(at(16)));
    }
}
