//! Indonesian words for numbers, dates and money as official documents print them.
//!
//! Dates come from the calendar crate, so the pages and the printed documents write them alike.

const SATUAN: [&str; 12] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
];

/// "23 Desember 2026": the calendar crate's words, shared with the pages.
pub use laksana_calendar::tanggal_indonesia;

/// A number in Indonesian words, lower case: 12 → "dua belas", 121 → "seratus dua puluh satu".
pub fn terbilang(n: u64) -> String {
    fn words(n: u64) -> String {
        match n {
            0..=11 => SATUAN[n as usize].to_string(),
            12..=19 => format!("{} belas", SATUAN[(n - 10) as usize]),
            20..=99 => join(format!("{} puluh", SATUAN[(n / 10) as usize]), n % 10),
            100..=199 => join("seratus".into(), n - 100),
            200..=999 => join(format!("{} ratus", SATUAN[(n / 100) as usize]), n % 100),
            1_000..=1_999 => join("seribu".into(), n - 1_000),
            2_000..=999_999 => join(format!("{} ribu", words(n / 1_000)), n % 1_000),
            1_000_000..=999_999_999 => {
                join(format!("{} juta", words(n / 1_000_000)), n % 1_000_000)
            }
            1_000_000_000..=999_999_999_999 => join(
                format!("{} miliar", words(n / 1_000_000_000)),
                n % 1_000_000_000,
            ),
            _ => join(
                format!("{} triliun", words(n / 1_000_000_000_000)),
                n % 1_000_000_000_000,
            ),
        }
    }
    fn join(head: String, rest: u64) -> String {
        if rest == 0 {
            head
        } else {
            format!("{head} {}", words(rest))
        }
    }
    words(n)
}

/// The label of the `n`-th diktum (1-based): KESATU, KEDUA, …, KESEBELAS, KEDUA BELAS, ….
pub fn diktum(n: usize) -> String {
    format!("KE{}", terbilang(n as u64).to_uppercase())
}

/// A rupiah amount with dots between thousands: 1250000 → "Rp 1.250.000".
pub fn rupiah(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 3);
    out.push_str("Rp ");
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// The letter of the `n`-th Menimbang item (1-based): a, b, …, z, aa, ab, ….
pub fn huruf(n: usize) -> String {
    let mut n = n;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_print_the_day_without_zero_and_the_month_in_indonesian() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(tanggal_indonesia(d(2026, 12, 23)), "23 Desember 2026");
        assert_eq!(tanggal_indonesia(d(2027, 1, 8)), "8 Januari 2027");
        assert_eq!(tanggal_indonesia(d(2026, 8, 17)), "17 Agustus 2026");
    }

    #[test]
    fn diktum_labels_follow_the_indonesian_ordinals() {
        let labels: Vec<String> = (1..=12).map(diktum).collect();
        assert_eq!(
            labels,
            [
                "KESATU",
                "KEDUA",
                "KETIGA",
                "KEEMPAT",
                "KELIMA",
                "KEENAM",
                "KETUJUH",
                "KEDELAPAN",
                "KESEMBILAN",
                "KESEPULUH",
                "KESEBELAS",
                "KEDUA BELAS"
            ]
        );
        assert_eq!(diktum(20), "KEDUA PULUH");
        assert_eq!(diktum(21), "KEDUA PULUH SATU");
    }

    #[test]
    fn numbers_in_words_cover_hundreds_thousands_and_millions() {
        assert_eq!(terbilang(0), "nol");
        assert_eq!(terbilang(100), "seratus");
        assert_eq!(terbilang(115), "seratus lima belas");
        assert_eq!(terbilang(1_000), "seribu");
        assert_eq!(terbilang(2_026), "dua ribu dua puluh enam");
        assert_eq!(terbilang(1_250_000), "satu juta dua ratus lima puluh ribu");
    }

    #[test]
    fn rupiah_groups_thousands_with_dots() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(999), "Rp 999");
        assert_eq!(rupiah(1_000), "Rp 1.000");
        assert_eq!(rupiah(1_250_000), "Rp 1.250.000");
        assert_eq!(rupiah(125_000_000), "Rp 125.000.000");
    }

    #[test]
    fn menimbang_letters_run_past_z() {
        assert_eq!(huruf(1), "a");
        assert_eq!(huruf(26), "z");
        assert_eq!(huruf(27), "aa");
    }
}
