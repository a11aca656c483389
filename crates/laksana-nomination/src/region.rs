//! Provinces and kabupaten/kota with their Kemendagri codes (Permendagri 58/2021: province 2 digits,
//! kab/kota 4 digits with 01–69 for kabupaten and 71–99 for kota). The embedded list is idn-area-data
//! 4.0.1 (Kepmendagri 300.2.2-2138/2025), ODbL 1.0: see data/regions/NOTICE.md.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use thiserror::Error;

const PROVINCES_CSV: &str = include_str!("../data/regions/provinces.csv");
const REGENCIES_CSV: &str = include_str!("../data/regions/regencies.csv");
const EMBEDDED_VERSION: &str = "idn-area-data 4.0.1 (Kepmendagri 300.2.2-2138/2025)";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Province {
    /// Two digits, "32".
    pub code: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegencyKind {
    Kabupaten,
    Kota,
}

impl RegencyKind {
    pub fn label(self) -> &'static str {
        match self {
            RegencyKind::Kabupaten => "Kabupaten",
            RegencyKind::Kota => "Kota",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regency {
    /// Four digits, undotted: "3201".
    pub code: String,
    pub province_code: String,
    /// As the decree writes it, with its kind: "Kabupaten Bogor", "Kota Bandung".
    pub name: String,
    pub kind: RegencyKind,
}

impl Regency {
    /// The dotted form of the decree and of idn-area-data: "32.01".
    pub fn dotted_code(&self) -> String {
        format!("{}.{}", &self.code[..2], &self.code[2..])
    }
}

/// A problem in a region file, with where it is so that whoever loads a newer release can fix it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{file} baris {line}: {message}")]
pub struct RegionError {
    pub file: &'static str,
    /// 1-based, the header being line 1.
    pub line: usize,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Regions {
    /// Sorted by code, so lookups are binary searches and a province's regencies are contiguous.
    provinces: Vec<Province>,
    regencies: Vec<Regency>,
    source_version: String,
}

/// "3201", "32.01", " 32.01 " → "3201"; the dotted form is the decree's, the plain one the NIK's.
fn undot(code: &str) -> String {
    code.trim().chars().filter(|c| *c != '.').collect()
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

fn records(
    file: &'static str,
    text: &str,
    want: &[&str],
) -> Result<Vec<(usize, csv::StringRecord)>, RegionError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let err = |line: usize, message: String| RegionError {
        file,
        line,
        message,
    };
    let headers = reader
        .headers()
        .map_err(|e| err(1, format!("judul kolom tidak terbaca: {e}")))?
        .clone();
    let got: Vec<&str> = headers.iter().map(str::trim).collect();
    if got != want {
        return Err(err(
            1,
            format!(
                "judul kolom harus \"{}\", tertulis \"{}\"",
                want.join(","),
                got.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        // Line numbers count records, which is what an editor shows for these one-line rows.
        let line = i + 2;
        let rec = rec.map_err(|e| err(line, format!("baris tidak terbaca: {e}")))?;
        if rec.len() != want.len() {
            return Err(err(
                line,
                format!("harus {} kolom, ada {}", want.len(), rec.len()),
            ));
        }
        out.push((line, rec));
    }
    Ok(out)
}

impl Regions {
    /// The list built into the program, parsed once.
    pub fn embedded() -> &'static Regions {
        static EMBEDDED: OnceLock<Regions> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            Regions::from_csv(PROVINCES_CSV, REGENCIES_CSV)
                .expect("the embedded region files are checked by the tests")
                .with_source_version(EMBEDDED_VERSION)
        })
    }

    /// Reads idn-area-data's `provinces.csv` (`code,name`) and `regencies.csv`
    /// (`code,province_code,name`, codes dotted or not). Refuses the whole file at the first bad
    /// line: a half-loaded region list would turn valid NIKs into warnings.
    pub fn from_csv(provinces_csv: &str, regencies_csv: &str) -> Result<Regions, RegionError> {
        const P: &str = "provinces.csv";
        const R: &str = "regencies.csv";
        let mut provinces: Vec<Province> = Vec::new();
        for (line, rec) in records(P, provinces_csv, &["code", "name"])? {
            let code = undot(&rec[0]);
            let name = rec[1].trim().to_string();
            let err = |message: String| RegionError {
                file: P,
                line,
                message,
            };
            if !all_digits(&code, 2) {
                return Err(err(format!("kode provinsi \"{}\" harus 2 digit", &rec[0])));
            }
            if name.is_empty() {
                return Err(err("nama provinsi kosong".into()));
            }
            if provinces.iter().any(|p| p.code == code) {
                return Err(err(format!("kode provinsi {code} muncul dua kali")));
            }
            provinces.push(Province { code, name });
        }
        if provinces.is_empty() {
            return Err(RegionError {
                file: P,
                line: 1,
                message: "tidak ada provinsi".into(),
            });
        }
        provinces.sort_by(|a, b| a.code.cmp(&b.code));

        let mut regencies: Vec<Regency> = Vec::new();
        for (line, rec) in records(R, regencies_csv, &["code", "province_code", "name"])? {
            let err = |message: String| RegionError {
                file: R,
                line,
                message,
            };
            let code = undot(&rec[0]);
            let province_code = undot(&rec[1]);
            let name = rec[2].trim().to_string();
            if !all_digits(&code, 4) {
                return Err(err(format!(
                    "kode kabupaten/kota \"{}\" harus 4 digit (boleh bertitik: 32.01)",
                    &rec[0]
                )));
            }
            if code[..2] != province_code {
                return Err(err(format!(
                    "kode {code} tidak diawali kode provinsinya {province_code}"
                )));
            }
            if provinces
                .binary_search_by(|p| p.code.as_str().cmp(&province_code))
                .is_err()
            {
                return Err(err(format!(
                    "provinsi {province_code} tidak ada di provinces.csv"
                )));
            }
            // Permendagri 58/2021: 01–69 kabupaten, 71–99 kota. The name must agree, which catches
            // a shifted or hand-edited file before it misfiles a Kota as a Kabupaten.
            let n: u32 = code[2..].parse().unwrap_or(0);
            let kind = match n {
                1..=69 => RegencyKind::Kabupaten,
                71..=99 => RegencyKind::Kota,
                _ => {
                    return Err(err(format!(
                        "nomor {:02} pada kode {code} bukan kabupaten (01–69) atau kota (71–99)",
                        n
                    )))
                }
            };
            let prefix = format!("{} ", kind.label()).to_lowercase();
            if !name.to_lowercase().starts_with(&prefix) {
                return Err(err(format!(
                    "kode {code} adalah {}, tetapi namanya \"{name}\"",
                    kind.label().to_lowercase()
                )));
            }
            if regencies.iter().any(|r| r.code == code) {
                return Err(err(format!("kode {code} muncul dua kali")));
            }
            regencies.push(Regency {
                code,
                province_code,
                name,
                kind,
            });
        }
        regencies.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Regions {
            provinces,
            regencies,
            source_version: "berkas yang dimuat".into(),
        })
    }

    /// Names the release, e.g. "idn-area-data 4.1.0 (Kepmendagri ...)", for the update command.
    pub fn with_source_version(mut self, version: impl Into<String>) -> Regions {
        self.source_version = version.into();
        self
    }

    pub fn source_version(&self) -> &str {
        &self.source_version
    }

    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }

    pub fn regencies(&self) -> &[Regency] {
        &self.regencies
    }

    /// The kabupaten/kota of a province ("32" or "32."), in code order; empty if unknown.
    pub fn regencies_of(&self, province_code: &str) -> &[Regency] {
        let p = undot(province_code);
        let start = self
            .regencies
            .partition_point(|r| r.province_code.as_str() < p.as_str());
        let end = self
            .regencies
            .partition_point(|r| r.province_code.as_str() <= p.as_str());
        &self.regencies[start..end]
    }

    /// "3201" or "32.01".
    pub fn regency(&self, code: &str) -> Option<&Regency> {
        let c = undot(code);
        self.regencies
            .binary_search_by(|r| r.code.as_str().cmp(&c))
            .ok()
            .map(|i| &self.regencies[i])
    }

    pub fn province(&self, code: &str) -> Option<&Province> {
        let c = undot(code);
        self.provinces
            .binary_search_by(|p| p.code.as_str().cmp(&c))
            .ok()
            .map(|i| &self.provinces[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_has_38_provinces_and_514_regencies() {
        let r = Regions::embedded();
        assert_eq!(r.provinces().len(), 38);
        assert_eq!(r.regencies().len(), 514);
        let kab: Vec<_> = r
            .regencies()
            .iter()
            .filter(|g| g.kind == RegencyKind::Kabupaten)
            .collect();
        let kota: Vec<_> = r
            .regencies()
            .iter()
            .filter(|g| g.kind == RegencyKind::Kota)
            .collect();
        assert_eq!(kab.len(), 416);
        assert_eq!(kota.len(), 98);
        for g in &kab {
            let n: u32 = g.code[2..].parse().unwrap();
            assert!(
                (1..=69).contains(&n) && g.name.starts_with("Kabupaten "),
                "{g:?}"
            );
        }
        for g in &kota {
            let n: u32 = g.code[2..].parse().unwrap();
            assert!(
                (71..=99).contains(&n) && g.name.starts_with("Kota "),
                "{g:?}"
            );
        }
        assert!(r.source_version().contains("4.0.1"));
        let total: usize = r
            .provinces()
            .iter()
            .map(|p| r.regencies_of(&p.code).len())
            .sum();
        assert_eq!(total, 514);
    }

    #[test]
    fn lookups_take_plain_or_dotted_codes() {
        let r = Regions::embedded();
        let bogor = r.regency("3201").unwrap();
        assert_eq!(bogor.name, "Kabupaten Bogor");
        assert_eq!(bogor.kind, RegencyKind::Kabupaten);
        assert_eq!(bogor.province_code, "32");
        assert_eq!(bogor.dotted_code(), "32.01");
        assert_eq!(r.regency("32.01"), Some(bogor));
        assert_eq!(r.regency("32.73").unwrap().name, "Kota Bandung");
        assert_eq!(r.regency("32.73").unwrap().kind, RegencyKind::Kota);
        assert_eq!(r.province("32").unwrap().name, "Jawa Barat");
        assert!(r.regency("3299").is_none());
        assert!(r.regency("").is_none());
        assert!(r.province("99").is_none());
        assert_eq!(r.regencies_of("32").len(), 27);
        assert!(r.regencies_of("32").iter().all(|g| g.province_code == "32"));
        assert!(r.regencies_of("00").is_empty());
        // The 2022 Papua split: Papua kept 91, the new provinces are 92–96.
        assert!(r.province("96").is_some());
    }

    #[test]
    fn a_bad_release_is_refused_naming_file_and_line() {
        let p = "code,name\n11,Aceh\n32,Jawa Barat\n";
        let e = Regions::from_csv(
            p,
            "code,province_code,name\n32.01,32,Kabupaten Bogor\n32.73,32,Kabupaten Bandung\n",
        )
        .unwrap_err();
        assert_eq!((e.file, e.line), ("regencies.csv", 3));
        assert!(e.to_string().starts_with("regencies.csv baris 3: "), "{e}");
        let e =
            Regions::from_csv(p, "code,province_code,name\n33.01,32,Kabupaten X\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Regions::from_csv("code,nama\n11,Aceh\n", "code,province_code,name\n").unwrap_err();
        assert_eq!((e.file, e.line), ("provinces.csv", 1));
        let e = Regions::from_csv(
            "code,name\n11,Aceh\n1x,Sumut\n",
            "code,province_code,name\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3);
        let ok = Regions::from_csv(p, "code,province_code,name\n3201,32,Kabupaten Bogor\n")
            .unwrap()
            .with_source_version("uji");
        assert_eq!(ok.regency("32.01").unwrap().name, "Kabupaten Bogor");
        assert_eq!(ok.source_version(), "uji");
    }
}
