//! Measuring a cell as workloads/PROTOCOL.md sections 1-4 say: one untimed,
//! verified warm-up run; then per repetition, from reset counters, runs until
//! the sum of their timed regions reaches the minimum time; each run's timed
//! region is the runtime's block_on (or the call that runs the root to its
//! output) alone; every run's checksum and work counts are verified; one JSON
//! object per repetition.

use std::time::Instant;

use crate::cli::RunArgs;
use crate::work::{self, Work};
use crate::{expect, sys};

/// A workload's own counters, reset at the start of every repetition (a
/// fresh value) and reported at its end.
pub trait Extra: Default {
    fn report(&self, rep: &Totals, out: &mut Vec<(String, f64)>);
}

/// Workloads with no counters of their own.
impl Extra for () {
    fn report(&self, _: &Totals, _: &mut Vec<(String, f64)>) {}
}

/// Sums over the runs of one repetition.
#[derive(Default)]
pub struct Totals {
    pub runs: u64,
    pub timed_ns: u64, // sum of the timed regions
    switches: u64,     // context switches inside the timed regions
    work: Work,        // work done by the runs
}

/// The timed region of one run: `time` is called exactly once per run,
/// around the call that runs the root to its output.
#[derive(Default)]
pub struct Clock {
    ns: u64,       // length of the timed region
    switches: u64, // context switches of the process inside it
    calls: u32,    // times `time` was called in this run
}

impl Clock {
    pub fn time<T>(&mut self, body: impl FnOnce() -> T) -> T {
        let before = sys::usage().switches;
        let start = Instant::now();
        let out = body();
        let ns = start.elapsed().as_nanos() as u64;
        let after = sys::usage().switches;
        self.ns += ns;
        self.switches += after - before;
        self.calls += 1;
        out
    }
}

pub struct Measure {
    name: String,
    reps: u64,
    min_time_ns: u64,
    warmup: bool,
    checksum: u64,
    ops: u64,
    work: Work,         // work of one run
    has_messages: bool, // whether the workload reports work_messages
}

impl Measure {
    pub fn new(a: &RunArgs) -> Measure {
        let mut name = format!("{}/{}", a.workload, a.runtime);
        for (k, v) in &a.params {
            name.push_str(&format!("/{}:{}", k, v));
        }
        let (work, has_messages) = expect::work(&a.workload, &a.runtime, &a.params);
        Measure {
            name,
            reps: a.reps,
            min_time_ns: (a.min_time * 1e9).round() as u64,
            warmup: a.warmup,
            checksum: expect::checksum(&a.workload, &a.params),
            ops: expect::ops(&a.workload, &a.params).max(1),
            work,
            has_messages,
        }
    }

    /// Measures the cell. `once` is one run: it builds the root (untimed),
    /// runs it inside `Clock::time`, records what the workload keeps into
    /// its counters (untimed) and returns the run's checksum. Every run is
    /// verified; the first failure ends the cell with its reason.
    pub fn run<A: Extra>(&self, mut once: impl FnMut(&mut Clock, &mut A) -> Result<u64, String>) -> Result<(), String> {
        if self.warmup {
            self.one(&mut once, &mut A::default(), &mut Totals::default())?;
        }
        // Google Benchmark's rule, which the C cells follow: the first
        // repetition runs until its timed sum reaches the minimum time,
        // and every later repetition makes that same number of runs.
        let mut runs_per_rep = 0u64;
        for rep in 0..self.reps {
            let mut extra = A::default();
            let mut tot = Totals::default();
            sys::reset_peak_rss()?;
            let before = sys::usage();
            loop {
                self.one(&mut once, &mut extra, &mut tot)?;
                let done = if rep == 0 { tot.timed_ns >= self.min_time_ns } else { tot.runs >= runs_per_rep };
                if done {
                    break;
                }
            }
            if rep == 0 {
                runs_per_rep = tot.runs;
            }
            let peak = sys::peak_rss()?;
            let cpu_ns = sys::usage().cpu_ns - before.cpu_ns;
            self.print(rep, &tot, cpu_ns, peak, &extra);
        }
        Ok(())
    }

    fn one<A>(
        &self,
        once: &mut impl FnMut(&mut Clock, &mut A) -> Result<u64, String>,
        extra: &mut A,
        tot: &mut Totals,
    ) -> Result<(), String> {
        let before = work::total();
        let mut clock = Clock::default();
        let got = once(&mut clock, extra)?;
        let did = work::total().since(before);
        assert_eq!(clock.calls, 1, "a run must time exactly one region");
        if got != self.checksum {
            return Err(format!("checksum 0x{:016x}, expected 0x{:016x}", got, self.checksum));
        }
        if did.tasks != self.work.tasks {
            return Err(format!("work: {} tasks per run, expected {}", did.tasks, self.work.tasks));
        }
        if self.has_messages && did.messages != self.work.messages {
            return Err(format!("work: {} messages per run, expected {}", did.messages, self.work.messages));
        }
        tot.runs += 1;
        tot.timed_ns += clock.ns;
        tot.switches += clock.switches;
        tot.work.tasks += did.tasks;
        tot.work.messages += did.messages;
        Ok(())
    }

    fn print<A: Extra>(&self, rep: u64, tot: &Totals, cpu_ns: u64, peak: u64, extra: &A) {
        let runs = tot.runs as f64;
        let ns = tot.timed_ns.max(1) as f64;
        let ops = runs * self.ops as f64;
        let mut s = format!(
            "{{\"name\":\"{n}\",\"run_name\":\"{n}\",\"run_type\":\"iteration\",\
             \"repetitions\":{reps},\"repetition_index\":{rep},\"threads\":1,\
             \"iterations\":{runs},\"real_time\":{rt},\"cpu_time\":{ct},\"time_unit\":\"ns\",\
             \"ns_per_op\":{nsop},\"items_per_second\":{ips},\"ctx_switches_per_op\":{cs},\
             \"peak_rss_bytes\":{peak},\"work_tasks\":{wt}",
            n = self.name,
            reps = self.reps,
            rep = rep,
            runs = tot.runs,
            rt = num(ns / runs),
            ct = num(cpu_ns as f64 / runs),
            nsop = num(ns / ops),
            ips = num(ops / (ns / 1e9)),
            cs = num(tot.switches as f64 / ops),
            peak = peak,
            wt = tot.work.tasks,
        );
        if self.has_messages {
            s.push_str(&format!(",\"work_messages\":{}", tot.work.messages));
        }
        let mut more = Vec::new();
        extra.report(tot, &mut more);
        for (k, v) in more {
            s.push_str(&format!(",\"{}\":{}", k, num(v)));
        }
        s.push_str(&format!(",\"label\":\"checksum=0x{:016x}\"}}", self.checksum));
        println!("{}", s);
    }
}

/// A JSON number: f64's shortest round-trip form. Every divisor above is at
/// least 1, so a NaN or infinity is a bug, not a figure.
fn num(v: f64) -> String {
    assert!(v.is_finite(), "a counter is not a finite number");
    format!("{}", v)
}
