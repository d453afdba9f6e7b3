//! async-std's global multi-threaded executor (async-global-executor), with
//! its worker count set through ASYNC_STD_THREAD_COUNT before first use.

use std::future::Future;

use async_std::prelude::*;

use crate::expect::p;
use crate::measure::Measure;
use crate::smol_peer::{ch, ev};
use crate::{async_suite, async_timers, loadgen, suite, Params};

fn spawn<F>(f: F) -> async_std::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    async_std::task::spawn(f)
}

use async_std::task::yield_now;

async fn sleep_ms(ms: u64) {
    async_std::task::sleep(std::time::Duration::from_millis(ms)).await
}

async_suite!();
async_timers!();

async fn echo(c: u64, b: u64, r: u64) -> u64 {
    let listener = async_std::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let load = loadgen::start(listener.local_addr().expect("addr"), c, b, r);
    let mut handles = Vec::with_capacity(c as usize);
    for _ in 0..c {
        let (mut sock, _) = listener.accept().await.expect("accept");
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
    loadgen::finish(load)
}

async fn ring(n: u64, laps: u64) -> u64 {
    use async_std::os::unix::net::UnixStream;
    let mut writers = Vec::with_capacity(n as usize);
    let mut readers = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let (w, r) = UnixStream::pair().expect("socketpair");
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

pub fn cell(w: &str, ps: &Params, workers: usize, m: &Measure) -> Result<(), String> {
    // Read once, when the global executor starts (first block_on).
    std::env::set_var("ASYNC_STD_THREAD_COUNT", workers.to_string());
    let run = |f: futures::future::BoxFuture<'static, u64>| async_std::task::block_on(spawn(f));
    let (n, k) = (p(ps, "n"), p(ps, "k"));
    match w {
        "pingpong" => m.run(|| run(Box::pin(pingpong(n)))),
        "yield" => m.run(|| run(Box::pin(yields(k, n)))),
        "spawn" => m.run(|| run(Box::pin(spawns(n)))),
        "fib" => m.run(|| run(fib(n, p(ps, "cutoff")))),
        "sum" => {
            let data = suite::sum_data(n);
            m.run(|| run(Box::pin(sum(data.clone(), p(ps, "chunk")))))
        }
        "timers" => m.run(|| run(Box::pin(timers(n, p(ps, "blocking") != 0)))),
        "workqueue" => m.run(|| run(Box::pin(workqueue(p(ps, "r"), n, p(ps, "cap"))))),
        "million" => m.run(|| run(Box::pin(million(n)))),
        "echo" => m.run(|| run(Box::pin(echo(p(ps, "c"), p(ps, "b"), p(ps, "r"))))),
        "ring" => m.run(|| run(Box::pin(ring(n, p(ps, "laps"))))),
        _ => Err(format!("async-std has no workload {}", w)),
    }
}
