//! The workloads of workloads/README.md written once for every async peer.
//! `async_suite!()` expands inside a peer module, where the names it uses
//! resolve to that runtime's own API: spawn (awaiting the handle yields the
//! output), yield_now, sleep_ms, the channel adapters in `ch`, and the event
//! adapters in `ev`. Each function returns the run's checksum.

#[macro_export]
macro_rules! async_suite {
    () => {
        /// Two tasks exchange n messages over two channels of capacity 1.
        pub async fn pingpong(n: u64) -> u64 {
            let (ping_tx, mut ping_rx) = ch::bounded::<u64>(1);
            let (pong_tx, mut pong_rx) = ch::bounded::<u64>(1);
            let ponger = spawn(async move {
                while let Some(x) = ch::recv(&mut ping_rx).await {
                    ch::send(&pong_tx, x + 1).await;
                }
                0u64
            });
            let pinger = spawn(async move {
                let mut sum = 0u64;
                for i in 0..n {
                    ch::send(&ping_tx, i).await;
                    sum = sum.wrapping_add(ch::recv(&mut pong_rx).await.unwrap_or(0));
                }
                drop(ping_tx);
                sum
            });
            let sum = pinger.await;
            ponger.await;
            sum
        }

        /// k tasks each yield n times; task j returns (j+1)*n.
        pub async fn yields(k: u64, n: u64) -> u64 {
            let mut handles = Vec::with_capacity(k as usize);
            for j in 0..k {
                handles.push(spawn(async move {
                    for _ in 0..n {
                        yield_now().await;
                    }
                    (j + 1) * n
                }));
            }
            let mut sum = 0u64;
            for h in handles {
                sum = sum.wrapping_add(h.await);
            }
            sum
        }

        /// Spawn trivial tasks in batches of 1024, join each batch in order.
        pub async fn spawns(n: u64) -> u64 {
            let mut sum = 0u64;
            let mut handles = Vec::with_capacity(1024);
            let mut i = 0u64;
            while i < n {
                let end = (i + 1024).min(n);
                for t in i..end {
                    handles.push(spawn(async move { t }));
                }
                for h in handles.drain(..) {
                    sum = sum.wrapping_add(h.await);
                }
                i = end;
            }
            sum
        }

        /// Fork-join fib: above the cutoff both halves are spawned tasks.
        /// Recursion through async needs a boxed future, as in any async Rust.
        pub fn fib(n: u64, cutoff: u64) -> futures::future::BoxFuture<'static, u64> {
            Box::pin(async move {
                if n <= cutoff || n < 2 {
                    return crate::suite::fib_serial(n);
                }
                let a = spawn(fib(n - 1, cutoff));
                let b = spawn(fib(n - 2, cutoff));
                a.await.wrapping_add(b.await)
            })
        }

        /// Sum of squares over data, a task per chunk.
        pub async fn sum(data: std::sync::Arc<Vec<u64>>, chunk: u64) -> u64 {
            let chunk = chunk as usize;
            let mut handles = Vec::new();
            let mut start = 0usize;
            while start < data.len() {
                let end = (start + chunk).min(data.len());
                let d = data.clone();
                handles.push(spawn(async move { crate::suite::sum_squares(&d[start..end]) }));
                start = end;
            }
            let mut total = 0u64;
            for h in handles {
                total = total.wrapping_add(h.await);
            }
            total
        }

        /// r requesters, one worker, requests over a bounded channel, replies
        /// over oneshots: the worker answers v with 2v+1.
        pub async fn workqueue(r: u64, n: u64, cap: u64) -> u64 {
            let (tx, mut rx) = ch::bounded::<(u64, ch::OTx<u64>)>(cap as usize);
            let worker = spawn(async move {
                while let Some((v, reply)) = ch::recv(&mut rx).await {
                    ch::osend(reply, 2 * v + 1);
                }
                0u64
            });
            let mut handles = Vec::with_capacity(r as usize);
            for q in 0..r {
                let tx = tx.clone();
                handles.push(spawn(async move {
                    let mut sum = 0u64;
                    for i in 0..n {
                        let (otx, orx) = ch::oneshot::<u64>();
                        ch::send(&tx, (q * n + i, otx)).await;
                        sum = sum.wrapping_add(ch::orecv(orx).await.unwrap_or(0));
                    }
                    sum
                }));
            }
            drop(tx);
            let mut sum = 0u64;
            for h in handles {
                sum = sum.wrapping_add(h.await);
            }
            worker.await;
            sum
        }

        /// n tasks wait on one event; RSS is sampled once all wait.
        pub async fn million(n: u64) -> u64 {
            let base = crate::measure::rss_base();
            let started = std::time::Instant::now();
            let waiting = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let event = ev::new();
            let mut handles = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let waiting = waiting.clone();
                let event = event.clone();
                handles.push(spawn(async move {
                    let w = ev::listen(&event);
                    waiting.fetch_add(1, std::sync::atomic::Ordering::Release);
                    w.await;
                    1u64
                }));
            }
            let spawn_ns = started.elapsed().as_nanos() as f64;
            while waiting.load(std::sync::atomic::Ordering::Acquire) < n {
                yield_now().await;
            }
            let rss = crate::measure::rss_now();
            crate::measure::extra("rss_per_task_bytes", rss.saturating_sub(base) as f64 / n as f64);
            crate::measure::extra("spawn_per_second", n as f64 / (spawn_ns / 1e9));
            ev::set(&event);
            let mut sum = 0u64;
            for h in handles {
                sum = sum.wrapping_add(h.await);
            }
            sum
        }
    };
}

/// The timers workload, for the peers that have a timer (sleep_ms).
#[macro_export]
macro_rules! async_timers {
    () => {
        /// n tasks sleep (1 + i mod 20) ms through the runtime's timer
        /// (blocking = false) or std::thread::sleep (the pitfall).
        pub async fn timers(n: u64, blocking: bool) -> u64 {
            let late = std::sync::Arc::new(std::sync::Mutex::new(Vec::with_capacity(n as usize)));
            let mut handles = Vec::with_capacity(n as usize);
            for i in 0..n {
                let late = late.clone();
                handles.push(spawn(async move {
                    let ms = 1 + i % 20;
                    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(ms);
                    if blocking {
                        std::thread::sleep(std::time::Duration::from_millis(ms));
                    } else {
                        sleep_ms(ms).await;
                    }
                    let now = std::time::Instant::now();
                    let ns = now.saturating_duration_since(deadline).as_nanos() as u64;
                    late.lock().unwrap().push(ns);
                    i
                }));
            }
            let mut sum = 0u64;
            for h in handles {
                sum = sum.wrapping_add(h.await);
            }
            crate::suite::report_lateness(&late.lock().unwrap());
            sum
        }

    };
}

/// echo and ring for the async peers with a reactor. The module provides
/// bind_local (a listener on 127.0.0.1, any port), local_addr, set_nodelay
/// (TCP_NODELAY on an accepted stream, as the C server and loadgen set it)
/// and unix_pair (a connected AF_UNIX stream pair), and brings its runtime's
/// AsyncReadExt/AsyncWriteExt into scope.
#[macro_export]
macro_rules! async_io {
    () => {
        /// The server side of echo: accept exactly c connections, a task per
        /// connection echoing b-byte requests until EOF; the load runs on its
        /// own thread, outside the runtime.
        async fn echo(c: u64, b: u64, r: u64) -> u64 {
            let listener = bind_local().await;
            let load = $crate::loadgen::start(local_addr(&listener), c, b, r);
            let mut handles = Vec::with_capacity(c as usize);
            for _ in 0..c {
                let (mut sock, _) = listener.accept().await.expect("accept");
                set_nodelay(&sock);
                handles.push(spawn(async move {
                    let mut buf = vec![0u8; b as usize];
                    while sock.read_exact(&mut buf).await.is_ok() {
                        if sock.write_all(&buf).await.is_err() {
                            break;
                        }
                    }
                    0u64
                }));
            }
            for h in handles {
                h.await;
            }
            $crate::loadgen::finish(load)
        }

        /// A token around n tasks over socketpairs, laps times; task 0 reads
        /// the final token.
        async fn ring(n: u64, laps: u64) -> u64 {
            let mut writers = Vec::with_capacity(n as usize);
            let mut readers = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let (w, r) = unix_pair();
                writers.push(Some(w));
                readers.push(Some(r));
            }
            writers[0].as_mut().unwrap().write_all(&0u64.to_le_bytes()).await.expect("write");
            let mut handles = Vec::with_capacity(n as usize);
            for i in 0..n as usize {
                let mut rd = readers[i].take().unwrap();
                let mut wr = writers[(i + 1) % n as usize].take().unwrap();
                handles.push(spawn(async move {
                    let mut tok = [0u8; 8];
                    for _ in 0..laps {
                        rd.read_exact(&mut tok).await.expect("read");
                        let v = u64::from_le_bytes(tok) + 1;
                        wr.write_all(&v.to_le_bytes()).await.expect("write");
                    }
                    if i == 0 {
                        rd.read_exact(&mut tok).await.expect("read");
                        return u64::from_le_bytes(tok);
                    }
                    0
                }));
            }
            let mut last = 0;
            for h in handles {
                last += h.await;
            }
            last
        }
    };
}

/// Runs workload w of an async peer that has every workload (the suite,
/// timers and I/O); `run` drives one boxed root future to its checksum.
#[macro_export]
macro_rules! async_cell {
    ($w:expr, $ps:expr, $m:expr, $run:ident, $what:expr) => {{
        let p = |name: &str| $crate::expect::p($ps, name);
        let (n, k) = (p("n"), p("k"));
        match $w {
            "pingpong" => $m.run(|| $run(Box::pin(pingpong(n)))),
            "yield" => $m.run(|| $run(Box::pin(yields(k, n)))),
            "spawn" => $m.run(|| $run(Box::pin(spawns(n)))),
            "fib" => $m.run(|| $run(fib(n, p("cutoff")))),
            "sum" => {
                let data = $crate::suite::sum_data(n);
                $m.run(|| $run(Box::pin(sum(data.clone(), p("chunk")))))
            }
            "timers" => $m.run(|| $run(Box::pin(timers(n, p("blocking") != 0)))),
            "workqueue" => $m.run(|| $run(Box::pin(workqueue(p("r"), n, p("cap"))))),
            "million" => $m.run(|| $run(Box::pin(million(n)))),
            "echo" => $m.run(|| $run(Box::pin(echo(p("c"), p("b"), p("r"))))),
            "ring" => $m.run(|| $run(Box::pin(ring(n, p("laps"))))),
            _ => Err(format!("{} has no workload {}", $what, $w)),
        }
    }};
}

pub fn fib_serial(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_serial(n - 1).wrapping_add(fib_serial(n - 2))
    }
}

pub fn sum_squares(d: &[u64]) -> u64 {
    d.iter().fold(0u64, |s, &x| s.wrapping_add(x.wrapping_mul(x)))
}

/// The data of the sum workload: a[i] = i.
pub fn sum_data(n: u64) -> std::sync::Arc<Vec<u64>> {
    std::sync::Arc::new((0..n).collect())
}

pub fn report_lateness(late: &[u64]) {
    let mut v = late.to_vec();
    v.sort_unstable();
    crate::measure::extra("late_p50_ns", crate::measure::percentile(&v, 0.50));
    crate::measure::extra("late_p99_ns", crate::measure::percentile(&v, 0.99));
    crate::measure::extra("late_max_ns", v.last().copied().unwrap_or(0) as f64);
}
