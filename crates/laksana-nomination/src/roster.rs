//! Who is a main candidate (utama) and who a reserve (cadangan), from the nominations of one training.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nomination {
    pub id: i64,
    /// 4-digit code of the nominating Kabupaten/Kota ("3201"; "32.01" is read the same).
    pub kabupaten: String,
    pub nik: String,
    /// Arrival order: earlier first. Ties are broken by `id`.
    pub order: i64,
    pub withdrawn: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "status")]
pub enum Status {
    Utama,
    Cadangan,
    /// The same NIK was nominated earlier (by any Kabupaten) in nomination `of`.
    Duplikat {
        of: i64,
    },
    /// Withdrawn by the Kabupaten or the person: takes no place and claims no NIK.
    Mundur,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Utama => "Utama",
            Status::Cadangan => "Cadangan",
            Status::Duplikat { .. } => "Duplikat",
            Status::Mundur => "Mundur",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub id: i64,
    pub status: Status,
    /// 1, 2, ... among one Kabupaten's reserves, in arrival order; `None` unless `Cadangan`.
    pub reserve_rank: Option<u32>,
}

fn key(code: &str) -> String {
    code.trim().chars().filter(|c| *c != '.').collect()
}

/// Places every nomination, returned in the order given.
///
/// - A NIK counts once per training: the earliest active nomination of it wins and every later one,
///   from the same or another Kabupaten, is `Duplikat { of }` the winner. A withdrawn nomination does
///   not claim the NIK, so someone withdrawn by one Kabupaten can be nominated by another.
/// - Per Kabupaten, the first `quota` winners by arrival are `Utama`, the rest `Cadangan` ranked
///   1, 2, ... in arrival order.
/// - A Kabupaten with **no entry in `quota`** was not invited (or its quota was removed): all of its
///   nominations are `Cadangan`, so nobody it sends takes a main place unasked, yet nothing is lost if
///   the Panitia then gives it a quota.
///
/// NIKs are compared as trimmed text; pass them as [`crate::Nik::parse`] cleaned them.
pub fn allocate(noms: &[Nomination], quota: &BTreeMap<String, u32>) -> Vec<Placement> {
    let quota: HashMap<String, u32> = quota.iter().map(|(k, v)| (key(k), *v)).collect();
    let mut by_arrival: Vec<usize> = (0..noms.len()).collect();
    by_arrival.sort_by_key(|&i| (noms[i].order, noms[i].id));

    let mut placements: Vec<Option<Placement>> = vec![None; noms.len()];
    let mut first_of_nik: HashMap<&str, i64> = HashMap::new();
    let mut taken: HashMap<String, (u32, u32)> = HashMap::new(); // kabupaten → (utama, cadangan)
    for i in by_arrival {
        let n = &noms[i];
        let (status, reserve_rank) = if n.withdrawn {
            (Status::Mundur, None)
        } else if let Some(&of) = first_of_nik.get(n.nik.trim()) {
            (Status::Duplikat { of }, None)
        } else {
            first_of_nik.insert(n.nik.trim(), n.id);
            let k = key(&n.kabupaten);
            let q = quota.get(&k).copied().unwrap_or(0);
            let (utama, cadangan) = taken.entry(k).or_default();
            if *utama < q {
                *utama += 1;
                (Status::Utama, None)
            } else {
                *cadangan += 1;
                (Status::Cadangan, Some(*cadangan))
            }
        };
        placements[i] = Some(Placement {
            id: n.id,
            status,
            reserve_rank,
        });
    }
    placements.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nom(id: i64, kab: &str, nik: &str, order: i64) -> Nomination {
        Nomination {
            id,
            kabupaten: kab.into(),
            nik: nik.into(),
            order,
            withdrawn: false,
        }
    }

    #[test]
    fn quotas_duplicates_and_reserves_across_two_kabupaten() {
        let noms = vec![
            nom(1, "3201", "A", 1),
            nom(2, "3201", "B", 2),
            nom(3, "3273", "C", 3),
            // Bogor's third arrives before Bandung sends A again: A stays Bogor's.
            nom(4, "3201", "D", 4),
            nom(5, "3273", "A", 5),
            nom(6, "3273", "E", 6),
            nom(7, "32.73", "F", 7),
            // Same person twice from Bogor.
            nom(8, "3201", "D", 8),
            Nomination {
                withdrawn: true,
                ..nom(9, "3273", "G", 9)
            },
            // Withdrawn first, then nominated again by Bogor: the later one counts.
            Nomination {
                withdrawn: true,
                ..nom(10, "3273", "H", 10)
            },
            nom(11, "3201", "H", 11),
        ];
        let quota = BTreeMap::from([("32.01".to_string(), 2), ("3273".to_string(), 2)]);
        let got: Vec<(i64, Status, Option<u32>)> = allocate(&noms, &quota)
            .into_iter()
            .map(|p| (p.id, p.status, p.reserve_rank))
            .collect();
        use Status::*;
        assert_eq!(
            got,
            vec![
                (1, Utama, None),
                (2, Utama, None),
                (3, Utama, None),
                (4, Cadangan, Some(1)),
                (5, Duplikat { of: 1 }, None),
                (6, Utama, None),
                (7, Cadangan, Some(1)),
                (8, Duplikat { of: 4 }, None),
                (9, Mundur, None),
                (10, Mundur, None),
                (11, Cadangan, Some(2)),
            ]
        );
    }

    #[test]
    fn arrival_order_not_input_order_decides_and_output_keeps_input_order() {
        let noms = vec![nom(20, "3201", "X", 9), nom(21, "3201", "X", 1)];
        let quota = BTreeMap::from([("3201".to_string(), 1)]);
        let got = allocate(&noms, &quota);
        assert_eq!(got[0].id, 20);
        assert_eq!(got[0].status, Status::Duplikat { of: 21 });
        assert_eq!(got[1].status, Status::Utama);
    }

    #[test]
    fn a_kabupaten_without_quota_gets_only_reserves() {
        let noms = vec![nom(1, "3374", "A", 1), nom(2, "3374", "B", 2)];
        let got = allocate(&noms, &BTreeMap::new());
        assert_eq!(got[0].status, Status::Cadangan);
        assert_eq!(got[0].reserve_rank, Some(1));
        assert_eq!(got[1].reserve_rank, Some(2));
    }
}
