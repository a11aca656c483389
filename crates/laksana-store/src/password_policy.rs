//! What a password must not be: shorter than the installation's minimum, one of the 30,000
//! most common passwords (zxcvbn's list, `data/NOTICE.md`), or built on the account's own name,
//! the unit's name or "laksana" — the first things a guesser tries. Pure: words in, a sentence
//! naming the broken rule out.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Default minimum length, in characters.
pub const DEFAULT_MIN_LEN: usize = 10;
/// Longest accepted: argon2 takes any length, but a megabyte "password" is only a way to burn
/// the server's CPU.
pub const MAX_LEN: usize = 256;

const COMMON: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_len: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: DEFAULT_MIN_LEN,
        }
    }
}

impl PasswordPolicy {
    /// `Err` carries the Indonesian sentence shown next to the password field. `personal` are
    /// the words this account's password may not contain (username, unit names).
    pub fn check(&self, password: &str, personal: &[&str]) -> Result<(), String> {
        let len = password.chars().count();
        if len < self.min_len {
            return Err(format!(
                "Kata sandi minimal {} karakter (baru {len}).",
                self.min_len
            ));
        }
        if len > MAX_LEN {
            return Err(format!("Kata sandi paling panjang {MAX_LEN} karakter."));
        }
        let lower = password.to_lowercase();
        if is_common(&lower) {
            return Err(
                "Kata sandi ini termasuk daftar kata sandi yang paling sering dipakai; pilih yang lain."
                    .to_string(),
            );
        }
        let squeezed: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        for word in personal.iter().copied().chain(["laksana"]) {
            let w: String = word
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            // Very short words ("a", "bk") would refuse half of all passwords.
            if w.chars().count() >= 4 && squeezed.contains(&w) {
                return Err(format!(
                    "Kata sandi tidak boleh memuat nama pengguna, nama unit, atau \"laksana\" (memuat \"{word}\")."
                ));
            }
        }
        let distinct: HashSet<char> = lower.chars().collect();
        if distinct.len() < 4 {
            return Err(
                "Kata sandi harus memuat paling sedikit 4 karakter yang berbeda.".to_string(),
            );
        }
        Ok(())
    }
}

/// The password itself, or it with the digits and marks people add at the end ("password2026!")
/// taken off, is on the list.
fn is_common(lower: &str) -> bool {
    let set = common();
    if set.contains(lower) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    stem.chars().count() >= 4 && set.contains(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(p: &str) -> Result<(), String> {
        PasswordPolicy::default().check(p, &["siti", "UPT BLK Semarang"])
    }

    #[test]
    fn the_list_is_the_real_one() {
        assert_eq!(common().len(), 30_000);
        assert!(common().contains("password"));
        assert!(common().contains("1234567890"));
    }

    #[test]
    fn too_short_names_the_minimum() {
        let e = check("Abc-12345").unwrap_err();
        assert!(e.contains("minimal 10"), "{e}");
        assert!(PasswordPolicy { min_len: 8 }
            .check("Kopi-Tubruk", &[])
            .is_ok());
    }

    #[test]
    fn common_passwords_are_refused_with_or_without_a_suffix() {
        for p in ["1234567890", "qwertyuiop", "Password2026!", "sunshine12345"] {
            let e = check(p).unwrap_err();
            assert!(e.contains("paling sering dipakai"), "{p}: {e}");
        }
    }

    #[test]
    fn own_name_unit_name_and_laksana_are_refused() {
        let e = check("siti-2026-xyz").unwrap_err();
        assert!(e.contains("\"siti\""), "{e}");
        let e = check("uptblksemarang9").unwrap_err();
        assert!(e.contains("UPT BLK Semarang"), "{e}");
        let e = check("Laksana#Jateng").unwrap_err();
        assert!(e.contains("laksana"), "{e}");
    }

    #[test]
    fn a_fair_password_passes() {
        assert_eq!(check("kopi tubruk di pagi hari"), Ok(()));
        assert_eq!(check("sandi-uji-2026"), Ok(()));
        assert!(check("aaaaaaaaaaaaaa").is_err());
    }
}
