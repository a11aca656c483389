//! Registers (buku register naskah dinas) and their gap-free yearly numbering.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::{AnyConnection, Row};

use crate::audit::{self, NewEntry};
use crate::time::ts_col;
use crate::unit_profile::{check_kode, profile_in};
use crate::{format_ts, Result, Store, StoreError, User};

/// The number format of a new register: `kode klasifikasi/nomor urut/kode unit`.
pub const DEFAULT_FORMAT: &str = "{kode}/{urut}/{unit}";
/// Placeholders a number format may use.
pub const PLACEHOLDERS: [&str; 6] = ["kode", "urut", "unit", "tahun", "bulan", "register"];

/// A named register of the unit; numbering restarts at 1 each year.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Register {
    pub id: i64,
    pub unit_id: i64,
    /// Stable key, e.g. `surat-keluar`.
    pub key: String,
    pub name: String,
    /// Short code printed by `{register}`.
    pub code: String,
    pub format: String,
    /// Overrides the profile's kode klasifikasi when set.
    pub kode_klasifikasi: Option<String>,
    /// Document kinds numbered in this register.
    pub kinds: Vec<String>,
}

/// What is filled in to create or change a register.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct RegisterSettings {
    pub key: String,
    pub name: String,
    pub code: String,
    pub format: String,
    pub kode_klasifikasi: Option<String>,
    pub kinds: Vec<String>,
}

/// A number given from a register.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AssignedNumber {
    pub register_id: i64,
    pub entry_id: i64,
    pub year: i32,
    pub seq: i64,
    /// The number as printed, e.g. `500.15.4/12/BLK`.
    pub text: String,
}

/// What a number is for, recorded in the register book.
#[derive(Clone, Debug, Default)]
pub struct NumberFor {
    pub document_id: Option<i64>,
    pub training_id: Option<i64>,
    pub document_kind: Option<String>,
    pub title: String,
    pub signer_name: Option<String>,
    /// Overrides the register's or profile's kode klasifikasi for this number only.
    pub kode: Option<String>,
}

/// Whether a register line was numbered by Laksana or reserved by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Document,
    Reservation,
}

/// One line of the buku register.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RegisterEntry {
    pub id: i64,
    pub year: i32,
    pub seq: i64,
    pub number_text: String,
    pub date: NaiveDate,
    pub kind: EntryKind,
    pub document_id: Option<i64>,
    pub training_id: Option<i64>,
    pub document_kind: Option<String>,
    pub title: String,
    /// Why the number was reserved by hand (a letter signed outside the system).
    pub reason: Option<String>,
    pub signer_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The registers every unit starts with: (key, name, code, kinds).
const DEFAULTS: [(&str, &str, &str, &[&str]); 3] = [
    (
        "surat-keluar",
        "Surat Keluar",
        "SRT",
        &["undangan", "surat_pengantar"],
    ),
    ("keputusan", "Keputusan", "KPTS", &["sk_panitia"]),
    ("sertifikat", "Sertifikat", "SERT", &["sertifikat"]),
];

/// One piece of a parsed format.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Field(&'a str),
}

/// Splits a number format into text and placeholders, refusing unknown or unbalanced ones.
fn parse_format(format: &str) -> Result<Vec<Piece<'_>>> {
    let refuse = |m: String| Err(StoreError::invalid("format", m));
    let mut pieces = Vec::new();
    let mut rest = format;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                pieces.push(Piece::Text(rest));
                break;
            }
            Some(i) if rest.as_bytes()[i] == b'}' => {
                return refuse(format!(
                    "Format nomor \"{format}\" memuat }} tanpa {{ pembuka."
                ));
            }
            Some(i) => {
                if i > 0 {
                    pieces.push(Piece::Text(&rest[..i]));
                }
                let after = &rest[i + 1..];
                let Some(end) = after
                    .find(['{', '}'])
                    .filter(|&e| after.as_bytes()[e] == b'}')
                else {
                    return refuse(format!(
                        "Format nomor \"{format}\" memuat {{ tanpa }} penutup."
                    ));
                };
                let name = &after[..end];
                if !PLACEHOLDERS.contains(&name) {
                    return refuse(format!(
                        "Format nomor memuat {{{name}}} yang tidak dikenal; yang boleh: {}.",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                    ));
                }
                pieces.push(Piece::Field(name));
                rest = &after[end + 1..];
            }
        }
    }
    if !pieces.contains(&Piece::Field("urut")) {
        return refuse(format!(
            "Format nomor \"{format}\" wajib memuat {{urut}}, atau semua surat bernomor sama."
        ));
    }
    Ok(pieces)
}

/// Checks a number format as it would be saved.
pub fn validate_format(format: &str) -> Result<()> {
    parse_format(format).map(|_| ())
}

/// The month as a Roman numeral, as some Dinas print it.
fn roman_month(month: u32) -> &'static str {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    ROMAN[(month as usize).clamp(1, 12) - 1]
}

/// The values a format is filled with.
struct Fill<'a> {
    kode: &'a str,
    seq: i64,
    unit: &'a str,
    date: NaiveDate,
    register: &'a str,
}

fn render_format(format: &str, f: &Fill<'_>) -> Result<String> {
    let mut out = String::new();
    for piece in parse_format(format)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Field("kode") => out.push_str(f.kode),
            Piece::Field("urut") => out.push_str(&f.seq.to_string()),
            Piece::Field("unit") => out.push_str(f.unit),
            Piece::Field("tahun") => out.push_str(&f.date.year().to_string()),
            Piece::Field("bulan") => out.push_str(roman_month(f.date.month())),
            Piece::Field(_) => out.push_str(f.register),
        }
    }
    Ok(out)
}

fn validate_settings(s: &RegisterSettings) -> Result<RegisterSettings> {
    let key = s.key.trim().to_lowercase();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(StoreError::invalid(
            "key",
            "Kunci register wajib diisi, hanya huruf, angka dan tanda hubung.",
        ));
    }
    if s.name.trim().is_empty() {
        return Err(StoreError::invalid("name", "Nama register wajib diisi."));
    }
    let format = s.format.trim();
    validate_format(format)?;
    let kode = s
        .kode_klasifikasi
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if let Some(k) = kode {
        check_kode("kode_klasifikasi", k)?;
    }
    Ok(RegisterSettings {
        key,
        name: s.name.trim().to_string(),
        code: s.code.trim().to_string(),
        format: format.to_string(),
        kode_klasifikasi: kode.map(String::from),
        kinds: s
            .kinds
            .iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect(),
    })
}

const REGISTER_COLUMNS: &str =
    "id, unit_id, register_key, name, code, format, kode_klasifikasi, kinds";
const ENTRY_COLUMNS: &str =
    "id, year, seq, number_text, entry_date, entry_kind, document_id, training_id,
    document_kind, title, reason, signer_name, created_at";

impl Store {
    /// Creates the default registers (Surat Keluar, Keputusan, Sertifikat) the unit does not have yet.
    pub async fn ensure_default_registers(&self, unit_id: i64, now: DateTime<Utc>) -> Result<()> {
        for (key, name, code, kinds) in DEFAULTS {
            sqlx::query(
                "INSERT INTO registers (unit_id, register_key, name, code, format, kinds, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unit_id, register_key) DO NOTHING",
            )
            .bind(unit_id)
            .bind(key)
            .bind(name)
            .bind(code)
            .bind(DEFAULT_FORMAT)
            .bind(serde_json::to_string(kinds).expect("strings serialise"))
            .bind(format_ts(now))
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Adds a register to the unit.
    pub async fn create_register(
        &self,
        unit_id: i64,
        settings: &RegisterSettings,
        now: DateTime<Utc>,
    ) -> Result<Register> {
        let s = validate_settings(settings)?;
        let row = sqlx::query(
            "INSERT INTO registers (unit_id, register_key, name, code, format, kode_klasifikasi, kinds, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(unit_id)
        .bind(&s.key)
        .bind(&s.name)
        .bind(&s.code)
        .bind(&s.format)
        .bind(s.kode_klasifikasi.clone())
        .bind(serde_json::to_string(&s.kinds).expect("strings serialise"))
        .bind(format_ts(now))
        .fetch_one(&self.pool)
        .await;
        match row {
            Ok(row) => self.register(unit_id, row.try_get("id")?).await,
            Err(e) if StoreError::is_unique_violation(&e, "uq_register_unit_key") => {
                Err(StoreError::invalid(
                    "key",
                    format!("Register dengan kunci \"{}\" sudah ada.", s.key),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Changes a register's name, code, format, kode klasifikasi and kinds (the key stays).
    pub async fn update_register(
        &self,
        unit_id: i64,
        register_id: i64,
        settings: &RegisterSettings,
    ) -> Result<Register> {
        let s = validate_settings(settings)?;
        let updated = sqlx::query(
            "UPDATE registers SET name = $1, code = $2, format = $3, kode_klasifikasi = $4, kinds = $5
             WHERE id = $6 AND unit_id = $7",
        )
        .bind(&s.name)
        .bind(&s.code)
        .bind(&s.format)
        .bind(s.kode_klasifikasi.clone())
        .bind(serde_json::to_string(&s.kinds).expect("strings serialise"))
        .bind(register_id)
        .bind(unit_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound("register"));
        }
        self.register(unit_id, register_id).await
    }

    /// A register of this unit.
    pub async fn register(&self, unit_id: i64, register_id: i64) -> Result<Register> {
        let mut conn = self.pool.acquire().await?;
        register_in(&mut conn, unit_id, register_id).await
    }

    /// The unit's registers, in creation order.
    pub async fn list_registers(&self, unit_id: i64) -> Result<Vec<Register>> {
        sqlx::query(&format!(
            "SELECT {REGISTER_COLUMNS} FROM registers WHERE unit_id = $1 ORDER BY id"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(register_from_row)
        .collect()
    }

    /// The register that numbers a document kind, naming what to set when none does.
    pub async fn register_for_kind(&self, unit_id: i64, kind: &str) -> Result<Register> {
        self.list_registers(unit_id)
            .await?
            .into_iter()
            .find(|r| r.kinds.iter().any(|k| k == kind))
            .ok_or_else(|| StoreError::NotConfigured {
                setting: format!("register:{kind}"),
                message: format!(
                    "Belum ada register untuk naskah jenis \"{kind}\": tambahkan jenis itu pada salah satu register."
                ),
            })
    }

    /// Gives the next number of a register in its own transaction (see [`assign_number_in`]).
    pub async fn assign_number(
        &self,
        unit_id: i64,
        register_id: i64,
        purpose: &NumberFor,
        date: NaiveDate,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<AssignedNumber> {
        let mut tx = self.pool.begin().await?;
        let number = assign_number_in(
            &mut tx,
            unit_id,
            register_id,
            purpose,
            date,
            Some(by.id),
            now,
        )
        .await?;
        let note = format!("{} untuk {}", number.text, purpose.title);
        audit::append(
            &mut tx,
            NewEntry {
                unit_id,
                training_id: purpose.training_id,
                actor_id: Some(by.id),
                actor_name: &by.full_name,
                actor_role: None,
                action: "number.assigned",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    /// Reserves the next number for a letter signed outside the system; the book shows it as reserved.
    pub async fn reserve_number(
        &self,
        unit_id: i64,
        register_id: i64,
        date: NaiveDate,
        reason: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<AssignedNumber> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "Alasan pemesanan nomor wajib diisi (misalnya perihal surat yang ditandatangani di luar sistem).",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let fields = EntryFields {
            kind: EntryKind::Reservation,
            purpose: NumberFor {
                title: reason.to_string(),
                ..NumberFor::default()
            },
            reason: Some(reason.to_string()),
        };
        let (number, register) = next_number(
            &mut tx,
            unit_id,
            register_id,
            date,
            &fields,
            Some(by.id),
            now,
        )
        .await?;
        let note = format!(
            "{} dipesan di register {}: {reason}",
            number.text, register.name
        );
        audit::append(
            &mut tx,
            NewEntry {
                unit_id,
                training_id: None,
                actor_id: Some(by.id),
                actor_name: &by.full_name,
                actor_role: None,
                action: "number.reserved",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    /// The buku register of one year, in number order.
    pub async fn register_book(
        &self,
        unit_id: i64,
        register_id: i64,
        year: i32,
    ) -> Result<Vec<RegisterEntry>> {
        self.register(unit_id, register_id).await?;
        sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM register_entries WHERE register_id = $1 AND year = $2 ORDER BY seq"
        ))
        .bind(register_id)
        .bind(year as i64)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(entry_from_row)
        .collect()
    }
}

/// What goes into the register line besides the number.
struct EntryFields {
    kind: EntryKind,
    purpose: NumberFor,
    reason: Option<String>,
}

/// Gives the next number of a register inside the caller's transaction.
///
/// Gap-free and unique per (register, year) under any concurrency: the counter row is bumped with
/// `UPDATE … RETURNING`, which takes SQLite's write lock (PostgreSQL: the row lock) until the
/// caller commits, so a rolled-back signing gives its number back. `uq_register_entry_seq` is the
/// backstop. Call it before reading anything else in the transaction on SQLite, or a concurrent
/// writer can make the lock upgrade fail.
pub async fn assign_number_in(
    conn: &mut AnyConnection,
    unit_id: i64,
    register_id: i64,
    purpose: &NumberFor,
    date: NaiveDate,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<AssignedNumber> {
    let fields = EntryFields {
        kind: EntryKind::Document,
        purpose: purpose.clone(),
        reason: None,
    };
    let (number, _) = next_number(conn, unit_id, register_id, date, &fields, by, now).await?;
    Ok(number)
}

async fn next_number(
    conn: &mut AnyConnection,
    unit_id: i64,
    register_id: i64,
    date: NaiveDate,
    entry: &EntryFields,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(AssignedNumber, Register)> {
    let year = date.year();
    // Write first: the counter statements take the lock before any read in this transaction.
    sqlx::query(
        "INSERT INTO register_counters (register_id, year, last_seq) VALUES ($1, $2, 0)
         ON CONFLICT (register_id, year) DO NOTHING",
    )
    .bind(register_id)
    .bind(year as i64)
    .execute(&mut *conn)
    .await?;
    let seq: i64 = sqlx::query(
        "UPDATE register_counters SET last_seq = last_seq + 1 WHERE register_id = $1 AND year = $2
         RETURNING last_seq",
    )
    .bind(register_id)
    .bind(year as i64)
    .fetch_one(&mut *conn)
    .await?
    .try_get("last_seq")?;
    // Checked after the write (the caller's transaction is dropped on error, undoing it).
    let register = register_in(conn, unit_id, register_id).await?;
    let profile = profile_in(conn, unit_id).await?;
    let kode = match entry
        .purpose
        .kode
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => {
            check_kode("kode", k)?;
            k.to_string()
        }
        None => register
            .kode_klasifikasi
            .clone()
            .unwrap_or_else(|| profile.kode_klasifikasi.clone()),
    };
    let text = render_format(
        &register.format,
        &Fill {
            kode: &kode,
            seq,
            unit: &profile.unit_code,
            date,
            register: &register.code,
        },
    )?;
    let inserted = sqlx::query(
        "INSERT INTO register_entries (register_id, year, seq, number_text, entry_date, entry_kind, document_id,
            training_id, document_kind, title, reason, signer_name, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(register_id)
    .bind(year as i64)
    .bind(seq)
    .bind(&text)
    .bind(date.to_string())
    .bind(match entry.kind {
        EntryKind::Document => "document",
        EntryKind::Reservation => "reservation",
    })
    .bind(entry.purpose.document_id)
    .bind(entry.purpose.training_id)
    .bind(entry.purpose.document_kind.clone())
    .bind(&entry.purpose.title)
    .bind(entry.reason.clone())
    .bind(entry.purpose.signer_name.clone())
    .bind(by)
    .bind(format_ts(now))
    .fetch_one(&mut *conn)
    .await;
    let entry_id: i64 = match inserted {
        Ok(row) => row.try_get("id")?,
        Err(e) if StoreError::is_unique_violation(&e, "uq_register_entry_seq") => {
            return Err(StoreError::refused(
                "number_taken",
                format!(
                    "Nomor urut {seq} tahun {year} di register {} sudah terpakai; coba lagi.",
                    register.name
                ),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    Ok((
        AssignedNumber {
            register_id,
            entry_id,
            year,
            seq,
            text,
        },
        register,
    ))
}

async fn register_in(conn: &mut AnyConnection, unit_id: i64, register_id: i64) -> Result<Register> {
    let row = sqlx::query(&format!(
        "SELECT {REGISTER_COLUMNS} FROM registers WHERE id = $1 AND unit_id = $2"
    ))
    .bind(register_id)
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("register"))?;
    register_from_row(&row)
}

fn register_from_row(row: &sqlx::any::AnyRow) -> Result<Register> {
    let kinds: String = row.try_get("kinds")?;
    Ok(Register {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        key: row.try_get("register_key")?,
        name: row.try_get("name")?,
        code: row.try_get("code")?,
        format: row.try_get("format")?,
        kode_klasifikasi: row.try_get("kode_klasifikasi")?,
        kinds: serde_json::from_str(&kinds).unwrap_or_default(),
    })
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<RegisterEntry> {
    let kind: String = row.try_get("entry_kind")?;
    let date: String = row.try_get("entry_date")?;
    Ok(RegisterEntry {
        id: row.try_get("id")?,
        year: row.try_get::<i64, _>("year")? as i32,
        seq: row.try_get("seq")?,
        number_text: row.try_get("number_text")?,
        date: date.parse().unwrap_or_default(),
        kind: if kind == "reservation" {
            EntryKind::Reservation
        } else {
            EntryKind::Document
        },
        document_id: row.try_get("document_id")?,
        training_id: row.try_get("training_id")?,
        document_kind: row.try_get("document_kind")?,
        title: row.try_get("title")?,
        reason: row.try_get("reason")?,
        signer_name: row.try_get("signer_name")?,
        created_at: ts_col(row.try_get("created_at")?).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(seq: i64, date: NaiveDate) -> Fill<'static> {
        Fill {
            kode: "500.15.4",
            seq,
            unit: "BLK",
            date,
            register: "SK",
        }
    }

    #[test]
    fn the_default_format_reads_kode_urut_unit() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(
            render_format(DEFAULT_FORMAT, &fill(15, d)).unwrap(),
            "500.15.4/15/BLK"
        );
    }

    #[test]
    fn the_month_is_printed_as_a_roman_numeral_and_the_year_in_full() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        assert_eq!(
            render_format(
                "{register}.{kode}/{urut}/{unit}/{bulan}/{tahun}",
                &fill(3, d)
            )
            .unwrap(),
            "SK.500.15.4/3/BLK/IX/2026"
        );
    }

    #[test]
    fn unknown_placeholders_and_unbalanced_braces_are_refused_by_name() {
        let msg = |f: &str| validate_format(f).unwrap_err().to_string();
        assert!(msg("{kode}/{nomor}/{unit}").contains("{nomor}"));
        assert!(msg("{kode}/{urut/{unit}").contains("tanpa }"));
        assert!(msg("{kode}/urut}/{unit}").contains("tanpa {"));
        assert!(msg("{kode}/{unit}").contains("{urut}"));
        assert!(validate_format("{kode}/{urut}/{unit}/{tahun}").is_ok());
    }
}
