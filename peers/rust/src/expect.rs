//! The checksum and op count every correct run of a workload produces, from
//! the closed forms in workloads/README.md (all arithmetic modulo 2^64).

use crate::Params;

pub fn p(ps: &Params, name: &str) -> u64 {
    ps.iter().find(|(k, _)| k == name).map(|(_, v)| *v).unwrap_or(0)
}

/// Rejects missing or out-of-range parameters with a one-line reason.
pub fn check(w: &str, ps: &Params) -> Result<(), String> {
    let need: &[&str] = match w {
        "pingpong" | "spawn" | "million" => &["n"],
        "yield" => &["k", "n"],
        "fib" => &["n", "cutoff"],
        "sum" => &["n", "chunk"],
        "echo" => &["c", "b", "r"],
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
    let positive: &[&str] = match w {
        "fib" => &["n"],
        "timers" => &["n"],
        "ring" => &["n", "laps"],
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
        "echo" => echo_checksum(p(ps, "c"), p(ps, "b"), p(ps, "r")),
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

/// Byte j of round i on connection k is (k*31 + i*7 + j) & 0xff.
pub fn echo_byte(k: u64, i: u64, j: u64) -> u8 {
    (k.wrapping_mul(31).wrapping_add(i * 7).wrapping_add(j) & 0xff) as u8
}

fn echo_checksum(c: u64, b: u64, r: u64) -> u64 {
    let mut s = 0u64;
    for k in 0..c {
        for i in 0..r {
            for j in 0..b {
                s = s.wrapping_add(echo_byte(k, i, j) as u64);
            }
        }
    }
    s
}

pub fn ops(w: &str, ps: &Params) -> u64 {
    let n = p(ps, "n");
    match w {
        "pingpong" => 2 * n,
        "yield" => p(ps, "k") * n,
        "fib" => fib_tasks(n, p(ps, "cutoff")),
        "echo" => p(ps, "c") * p(ps, "r"),
        "ring" => p(ps, "laps") * n,
        "workqueue" => p(ps, "r") * n,
        _ => n,
    }
}

