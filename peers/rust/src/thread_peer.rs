//! std::thread: a thread per task, std::sync::mpsc channels, blocking I/O:
//! what "just use threads" means in Rust, beside switchbench's `threads`.
//! A CPU list confines every thread to the whole list (set on the root's
//! thread before anything starts; spawned threads inherit it).

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed, Ordering::SeqCst};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::cli::{RunArgs, ServeArgs};
use crate::counters::{self, MillionRun, TIMER_PERIOD};
use crate::expect::p;
use crate::measure::Measure;
use crate::{echo_server, suite, sys, work};

/// thread::spawn, counted.
fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> JoinHandle<T> {
    work::tasks(1);
    thread::spawn(f)
}

fn join<T>(h: JoinHandle<T>) -> T {
    h.join().expect("thread panicked")
}

/// The pinger, then the ponger; returns the sum and the pings answered.
fn pingpong(n: u64) -> (u64, u64) {
    let (ping_tx, ping_rx) = sync_channel::<u64>(1);
    let (pong_tx, pong_rx) = sync_channel::<u64>(1);
    let pinger = spawn(move || {
        let (mut sum, mut got) = (0u64, 0u64);
        for i in 0..n {
            let _ = ping_tx.send(i);
            if let Ok(x) = pong_rx.recv() {
                sum = sum.wrapping_add(x);
                got += 1;
            }
        }
        work::messages(got);
        sum
    });
    let ponger = spawn(move || {
        let mut answered = 0u64;
        while let Ok(x) = ping_rx.recv() {
            answered += 1;
            let _ = pong_tx.send(x + 1);
        }
        work::messages(answered);
        answered
    });
    let sum = join(pinger);
    (sum, join(ponger))
}

fn yields(k: u64, n: u64) -> u64 {
    let hs: Vec<_> = (0..k)
        .map(|j| {
            spawn(move || {
                for _ in 0..n {
                    thread::yield_now();
                }
                (j + 1) * n
            })
        })
        .collect();
    hs.into_iter().fold(0u64, |s, h| s.wrapping_add(join(h)))
}

fn spawns(n: u64) -> u64 {
    let mut sum = 0u64;
    let mut i = 0;
    while i < n {
        let end = (i + 1024).min(n);
        let hs: Vec<_> = (i..end).map(|t| spawn(move || t)).collect();
        sum = hs.into_iter().fold(sum, |s, h| s.wrapping_add(join(h)));
        i = end;
    }
    sum
}

fn fib(n: u64, cutoff: u64) -> u64 {
    if n <= cutoff || n < 2 {
        return suite::fib_serial(n);
    }
    let a = spawn(move || fib(n - 1, cutoff));
    let b = spawn(move || fib(n - 2, cutoff));
    join(a).wrapping_add(join(b))
}

fn sum(data: &Arc<Vec<u64>>, chunk: usize) -> u64 {
    let hs: Vec<_> = (0..data.len())
        .step_by(chunk)
        .map(|start| {
            let d = data.clone();
            spawn(move || suite::sum_squares(&d[start..(start + chunk).min(d.len())]))
        })
        .collect();
    hs.into_iter().fold(0u64, |s, h| s.wrapping_add(join(h)))
}

/// Thread i sleeps d_i (thread::sleep); its deadline is read just before
/// its spawn call; it stores its lateness in its own slot of late.
fn timers(late: &Arc<Vec<AtomicU64>>, hs: &mut [Option<JoinHandle<u64>>]) -> u64 {
    for (i, slot) in hs.iter_mut().enumerate() {
        let d = Duration::from_millis(1 + i as u64 % TIMER_PERIOD);
        let late = late.clone();
        let deadline = Instant::now() + d;
        *slot = Some(spawn(move || {
            thread::sleep(d);
            // Relaxed: read after the root joined this thread.
            late[i].store(Instant::now().saturating_duration_since(deadline).as_nanos() as u64, Relaxed);
            i as u64
        }));
    }
    hs.iter_mut().fold(0u64, |s, h| s + join(h.take().expect("a spawned thread")))
}

/// The worker, then r requesters; replies over a sync_channel of one.
fn workqueue(r: u64, n: u64, cap: u64) -> u64 {
    let (tx, rx): (SyncSender<(u64, SyncSender<u64>)>, Receiver<_>) = sync_channel(cap as usize);
    let worker = spawn(move || {
        let mut got = 0u64;
        while let Ok((v, reply)) = rx.recv() {
            got += 1;
            let _ = reply.send(2 * v + 1);
        }
        work::messages(got);
        0
    });
    let hs: Vec<_> = (0..r)
        .map(|q| {
            let tx = tx.clone();
            spawn(move || {
                let (mut sum, mut got) = (0u64, 0u64);
                for i in 0..n {
                    let (otx, orx) = sync_channel(1);
                    let _ = tx.send((q * n + i, otx));
                    if let Ok(x) = orx.recv() {
                        sum = sum.wrapping_add(x);
                        got += 1;
                    }
                }
                work::messages(got);
                sum
            })
        })
        .collect();
    drop(tx);
    let sum = hs.into_iter().fold(0u64, |s, h| s.wrapping_add(join(h)));
    join(worker);
    sum
}

/// What million's threads share.
struct Shared {
    counted_in: AtomicU64, // threads of this run that counted in
    target: AtomicU64,     // threads spawned; u64::MAX while spawning
    all_in: Mutex<bool>,   // set by the thread that makes the count
    all_in_cv: Condvar,    // the root waits on it for all_in
    go: Mutex<bool>,       // set by the root once every thread waits
    go_cv: Condvar,        // every thread waits on it for go
}

/// n threads count themselves in and wait for go; the one that makes the
/// count wakes the root (one notify), which reads VmRSS and VmSize, sets go
/// (one notify_all: each thread wakes once) and joins all in order. A
/// failed spawn ends the run with the limit it hit, once those spawned are
/// released and joined.
fn million(hs: &mut [Option<JoinHandle<u64>>], base: (u64, u64)) -> Result<MillionRun, String> {
    let sh = Arc::new(Shared {
        counted_in: AtomicU64::new(0),
        target: AtomicU64::new(u64::MAX),
        all_in: Mutex::new(false),
        all_in_cv: Condvar::new(),
        go: Mutex::new(false),
        go_cv: Condvar::new(),
    });
    let t0 = Instant::now();
    let mut failure = None;
    let mut spawned = 0u64;
    for slot in hs.iter_mut() {
        let s = sh.clone();
        let made = thread::Builder::new().spawn(move || {
            // SeqCst here and in the root: of this increment and the root's
            // store of target, whichever comes second sees the other, so
            // all_in is set or the root does not wait for it.
            if s.counted_in.fetch_add(1, SeqCst) + 1 == s.target.load(SeqCst) {
                *s.all_in.lock().unwrap() = true;
                s.all_in_cv.notify_one();
            }
            let mut go = s.go.lock().unwrap();
            while !*go {
                go = s.go_cv.wait(go).unwrap();
            }
            1u64
        });
        match made {
            Ok(h) => {
                work::tasks(1);
                *slot = Some(h);
                spawned += 1;
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let spawn_ns = t0.elapsed().as_nanos() as u64;
    sh.target.store(spawned, SeqCst);
    if sh.counted_in.load(SeqCst) != spawned {
        let mut all_in = sh.all_in.lock().unwrap();
        while !*all_in {
            all_in = sh.all_in_cv.wait(all_in).unwrap();
        }
    }
    let all_in_ns = t0.elapsed().as_nanos() as u64;
    let mem = sys::statm();
    *sh.go.lock().unwrap() = true;
    sh.go_cv.notify_all();
    let sum = hs.iter_mut().filter_map(Option::take).fold(0u64, |s, h| s + join(h));
    let (vm, rss) = mem?;
    if let Some(e) = failure {
        let k = spawned.max(1) as f64;
        return Err(format!(
            "reached {} of {} threads, {:.0} B RSS and {:.0} B VM per thread; thread {} could not be created: {}",
            spawned,
            hs.len(),
            (rss as f64 - base.1 as f64) / k,
            (vm as f64 - base.0 as f64) / k,
            spawned + 1,
            e
        ));
    }
    Ok(MillionRun { sum, spawned, spawn_ns, all_in_ns, vm, rss })
}

/// links[i] = (the end written into, the end thread i reads), made in
/// setup. The threads are spawned, then the root writes the token 0 into
/// link 0, joins them in order and reads the final token from link 0.
fn ring(links: &Arc<Vec<(UnixStream, UnixStream)>>, laps: u64) -> u64 {
    let n = links.len();
    let read = |mut from: &UnixStream| {
        let mut tok = [0u8; 8];
        from.read_exact(&mut tok).expect("ring: read");
        u64::from_le_bytes(tok)
    };
    let hs: Vec<_> = (0..n)
        .map(|i| {
            let links = links.clone();
            spawn(move || {
                let (from, mut to) = (&links[i].1, &links[(i + 1) % n].0);
                for _ in 0..laps {
                    let v = read(from);
                    to.write_all(&(v + 1).to_le_bytes()).expect("ring: write");
                }
                work::messages(laps);
            })
        })
        .collect();
    (&links[0].0).write_all(&0u64.to_le_bytes()).expect("ring: write");
    hs.into_iter().for_each(join);
    read(&links[0].1)
}

pub fn cell(a: &RunArgs, m: &Measure) -> Result<(), String> {
    a.set.confine()?;
    let ps = &a.params;
    let n = p(ps, "n");
    match a.workload.as_str() {
        "pingpong" => m.run(|clk, _: &mut ()| {
            let (sum, answered) = clk.time(|| pingpong(n));
            suite::check_answered(answered, n)?;
            Ok(sum)
        }),
        "yield" => m.run(|clk, _: &mut ()| Ok(clk.time(|| yields(p(ps, "k"), n)))),
        "spawn" => m.run(|clk, _: &mut ()| Ok(clk.time(|| spawns(n)))),
        "fib" => m.run(|clk, _: &mut ()| Ok(clk.time(|| fib(n, p(ps, "cutoff"))))),
        "sum" => {
            let data = suite::sum_data(n);
            m.run(|clk, _: &mut ()| Ok(clk.time(|| sum(&data, p(ps, "chunk") as usize))))
        }
        "timers" => {
            let late = suite::late_slots(n);
            let mut hs: Vec<Option<JoinHandle<u64>>> = (0..n).map(|_| None).collect();
            m.run(|clk, c: &mut counters::Timers| {
                let sum = clk.time(|| timers(&late, &mut hs));
                c.record(&late);
                Ok(sum)
            })
        }
        "workqueue" => m.run(|clk, _: &mut ()| Ok(clk.time(|| workqueue(p(ps, "r"), n, p(ps, "cap"))))),
        "million" => {
            // Written (None) before the baseline, so they are in it.
            let mut hs: Vec<Option<JoinHandle<u64>>> = (0..n).map(|_| None).collect();
            let base = sys::statm()?;
            m.run(|clk, c: &mut counters::Million| {
                let run = clk.time(|| million(&mut hs, base))?;
                let sum = run.sum;
                c.record(run, base);
                Ok(sum)
            })
        }
        "ring" => {
            let links = (0..n)
                .map(|_| UnixStream::pair().map_err(|e| format!("socketpair: {}", e)))
                .collect::<Result<Vec<_>, String>>()?;
            let links = Arc::new(links);
            m.run(|clk, _: &mut ()| Ok(clk.time(|| ring(&links, p(ps, "laps")))))
        }
        w => Err(format!("std-thread has no workload {}", w)),
    }
}

/// Read up to 4096 bytes, add each to the sum, write them all back, until
/// EOF; then close and count the connection served.
fn echo_conn(mut s: std::net::TcpStream) {
    let _ = s.set_nodelay(true);
    let mut buf = vec![0u8; echo_server::BUF];
    let (mut bytes, mut sum) = (0u64, 0u64);
    loop {
        let k = match s.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        sum = echo_server::add_bytes(sum, &buf[..k]);
        bytes += k as u64;
        if s.write_all(&buf[..k]).is_err() {
            return;
        }
    }
    drop(s);
    echo_server::served(bytes, sum);
}

/// A thread per connection, from an accept loop on a thread of its own.
pub fn serve(a: &ServeArgs, l: std::net::TcpListener) -> Result<i32, String> {
    a.set.confine()?;
    l.set_nonblocking(false).map_err(|e| format!("listener: {}", e))?;
    thread::spawn(move || {
        let mut backoff = echo_server::Backoff::default();
        loop {
            let s = match l.accept() {
                Ok((s, _)) => s,
                Err(_) => {
                    thread::sleep(backoff.next());
                    continue;
                }
            };
            backoff.reset();
            // Counted before the spawn, as the async peers and Go count: the
            // harness reads the tally once the last connection is served, and
            // a count made after the spawn could still be pending then. A
            // thread that cannot be made closes its connection unserved (the
            // harness sees the connection count fall short and fails the run).
            work::tasks(1);
            if thread::Builder::new().spawn(move || echo_conn(s)).is_err() {
                thread::sleep(backoff.next());
            }
        }
    });
    Ok(echo_server::control())
}
