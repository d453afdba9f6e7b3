//! std::thread: a thread per task, std::sync::mpsc channels, blocking I/O.
//! What "just use threads" means in Rust, beside switchbench's `threads`.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};

use crate::expect::p;
use crate::measure::{self, Measure};
use crate::{loadgen, suite, Params};

fn join(h: JoinHandle<u64>) -> u64 {
    h.join().expect("thread panicked")
}

fn pingpong(n: u64) -> u64 {
    let (ping_tx, ping_rx) = sync_channel::<u64>(1);
    let (pong_tx, pong_rx) = sync_channel::<u64>(1);
    let ponger = thread::spawn(move || {
        while let Ok(x) = ping_rx.recv() {
            let _ = pong_tx.send(x + 1);
        }
        0
    });
    let pinger = thread::spawn(move || {
        let mut sum = 0u64;
        for i in 0..n {
            let _ = ping_tx.send(i);
            sum = sum.wrapping_add(pong_rx.recv().unwrap_or(0));
        }
        sum
    });
    let sum = join(pinger);
    join(ponger);
    sum
}

fn yields(k: u64, n: u64) -> u64 {
    let hs: Vec<_> = (0..k)
        .map(|j| {
            thread::spawn(move || {
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
        let hs: Vec<_> = (i..end).map(|t| thread::spawn(move || t)).collect();
        sum = hs.into_iter().fold(sum, |s, h| s.wrapping_add(join(h)));
        i = end;
    }
    sum
}

fn fib(n: u64, cutoff: u64) -> u64 {
    if n <= cutoff || n < 2 {
        return suite::fib_serial(n);
    }
    let a = thread::spawn(move || fib(n - 1, cutoff));
    let b = thread::spawn(move || fib(n - 2, cutoff));
    join(a).wrapping_add(join(b))
}

fn sum(data: &Arc<Vec<u64>>, chunk: usize) -> u64 {
    let hs: Vec<_> = (0..data.len())
        .step_by(chunk)
        .map(|start| {
            let d = data.clone();
            thread::spawn(move || suite::sum_squares(&d[start..(start + chunk).min(d.len())]))
        })
        .collect();
    hs.into_iter().fold(0u64, |s, h| s.wrapping_add(join(h)))
}

fn timers(n: u64) -> u64 {
    let hs: Vec<_> = (0..n)
        .map(|i| {
            thread::spawn(move || {
                let d = std::time::Duration::from_millis(1 + i % 20);
                let deadline = std::time::Instant::now() + d;
                thread::sleep(d);
                (i, std::time::Instant::now().saturating_duration_since(deadline).as_nanos() as u64)
            })
        })
        .collect();
    let mut late = Vec::with_capacity(n as usize);
    let mut sum = 0u64;
    for h in hs {
        let (i, l) = h.join().expect("thread panicked");
        sum += i;
        late.push(l);
    }
    suite::report_lateness(&late);
    sum
}

fn workqueue(r: u64, n: u64, cap: u64) -> u64 {
    let (tx, rx): (SyncSender<(u64, SyncSender<u64>)>, Receiver<_>) = sync_channel(cap as usize);
    let worker = thread::spawn(move || {
        while let Ok((v, reply)) = rx.recv() {
            let _ = reply.send(2 * v + 1);
        }
        0
    });
    let hs: Vec<_> = (0..r)
        .map(|q| {
            let tx = tx.clone();
            thread::spawn(move || {
                let mut sum = 0u64;
                for i in 0..n {
                    let (otx, orx) = sync_channel(1);
                    let _ = tx.send((q * n + i, otx));
                    sum = sum.wrapping_add(orx.recv().unwrap_or(0));
                }
                sum
            })
        })
        .collect();
    drop(tx);
    let sum = hs.into_iter().fold(0u64, |s, h| s.wrapping_add(join(h)));
    join(worker);
    sum
}

/// n threads wait on one condition variable; a failed spawn ends the run
/// with the count reached and the OS's reason.
fn million(n: u64) -> Result<u64, String> {
    let base = measure::rss_base();
    let started = std::time::Instant::now();
    let gate = Arc::new((Mutex::new((false, 0u64)), Condvar::new()));
    let mut hs = Vec::with_capacity(n as usize);
    let mut failure = None;
    for _ in 0..n {
        let g = gate.clone();
        match thread::Builder::new().spawn(move || {
            let (m, cv) = &*g;
            let mut st = m.lock().unwrap();
            st.1 += 1;
            cv.notify_all();
            while !st.0 {
                st = cv.wait(st).unwrap();
            }
            1u64
        }) {
            Ok(h) => hs.push(h),
            Err(e) => {
                failure = Some(format!("thread {} of {} could not be created: {}", hs.len() + 1, n, e));
                break;
            }
        }
    }
    let spawn_ns = started.elapsed().as_nanos() as f64;
    let spawned = hs.len() as u64;
    {
        let (m, cv) = &*gate;
        let mut st = m.lock().unwrap();
        while st.1 < spawned {
            st = cv.wait(st).unwrap();
        }
        if spawned > 0 {
            measure::extra("rss_per_task_bytes", measure::rss_now().saturating_sub(base) as f64 / spawned as f64);
            measure::extra("spawn_per_second", spawned as f64 / (spawn_ns / 1e9));
        }
        st.0 = true;
        cv.notify_all();
    }
    let sum = hs.into_iter().fold(0u64, |s, h| s + join(h));
    match failure {
        Some(e) => Err(e),
        None => Ok(sum),
    }
}

fn echo(c: u64, b: u64, r: u64) -> u64 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let load = loadgen::start(listener.local_addr().expect("addr"), c, b, r);
    let mut hs = Vec::with_capacity(c as usize);
    for _ in 0..c {
        let (mut sock, _) = listener.accept().expect("accept");
        let _ = sock.set_nodelay(true);
        hs.push(thread::spawn(move || {
            let mut buf = vec![0u8; b as usize];
            while sock.read_exact(&mut buf).is_ok() {
                if sock.write_all(&buf).is_err() {
                    break;
                }
            }
            0u64
        }));
    }
    for h in hs {
        join(h);
    }
    loadgen::finish(load)
}

fn ring(n: u64, laps: u64) -> u64 {
    let mut writers = Vec::with_capacity(n as usize);
    let mut readers = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let (w, r) = UnixStream::pair().expect("socketpair");
        writers.push(Some(w));
        readers.push(Some(r));
    }
    writers[0].as_mut().unwrap().write_all(&0u64.to_le_bytes()).expect("write");
    let hs: Vec<_> = (0..n as usize)
        .map(|i| {
            let mut rd = readers[i].take().unwrap();
            let mut wr = writers[(i + 1) % n as usize].take().unwrap();
            thread::spawn(move || {
                let mut tok = [0u8; 8];
                for _ in 0..laps {
                    rd.read_exact(&mut tok).expect("read");
                    wr.write_all(&(u64::from_le_bytes(tok) + 1).to_le_bytes()).expect("write");
                }
                if i == 0 {
                    rd.read_exact(&mut tok).expect("read");
                    return u64::from_le_bytes(tok);
                }
                0
            })
        })
        .collect();
    hs.into_iter().fold(0u64, |s, h| s + join(h))
}

pub fn cell(w: &str, ps: &Params, m: &Measure) -> Result<(), String> {
    let (n, k) = (p(ps, "n"), p(ps, "k"));
    match w {
        "pingpong" => m.run(|| pingpong(n)),
        "yield" => m.run(|| yields(k, n)),
        "spawn" => m.run(|| spawns(n)),
        "fib" => m.run(|| fib(n, p(ps, "cutoff"))),
        "sum" => {
            let data = suite::sum_data(n);
            m.run(|| sum(&data, p(ps, "chunk") as usize))
        }
        "timers" => m.run(|| timers(n)),
        "workqueue" => m.run(|| workqueue(p(ps, "r"), n, p(ps, "cap"))),
        "million" => {
            let mut failure = None;
            let r = m.run(|| match million(n) {
                Ok(s) => s,
                Err(e) => {
                    failure = Some(e);
                    0
                }
            });
            match failure {
                Some(e) => Err(e),
                None => r,
            }
        }
        "echo" => m.run(|| echo(p(ps, "c"), p(ps, "b"), p(ps, "r"))),
        "ring" => m.run(|| ring(n, p(ps, "laps"))),
        _ => Err(format!("std::thread has no workload {}", w)),
    }
}
