//! Reads kept until their unit's audit chain moves.
//!
//! Every change to a unit's trainings, steps, documents, plans and recipients commits together
//! with its audit entry, and a trigger keeps the newest entry's hash on the unit's row
//! (`units.audit_head`). Each request reads that hash with the viewer's units, in the query it
//! makes anyway, so a read kept under the hash it was made at is current exactly while the hash
//! is unchanged, on this server and on every other server of the same database.
//!
//! A read made after the request's hash was read is at least as new as that hash, so keeping it
//! under the hash can only make a later request read again, never show it something older. A
//! request that writes must therefore not read its own change back through a cache (its unit
//! was read before the write): the pages answer a change with a redirect, whose next request
//! reads the new hash.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;

use crate::{Result, Unit};

/// One kind of read, by unit and key. Each unit's entries share one hash: once a request brings
/// a newer one, all of that unit's entries are stale together and are dropped together, so
/// stale entries never pile up.
pub(crate) struct UnitCache<K, V> {
    units: Mutex<HashMap<i64, Kept<K, V>>>,
    /// A unit's entries beyond this are started again (a cache, not a copy of the database).
    per_unit: usize,
}

struct Kept<K, V> {
    head: String,
    entries: HashMap<K, V>,
}

impl<K: Eq + Hash, V: Clone> UnitCache<K, V> {
    pub(crate) fn new(per_unit: usize) -> Self {
        UnitCache {
            units: Mutex::new(HashMap::new()),
            per_unit: per_unit.max(1),
        }
    }

    /// The kept value, if it was read under the hash `unit` was read at.
    pub(crate) fn get(&self, unit: &Unit, key: &K) -> Option<V> {
        let units = self.units.lock().expect("unit cache lock");
        let kept = units.get(&unit.id)?;
        if kept.head != unit.audit_head {
            return None;
        }
        kept.entries.get(key).cloned()
    }

    pub(crate) fn put(&self, unit: &Unit, key: K, value: V) {
        let mut units = self.units.lock().expect("unit cache lock");
        let kept = units.entry(unit.id).or_insert_with(|| Kept {
            head: unit.audit_head.clone(),
            entries: HashMap::new(),
        });
        if kept.head != unit.audit_head {
            kept.head.clone_from(&unit.audit_head);
            kept.entries.clear();
        }
        if kept.entries.len() >= self.per_unit {
            kept.entries.clear();
        }
        kept.entries.insert(key, value);
    }

    /// Drops every unit's entries, for a change that is not in any unit's chain.
    pub(crate) fn clear(&self) {
        self.units.lock().expect("unit cache lock").clear();
    }

    /// The kept value, or `read`'s, kept for the next request under the same hash.
    pub(crate) async fn get_or_read<F, Fut>(&self, unit: &Unit, key: K, read: F) -> Result<V>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V>>,
    {
        if let Some(hit) = self.get(unit, &key) {
            return Ok(hit);
        }
        let fresh = read().await?;
        self.put(unit, key, fresh.clone());
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, head: &str) -> Unit {
        Unit {
            id,
            code: format!("u{id}"),
            name: format!("Unit {id}"),
            kind: crate::UnitKind::Upt,
            zone: laksana_calendar::Zone::Wib,
            head_title: "Kepala".into(),
            notify_overdue: true,
            notify_escalation: true,
            audit_head: head.into(),
        }
    }

    #[test]
    fn an_entry_lives_while_its_units_hash_stays() {
        let cache = UnitCache::new(8);
        cache.put(&unit(1, "a"), "tugas", 10);
        assert_eq!(cache.get(&unit(1, "a"), &"tugas"), Some(10));
        // Another unit's entries are its own.
        assert_eq!(cache.get(&unit(2, "a"), &"tugas"), None);
        // A newer hash: the old entry is not given out, and the first read under the new
        // hash drops every entry of the old one.
        assert_eq!(cache.get(&unit(1, "b"), &"tugas"), None);
        cache.put(&unit(1, "a"), "daftar", 11);
        cache.put(&unit(1, "b"), "tugas", 12);
        assert_eq!(cache.get(&unit(1, "b"), &"tugas"), Some(12));
        assert_eq!(cache.get(&unit(1, "b"), &"daftar"), None);
    }

    #[test]
    fn a_full_unit_starts_again() {
        let cache = UnitCache::new(2);
        let u = unit(1, "a");
        cache.put(&u, 1, 1);
        cache.put(&u, 2, 2);
        cache.put(&u, 3, 3);
        assert_eq!(cache.get(&u, &3), Some(3));
        assert_eq!(cache.get(&u, &1), None);
    }
}
