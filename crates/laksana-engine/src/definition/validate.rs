//! Checks a raw TOML definition and builds the [`SopDefinition`], collecting every problem
//! with its line so an editor can fix them all in one go.

use std::collections::HashMap;

use laksana_calendar::Waktu;
use toml::Spanned;

use super::raw::{RawCatatan, RawLangkah, RawPelaksana, RawSop, RawSubstitusi, Span};
use super::syntax;
use super::{Decision, Identity, Note, Pengesah, Problem, Role, SopDefinition, Step, Substitution};

/// Names a `[[catatan]]` may point at with `kolom`: the file's own field names, plus the
/// table's column and block names that have no field of their own.
const NOTE_FIELDS: &[&str] = &[
    "identitas",
    "nama",
    "subjudul",
    "unit",
    "dasar_hukum",
    "kualifikasi_pelaksana",
    "keterkaitan",
    "peralatan_perlengkapan",
    "peringatan",
    "pencatatan_pendataan",
    "pelaksana",
    "kegiatan",
    "persyaratan",
    "waktu",
    "output",
    "keterangan",
    "keputusan",
    "mutu_baku",
];

pub(super) fn parse(src: &str) -> Result<SopDefinition, Vec<Problem>> {
    // Serde stops at the first error in the file's shape; only that one can be reported.
    let raw: RawSop = toml::from_str(src).map_err(|e| vec![syntax::problem(src, &e)])?;
    let mut check = Checker {
        src,
        problems: Vec::new(),
    };
    let def = check.definition(raw);
    if check.problems.is_empty() {
        Ok(def.expect("a definition is built whenever no problem was found"))
    } else {
        let mut problems = check.problems;
        problems.sort_by_key(|p| (p.line.is_none(), p.line));
        Err(problems)
    }
}

/// A step as read, before the numbers of all steps are known.
struct Draft {
    span: Span,
    number: Option<u32>,
    key: Option<Spanned<String>>,
    step: Option<Step>,
    on_return: Option<Spanned<u32>>,
}

struct Checker<'a> {
    src: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    /// 1-based line of a byte offset.
    fn line(&self, span: &Span) -> usize {
        syntax::line(self.src, span.start)
    }

    fn report(&mut self, at: Option<&Span>, message: String) {
        let line = at.map(|span| self.line(span));
        self.problems.push(Problem { line, message });
    }

    /// A text that must be present and not blank; `at` is where to point when it is absent.
    fn required(
        &mut self,
        value: Option<Spanned<String>>,
        what: &str,
        at: Option<&Span>,
    ) -> Option<String> {
        match value {
            Some(v) if is_todo(v.get_ref()) => {
                self.report(
                    Some(&v.span()),
                    format!("{what} masih TODO: isi dari naskah."),
                );
                None
            }
            Some(v) if !v.get_ref().trim().is_empty() => Some(v.into_inner()),
            Some(v) => {
                self.report(Some(&v.span()), format!("{what} tidak boleh kosong."));
                None
            }
            None => {
                self.report(at, format!("{what} belum diisi."));
                None
            }
        }
    }

    /// A stable key: lower-case letters, digits and hyphens, because it ends up in URLs.
    fn key(
        &mut self,
        value: Option<Spanned<String>>,
        what: &str,
        at: Option<&Span>,
    ) -> Option<String> {
        let span = value.as_ref().map(|v| v.span());
        let key = self.required(value, what, at)?;
        if key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            Some(key)
        } else {
            self.report(
                span.as_ref(),
                format!(
                    "{what} \"{key}\" tidak sah: pakai huruf kecil, angka dan tanda hubung saja \
                     (misalnya \"rencana-kerja\")."
                ),
            );
            None
        }
    }

    fn definition(&mut self, raw: RawSop) -> Option<SopDefinition> {
        let key = self.key(raw.kunci, "Kunci SOP (kunci)", None);
        let version = self.required(raw.versi, "Versi SOP (versi)", None);
        let nama = self.required(raw.nama, "Nama SOP (nama)", None);
        let unit = self.required(raw.unit, "Unit (unit)", None);
        let roles = self.roles(raw.pelaksana);
        let (steps, numbers) = self.steps(raw.langkah, &roles);
        let notes = self.notes(raw.catatan, &numbers);
        let substitutions = self.substitutions(raw.substitusi);
        if !self.problems.is_empty() {
            return None;
        }
        let id = raw.identitas;
        Some(SopDefinition {
            key: key?,
            version: version?,
            nama: nama?,
            subjudul: raw.subjudul,
            unit: unit?,
            identity: Identity {
                nomor: id.nomor,
                tanggal_pembuatan: id.tanggal_pembuatan,
                tanggal_revisi: id.tanggal_revisi,
                tanggal_efektif: id.tanggal_efektif,
                disahkan_oleh: id.disahkan_oleh.map(|p| Pengesah {
                    jabatan: p.jabatan,
                    nama: p.nama,
                    nip: p.nip,
                }),
            },
            dasar_hukum: raw.dasar_hukum,
            kualifikasi_pelaksana: raw.kualifikasi_pelaksana,
            keterkaitan: raw.keterkaitan,
            peralatan: raw.peralatan_perlengkapan,
            peringatan: raw.peringatan,
            pencatatan: raw.pencatatan_pendataan,
            roles,
            steps,
            notes,
            substitutions,
        })
    }

    fn roles(&mut self, raw: Vec<Spanned<RawPelaksana>>) -> Vec<Role> {
        if raw.is_empty() {
            self.report(None, "Belum ada pelaksana ([[pelaksana]]).".into());
        }
        let mut roles = Vec::new();
        let mut atasan_spans = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for entry in raw {
            let span = entry.span();
            let RawPelaksana {
                kunci,
                nama,
                atasan,
            } = entry.into_inner();
            let key_span = kunci.as_ref().map(|k| k.span());
            let key = self.key(kunci, "Kunci pelaksana", Some(&span));
            let name = self.required(nama, "Nama pelaksana", Some(&span));
            let (Some(key), Some(name)) = (key, name) else {
                continue;
            };
            if let Some(first) = seen.get(&key) {
                let message =
                    format!("Pelaksana \"{key}\" ditulis dua kali (juga di baris {first}).");
                self.report(key_span.as_ref(), message);
                continue;
            }
            seen.insert(key.clone(), self.line(&span));
            atasan_spans.push(atasan.as_ref().map(|a| a.span()));
            let atasan = atasan.map(Spanned::into_inner);
            roles.push(Role { key, name, atasan });
        }
        for (role, span) in roles.iter().zip(&atasan_spans) {
            let Some(atasan) = &role.atasan else { continue };
            if !roles.iter().any(|r| &r.key == atasan) {
                let message = format!(
                    "Atasan \"{atasan}\" dari pelaksana {} tidak dikenal; pelaksana yang ada: {}.",
                    role.name,
                    role_keys(&roles)
                );
                self.report(span.as_ref(), message);
            } else if let Some(chain) = atasan_cycle(&roles, role) {
                let message = format!("Rantai atasan berputar: {chain}.");
                self.report(span.as_ref(), message);
            }
        }
        roles
    }

    /// The sound steps, sorted, and every step number read (some steps may have problems).
    fn steps(&mut self, raw: Vec<Spanned<RawLangkah>>, roles: &[Role]) -> (Vec<Step>, Vec<u32>) {
        if raw.is_empty() {
            self.report(None, "Belum ada langkah ([[langkah]]).".into());
        }
        let drafts: Vec<Draft> = raw.into_iter().map(|s| self.draft(s, roles)).collect();
        self.check_numbers(&drafts);
        self.check_step_keys(&drafts);
        let numbers: Vec<u32> = drafts.iter().filter_map(|d| d.number).collect();
        let mut steps = Vec::new();
        for draft in drafts {
            if let (Some(number), Some(target)) = (draft.number, &draft.on_return) {
                let to = *target.get_ref();
                let problem = if to == 0 {
                    Some(format!(
                        "Keputusan langkah {number} masih TODO: kembali ke langkah 0, yang \
                         tidak ada; isi nomor langkah tujuan \"tidak\"."
                    ))
                } else if to >= number {
                    Some(format!(
                        "Keputusan langkah {number} kembali ke langkah {to}; \"tidak\" harus \
                         kembali ke langkah sebelumnya."
                    ))
                } else if !numbers.contains(&to) {
                    Some(format!(
                        "Keputusan langkah {number} kembali ke langkah {to}, yang tidak ada."
                    ))
                } else {
                    None
                };
                if let Some(message) = problem {
                    self.report(Some(&target.span()), message);
                }
            }
            steps.extend(draft.step);
        }
        steps.sort_by_key(|s| s.number);
        (steps, numbers)
    }

    /// Reads one `[[langkah]]`; the step itself exists only if all its own fields are sound.
    fn draft(&mut self, entry: Spanned<RawLangkah>, roles: &[Role]) -> Draft {
        let span = entry.span();
        let raw = entry.into_inner();
        let number = raw.nomor.as_ref().map(|n| *n.get_ref());
        if number.is_none() {
            self.report(Some(&span), "Langkah ini belum diberi nomor.".into());
        }
        let label = match number {
            Some(n) => format!("Langkah {n}"),
            None => "Langkah tanpa nomor".to_string(),
        };
        let key_value = raw.kunci.clone();
        let key = self.key(
            raw.kunci,
            &format!("Kunci {}", label.to_lowercase()),
            Some(&span),
        );
        let kegiatan = self.required(
            raw.kegiatan,
            &format!("Kegiatan {}", label.to_lowercase()),
            Some(&span),
        );
        let pelaksana = self.pelaksana(raw.pelaksana, &label, &span, roles);
        let waktu = self.waktu(raw.waktu, &label, &span);
        let mut guards = Vec::new();
        for guard in raw.masukan_wajib {
            guards.extend(self.key(Some(guard), "Nama masukan wajib", None));
        }
        let step = match (number, key, kegiatan, pelaksana, waktu) {
            (Some(number), Some(key), Some(kegiatan), Some(pelaksana), Some(waktu)) => Some(Step {
                key,
                number,
                kegiatan,
                pelaksana,
                persyaratan: raw.persyaratan,
                waktu,
                output: raw.output,
                keterangan: raw.keterangan,
                decision: raw.keputusan.as_ref().map(|k| Decision {
                    on_return: *k.get_ref().tidak.get_ref(),
                }),
                guards,
            }),
            _ => None,
        };
        Draft {
            span,
            number,
            key: key_value,
            step,
            on_return: raw.keputusan.map(|k| k.into_inner().tidak),
        }
    }

    fn pelaksana(
        &mut self,
        value: Option<Spanned<String>>,
        label: &str,
        at: &Span,
        roles: &[Role],
    ) -> Option<String> {
        let Some(value) = value.filter(|v| !v.get_ref().trim().is_empty()) else {
            self.report(Some(at), format!("{label} tidak memiliki pelaksana."));
            return None;
        };
        if roles.iter().any(|r| &r.key == value.get_ref()) {
            return Some(value.into_inner());
        }
        if is_todo(value.get_ref()) {
            let message = format!(
                "Pelaksana {} masih TODO: pilih salah satu dari {} (tanda centang kolom \
                 pelaksana hilang dari naskah).",
                label.to_lowercase(),
                role_keys(roles)
            );
            self.report(Some(&value.span()), message);
            return None;
        }
        let message = format!(
            "Pelaksana \"{}\" pada {} tidak dikenal; pelaksana yang ada: {}.",
            value.get_ref(),
            label.to_lowercase(),
            role_keys(roles)
        );
        self.report(Some(&value.span()), message);
        None
    }

    fn waktu(&mut self, value: Option<Spanned<String>>, label: &str, at: &Span) -> Option<Waktu> {
        let Some(value) = value else {
            self.report(Some(at), format!("{label} belum diberi waktu."));
            return None;
        };
        if is_todo(value.get_ref()) {
            let message = format!(
                "Waktu {} masih TODO: isi seperti tertulis di naskah, misalnya \"1 hari\".",
                label.to_lowercase()
            );
            self.report(Some(&value.span()), message);
            return None;
        }
        match Waktu::parse(value.get_ref()) {
            Ok(waktu) => Some(waktu),
            Err(e) => {
                self.report(Some(&value.span()), format!("{label}: {e}."));
                None
            }
        }
    }

    /// Numbers must be unique and run 1..=N with no gap, so "step N" means the same row to
    /// everyone reading the printed SOP.
    fn check_numbers(&mut self, drafts: &[Draft]) {
        let mut first_line: HashMap<u32, usize> = HashMap::new();
        for draft in drafts {
            let Some(n) = draft.number else { continue };
            match first_line.get(&n) {
                Some(first) => {
                    let message =
                        format!("Nomor langkah {n} dipakai dua kali (juga di baris {first}).");
                    self.report(Some(&draft.span), message);
                }
                None => {
                    first_line.insert(n, self.line(&draft.span));
                }
            }
        }
        let total = drafts.len() as u32;
        for missing in (1..=total).filter(|n| !first_line.contains_key(n)) {
            // Point at the step standing where the missing number should be.
            let at = drafts
                .iter()
                .filter(|d| d.number.is_some_and(|n| n > missing))
                .min_by_key(|d| d.number)
                .or(drafts.last())
                .map(|d| d.span.clone());
            let message = format!(
                "Nomor langkah {missing} tidak ada; nomor langkah harus urut dari 1 sampai {total} \
                 tanpa terlewat."
            );
            self.report(at.as_ref(), message);
        }
    }

    fn check_step_keys(&mut self, drafts: &[Draft]) {
        let mut first_line: HashMap<&str, usize> = HashMap::new();
        for key in drafts.iter().filter_map(|d| d.key.as_ref()) {
            match first_line.get(key.get_ref().as_str()) {
                Some(first) => {
                    let message = format!(
                        "Kunci langkah \"{}\" dipakai dua kali (juga di baris {first}).",
                        key.get_ref()
                    );
                    self.report(Some(&key.span()), message);
                }
                None => {
                    first_line.insert(key.get_ref(), self.line(&key.span()));
                }
            }
        }
    }

    fn notes(&mut self, raw: Vec<Spanned<RawCatatan>>, numbers: &[u32]) -> Vec<Note> {
        let mut notes = Vec::new();
        for entry in raw {
            let span = entry.span();
            let RawCatatan {
                langkah,
                kolom,
                teks,
            } = entry.into_inner();
            if let Some(n) = &langkah {
                if !numbers.contains(n.get_ref()) {
                    let message = format!(
                        "Catatan merujuk ke langkah {}, yang tidak ada.",
                        n.get_ref()
                    );
                    self.report(Some(&n.span()), message);
                }
            }
            if let Some(k) = &kolom {
                if !NOTE_FIELDS.contains(&k.get_ref().as_str()) {
                    let message = format!(
                        "Kolom catatan \"{}\" tidak dikenal; yang dikenal: {}.",
                        k.get_ref(),
                        NOTE_FIELDS.join(", ")
                    );
                    self.report(Some(&k.span()), message);
                }
            }
            if let Some(text) = self.required(teks, "Teks catatan", Some(&span)) {
                notes.push(Note {
                    step: langkah.map(Spanned::into_inner),
                    field: kolom.map(Spanned::into_inner),
                    text,
                });
            }
        }
        notes
    }

    fn substitutions(&mut self, raw: Vec<Spanned<RawSubstitusi>>) -> Vec<Substitution> {
        let mut substitutions = Vec::new();
        for entry in raw {
            let span = entry.span();
            let RawSubstitusi { teks, pengaturan } = entry.into_inner();
            let literal = self.required(teks, "Teks substitusi", Some(&span));
            let setting = self.required(pengaturan, "Pengaturan substitusi", Some(&span));
            if let (Some(literal), Some(setting)) = (literal, setting) {
                substitutions.push(Substitution { literal, setting });
            }
        }
        substitutions
    }
}

/// A value a draft (`laksana sop draft`) could not read from the source text.
fn is_todo(value: &str) -> bool {
    value.trim() == "TODO"
}

fn role_keys(roles: &[Role]) -> String {
    let keys: Vec<&str> = roles.iter().map(|r| r.key.as_str()).collect();
    keys.join(", ")
}

/// The chain of names if following `atasan` from `start` comes back to it.
fn atasan_cycle(roles: &[Role], start: &Role) -> Option<String> {
    let mut chain = vec![start.name.as_str()];
    let mut current = start;
    for _ in 0..roles.len() {
        let next = current
            .atasan
            .as_ref()
            .and_then(|a| roles.iter().find(|r| &r.key == a))?;
        chain.push(next.name.as_str());
        if next.key == start.key {
            return Some(chain.join(" → "));
        }
        current = next;
    }
    None
}

#[cfg(test)]
mod tests;
