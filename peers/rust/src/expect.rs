//! What every correct run of a workload produces, from the closed forms in
//! workloads/README.md (checksum, ops) and workloads/PROTOCOL.md section 4
//! (work counts); all arithmetic modulo 2^64. echo is checked by the
//! harness, which drives `serve` with its load generator.

use crate::work::Work;
use crate::Params;

pub fn p(ps: &Params, name: &str) -> u64 {
    ps.iter().find(|(k, _)| k == name).map(|(_, v)| *v).unwrap_or(0)
}

/// Rejects unknown, missing or out-of-range parameters with a one-line
/// reason.
pub fn check(w: &str, ps: &Params) -> Result<(), String> {
    let need: &[&str] = match w {
        "pingpong" | "spawn" | "million" => &["n"],
        "yield" => &["k", "n"],
        "fib" => &["n", "cutoff"],
        "sum" => &["n", "chunk"],
        "ring" => &["n", "laps"],
        "timers" => &["n", "blocking"],
        "workqueue" => &["r", "n", "cap"],
        _ => return Err(format!("unknown workload '{}'", w)),
    };
    for k in need {
        if !ps.iter().any(|(name, _)| name == k) {
            return Err(format!("{} needs --param {}=...", w, k));
        }
    }
    if let Some((k, _)) = ps.iter().find(|(k, _)| !need.contains(&k.as_str())) {
        return Err(format!("{} has no parameter '{}'", w, k));
    }
    let positive: &[&str] = match w {
        "fib" => &["n"],
        "timers" => &["n"],
        _ => need,
    };
    for k in positive {
        if p(ps, k) == 0 {
            return Err(format!("{}: {} must be at least 1", w, k));
        }
    }
    if w == "fib" && p(ps, "n") > 90 {
        return Err("fib: n must be at most 90".into());
    }
    if w == "timers" && p(ps, "blocking") > 1 {
        return Err("timers: blocking must be 0 or 1".into());
    }
    Ok(())
}

pub fn fib(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let t = a.wrapping_add(b);
        a = b;
        b = t;
    }
    a
}

/// Tasks fib(n) spawns with the given cutoff: T(k) = 0 if k <= cutoff or
/// k < 2, else 2 + T(k-1) + T(k-2).
pub fn fib_tasks(n: u64, cutoff: u64) -> u64 {
    let mut t = vec![0u64; (n + 1) as usize];
    for k in 0..=n as usize {
        t[k] = if (k as u64) <= cutoff || k < 2 { 0 } else { 2 + t[k - 1] + t[k - 2] };
    }
    t[n as usize]
}

pub fn checksum(w: &str, ps: &Params) -> u64 {
    let n = p(ps, "n");
    match w {
        "pingpong" => n.wrapping_mul(n.wrapping_add(1)) / 2,
        "yield" => {
            let k = p(ps, "k");
            n.wrapping_mul(k.wrapping_mul(k + 1) / 2)
        }
        "spawn" => n.wrapping_mul(n.wrapping_sub(1)) / 2,
        "fib" => fib(n),
        "sum" => (0..n).fold(0u64, |s, i| s.wrapping_add(i.wrapping_mul(i))),
        "ring" => p(ps, "laps") * n,
        "timers" => n * (n - 1) / 2,
        "workqueue" => {
            let t = p(ps, "r") * n;
            t.wrapping_mul(t)
        }
        "million" => n,
        _ => 0,
    }
}

pub fn ops(w: &str, ps: &Params) -> u64 {
    let n = p(ps, "n");
    match w {
        "pingpong" => 2 * n,
        "yield" => p(ps, "k") * n,
        "fib" => fib_tasks(n, p(ps, "cutoff")),
        "ring" => p(ps, "laps") * n,
        "workqueue" => p(ps, "r") * n,
        _ => n,
    }
}

/// The work one run does (PROTOCOL.md section 4), and whether the workload
/// reports messages at all. The serial row creates no tasks.
pub fn work(w: &str, runtime: &str, ps: &Params) -> (Work, bool) {
    let n = p(ps, "n");
    let (tasks, messages) = match w {
        _ if runtime == "serial-rust" => (0, None),
        "pingpong" => (2, Some(2 * n)),
        "yield" => (p(ps, "k"), None),
        "fib" => (fib_tasks(n, p(ps, "cutoff")), None),
        "sum" => {
            let chunk = p(ps, "chunk");
            ((n + chunk - 1) / chunk, None)
        }
        "ring" => (n, Some(n * p(ps, "laps"))),
        "workqueue" => (p(ps, "r") + 1, Some(2 * p(ps, "r") * n)),
        _ => (n, None), // spawn, timers, million
    };
    (Work { tasks, messages: messages.unwrap_or(0) }, messages.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ps(kv: &[(&str, u64)]) -> Params {
        kv.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn fib_tasks_closed_form() {
        assert_eq!(fib_tasks(10, 10), 0);
        assert_eq!(fib_tasks(4, 2), 2 + fib_tasks(3, 2) + fib_tasks(2, 2));
        assert_eq!(fib_tasks(3, 2), 2);
    }

    #[test]
    fn work_per_workload() {
        assert_eq!(work("sum", "rayon", &ps(&[("n", 10), ("chunk", 3)])).0.tasks, 4);
        let (w, msgs) = work("workqueue", "tokio-mt", &ps(&[("r", 3), ("n", 5), ("cap", 1)]));
        assert_eq!((w.tasks, w.messages, msgs), (4, 30, true));
        assert_eq!(work("fib", "serial-rust", &ps(&[("n", 20), ("cutoff", 5)])).0.tasks, 0);
    }

    #[test]
    fn rejects_unknown_params() {
        assert!(check("spawn", &ps(&[("n", 1), ("x", 2)])).is_err());
        assert!(check("spawn", &ps(&[])).is_err());
        assert!(check("spawn", &ps(&[("n", 3)])).is_ok());
    }
}
