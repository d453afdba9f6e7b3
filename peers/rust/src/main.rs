//! switchbench peer: the Rust runtimes the talks make claims about (tokio,
//! smol, async-std, futures, rayon, std::thread), running switchbench's
//! workloads (workloads/README.md) and printing one JSON object per
//! repetition, the protocol the harness reads (harness/RESULTS.md).

mod asyncstd_peer;
mod expect;
mod futures_peer;
mod loadgen;
mod measure;
mod rayon_peer;
mod smol_peer;
mod suite;
mod thread_peer;
mod tokio_peer;

use std::process::exit;

/// Parameters in the order given, as in the C cell names.
pub type Params = Vec<(String, u64)>;

/// Which workloads each peer runtime implements, and what flavour it is.
const PEERS: &[(&str, &str, &[&str])] = &[
    ("tokio-mt", "tokio multi-thread scheduler, body in a spawned task",
     &["pingpong", "yield", "spawn", "fib", "sum", "echo", "ring", "timers", "workqueue", "million"]),
    ("tokio-ct", "tokio current_thread, body in a spawned task",
     &["pingpong", "yield", "spawn", "fib", "sum", "echo", "ring", "timers", "workqueue", "million"]),
    ("smol-local", "smol LocalExecutor on one thread (async-io reactor)",
     &["pingpong", "yield", "spawn", "fib", "sum", "echo", "ring", "timers", "workqueue", "million"]),
    ("async-std", "async-std global multi-threaded executor",
     &["pingpong", "yield", "spawn", "fib", "sum", "echo", "ring", "timers", "workqueue", "million"]),
    ("futures-local", "futures LocalPool on one thread (no reactor: no I/O or timers)",
     &["pingpong", "yield", "spawn", "fib", "sum", "workqueue", "million"]),
    ("rayon", "rayon thread pool: join for fib, par_chunks for sum, scope spawn",
     &["spawn", "fib", "sum"]),
    ("std-thread", "std::thread per task, std::sync::mpsc channels",
     &["pingpong", "yield", "spawn", "fib", "sum", "echo", "ring", "timers", "workqueue", "million"]),
];

fn usage() -> ! {
    eprintln!("usage: sb-peer-rust list\n       sb-peer-rust run --workload W --runtime R [--workers N] [--reps K] [--min-time S] [--param name=value ...]");
    exit(2);
}

fn main() {
    // One line per panic: the harness reports a failed cell's last stderr
    // line as its reason.
    std::panic::set_hook(Box::new(|info| eprintln!("sb-peer-rust: {}", info.to_string().replace('\n', " "))));
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("list") => {
            for (rt, _, ws) in PEERS {
                for w in *ws {
                    println!("{} {}", w, rt);
                }
            }
        }
        Some("describe") => {
            for (rt, what, _) in PEERS {
                println!("{}\t{}", rt, what);
            }
        }
        Some("run") => exit(run(&args[1..])),
        _ => usage(),
    }
}

fn parse_num(flag: &str, v: Option<&String>) -> u64 {
    match v.and_then(|s| s.parse::<u64>().ok()) {
        Some(n) => n,
        None => {
            eprintln!("sb-peer-rust: {} needs a non-negative integer", flag);
            exit(2);
        }
    }
}

fn run(args: &[String]) -> i32 {
    let (mut workload, mut runtime) = (String::new(), String::new());
    let (mut workers, mut reps, mut min_time) = (0u64, 1u64, 0.1f64);
    let mut params = Params::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--workload" => workload = it.next().cloned().unwrap_or_default(),
            "--runtime" => runtime = it.next().cloned().unwrap_or_default(),
            "--workers" => workers = parse_num(a, it.next()),
            "--reps" => reps = parse_num(a, it.next()),
            "--min-time" => {
                min_time = match it.next().and_then(|s| s.parse::<f64>().ok()) {
                    Some(t) if t >= 0.0 => t,
                    _ => {
                        eprintln!("sb-peer-rust: --min-time needs seconds >= 0");
                        return 2;
                    }
                }
            }
            "--param" => {
                let kv = it.next().cloned().unwrap_or_default();
                let mut parts = kv.splitn(2, '=');
                let (k, v) = (parts.next().unwrap_or(""), parts.next());
                match v.and_then(|v| v.parse::<u64>().ok()) {
                    Some(v) if !k.is_empty() => params.push((k.to_string(), v)),
                    _ => {
                        eprintln!("sb-peer-rust: --param wants name=non-negative-integer, got '{}'", kv);
                        return 2;
                    }
                }
            }
            other => {
                eprintln!("sb-peer-rust: unknown argument '{}'", other);
                return 2;
            }
        }
    }
    let supported = PEERS.iter().any(|(r, _, ws)| *r == runtime && ws.contains(&workload.as_str()));
    if !supported {
        eprintln!("sb-peer-rust: no cell {}/{} (see `sb-peer-rust list`)", workload, runtime);
        return 2;
    }
    if reps == 0 {
        eprintln!("sb-peer-rust: --reps must be at least 1");
        return 2;
    }
    if let Err(e) = expect::check(&workload, &params) {
        eprintln!("sb-peer-rust: {}", e);
        return 2;
    }
    let files = raise_fd_limit();
    if workload == "echo" {
        // Both ends of every connection live in this process.
        let need = 2 * expect::p(&params, "c") + 64;
        if files < need {
            eprintln!("needs {} open files; RLIMIT_NOFILE is {} and cannot be raised", need, files);
            return 77; // the harness records the cell as skipped
        }
    }
    if workers == 0 {
        workers = std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1);
    }
    let m = measure::Measure::new(&workload, &runtime, &params, reps, min_time);
    let w = workers as usize;
    let result = match runtime.as_str() {
        "tokio-mt" => tokio_peer::cell(&workload, &params, Some(w), &m),
        "tokio-ct" => tokio_peer::cell(&workload, &params, None, &m),
        "smol-local" => smol_peer::cell(&workload, &params, &m),
        "async-std" => asyncstd_peer::cell(&workload, &params, w, &m),
        "futures-local" => futures_peer::cell(&workload, &params, &m),
        "rayon" => rayon_peer::cell(&workload, &params, w, &m),
        "std-thread" => thread_peer::cell(&workload, &params, &m),
        _ => Err(format!("unknown runtime {}", runtime)),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sb-peer-rust: {}/{}: {}", workload, runtime, e);
            1
        }
    }
}

/// echo opens a socket per connection on each side: lift the soft limit on
/// open files to the hard limit, as the C harness does. Returns the limit.
fn raise_fd_limit() -> u64 {
    // SAFETY: get/setrlimit only read and write the struct we hand them.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        if lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
            }
        }
        lim.rlim_cur as u64
    }
}
