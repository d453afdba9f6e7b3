//! switchbench peer: the Rust runtimes the talks make claims about (tokio,
//! smol, async-std, futures, rayon, std::thread) on switchbench's
//! workloads, measured by workloads/PROTOCOL.md and reported in the
//! harness's schema (peers/README.md).

mod asyncstd_peer;
mod cli;
mod counters;
mod echo_server;
mod expect;
mod futures_peer;
mod hist;
mod measure;
mod rayon_peer;
mod serial;
mod smol_peer;
mod suite;
mod sys;
mod thread_peer;
mod tokio_peer;
mod work;

use std::process::exit;

/// Parameters in the order given, as in the C cell names.
pub type Params = Vec<(String, u64)>;

const USAGE: &str = "usage: sb-peer-rust list | run --workload W --runtime R [--workers N] [--reps K] \
[--min-time S] [--warmup 0|1] [--cpus 0,1,...] [--param name=value ...] | serve --workload echo --runtime R \
[--workers N] [--cpus 0,1,...] --listen-fd FD";

/// A bad argument: one line naming it, exit status 2.
fn bad(why: String) -> ! {
    eprintln!("sb-peer-rust: {}", why);
    exit(2);
}

fn main() {
    // One line per panic: the harness reports a failed cell's last stderr
    // line as its reason.
    std::panic::set_hook(Box::new(|info| eprintln!("sb-peer-rust: {}", info.to_string().replace('\n', " "))));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let status = match args.first().map(String::as_str) {
        Some("list") if args.len() == 1 => {
            cli::list();
            0
        }
        Some("run") => run(&args[1..]),
        Some("serve") => serve(&args[1..]),
        _ => {
            eprintln!("{}", USAGE);
            2
        }
    };
    exit(status);
}

fn run(args: &[String]) -> i32 {
    let a = cli::run_args(args).unwrap_or_else(|e| bad(e));
    if a.workload == "ring" {
        // Both ends of every link stay open for the whole cell.
        let need = 2 * expect::p(&a.params, "n") + 64;
        let have = sys::raise_fd_limit();
        if have < need {
            eprintln!("sb-peer-rust: needs {} open files; RLIMIT_NOFILE is {} and cannot be raised", need, have);
            return 77; // the harness records the cell as skipped, with this reason
        }
    }
    let m = measure::Measure::new(&a);
    let result = match a.runtime.as_str() {
        "tokio-mt" => tokio_peer::cell(&a, &m, true),
        "tokio-ct" => tokio_peer::cell(&a, &m, false),
        "smol-local" => smol_peer::cell(&a, &m),
        "async-std" => asyncstd_peer::cell(&a, &m),
        "futures-local" => futures_peer::cell(&a, &m),
        "rayon" => rayon_peer::cell(&a, &m),
        "std-thread" => thread_peer::cell(&a, &m),
        "serial-rust" => serial::cell(&a, &m),
        r => Err(format!("unknown runtime {}", r)),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sb-peer-rust: {}/{}: {}", a.workload, a.runtime, e);
            1
        }
    }
}

fn serve(args: &[String]) -> i32 {
    let a = cli::serve_args(args).unwrap_or_else(|e| bad(e));
    let l = echo_server::listener(a.listen_fd).unwrap_or_else(|e| bad(e));
    sys::raise_fd_limit();
    let result = match a.runtime.as_str() {
        "tokio-mt" => tokio_peer::serve(&a, true, l),
        "tokio-ct" => tokio_peer::serve(&a, false, l),
        "smol-local" => smol_peer::serve(&a, l),
        "async-std" => asyncstd_peer::serve(&a, l),
        "std-thread" => thread_peer::serve(&a, l),
        r => Err(format!("{} has no echo server", r)),
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            eprintln!("sb-peer-rust: serve echo/{}: {}", a.runtime, e);
            1
        }
    }
}
