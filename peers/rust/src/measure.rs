//! Timing a peer cell the way the harness times a C cell: one untimed
//! warm-up run, then per repetition as many runs as fill min_time, with OS
//! context switches (getrusage) and peak RSS, printed as one JSON object per
//! repetition.

use std::sync::Mutex;
use std::time::Instant;

use crate::{expect, Params};

/// Extra counters a workload reports for the repetition being measured
/// (latency percentiles, RSS per task, ...).
/// (A Vec, not a map: Mutex::new of a BTreeMap is not const on Debian's
/// rustc 1.63.)
static EXTRA: Mutex<Vec<(String, f64)>> = Mutex::new(Vec::new());

pub fn extra(name: &str, value: f64) {
    let mut extra = EXTRA.lock().unwrap();
    extra.retain(|(k, _)| k != name);
    extra.push((name.to_string(), value));
}

pub struct Measure {
    pub name: String,
    reps: u64,
    min_time: f64,
    checksum: u64,
    ops: u64,
}

struct Usage {
    cpu_ns: f64,
    switches: f64,
    maxrss: f64,
}

fn usage() -> Usage {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e9 + t.tv_usec as f64 * 1e3;
    Usage {
        cpu_ns: tv(ru.ru_utime) + tv(ru.ru_stime),
        switches: (ru.ru_nvcsw + ru.ru_nivcsw) as f64,
        maxrss: ru.ru_maxrss as f64 * 1024.0,
    }
}

impl Measure {
    pub fn new(workload: &str, runtime: &str, ps: &Params, reps: u64, min_time: f64) -> Measure {
        let mut name = format!("{}/{}", workload, runtime);
        for (k, v) in ps {
            name.push_str(&format!("/{}:{}", k, v));
        }
        Measure {
            name,
            reps,
            min_time,
            checksum: expect::checksum(workload, ps),
            ops: expect::ops(workload, ps).max(1),
        }
    }

    /// Runs f (one whole run of the workload, returning its checksum) until
    /// every repetition is measured. A wrong checksum is an error.
    pub fn run(&self, mut f: impl FnMut() -> u64) -> Result<(), String> {
        let verify = |got: u64| {
            if got == self.checksum {
                Ok(())
            } else {
                Err(format!("checksum 0x{:016x}, expected 0x{:016x}", got, self.checksum))
            }
        };
        verify(f())?;
        for rep in 0..self.reps {
            EXTRA.lock().unwrap().clear();
            let before = usage();
            let start = Instant::now();
            let mut iters = 0u64;
            loop {
                verify(f())?;
                iters += 1;
                if start.elapsed().as_secs_f64() >= self.min_time {
                    break;
                }
            }
            let real = start.elapsed().as_nanos() as f64;
            let after = usage();
            self.print(rep, iters, real, &before, &after);
        }
        Ok(())
    }

    fn print(&self, rep: u64, iters: u64, real: f64, b: &Usage, a: &Usage) {
        let ops = (iters * self.ops) as f64;
        let mut s = format!(
            "{{\"name\":\"{n}\",\"run_name\":\"{n}\",\"run_type\":\"iteration\",\
             \"repetitions\":{reps},\"repetition_index\":{rep},\"threads\":1,\
             \"iterations\":{iters},\"real_time\":{rt:.3},\"cpu_time\":{ct:.3},\
             \"time_unit\":\"ns\",\"ns_per_op\":{nsop:.4},\"items_per_second\":{ips:.3},\
             \"ctx_switches_per_op\":{cs:.6},\"peak_rss_bytes\":{rss:.0}",
            n = self.name,
            reps = self.reps,
            rep = rep,
            iters = iters,
            rt = real / iters as f64,
            ct = (a.cpu_ns - b.cpu_ns) / iters as f64,
            nsop = real / ops,
            ips = ops / (real / 1e9),
            cs = (a.switches - b.switches) / ops,
            rss = a.maxrss,
        );
        for (k, v) in EXTRA.lock().unwrap().iter() {
            s.push_str(&format!(",\"{}\":{:.3}", k, v));
        }
        s.push_str(&format!(",\"label\":\"checksum=0x{:016x}\"}}", self.checksum));
        println!("{}", s);
    }
}

/// Percentile p (0..1) of sorted samples.
pub fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i] as f64
}

/// RSS before the first run of the cell: the allocator keeps what a run
/// frees, so from the second run on, a delta against the run's own start
/// would read ~0; against this baseline it is the memory of the waiting
/// tasks. Set once, at the first call (0 = not yet; an atomic, not a
/// OnceLock, which Debian's rustc 1.63 lacks).
static RSS_BASE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn rss_base() -> u64 {
    use std::sync::atomic::Ordering::Relaxed;
    // Relaxed: one value, read and set by the thread that runs the cell.
    // /proc is read only on the first call.
    match RSS_BASE.load(Relaxed) {
        0 => {
            let now = rss_now();
            RSS_BASE.store(now, Relaxed);
            now
        }
        base => base,
    }
}

/// Resident set size now, in bytes (/proc/self/statm).
pub fn rss_now() -> u64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = s.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    pages * 4096
}
