//! `fib/serial-rust`: the fib tree of the fib workload walked by plain
//! recursion, no runtime, so a Rust runtime's cost per task can be read as
//! its fib figure minus this one (both divided by the same T(n)). The timed
//! region is one call of tree(n). n and the cutoff are read through volatile
//! loads and the result leaves through a volatile store inside it, so the
//! compiler can neither fold the call nor move it out of the clock.

use crate::cli::RunArgs;
use crate::expect::p;
use crate::measure::Measure;
use crate::suite::fib_serial;

/// tree(k) = k <= cutoff || k < 2 ? fib_serial(k) : tree(k-1) + tree(k-2)
#[inline(never)]
fn tree(k: u64, cutoff: u64) -> u64 {
    if k <= cutoff || k < 2 {
        fib_serial(k)
    } else {
        tree(k - 1, cutoff).wrapping_add(tree(k - 2, cutoff))
    }
}

pub fn cell(a: &RunArgs, m: &Measure) -> Result<(), String> {
    let (n, cutoff) = (p(&a.params, "n"), p(&a.params, "cutoff"));
    let mut out = 0u64;
    m.run(|clk, _: &mut ()| {
        clk.time(|| {
            // SAFETY: volatile accesses to live locals of this function.
            unsafe {
                let k = std::ptr::read_volatile(&n);
                let c = std::ptr::read_volatile(&cutoff);
                std::ptr::write_volatile(&mut out, tree(k, c));
            }
        });
        // SAFETY: as above.
        Ok(unsafe { std::ptr::read_volatile(&out) })
    })
}
