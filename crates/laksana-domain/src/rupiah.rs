//! Money in whole rupiah. DPA budgets have no sen, so an integer is exact; amounts are printed
//! with dots between thousands as Indonesian documents write them.

/// "Rp 1.250.000" (negative amounts get a leading minus).
pub fn rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    if amount < 0 {
        format!("-Rp {out}")
    } else {
        format!("Rp {out}")
    }
}

/// Reads an amount as people type it: "1.250.000", "Rp 1.250.000", "1250000", "1.250.000,00".
/// A decimal part other than zero sen is refused, as are letters.
pub fn parse_rupiah(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("Rp.")
        .or_else(|| t.strip_prefix("Rp"))
        .or_else(|| t.strip_prefix("rp"))
        .unwrap_or(t)
        .trim();
    let (whole, sen) = match t.split_once(',') {
        Some((w, s)) => (w, s),
        None => (t, ""),
    };
    if !sen.chars().all(|c| c == '0') {
        return Err(format!(
            "\"{text}\" memuat sen; tulis jumlah dalam rupiah bulat"
        ));
    }
    let digits: String = whole.chars().filter(|c| *c != '.' && *c != ' ').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "\"{text}\" bukan jumlah rupiah (contoh: 1.250.000)"
        ));
    }
    digits
        .parse::<i64>()
        .map_err(|_| format!("\"{text}\" terlalu besar"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_with_dots_between_thousands() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(999), "Rp 999");
        assert_eq!(rupiah(1_000), "Rp 1.000");
        assert_eq!(rupiah(1_250_000), "Rp 1.250.000");
        assert_eq!(rupiah(-25_000), "-Rp 25.000");
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_rupiah("1.250.000"), Ok(1_250_000));
        assert_eq!(parse_rupiah("Rp 1.250.000"), Ok(1_250_000));
        assert_eq!(parse_rupiah("Rp. 75.000,00"), Ok(75_000));
        assert_eq!(parse_rupiah(" 1250000 "), Ok(1_250_000));
    }

    #[test]
    fn sen_letters_and_empty_amounts_are_refused() {
        assert!(parse_rupiah("1.250,50").is_err());
        assert!(parse_rupiah("sejuta").is_err());
        assert!(parse_rupiah("").is_err());
    }
}
