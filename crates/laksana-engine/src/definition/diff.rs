//! What changed between two versions of an SOP: steps matched by their stable key, so a step
//! that moved keeps its identity and a renamed key reads as one removed and one added.

use super::SopDefinition;

/// One difference, phrased for the SOP page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    StepAdded {
        number: u32,
        key: String,
        kegiatan: String,
    },
    StepRemoved {
        number: u32,
        key: String,
        kegiatan: String,
    },
    StepMoved {
        key: String,
        from: u32,
        to: u32,
    },
    KegiatanChanged {
        key: String,
        from: String,
        to: String,
    },
    PelaksanaChanged {
        key: String,
        from: String,
        to: String,
    },
    WaktuChanged {
        key: String,
        from: String,
        to: String,
    },
    PersyaratanChanged {
        key: String,
        from: String,
        to: String,
    },
    OutputChanged {
        key: String,
        from: String,
        to: String,
    },
    DecisionChanged {
        key: String,
        from: Option<u32>,
        to: Option<u32>,
    },
    RoleAdded {
        key: String,
        name: String,
    },
    RoleRemoved {
        key: String,
        name: String,
    },
    /// A field of the identity block or one of the six boxes.
    FieldChanged {
        field: &'static str,
        from: String,
        to: String,
    },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::StepAdded {
                number, kegiatan, ..
            } => write!(f, "Langkah {number} ditambahkan: {kegiatan}"),
            Change::StepRemoved {
                number, kegiatan, ..
            } => write!(f, "Langkah {number} dihapus: {kegiatan}"),
            Change::StepMoved { key, from, to } => {
                write!(f, "Langkah \"{key}\" pindah dari nomor {from} ke {to}")
            }
            Change::KegiatanChanged { key, from, to } => {
                write!(f, "Kegiatan \"{key}\": \"{from}\" → \"{to}\"")
            }
            Change::PelaksanaChanged { key, from, to } => {
                write!(f, "Pelaksana \"{key}\": {from} → {to}")
            }
            Change::WaktuChanged { key, from, to } => write!(f, "Waktu \"{key}\": {from} → {to}"),
            Change::PersyaratanChanged { key, from, to } => {
                write!(f, "Persyaratan \"{key}\": \"{from}\" → \"{to}\"")
            }
            Change::OutputChanged { key, from, to } => {
                write!(f, "Output \"{key}\": \"{from}\" → \"{to}\"")
            }
            Change::DecisionChanged { key, from, to } => {
                let show = |d: &Option<u32>| {
                    d.map(|n| format!("keputusan, Tidak → langkah {n}"))
                        .unwrap_or_else(|| "bukan keputusan".into())
                };
                write!(f, "Langkah \"{key}\": {} → {}", show(from), show(to))
            }
            Change::RoleAdded { name, .. } => write!(f, "Pelaksana ditambahkan: {name}"),
            Change::RoleRemoved { name, .. } => write!(f, "Pelaksana dihapus: {name}"),
            Change::FieldChanged { field, from, to } => write!(f, "{field}: \"{from}\" → \"{to}\""),
        }
    }
}

/// The changes that turn `old` into `new`, in table order.
pub fn diff(old: &SopDefinition, new: &SopDefinition) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut field = |name: &'static str, a: String, b: String| {
        if a != b {
            changes.push(Change::FieldChanged {
                field: name,
                from: a,
                to: b,
            });
        }
    };
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    field("Nama SOP", old.nama.clone(), new.nama.clone());
    field("Versi", old.version.clone(), new.version.clone());
    field(
        "Nomor SOP",
        opt(&old.identity.nomor),
        opt(&new.identity.nomor),
    );
    field(
        "Tanggal revisi",
        opt(&old.identity.tanggal_revisi),
        opt(&new.identity.tanggal_revisi),
    );
    field(
        "Tanggal efektif",
        opt(&old.identity.tanggal_efektif),
        opt(&new.identity.tanggal_efektif),
    );
    let list = |v: &[String]| v.join("; ");
    field(
        "Dasar hukum",
        list(&old.dasar_hukum),
        list(&new.dasar_hukum),
    );
    field(
        "Kualifikasi pelaksana",
        list(&old.kualifikasi_pelaksana),
        list(&new.kualifikasi_pelaksana),
    );
    field(
        "Keterkaitan",
        list(&old.keterkaitan),
        list(&new.keterkaitan),
    );
    field(
        "Peralatan/perlengkapan",
        list(&old.peralatan),
        list(&new.peralatan),
    );
    field("Peringatan", list(&old.peringatan), list(&new.peringatan));
    field(
        "Pencatatan dan pendataan",
        list(&old.pencatatan),
        list(&new.pencatatan),
    );

    for role in &new.roles {
        if old.role(&role.key).is_none() {
            changes.push(Change::RoleAdded {
                key: role.key.clone(),
                name: role.name.clone(),
            });
        }
    }
    for role in &old.roles {
        if new.role(&role.key).is_none() {
            changes.push(Change::RoleRemoved {
                key: role.key.clone(),
                name: role.name.clone(),
            });
        }
    }
    let role_name = |def: &SopDefinition, key: &str| {
        def.role(key)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    for step in &old.steps {
        if !new.steps.iter().any(|s| s.key == step.key) {
            changes.push(Change::StepRemoved {
                number: step.number,
                key: step.key.clone(),
                kegiatan: step.kegiatan.clone(),
            });
        }
    }
    for step in &new.steps {
        let Some(before) = old.steps.iter().find(|s| s.key == step.key) else {
            changes.push(Change::StepAdded {
                number: step.number,
                key: step.key.clone(),
                kegiatan: step.kegiatan.clone(),
            });
            continue;
        };
        let key = step.key.clone();
        if before.number != step.number {
            changes.push(Change::StepMoved {
                key: key.clone(),
                from: before.number,
                to: step.number,
            });
        }
        if before.kegiatan != step.kegiatan {
            changes.push(Change::KegiatanChanged {
                key: key.clone(),
                from: before.kegiatan.clone(),
                to: step.kegiatan.clone(),
            });
        }
        if before.pelaksana != step.pelaksana {
            changes.push(Change::PelaksanaChanged {
                key: key.clone(),
                from: role_name(old, &before.pelaksana),
                to: role_name(new, &step.pelaksana),
            });
        }
        if before.waktu.raw.trim() != step.waktu.raw.trim() {
            changes.push(Change::WaktuChanged {
                key: key.clone(),
                from: before.waktu.to_string(),
                to: step.waktu.to_string(),
            });
        }
        if before.persyaratan != step.persyaratan {
            changes.push(Change::PersyaratanChanged {
                key: key.clone(),
                from: before.persyaratan.clone(),
                to: step.persyaratan.clone(),
            });
        }
        if before.output != step.output {
            changes.push(Change::OutputChanged {
                key: key.clone(),
                from: before.output.clone(),
                to: step.output.clone(),
            });
        }
        let (a, b) = (
            before.decision.map(|d| d.on_return),
            step.decision.map(|d| d.on_return),
        );
        if a != b {
            changes.push(Change::DecisionChanged {
                key,
                from: a,
                to: b,
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SEED_SOP;

    fn seed() -> SopDefinition {
        SopDefinition::parse(SEED_SOP).unwrap()
    }

    #[test]
    fn a_definition_has_no_changes_against_itself() {
        assert!(diff(&seed(), &seed()).is_empty());
    }

    #[test]
    fn a_changed_waktu_and_pelaksana_are_named_by_step_key() {
        let src = SEED_SOP
            .replacen("waktu = \"30 menit\"", "waktu = \"1 jam\"", 1)
            .replacen(
                "pelaksana = \"kepala-dinas\"",
                "pelaksana = \"kepala-bidang\"",
                1,
            );
        let changes = diff(&seed(), &SopDefinition::parse(&src).unwrap());
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(changes.iter().any(|c| matches!(c, Change::WaktuChanged { key, to, .. } if key == "persetujuan-rencana-kerja" && to == "1 jam")));
        assert!(changes.iter().any(|c| matches!(c, Change::PelaksanaChanged { from, to, .. } if from == "Kepala Dinas" && to == "Kepala Bidang")));
    }

    #[test]
    fn a_removed_last_step_and_an_added_step_are_reported() {
        let old = seed();
        let mut new = seed();
        let removed = new.steps.pop().unwrap();
        let mut added = removed.clone();
        added.key = "arsip-laporan".into();
        added.kegiatan = "Mengarsipkan laporan".into();
        new.steps.push(added);
        let changes = diff(&old, &new);
        assert!(changes
            .iter()
            .any(|c| matches!(c, Change::StepRemoved { key, .. } if key == &removed.key)));
        assert!(changes.iter().any(
            |c| matches!(c, Change::StepAdded { key, number: 11, .. } if key == "arsip-laporan")
        ));
        assert!(changes
            .iter()
            .any(|c| c.to_string().starts_with("Langkah 11 ditambahkan")));
    }
}
