//! The command line the harness speaks (peers/README.md): which cells this
//! peer has, and the arguments of `run` and `serve`. A bad argument is one
//! line naming the problem, and exit status 2 (main).

use crate::{expect, sys, Params};

/// Every workload an async runtime with a reactor runs.
const ALL: &[&str] = &["pingpong", "yield", "spawn", "fib", "sum", "echo", "ring", "timers", "workqueue", "million"];

/// Each runtime and the workloads it runs.
const SIDES: &[(&str, &[&str])] = &[
    ("tokio-mt", ALL),
    ("tokio-ct", ALL),
    ("smol-local", ALL),
    ("async-std", ALL),
    // No reactor: no I/O, no timers.
    ("futures-local", &["pingpong", "yield", "spawn", "fib", "sum", "workqueue", "million"]),
    ("rayon", &["spawn", "fib", "sum"]),
    ("std-thread", ALL),
    // The fib tree walked by plain recursion: the leaf work alone.
    ("serial-rust", &["fib"]),
];

/// What one unit of work_tasks is (PROTOCOL.md section 7).
pub fn primitive(runtime: &str, workload: &str) -> &'static str {
    match (runtime, workload) {
        ("serial-rust", _) => "serial",
        ("rayon", "fib") => "join",
        ("rayon", _) => "scope-spawn",
        _ => "spawn+join",
    }
}

/// `list`: one line per cell kind, `workload runtime primitive`.
pub fn list() {
    for (rt, ws) in SIDES {
        for w in *ws {
            println!("{} {} {}", w, rt, primitive(rt, w));
        }
    }
}

fn has(runtime: &str, workload: &str) -> bool {
    SIDES.iter().any(|(r, ws)| *r == runtime && ws.contains(&workload))
}

/// How the runtime is made (PROTOCOL.md section 7).
pub struct Settings {
    pub workers: usize,   // worker threads of the runtimes that have a count
    pub cpus: Vec<usize>, // worker i pinned to cpus[i % len]; empty: unpinned
}

/// The arguments of `run`.
pub struct RunArgs {
    pub workload: String,
    pub runtime: String,
    pub set: Settings,
    pub reps: u64,      // repetitions
    pub min_time: f64,  // seconds of timed runs per repetition (0: one run)
    pub warmup: bool,   // one untimed run before the first repetition
    pub params: Params, // workload parameters, in the order given
}

/// The arguments of `serve`.
pub struct ServeArgs {
    pub runtime: String,
    pub set: Settings,
    pub listen_fd: i32, // the listening socket the server inherits
}

fn value<'a>(flag: &str, it: &mut std::slice::Iter<'a, String>) -> Result<&'a str, String> {
    it.next().map(String::as_str).ok_or_else(|| format!("{} needs a value", flag))
}

fn number(flag: &str, v: &str) -> Result<u64, String> {
    v.parse::<u64>().map_err(|_| format!("{} needs a non-negative integer, got '{}'", flag, v))
}

/// A comma-separated list of CPUs this process may run on.
fn cpu_list(v: &str) -> Result<Vec<usize>, String> {
    let allowed = sys::allowed_cpus()?;
    let mut cpus = Vec::new();
    for c in v.split(',') {
        let cpu = c.trim().parse::<usize>().map_err(|_| format!("--cpus wants a list like 0,1,2, got '{}'", v))?;
        if !allowed.contains(&cpu) {
            return Err(format!("--cpus: CPU {} is not one this process may run on {:?}", cpu, allowed));
        }
        cpus.push(cpu);
    }
    Ok(cpus)
}

/// The flags both commands share, and the rest.
#[derive(Default)]
struct Flags {
    workload: String,
    runtime: String,
    workers: u64,
    reps: Option<u64>,
    min_time: Option<f64>,
    warmup: Option<bool>,
    cpus: Vec<usize>,
    params: Params,
    listen_fd: Option<i32>,
}

fn parse(args: &[String], serve: bool) -> Result<Flags, String> {
    let mut f = Flags::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let flag = a.as_str();
        match (flag, serve) {
            ("--workload", _) => f.workload = value(flag, &mut it)?.to_string(),
            ("--runtime", _) => f.runtime = value(flag, &mut it)?.to_string(),
            ("--workers", _) => f.workers = number(flag, value(flag, &mut it)?)?,
            ("--cpus", _) => f.cpus = cpu_list(value(flag, &mut it)?)?,
            ("--reps", false) => f.reps = Some(number(flag, value(flag, &mut it)?)?),
            ("--min-time", false) => {
                let v = value(flag, &mut it)?;
                match v.parse::<f64>() {
                    Ok(t) if t >= 0.0 && t.is_finite() => f.min_time = Some(t),
                    _ => return Err(format!("--min-time needs seconds >= 0, got '{}'", v)),
                }
            }
            ("--warmup", false) => match value(flag, &mut it)? {
                "0" => f.warmup = Some(false),
                "1" => f.warmup = Some(true),
                v => return Err(format!("--warmup is 0 or 1, got '{}'", v)),
            },
            ("--param", false) => {
                let kv = value(flag, &mut it)?;
                let mut parts = kv.splitn(2, '=');
                let (k, v) = (parts.next().unwrap_or(""), parts.next());
                match v.and_then(|v| v.parse::<u64>().ok()) {
                    Some(v) if !k.is_empty() => f.params.push((k.to_string(), v)),
                    _ => return Err(format!("--param wants name=non-negative-integer, got '{}'", kv)),
                }
            }
            ("--listen-fd", true) => {
                let v = value(flag, &mut it)?;
                match v.parse::<i32>() {
                    Ok(fd) if fd >= 0 => f.listen_fd = Some(fd),
                    _ => return Err(format!("--listen-fd needs a descriptor number, got '{}'", v)),
                }
            }
            _ => return Err(format!("unknown argument '{}'", a)),
        }
    }
    if f.runtime.is_empty() || f.workload.is_empty() {
        return Err("--workload and --runtime are required".into());
    }
    if !SIDES.iter().any(|(r, _)| *r == f.runtime) {
        return Err(format!("unknown runtime '{}' (see `sb-peer-rust list`)", f.runtime));
    }
    Ok(f)
}

/// Worker threads: the count given, or one per CPU this process may use.
fn workers(n: u64) -> usize {
    if n > 0 {
        n as usize
    } else {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    }
}

pub fn run_args(args: &[String]) -> Result<RunArgs, String> {
    let f = parse(args, false)?;
    if f.workload == "echo" && has(&f.runtime, "echo") {
        return Err("echo is measured through `sb-peer-rust serve` driven by the harness's load generator".into());
    }
    if !has(&f.runtime, &f.workload) {
        return Err(format!("no cell {}/{} (see `sb-peer-rust list`)", f.workload, f.runtime));
    }
    expect::check(&f.workload, &f.params)?;
    let reps = f.reps.unwrap_or(1);
    if reps == 0 {
        return Err("--reps must be at least 1".into());
    }
    Ok(RunArgs {
        workload: f.workload,
        runtime: f.runtime,
        set: Settings { workers: workers(f.workers), cpus: f.cpus },
        reps,
        min_time: f.min_time.unwrap_or(0.5),
        warmup: f.warmup.unwrap_or(true),
        params: f.params,
    })
}

pub fn serve_args(args: &[String]) -> Result<ServeArgs, String> {
    let f = parse(args, true)?;
    if f.workload != "echo" {
        return Err(format!("serve runs echo only, not '{}'", f.workload));
    }
    if !has(&f.runtime, "echo") {
        return Err(format!("{} has no echo server (see `sb-peer-rust list`)", f.runtime));
    }
    let listen_fd = f.listen_fd.ok_or("serve needs --listen-fd FD (a listening TCP socket)")?;
    Ok(ServeArgs { runtime: f.runtime, set: Settings { workers: workers(f.workers), cpus: f.cpus }, listen_fd })
}

impl Settings {
    /// Pins the calling thread to cpus[0] (single-thread runtimes, before
    /// they start); nothing when unpinned.
    pub fn pin_one(&self) -> Result<(), String> {
        match self.cpus.first() {
            Some(&c) => sys::confine_thread(&[c]),
            None => Ok(()),
        }
    }

    /// Confines the calling thread, and every thread it starts from now on,
    /// to the whole list (std-thread; async-std, which has no thread hook,
    /// before its runtime starts); nothing when unpinned.
    pub fn confine(&self) -> Result<(), String> {
        if self.cpus.is_empty() {
            Ok(())
        } else {
            sys::confine_thread(&self.cpus)
        }
    }

    /// A thread-start hook that pins the i-th thread it sees to
    /// cpus[i % len] (tokio's on_thread_start); None when unpinned.
    pub fn pin_hook(&self) -> Option<impl Fn() + Send + Sync + 'static> {
        if self.cpus.is_empty() {
            return None;
        }
        let cpus = self.cpus.clone();
        let next = std::sync::atomic::AtomicUsize::new(0);
        // Relaxed: the counter only hands out distinct indices.
        Some(move || {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            sys::pin_or_exit(cpus[i % cpus.len()]);
        })
    }
}
