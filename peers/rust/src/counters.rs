//! The counters of timers and million (workloads/PROTOCOL.md section 5),
//! under the names the C workloads use. A fresh value per repetition; runs
//! record into it after their timed region.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::hist::Hist;
use crate::measure::{Extra, Totals};

/// The timers period: d_i = (1 + i mod PERIOD) ms.
pub const TIMER_PERIOD: u64 = 20;

/// timers: every task's lateness, and the run lengths.
#[derive(Default)]
pub struct Timers {
    late: Hist, // lateness of every task of every run, ns
    n: u64,     // tasks per run
}

impl Timers {
    /// A run's n lateness slots, one per task (written by the tasks, read
    /// here after the root joined them all, which orders the Relaxed
    /// stores before these loads).
    pub fn record(&mut self, late: &[AtomicU64]) {
        self.n = late.len() as u64;
        for slot in late {
            self.late.record(slot.load(Relaxed));
        }
    }
}

impl Extra for Timers {
    fn report(&self, rep: &Totals, out: &mut Vec<(String, f64)>) {
        self.late.counters("late_", out);
        let longest = (self.n.min(TIMER_PERIOD) * 1_000_000) as f64;
        let wall = rep.timed_ns as f64 / rep.runs as f64;
        out.push(("longest_sleep_ns".into(), longest));
        out.push(("wall_ns".into(), wall));
        out.push(("wall_over_longest".into(), wall / longest));
    }
}

/// What one run of million measured, in its timed region.
pub struct MillionRun {
    pub sum: u64,       // the root's output
    pub spawned: u64,   // tasks spawned (and waiting at once)
    pub spawn_ns: u64,  // start of the first spawn to the end of the last
    pub all_in_ns: u64, // start of the first spawn to the root woken
    pub vm: u64,        // VmSize with every task waiting, bytes
    pub rss: u64,       // VmRSS with every task waiting, bytes
}

/// million: RSS and VM per waiting task against the baseline of setup (the
/// last run's), spawn and all-waiting times per task (means over the runs).
#[derive(Default)]
pub struct Million {
    base: (u64, u64),         // (VmSize, VmRSS) after setup
    last: Option<MillionRun>, // the repetition's last run
    spawned: u64,             // tasks over the repetition's runs
    spawn_ns: u64,            // sum of the runs' spawn_ns
    all_in_ns: u64,           // sum of the runs' all_in_ns
    max_reached: u64,         // the most tasks waiting at once
}

impl Million {
    /// base: (VmSize, VmRSS) read once in setup, after the join handles were
    /// written and before the warm-up run.
    pub fn record(&mut self, run: MillionRun, base: (u64, u64)) {
        self.base = base;
        self.spawned += run.spawned;
        self.spawn_ns += run.spawn_ns;
        self.all_in_ns += run.all_in_ns;
        self.max_reached = self.max_reached.max(run.spawned);
        self.last = Some(run);
    }
}

impl Extra for Million {
    fn report(&self, _: &Totals, out: &mut Vec<(String, f64)>) {
        out.push(("max_tasks_reached".into(), self.max_reached as f64));
        // A spawn that fails ends the cell with the limit as its reason, so
        // a reported repetition never hit one.
        out.push(("limit_hit".into(), 0.0));
        if let Some(r) = &self.last {
            let k = r.spawned.max(1) as f64;
            out.push(("rss_waiting_bytes".into(), r.rss as f64));
            out.push(("vm_waiting_bytes".into(), r.vm as f64));
            out.push(("rss_per_task_bytes".into(), (r.rss as f64 - self.base.1 as f64) / k));
            out.push(("vm_per_task_bytes".into(), (r.vm as f64 - self.base.0 as f64) / k));
        }
        if self.spawned > 0 {
            let per = self.spawn_ns as f64 / self.spawned as f64;
            out.push(("spawn_ns_per_task".into(), per));
            out.push(("spawns_per_sec".into(), if per > 0.0 { 1e9 / per } else { 0.0 }));
            out.push(("all_waiting_ns_per_task".into(), self.all_in_ns as f64 / self.spawned as f64));
        }
    }
}
