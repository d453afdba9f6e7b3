//! The work a run actually did (workloads/PROTOCOL.md section 4): tasks
//! created and messages received, counted per thread so that no shared
//! atomic sits on a spawn path, and summed by the measuring thread between
//! runs.
//!
//! The protocol of a slot:
//! 1. A thread that counts for the first time takes a slot from the free
//!    list, or makes one, under REGISTRY's lock, and keeps it in a
//!    thread-local.
//! 2. Only the thread that holds a slot writes it (a plain load and store,
//!    no read-modify-write).
//! 3. When the thread exits, its thread-local hands the slot back to the
//!    free list under the lock; the counts stay in it, and the next owner
//!    goes on adding to them. No slot is ever freed, so the sum over every
//!    slot is the total since the process started.
//! 4. The measuring thread sums every slot (`total`) before and after a run,
//!    when no task of the workload runs: every count of the run was written
//!    before a spawn, or before a task finished, that the run's root joined,
//!    so the root's return orders it before the sum.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// One thread's tallies, on a cache line of its own so that owners never
/// share a line.
#[repr(align(64))]
struct Slot {
    tasks: AtomicU64,    // units of concurrency this slot's owners created
    messages: AtomicU64, // messages this slot's owners received
}

struct Registry {
    all: Vec<&'static Slot>,  // every slot ever made
    free: Vec<&'static Slot>, // slots whose thread has exited
}

/// Guards the list of slots and the free list; taken once when a thread
/// first counts and once when it exits, never on the counting path.
static REGISTRY: Mutex<Registry> = Mutex::new(Registry { all: Vec::new(), free: Vec::new() });

/// Counts made while a thread's own slot is being destroyed (a spawn from a
/// thread-local destructor): rare, so a shared atomic is fine there.
static ORPHANS: Slot = Slot { tasks: AtomicU64::new(0), messages: AtomicU64::new(0) };

/// A thread's claim on its slot; gives it back when the thread exits.
struct Owner(&'static Slot);

impl Drop for Owner {
    fn drop(&mut self) {
        REGISTRY.lock().unwrap_or_else(|e| e.into_inner()).free.push(self.0);
    }
}

fn claim() -> Owner {
    let mut reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let slot = match reg.free.pop() {
        Some(s) => s,
        None => {
            let s: &'static Slot = Box::leak(Box::new(Slot { tasks: AtomicU64::new(0), messages: AtomicU64::new(0) }));
            reg.all.push(s);
            s
        }
    };
    Owner(slot)
}

thread_local! {
    static MINE: Owner = claim();
}

/// Adds k to one of the calling thread's tallies. Relaxed: the slot has one
/// writer at a time (the lock orders a hand-over), and readers are ordered
/// by the joins described at the top.
fn add(k: u64, field: fn(&Slot) -> &AtomicU64) {
    let done = MINE.try_with(|o| {
        let c = field(o.0);
        c.store(c.load(Relaxed) + k, Relaxed);
    });
    if done.is_err() {
        field(&ORPHANS).fetch_add(k, Relaxed);
    }
}

/// Counts k units of concurrency created by the calling thread (tasks,
/// threads, rayon jobs).
#[inline]
pub fn tasks(k: u64) {
    add(k, |s| &s.tasks);
}

/// Counts k messages received by the calling thread's task.
#[inline]
pub fn messages(k: u64) {
    add(k, |s| &s.messages);
}

/// Totals since the process started.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Work {
    pub tasks: u64,
    pub messages: u64,
}

impl Work {
    pub fn since(self, before: Work) -> Work {
        Work { tasks: self.tasks - before.tasks, messages: self.messages - before.messages }
    }
}

/// Sums every slot. Call only between runs (step 4 above).
pub fn total() -> Work {
    let reg = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let mut w = Work { tasks: ORPHANS.tasks.load(Relaxed), messages: ORPHANS.messages.load(Relaxed) };
    for s in &reg.all {
        w.tasks += s.tasks.load(Relaxed);
        w.messages += s.messages.load(Relaxed);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_survive_their_threads() {
        let before = total();
        let hs: Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    tasks(i + 1);
                    messages(2);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        tasks(1);
        let d = total().since(before);
        // No other test counts work, so the deltas are this test's alone.
        assert_eq!(d.tasks, 37);
        assert_eq!(d.messages, 16);
    }
}
