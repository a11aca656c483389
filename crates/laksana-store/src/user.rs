//! People and their roles: argon2id password hashes, SOP roles per unit with optional dates.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use crate::password_policy::PasswordPolicy;
use crate::{format_ts, Result, Store, StoreError};

#[derive(Clone, Debug, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub nip: String,
    pub jabatan: String,
    /// Where overdue notices go; empty when the user has none (notices then stay in the app).
    pub email: String,
    pub is_admin: bool,
    pub active: bool,
    /// The password was generated for the user; they must choose their own before working.
    pub must_change_password: bool,
    pub roles: Vec<RoleGrant>,
}

/// The dates a new grant holds between (inclusive); either end may be open.
#[derive(Clone, Copy, Debug, Default)]
pub struct GrantPeriod {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// An administrator's edit of an account (`Store::update_user`).
#[derive(Clone, Copy, Debug)]
pub struct AccountEdit<'a> {
    pub full_name: &'a str,
    pub nip: &'a str,
    pub jabatan: &'a str,
    pub is_admin: bool,
    pub active: bool,
}

/// One SOP role held in a unit, optionally only between two dates (inclusive).
#[derive(Clone, Debug, serde::Serialize)]
pub struct RoleGrant {
    pub id: i64,
    pub unit_id: i64,
    pub role_key: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl RoleGrant {
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }
}

impl User {
    /// Role keys this user holds in `unit_id` on `date` (the unit's local date).
    pub fn roles_on(&self, unit_id: i64, date: NaiveDate) -> Vec<String> {
        let mut roles: Vec<String> = self
            .roles
            .iter()
            .filter(|g| g.unit_id == unit_id && g.valid_on(date))
            .map(|g| g.role_key.clone())
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub full_name: &'a str,
    pub nip: &'a str,
    pub jabatan: &'a str,
    pub is_admin: bool,
}

impl Store {
    /// Creates an account under the default password rules.
    pub async fn create_user(&self, new: NewUser<'_>, now: DateTime<Utc>) -> Result<i64> {
        self.create_user_with(new, &PasswordPolicy::default(), now)
            .await
    }

    /// Creates an account; the password must pass `policy` (the installation's settings).
    pub async fn create_user_with(
        &self,
        new: NewUser<'_>,
        policy: &PasswordPolicy,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let username = new.username.trim().to_lowercase();
        if username.is_empty()
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(StoreError::invalid(
                "username",
                "Nama pengguna wajib diisi, hanya huruf, angka, titik, garis bawah atau tanda hubung.",
            ));
        }
        if new.full_name.trim().is_empty() {
            return Err(StoreError::invalid(
                "full_name",
                "Nama lengkap wajib diisi.",
            ));
        }
        self.check_password(policy, &username, new.password).await?;
        let hash = hash_password(new.password.to_string()).await?;
        let row = sqlx::query(
            "INSERT INTO users (username, password_hash, full_name, nip, jabatan, is_admin, active, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
        )
        .bind(&username)
        .bind(hash)
        .bind(new.full_name.trim())
        .bind(new.nip.trim())
        .bind(new.jabatan.trim())
        .bind(new.is_admin as i64)
        .bind(format_ts(now))
        .fetch_one(&self.pool)
        .await;
        match row {
            Ok(row) => Ok(row.try_get("id")?),
            Err(e) if StoreError::is_unique_violation(&e, "uq_user_username") => {
                Err(StoreError::invalid(
                    "username",
                    format!("Nama pengguna \"{username}\" sudah dipakai."),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Checks a password; `None` for an unknown user, a wrong password or a deactivated account.
    pub async fn verify_login(&self, username: &str, password: &str) -> Result<Option<User>> {
        let username = username.trim().to_lowercase();
        let row = sqlx::query("SELECT id, password_hash, active FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&self.pool)
            .await?;
        let (id, hash, active) = match row {
            Some(r) => (
                r.try_get::<i64, _>("id")?,
                r.try_get::<String, _>("password_hash")?,
                r.try_get::<i64, _>("active")? != 0,
            ),
            // Spend the same effort for unknown users so timing does not reveal who exists.
            None => (0, DUMMY_HASH.to_string(), false),
        };
        let ok = verify_password(password.to_string(), hash).await;
        if !ok || !active || id == 0 {
            return Ok(None);
        }
        Ok(Some(self.user(id).await?))
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let row = sqlx::query(
            "SELECT id, username, full_name, nip, jabatan, email, is_admin, active, must_change_password FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("pengguna"))?;
        let mut user = user_from_row(&row)?;
        user.roles = self.grants_of(id).await?;
        Ok(user)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<User> {
        let id: i64 = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("pengguna"))?
            .try_get("id")?;
        self.user(id).await
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(
            "SELECT id, username, full_name, nip, jabatan, email, is_admin, active, must_change_password FROM users ORDER BY username",
        )
        .fetch_all(&self.pool)
        .await?;
        let grants = sqlx::query(
            "SELECT id, user_id, unit_id, role_key, valid_from, valid_to FROM user_roles ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut users = rows.iter().map(user_from_row).collect::<Result<Vec<_>>>()?;
        for g in &grants {
            let user_id: i64 = g.try_get("user_id")?;
            if let Some(u) = users.iter_mut().find(|u| u.id == user_id) {
                u.roles.push(grant_from_row(g)?);
            }
        }
        Ok(users)
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Grants a role; `known_roles` are the role keys of the unit's SOP, so typos are refused.
    pub async fn grant_role(
        &self,
        user_id: i64,
        unit_id: i64,
        role_key: &str,
        period: GrantPeriod,
        known_roles: &[String],
        by: Option<&User>,
    ) -> Result<()> {
        let GrantPeriod {
            from: valid_from,
            to: valid_to,
        } = period;
        if !known_roles.iter().any(|k| k == role_key) {
            return Err(StoreError::invalid(
                "role",
                format!("Peran \"{role_key}\" tidak dikenal dalam SOP."),
            ));
        }
        if let (Some(f), Some(t)) = (valid_from, valid_to) {
            if t < f {
                return Err(StoreError::invalid(
                    "valid_to",
                    "Tanggal akhir peran tidak boleh sebelum tanggal mulai.",
                ));
            }
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO user_roles (user_id, unit_id, role_key, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user_id)
        .bind(unit_id)
        .bind(role_key)
        .bind(valid_from.map(|d| d.to_string()))
        .bind(valid_to.map(|d| d.to_string()))
        .execute(&mut *tx)
        .await?;
        // The same role for the same days twice is a double click, not a second grant. Checked
        // after the insert: on SQLite a transaction that reads before it writes can find the
        // database taken by another writer and fail instead of waiting.
        let same: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM user_roles WHERE user_id = $1 AND unit_id = $2 AND role_key = $3
               AND COALESCE(valid_from, '') = $4 AND COALESCE(valid_to, '') = $5",
        )
        .bind(user_id)
        .bind(unit_id)
        .bind(role_key)
        .bind(valid_from.map_or(String::new(), |d| d.to_string()))
        .bind(valid_to.map_or(String::new(), |d| d.to_string()))
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if same > 1 {
            return Err(StoreError::invalid(
                "role",
                format!(
                    "Akun ini sudah memegang peran \"{role_key}\"{}.",
                    grant_period(valid_from, valid_to)
                ),
            ));
        }
        let username: String = sqlx::query("SELECT username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("username")?;
        let note = format!(
            "Peran {role_key} diberikan kepada {username}{}",
            grant_period(valid_from, valid_to)
        );
        crate::audit::append_admin(&mut tx, unit_id, by, "role.granted", &note).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a role grant of this unit (another unit's grant id is ignored).
    pub async fn revoke_role(&self, unit_id: i64, grant_id: i64, by: Option<&User>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // The delete first: it takes SQLite's write lock before anything is read (see above).
        let grant = sqlx::query(
            "DELETE FROM user_roles WHERE id = $1 AND unit_id = $2 RETURNING role_key, user_id",
        )
        .bind(grant_id)
        .bind(unit_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(grant) = grant else {
            return Ok(());
        };
        let username: String = sqlx::query("SELECT username FROM users WHERE id = $1")
            .bind(grant.try_get::<i64, _>("user_id")?)
            .fetch_one(&mut *tx)
            .await?
            .try_get("username")?;
        let note = format!(
            "Peran {} dicabut dari {username}",
            grant.try_get::<String, _>("role_key")?
        );
        crate::audit::append_admin(&mut tx, unit_id, by, "role.revoked", &note).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_user(
        &self,
        id: i64,
        edit: AccountEdit<'_>,
        by: Option<&User>,
    ) -> Result<()> {
        let AccountEdit {
            full_name,
            nip,
            jabatan,
            is_admin,
            active,
        } = edit;
        if full_name.trim().is_empty() {
            return Err(StoreError::invalid(
                "full_name",
                "Nama lengkap wajib diisi.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let username: String = sqlx::query(
            "UPDATE users SET full_name = $1, nip = $2, jabatan = $3, is_admin = $4, active = $5
             WHERE id = $6 RETURNING username",
        )
        .bind(full_name.trim())
        .bind(nip.trim())
        .bind(jabatan.trim())
        .bind(is_admin as i64)
        .bind(active as i64)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("user"))?
        .try_get("username")?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        // An account is no unit's, but the pages of every unit where it holds a role or has
        // acted show its name: the change goes into each of their chains, which also tells
        // every app server's kept pages of those units to read again.
        let units = sqlx::query(
            "SELECT unit_id FROM user_roles WHERE user_id = $1
             UNION SELECT unit_id FROM audit_log WHERE actor_id = $1 ORDER BY unit_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let note = format!(
            "Akun {username}: nama {}, NIP {}, jabatan {}, {}{}",
            full_name.trim(),
            if nip.trim().is_empty() {
                "-"
            } else {
                nip.trim()
            },
            if jabatan.trim().is_empty() {
                "-"
            } else {
                jabatan.trim()
            },
            if active { "aktif" } else { "nonaktif" },
            if is_admin { ", administrator" } else { "" },
        );
        for unit in &units {
            let unit_id: i64 = unit.try_get("unit_id")?;
            crate::audit::append_admin(&mut tx, unit_id, by, crate::audit::ACCOUNT_UPDATED, &note)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets the address overdue notices are mailed to; empty removes it.
    pub async fn set_user_email(&self, id: i64, email: &str) -> Result<()> {
        let email = email.trim();
        if !email.is_empty() && !crate::valid_email(email) {
            return Err(StoreError::invalid(
                "email",
                format!("Alamat surel \"{email}\" tidak sah; tulis seperti nama@contoh.go.id."),
            ));
        }
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Marks a generated password as one to replace at the first login.
    pub async fn require_password_change(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets a password the user chose (clears the must-change mark) and ends every session of
    /// the account: whoever knew the old password is logged out everywhere.
    pub async fn set_password(
        &self,
        id: i64,
        password: &str,
        policy: &PasswordPolicy,
    ) -> Result<()> {
        let user = self.user(id).await?;
        self.check_password(policy, &user.username, password)
            .await?;
        let hash = hash_password(password.to_string()).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The password rules, with this account's name and every unit's name as forbidden words.
    async fn check_password(
        &self,
        policy: &PasswordPolicy,
        username: &str,
        password: &str,
    ) -> Result<()> {
        let units: Vec<String> = sqlx::query("SELECT name FROM units")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("name"))
            .collect::<std::result::Result<_, _>>()?;
        let mut words: Vec<&str> = vec![username];
        words.extend(units.iter().map(String::as_str));
        policy
            .check(password, &words)
            .map_err(|m| StoreError::invalid("password", m))
    }

    async fn grants_of(&self, user_id: i64) -> Result<Vec<RoleGrant>> {
        sqlx::query(
            "SELECT id, user_id, unit_id, role_key, valid_from, valid_to FROM user_roles WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(grant_from_row)
        .collect()
    }
}

/// " (berlaku 2026-12-05 s.d. 2026-12-06)", or nothing for a grant without dates.
fn grant_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (None, None) => String::new(),
        (f, t) => format!(
            " (berlaku {} s.d. {})",
            f.map_or("-".into(), |d| d.to_string()),
            t.map_or("-".into(), |d| d.to_string())
        ),
    }
}

/// The unit columns and the grant columns the session's query reads with the account (see
/// [`Store::session`]): one row per unit the user may enter and grant held there.
pub(crate) fn grants_and_units_columns() -> String {
    let unit_columns = crate::unit::UNIT_COLUMNS
        .split(", ")
        .map(|c| format!("un.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{unit_columns}, g.id AS g_id, g.role_key AS g_role, g.valid_from AS g_from, g.valid_to AS g_to"
    )
}

/// The user's role grants and the units they may enter, from the rows of
/// [`grants_and_units_columns`]; a row without a unit (an account without any role) adds none.
pub(crate) fn grants_and_units(
    rows: &[sqlx::any::AnyRow],
    user: &mut User,
) -> Result<Vec<crate::Unit>> {
    let mut grants = Vec::new();
    let mut units: Vec<crate::Unit> = Vec::new();
    for row in rows {
        let Some(unit_id) = row.try_get::<Option<i64>, _>("id")? else {
            continue;
        };
        if let Some(id) = row.try_get::<Option<i64>, _>("g_id")? {
            grants.push(RoleGrant {
                id,
                unit_id,
                role_key: row.try_get("g_role")?,
                valid_from: date_col(row, "g_from")?,
                valid_to: date_col(row, "g_to")?,
            });
        }
        if units.last().is_none_or(|u| u.id != unit_id) {
            units.push(crate::unit::unit_from_row(row)?);
        }
    }
    // In the order they were granted, as `grants_of` gives them.
    grants.sort_by_key(|g| g.id);
    user.roles = grants;
    units.retain(|u| user.may_enter(u.id));
    Ok(units)
}

pub(crate) fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User> {
    user_from_row_with_id(row, "id")
}

/// [`user_from_row`] where the account's id is read from `id_col` (a join whose `id` is
/// another table's).
pub(crate) fn user_from_row_with_id(row: &sqlx::any::AnyRow, id_col: &str) -> Result<User> {
    Ok(User {
        id: row.try_get(id_col)?,
        username: row.try_get("username")?,
        full_name: row.try_get("full_name")?,
        nip: row.try_get("nip")?,
        jabatan: row.try_get("jabatan")?,
        email: row.try_get("email")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        active: row.try_get::<i64, _>("active")? != 0,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        roles: Vec::new(),
    })
}

/// A grant's date column: an ISO date, or none (open-ended).
fn date_col(row: &sqlx::any::AnyRow, col: &str) -> Result<Option<NaiveDate>> {
    let s: Option<String> = row.try_get(col)?;
    Ok(s.and_then(|s| s.parse().ok()))
}

fn grant_from_row(row: &sqlx::any::AnyRow) -> Result<RoleGrant> {
    Ok(RoleGrant {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        role_key: row.try_get("role_key")?,
        valid_from: date_col(row, "valid_from")?,
        valid_to: date_col(row, "valid_to")?,
    })
}

/// A real argon2id hash of a random password, verified against when the user is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5jBnMEqaL2iVdOWFjiVHmDTBf5vWgf0Bu2YQ3eN2NUQ";

/// How many argon2 computations run at once. Each takes 19 MiB of memory (m=19456) and a
/// core for ~50 ms, deliberately: a burst of logins (a class signing in at 07:30, or someone
/// guessing passwords) waits its turn here instead of taking a small server's memory and every
/// core, while pages that are not logins keep being served.
static PASSWORD_WORK: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores.clamp(1, 4))
    });

/// argon2 is deliberately slow: keep it off the async workers, a few at a time.
async fn hash_password(password: String) -> Result<String> {
    let _turn = PASSWORD_WORK.acquire().await.expect("never closed");
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::invalid("password", format!("gagal membuat hash: {e}")))
    })
    .await
    .map_err(|e| StoreError::invalid("password", e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    let _turn = PASSWORD_WORK.acquire().await.expect("never closed");
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

impl User {
    /// Whether the user may work in a unit: the installation administrator everywhere, anyone
    /// else where they hold (or held, or will hold) a role, so a dated grant still opens the
    /// unit's history.
    pub fn may_enter(&self, unit_id: i64) -> bool {
        self.is_admin || self.roles.iter().any(|g| g.unit_id == unit_id)
    }
}

impl Store {
    /// The units a user may switch between, in the order they were opened.
    pub async fn units_of(&self, user: &User) -> Result<Vec<crate::Unit>> {
        Ok(self
            .list_units()
            .await?
            .into_iter()
            .filter(|u| user.may_enter(u.id))
            .collect())
    }

    /// The unit a login opens: the one last worked in if still allowed, else the first the user
    /// may enter, else the installation's first unit (an account without any role sees an empty
    /// task list there rather than being locked out of changing its password).
    pub async fn home_unit(&self, user: &User, now: DateTime<Utc>) -> Result<crate::Unit> {
        let last: Option<i64> = sqlx::query("SELECT last_unit_id FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<Option<i64>, _>("last_unit_id"))
            .transpose()?
            .flatten();
        if let Some(id) = last.filter(|id| user.may_enter(*id)) {
            return self.unit(id).await;
        }
        match self.units_of(user).await?.into_iter().next() {
            Some(unit) => Ok(unit),
            None => self.default_unit(now).await,
        }
    }

    /// Remembers the unit a user chose, for their next login.
    pub async fn set_last_unit(&self, user_id: i64, unit_id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET last_unit_id = $1 WHERE id = $2")
            .bind(unit_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
