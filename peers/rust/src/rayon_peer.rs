//! rayon: the data-parallel pool recommended for CPU work; num_threads =
//! workers, worker i pinned to cpus[i % len] by start_handler. fib hands
//! both halves to `join` (primitive `join`: one runs inline, the other is a
//! stack job another worker may steal); spawn and sum use `scope.spawn`
//! (primitive `scope-spawn`: a heap job joined by the end of its scope).
//! The timed call is `install`, which runs the root on the pool.

use crate::cli::RunArgs;
use crate::expect::p;
use crate::measure::Measure;
use crate::{suite, sys, work};

/// rayon::join, counting both closures it is handed.
fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    work::tasks(2);
    rayon::join(a, b)
}

/// Scope::spawn, counted.
fn scope_spawn<'s, F>(s: &rayon::Scope<'s>, f: F)
where
    F: FnOnce(&rayon::Scope<'s>) + Send + 's,
{
    work::tasks(1);
    s.spawn(f)
}

fn fib(n: u64, cutoff: u64) -> u64 {
    if n <= cutoff || n < 2 {
        return suite::fib_serial(n);
    }
    let (a, b) = join(|| fib(n - 1, cutoff), || fib(n - 2, cutoff));
    a.wrapping_add(b)
}

/// Batches of up to 1024 scope spawns; task t writes t into its slot of the
/// batch, the scope's end joins the batch, the root adds the slots in order.
fn spawns(n: u64) -> u64 {
    let mut out = [0u64; 1024];
    let mut sum = 0u64;
    let mut i = 0u64;
    while i < n {
        let end = (i + 1024).min(n);
        let batch = &mut out[..(end - i) as usize];
        rayon::scope(|s| {
            for (slot, t) in batch.iter_mut().zip(i..end) {
                scope_spawn(s, move |_| *slot = t);
            }
        });
        sum = batch.iter().fold(sum, |a, &v| a.wrapping_add(v));
        i = end;
    }
    sum
}

/// One scope spawn per chunk, in chunk order, each writing its sum into its
/// slot of out (made in setup); the root adds the slots in order.
fn sum(data: &[u64], chunk: usize, out: &mut [u64]) -> u64 {
    rayon::scope(|s| {
        for (slot, part) in out.iter_mut().zip(data.chunks(chunk)) {
            scope_spawn(s, move |_| *slot = suite::sum_squares(part));
        }
    });
    out.iter().fold(0u64, |a, &v| a.wrapping_add(v))
}

pub fn cell(a: &RunArgs, m: &Measure) -> Result<(), String> {
    let mut b = rayon::ThreadPoolBuilder::new().num_threads(a.set.workers);
    if !a.set.cpus.is_empty() {
        let cpus = a.set.cpus.clone();
        b = b.start_handler(move |i| sys::pin_or_exit(cpus[i % cpus.len()]));
    }
    let pool = b.build().map_err(|e| format!("rayon pool: {}", e))?;
    let n = p(&a.params, "n");
    match a.workload.as_str() {
        "fib" => {
            let cutoff = p(&a.params, "cutoff");
            m.run(|clk, _: &mut ()| Ok(clk.time(|| pool.install(|| fib(n, cutoff)))))
        }
        "sum" => {
            let data = suite::sum_data(n);
            let chunk = p(&a.params, "chunk") as usize;
            let mut out = vec![0u64; (data.len() + chunk - 1) / chunk];
            m.run(|clk, _: &mut ()| Ok(clk.time(|| pool.install(|| sum(&data, chunk, &mut out)))))
        }
        "spawn" => m.run(|clk, _: &mut ()| Ok(clk.time(|| pool.install(|| spawns(n))))),
        w => Err(format!("rayon has no workload {}", w)),
    }
}
