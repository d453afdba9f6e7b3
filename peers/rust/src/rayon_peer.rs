//! rayon: the data-parallel pool the talks recommend for CPU work. fib uses
//! rayon::join (one half runs inline, the other may be stolen), sum uses
//! par_chunks, spawn uses scope spawns.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::expect::p;
use crate::measure::Measure;
use crate::{suite, Params};

fn fib(n: u64, cutoff: u64) -> u64 {
    if n <= cutoff || n < 2 {
        return suite::fib_serial(n);
    }
    let (a, b) = rayon::join(|| fib(n - 1, cutoff), || fib(n - 2, cutoff));
    a.wrapping_add(b)
}

pub fn cell(w: &str, ps: &Params, workers: usize, m: &Measure) -> Result<(), String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| format!("rayon pool: {}", e))?;
    let n = p(ps, "n");
    match w {
        "fib" => m.run(|| pool.install(|| fib(n, p(ps, "cutoff")))),
        "sum" => {
            let data = suite::sum_data(n);
            let chunk = p(ps, "chunk") as usize;
            m.run(|| {
                pool.install(|| {
                    data.par_chunks(chunk).map(suite::sum_squares).reduce(|| 0u64, |a, b| a.wrapping_add(b))
                })
            })
        }
        "spawn" => m.run(|| {
            // Relaxed: the scope's end joins every spawn, which orders them.
            let sum = AtomicU64::new(0);
            pool.scope(|s| {
                for i in 0..n {
                    let sum = &sum;
                    s.spawn(move |_| {
                        sum.fetch_add(i, Ordering::Relaxed);
                    });
                }
            });
            sum.load(Ordering::Relaxed)
        }),
        _ => Err(format!("rayon has no workload {}", w)),
    }
}
