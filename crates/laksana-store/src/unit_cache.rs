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
//!
//! A training's own page needs less: [`TrainingCache`] keeps it until an audit entry names that
//! training, so a change in one training leaves the others' pages kept.

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

/// The slot for `key`, made empty if there is none; a unit with `per_unit` entries starts again
/// (a cache, not a copy of the database).
fn slot_in<K: Eq + Hash, V>(entries: &mut HashMap<K, Slot<V>>, key: K, per_unit: usize) -> Slot<V> {
    if let Some(slot) = entries.get(&key) {
        return slot.clone();
    }
    if entries.len() >= per_unit {
        entries.clear();
    }
    entries.entry(key).or_default().clone()
}

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
        slot_in(&mut kept.entries, key, self.per_unit)
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

/// Reads of one training each (its page), kept until an audit entry names that training.
///
/// Keyed by the unit's hash like [`UnitCache`], a step completed in one training would make
/// every other training's page be read again too; under a steady trickle of changes that is
/// nearly every page. Instead the unit's entry count (`Unit::audit_seq`, read with the viewer)
/// says when something happened, and one indexed query says which trainings it touched: only
/// their pages are dropped. An entry without a training (a unit setting, a new SOP version)
/// touches no training's page, except an account's (its name is on the pages where it acted).
pub(crate) struct TrainingCache<V> {
    units: Mutex<HashMap<i64, KeptTrainings<V>>>,
    per_unit: usize,
}

struct KeptTrainings<V> {
    /// The unit's entries up to this one are accounted for: no kept page predates them.
    seq: i64,
    entries: HashMap<i64, Slot<V>>,
}

/// Beyond this many new entries the kept pages are dropped rather than sorted out.
const MAX_CATCH_UP: i64 = 500;

impl<V: Clone> TrainingCache<V> {
    pub(crate) fn new(per_unit: usize) -> Self {
        TrainingCache {
            units: Mutex::new(HashMap::new()),
            per_unit: per_unit.max(1),
        }
    }

    /// The unit's seq the kept pages are current at, if `unit` brings newer entries.
    fn behind(&self, unit: &Unit) -> Option<i64> {
        let mut units = self.units.lock().expect("training cache lock");
        let kept = units.entry(unit.id).or_insert_with(|| KeptTrainings {
            seq: unit.audit_seq,
            entries: HashMap::new(),
        });
        (kept.seq < unit.audit_seq).then_some(kept.seq)
    }

    /// Drops the pages of `touched` (None: all of them) and records the unit as current at
    /// `seq`. Dropping more than needed costs reads only, so a catch-up that finds another
    /// request already further along changes nothing.
    fn caught_up(&self, unit: &Unit, touched: Option<&[i64]>) {
        let mut units = self.units.lock().expect("training cache lock");
        let Some(kept) = units.get_mut(&unit.id) else {
            return;
        };
        if kept.seq >= unit.audit_seq {
            return;
        }
        match touched {
            Some(ids) => ids.iter().for_each(|id| {
                kept.entries.remove(id);
            }),
            None => kept.entries.clear(),
        }
        kept.seq = unit.audit_seq;
    }

    fn slot(&self, unit: &Unit, id: i64) -> Slot<V> {
        let mut units = self.units.lock().expect("training cache lock");
        let kept = units.entry(unit.id).or_insert_with(|| KeptTrainings {
            seq: unit.audit_seq,
            entries: HashMap::new(),
        });
        slot_in(&mut kept.entries, id, self.per_unit)
    }

    /// Training `id`'s kept page, or `read`'s. `touched(after, upto)` names the trainings the
    /// unit's audit entries after `after` up to `upto` touched (None: every training's page may
    /// show what changed); it is asked only when `unit` was read after entries this cache has
    /// not accounted for.
    ///
    /// Why this never gives a stale page: a page is put under the entries accounted for when
    /// its slot was made, and is read after that, so it is at least that new; an entry that
    /// touches its training later is accounted for by the first request that sees it, which
    /// drops the slot before looking up its own.
    pub(crate) async fn get_or_read<T, TFut, F, Fut>(
        &self,
        unit: &Unit,
        id: i64,
        touched: T,
        read: F,
    ) -> Result<V>
    where
        T: FnOnce(i64, i64) -> TFut,
        TFut: Future<Output = Result<Option<Vec<i64>>>>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V>>,
    {
        if let Some(after) = self.behind(unit) {
            if unit.audit_seq - after > MAX_CATCH_UP {
                self.caught_up(unit, None);
            } else {
                let ids = touched(after, unit.audit_seq).await?;
                self.caught_up(unit, ids.as_deref());
            }
        }
        let slot = self.slot(unit, id);
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
            audit_seq: 0,
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

    async fn nothing_new(_: i64, _: i64) -> Result<Option<Vec<i64>>> {
        panic!("nothing new to sort out")
    }

    #[tokio::test]
    async fn a_change_drops_the_page_of_the_training_it_touched_only() {
        let cache = TrainingCache::new(8);
        let at = |seq: i64| Unit {
            audit_seq: seq,
            ..unit(1, "a")
        };
        let read = |v: i32| move || async move { Ok(v) };
        assert_eq!(
            cache
                .get_or_read(&at(5), 10, nothing_new, read(1))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            cache
                .get_or_read(&at(5), 20, nothing_new, read(2))
                .await
                .unwrap(),
            2
        );
        // Entries 6 and 7 touched training 10: its page is read again, 20's is kept.
        let asked = std::sync::Mutex::new(None);
        let touched = |after: i64, upto: i64| {
            *asked.lock().unwrap() = Some((after, upto));
            async { Ok(Some(vec![10])) }
        };
        assert_eq!(
            cache
                .get_or_read(&at(7), 20, touched, read(3))
                .await
                .unwrap(),
            2
        );
        assert_eq!(*asked.lock().unwrap(), Some((5, 7)));
        assert_eq!(
            cache
                .get_or_read(&at(7), 10, nothing_new, read(4))
                .await
                .unwrap(),
            4
        );
        // A request that read the unit before entry 7 is served what is kept.
        assert_eq!(
            cache
                .get_or_read(&at(6), 10, nothing_new, read(5))
                .await
                .unwrap(),
            4
        );
        // Far behind: everything is read again, without asking.
        assert_eq!(
            cache
                .get_or_read(&at(7 + MAX_CATCH_UP + 1), 20, nothing_new, read(6))
                .await
                .unwrap(),
            6
        );
        // A failed question keeps nothing and is asked again.
        let failing = |_: i64, _: i64| async { Err(crate::StoreError::NotFound("audit")) };
        assert!(cache
            .get_or_read(&at(1000), 20, failing, read(7))
            .await
            .is_err());
        let again = |_: i64, _: i64| async { Ok(Some(vec![20])) };
        assert_eq!(
            cache
                .get_or_read(&at(1000), 20, again, read(8))
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
