//! The workloads of workloads/README.md, written once for every async peer
//! and measured as workloads/PROTOCOL.md section 5 says. `async_suite!()`
//! expands inside a peer module, where the names it uses resolve to that
//! runtime's own API: `spawn` (counted; returns a `Join<T>` whose await
//! yields the output), `yield_now`, the channel adapters in `ch` and the
//! million events in `ev`. `async_timers!()` and `async_ring!()` add the
//! workloads that need a reactor (`sleep`, and the `Link` adapters).

/// Channel workloads, spawn, fib, sum and million.
#[macro_export]
macro_rules! async_suite {
    () => {
        /// The pinger, then the ponger, over two channels of capacity 1;
        /// returns the pinger's sum and how many pings the ponger answered.
        pub async fn pingpong(n: u64) -> (u64, u64) {
            let (ping_tx, mut ping_rx) = ch::bounded::<u64>(1);
            let (pong_tx, mut pong_rx) = ch::bounded::<u64>(1);
            let pinger = spawn(async move {
                let (mut sum, mut got) = (0u64, 0u64);
                for i in 0..n {
                    ch::send(&ping_tx, i).await;
                    if let Some(x) = ch::recv(&mut pong_rx).await {
                        sum = sum.wrapping_add(x);
                        got += 1;
                    }
                }
                drop(ping_tx);
                $crate::work::messages(got);
                sum
            });
            let ponger = spawn(async move {
                let mut answered = 0u64;
                while let Some(x) = ch::recv(&mut ping_rx).await {
                    answered += 1;
                    ch::send(&pong_tx, x + 1).await;
                }
                $crate::work::messages(answered);
                answered
            });
            let sum = pinger.await;
            (sum, ponger.await)
        }

        /// k tasks each yield n times; task j returns (j+1)*n.
        pub async fn yields(k: u64, n: u64) -> u64 {
            let mut hs = Vec::with_capacity(k as usize);
            for j in 0..k {
                hs.push(spawn(async move {
                    for _ in 0..n {
                        yield_now().await;
                    }
                    (j + 1) * n
                }));
            }
            let mut sum = 0u64;
            for h in hs {
                sum = sum.wrapping_add(h.await);
            }
            sum
        }

        /// Trivial tasks in batches of up to 1024, each batch joined in order.
        pub async fn spawns(n: u64) -> u64 {
            let mut sum = 0u64;
            let mut hs = Vec::with_capacity(1024);
            let mut i = 0u64;
            while i < n {
                let end = (i + 1024).min(n);
                for t in i..end {
                    hs.push(spawn(async move { t }));
                }
                for h in hs.drain(..) {
                    sum = sum.wrapping_add(h.await);
                }
                i = end;
            }
            sum
        }

        /// Above the cutoff both halves are spawned tasks. Recursion through
        /// async needs a boxed future, as in any async Rust.
        pub fn fib(n: u64, cutoff: u64) -> futures::future::BoxFuture<'static, u64> {
            Box::pin(async move {
                if n <= cutoff || n < 2 {
                    return $crate::suite::fib_serial(n);
                }
                let a = spawn(fib(n - 1, cutoff));
                let b = spawn(fib(n - 2, cutoff));
                a.await.wrapping_add(b.await)
            })
        }

        /// Sum of squares over data (built in setup), a task per chunk.
        pub async fn sum(data: std::sync::Arc<Vec<u64>>, chunk: u64) -> u64 {
            let chunk = chunk as usize;
            let mut hs = Vec::with_capacity((data.len() + chunk - 1) / chunk);
            let mut start = 0usize;
            while start < data.len() {
                let end = (start + chunk).min(data.len());
                let d = data.clone();
                hs.push(spawn(async move { $crate::suite::sum_squares(&d[start..end]) }));
                start = end;
            }
            let mut total = 0u64;
            for h in hs {
                total = total.wrapping_add(h.await);
            }
            total
        }

        /// The worker, then r requesters; requests (v, oneshot) over a
        /// bounded channel of capacity cap, the worker answers 2v+1.
        pub async fn workqueue(r: u64, n: u64, cap: u64) -> u64 {
            let (tx, mut rx) = ch::bounded::<(u64, ch::OTx<u64>)>(cap as usize);
            let worker = spawn(async move {
                let mut got = 0u64;
                while let Some((v, reply)) = ch::recv(&mut rx).await {
                    got += 1;
                    ch::osend(reply, 2 * v + 1);
                }
                $crate::work::messages(got);
                0u64
            });
            let mut hs = Vec::with_capacity(r as usize);
            for q in 0..r {
                let tx = tx.clone();
                hs.push(spawn(async move {
                    let (mut sum, mut got) = (0u64, 0u64);
                    for i in 0..n {
                        let (otx, orx) = ch::oneshot::<u64>();
                        ch::send(&tx, (q * n + i, otx)).await;
                        if let Some(x) = ch::orecv(orx).await {
                            sum = sum.wrapping_add(x);
                            got += 1;
                        }
                    }
                    $crate::work::messages(got);
                    sum
                }));
            }
            drop(tx);
            let mut sum = 0u64;
            for h in hs {
                sum = sum.wrapping_add(h.await);
            }
            worker.await;
            sum
        }

        /// What million's tasks share: how many counted in, the event they
        /// wait on, the latch the last one in opens for the root.
        pub struct MillionShared {
            counted_in: std::sync::atomic::AtomicU64,
            go: ev::Gate,
            all_in: ev::Latch,
        }

        /// n tasks count themselves in and wait on one event; the last one
        /// in wakes the root, which reads VmRSS and VmSize, sets the event
        /// and joins all in order. hs: the join-handle slots of setup, all
        /// None, handed back for the next run.
        pub async fn million(
            n: u64,
            mut hs: Vec<Option<Join<u64>>>,
        ) -> (Result<$crate::counters::MillionRun, String>, Vec<Option<Join<u64>>>) {
            use std::sync::atomic::Ordering::AcqRel;
            let sh = std::sync::Arc::new(MillionShared {
                counted_in: std::sync::atomic::AtomicU64::new(0),
                go: ev::gate(),
                all_in: ev::latch(),
            });
            let t0 = std::time::Instant::now();
            for slot in hs.iter_mut() {
                let sh = sh.clone();
                *slot = Some(spawn(async move {
                    // Listening before counting in: the root sets go only
                    // after every task counted in, so no task misses it.
                    let w = ev::listen(&sh.go);
                    // AcqRel: the task that makes the count n has seen
                    // every other task's increment; one RMW chain, so
                    // exactly one task sees n.
                    if sh.counted_in.fetch_add(1, AcqRel) + 1 == n {
                        ev::open(&sh.all_in);
                    }
                    w.await;
                    1u64
                }));
            }
            let spawn_ns = t0.elapsed().as_nanos() as u64;
            ev::wait(&sh.all_in).await;
            let all_in_ns = t0.elapsed().as_nanos() as u64;
            let mem = $crate::sys::statm();
            ev::set(&sh.go);
            let mut sum = 0u64;
            for slot in hs.iter_mut() {
                sum += slot.take().expect("a spawned task").await;
            }
            let run =
                mem.map(|(vm, rss)| $crate::counters::MillionRun { sum, spawned: n, spawn_ns, all_in_ns, vm, rss });
            (run, hs)
        }
    };
}

/// timers, for the peers with a timer (`sleep`).
#[macro_export]
macro_rules! async_timers {
    () => {
        /// Task i sleeps d_i = (1 + i mod 20) ms through the runtime's timer
        /// (blocking = false) or thread::sleep (the pitfall); its deadline is
        /// read just before its spawn call; it stores its lateness in its
        /// own slot of late. hs: the join-handle slots of setup.
        pub async fn timers(
            blocking: bool,
            late: std::sync::Arc<Vec<std::sync::atomic::AtomicU64>>,
            mut hs: Vec<Option<Join<u64>>>,
        ) -> (u64, Vec<Option<Join<u64>>>) {
            for (i, slot) in hs.iter_mut().enumerate() {
                let d = std::time::Duration::from_millis(1 + i as u64 % $crate::counters::TIMER_PERIOD);
                let late = late.clone();
                let deadline = std::time::Instant::now() + d;
                *slot = Some(spawn(async move {
                    if blocking {
                        std::thread::sleep(d);
                    } else {
                        sleep(d).await;
                    }
                    let wake = std::time::Instant::now();
                    // Relaxed: read after the root joined this task.
                    let ns = wake.saturating_duration_since(deadline).as_nanos() as u64;
                    late[i].store(ns, std::sync::atomic::Ordering::Relaxed);
                    i as u64
                }));
            }
            let mut sum = 0u64;
            for slot in hs.iter_mut() {
                sum += slot.take().expect("a spawned task").await;
            }
            (sum, hs)
        }
    };
}

/// ring, for the peers with a reactor: `Link` is one end of a socket pair
/// made in setup, `read_token` / `write_token` move one 8-byte token.
#[macro_export]
macro_rules! async_ring {
    () => {
        /// links[i] = (the end written into, the end task i reads): task i
        /// reads link i and writes link i+1 mod n, laps times. The tasks are
        /// spawned, then the root writes the token 0 into link 0, joins
        /// them in order and reads the final token from link 0.
        pub async fn ring(links: std::sync::Arc<Vec<(Link, Link)>>, laps: u64) -> u64 {
            let n = links.len();
            let mut hs = Vec::with_capacity(n);
            for i in 0..n {
                let links = links.clone();
                hs.push(spawn(async move {
                    let (from, to) = (&links[i].1, &links[(i + 1) % n].0);
                    for _ in 0..laps {
                        let v = read_token(from).await;
                        write_token(to, v + 1).await;
                    }
                    $crate::work::messages(laps);
                    0u64
                }));
            }
            write_token(&links[0].0, 0).await;
            for h in hs {
                h.await;
            }
            read_token(&links[0].1).await
        }
    };
}

/// The cells of the workloads every async peer has. `$rt` has
/// `block_on(BoxFuture<'static, T>) -> T`, the timed call.
#[macro_export]
macro_rules! async_cell {
    ($a:expr, $m:expr, $rt:expr) => {{
        let a: &$crate::cli::RunArgs = $a;
        let p = |name: &str| $crate::expect::p(&a.params, name);
        let n = p("n");
        match a.workload.as_str() {
            "pingpong" => $m.run(|clk, _: &mut ()| {
                let root = Box::pin(pingpong(n));
                let (sum, answered) = clk.time(|| $rt.block_on(root));
                $crate::suite::check_answered(answered, n)?;
                Ok(sum)
            }),
            "yield" => $m.run(|clk, _: &mut ()| {
                let root = Box::pin(yields(p("k"), n));
                Ok(clk.time(|| $rt.block_on(root)))
            }),
            "spawn" => $m.run(|clk, _: &mut ()| {
                let root = Box::pin(spawns(n));
                Ok(clk.time(|| $rt.block_on(root)))
            }),
            "fib" => $m.run(|clk, _: &mut ()| {
                let root = fib(n, p("cutoff"));
                Ok(clk.time(|| $rt.block_on(root)))
            }),
            "sum" => {
                let data = $crate::suite::sum_data(n);
                $m.run(|clk, _: &mut ()| {
                    let root = Box::pin(sum(data.clone(), p("chunk")));
                    Ok(clk.time(|| $rt.block_on(root)))
                })
            }
            "workqueue" => $m.run(|clk, _: &mut ()| {
                let root = Box::pin(workqueue(p("r"), n, p("cap")));
                Ok(clk.time(|| $rt.block_on(root)))
            }),
            "million" => {
                // Written (None) before the baseline, so they are in it.
                let mut handles: Option<Vec<Option<Join<u64>>>> = Some((0..n).map(|_| None).collect());
                let base = $crate::sys::statm()?;
                $m.run(|clk, c: &mut $crate::counters::Million| {
                    let root = Box::pin(million(n, handles.take().expect("handles")));
                    let (run, hs) = clk.time(|| $rt.block_on(root));
                    handles = Some(hs);
                    let run = run?;
                    let sum = run.sum;
                    c.record(run, base);
                    Ok(sum)
                })
            }
            w => Err(format!("no workload {}", w)),
        }
    }};
}

/// The cells of timers and ring; `$rt` also has `enter(f)`, which runs f
/// inside the runtime's context (where its streams are registered).
#[macro_export]
macro_rules! async_io_cell {
    ($a:expr, $m:expr, $rt:expr) => {{
        let a: &$crate::cli::RunArgs = $a;
        let p = |name: &str| $crate::expect::p(&a.params, name);
        let n = p("n");
        match a.workload.as_str() {
            "timers" => {
                let late = $crate::suite::late_slots(n);
                let mut handles: Option<Vec<Option<Join<u64>>>> = Some((0..n).map(|_| None).collect());
                $m.run(|clk, c: &mut $crate::counters::Timers| {
                    let root = Box::pin(timers(p("blocking") == 1, late.clone(), handles.take().expect("handles")));
                    let (sum, hs) = clk.time(|| $rt.block_on(root));
                    handles = Some(hs);
                    c.record(&late);
                    Ok(sum)
                })
            }
            "ring" => {
                let links =
                    std::sync::Arc::new($rt.enter(|| (0..n).map(|_| link_pair()).collect::<Result<Vec<_>, String>>())?);
                $m.run(|clk, _: &mut ()| {
                    let root = Box::pin(ring(links.clone(), p("laps")));
                    Ok(clk.time(|| $rt.block_on(root)))
                })
            }
            w => Err(format!("no workload {}", w)),
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

/// timers: one lateness slot per task, made in setup.
pub fn late_slots(n: u64) -> std::sync::Arc<Vec<std::sync::atomic::AtomicU64>> {
    std::sync::Arc::new((0..n).map(|_| std::sync::atomic::AtomicU64::new(0)).collect())
}

/// pingpong: the ponger answers every ping.
pub fn check_answered(answered: u64, n: u64) -> Result<(), String> {
    if answered == n {
        Ok(())
    } else {
        Err(format!("the ponger answered {} pings, expected {}", answered, n))
    }
}

/// ring's token over any futures-io stream (smol's and async-std's links,
/// read and written by reference).
pub async fn read_token<R: futures::io::AsyncRead + Unpin>(mut from: R) -> u64 {
    use futures::io::AsyncReadExt;
    let mut tok = [0u8; 8];
    from.read_exact(&mut tok).await.expect("ring: read");
    u64::from_le_bytes(tok)
}

pub async fn write_token<W: futures::io::AsyncWrite + Unpin>(mut to: W, v: u64) {
    use futures::io::AsyncWriteExt;
    to.write_all(&v.to_le_bytes()).await.expect("ring: write");
}
