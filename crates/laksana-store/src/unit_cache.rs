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
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::{Result, Unit};

/// One kept read. Requests that miss together wait for the first one's read instead of each
/// making it: right after a change every open page of the unit misses at once, and a hundred
/// users asking for the training list must cost one count, not a hundred.
type Slot<V> = Arc<OnceCell<V>>;

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
    entries: HashMap<K, Slot<V>>,
}

impl<K: Eq + Hash, V: Clone> UnitCache<K, V> {
    pub(crate) fn new(per_unit: usize) -> Self {
        UnitCache {
            units: Mutex::new(HashMap::new()),
            per_unit: per_unit.max(1),
        }
    }

    /// The kept value, if it was read under the hash `unit` was read at.
    #[cfg(test)]
    fn get(&self, unit: &Unit, key: &K) -> Option<V> {
        let units = self.units.lock().expect("unit cache lock");
        let kept = units.get(&unit.id)?;
        if kept.head != unit.audit_head {
            return None;
        }
        kept.entries.get(key)?.get().cloned()
    }

    #[cfg(test)]
    fn put(&self, unit: &Unit, key: K, value: V) {
        let _ = self.slot(unit, key).set(value);
    }

    /// The slot for `key` under the hash `unit` was read at, made empty if there is none. A
    /// hash other than the kept one drops the unit's entries: the request brings a newer one
    /// (or, briefly, a request that read the unit before a change does; its entries are then
    /// dropped by the next request in turn, which costs a read, never a stale page).
    fn slot(&self, unit: &Unit, key: K) -> Slot<V> {
        let mut units = self.units.lock().expect("unit cache lock");
        let kept = units.entry(unit.id).or_insert_with(|| Kept {
            head: unit.audit_head.clone(),
            entries: HashMap::new(),
        });
        if kept.head != unit.audit_head {
            kept.head.clone_from(&unit.audit_head);
            kept.entries.clear();
        }
        if let Some(slot) = kept.entries.get(&key) {
            return slot.clone();
        }
        if kept.entries.len() >= self.per_unit {
            kept.entries.clear();
        }
        kept.entries.entry(key).or_default().clone()
    }

    /// Drops every unit's entries, for a change that is not in any unit's chain.
    pub(crate) fn clear(&self) {
        self.units.lock().expect("unit cache lock").clear();
    }

    /// The kept value, or `read`'s, kept for the next request under the same hash. While one
    /// request reads, the others asking for the same key wait for its value; if it fails (or
    /// its request goes away), the next of them reads.
    pub(crate) async fn get_or_read<F, Fut>(&self, unit: &Unit, key: K, read: F) -> Result<V>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V>>,
    {
        let slot = self.slot(unit, key);
        slot.get_or_try_init(read).await.cloned()
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

    #[tokio::test]
    async fn requests_that_miss_together_read_once() {
        let cache = Arc::new(UnitCache::new(8));
        let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let u = unit(1, "a");
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (cache, reads, u) = (cache.clone(), reads.clone(), u.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_read(&u, "daftar", || async {
                            reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            Ok(7)
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 7);
        }
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
        // A failed read is not kept: the next request reads again.
        let failed = cache
            .get_or_read(&u, "tugas", || async {
                Err(crate::StoreError::NotFound("tugas"))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(
            cache
                .get_or_read(&u, "tugas", || async { Ok(8) })
                .await
                .unwrap(),
            8
        );
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
