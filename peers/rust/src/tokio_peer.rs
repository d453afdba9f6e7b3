//! tokio, multi-thread and current_thread. The body of every run is itself
//! a spawned task (in block_on's root future every wake costs an extra
//! epoll_wait on current_thread), as tokio's users run it.

use std::future::Future;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::expect::p;
use crate::measure::Measure;
use crate::{async_suite, async_timers, loadgen, suite, Params};

fn spawn<F>(f: F) -> impl Future<Output = F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let h = tokio::spawn(f);
    async move { h.await.expect("task panicked") }
}

use tokio::task::yield_now;

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await
}

mod ch {
    pub type Tx<T> = tokio::sync::mpsc::Sender<T>;
    pub type Rx<T> = tokio::sync::mpsc::Receiver<T>;
    pub type OTx<T> = tokio::sync::oneshot::Sender<T>;
    pub type ORx<T> = tokio::sync::oneshot::Receiver<T>;
    pub fn bounded<T>(cap: usize) -> (Tx<T>, Rx<T>) {
        tokio::sync::mpsc::channel(cap)
    }
    pub async fn send<T>(tx: &Tx<T>, v: T) {
        let _ = tx.send(v).await;
    }
    pub async fn recv<T>(rx: &mut Rx<T>) -> Option<T> {
        rx.recv().await
    }
    pub fn oneshot<T>() -> (OTx<T>, ORx<T>) {
        tokio::sync::oneshot::channel()
    }
    pub fn osend<T>(tx: OTx<T>, v: T) {
        let _ = tx.send(v);
    }
    pub async fn orecv<T>(rx: ORx<T>) -> Option<T> {
        rx.await.ok()
    }
}

/// The million workload's event: a semaphore with no permits, opened wide.
mod ev {
    use std::sync::Arc;
    pub type Event = Arc<tokio::sync::Semaphore>;
    pub fn new() -> Event {
        Arc::new(tokio::sync::Semaphore::new(0))
    }
    pub fn listen(e: &Event) -> impl std::future::Future<Output = ()> {
        let e = e.clone();
        async move {
            e.acquire().await.expect("semaphore closed").forget();
        }
    }
    pub fn set(e: &Event) {
        e.add_permits(tokio::sync::Semaphore::MAX_PERMITS / 2);
    }
}

async_suite!();
async_timers!();

async fn echo(c: u64, b: u64, r: u64) -> u64 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
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
    let mut writers = Vec::with_capacity(n as usize);
    let mut readers = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let (w, r) = tokio::net::UnixStream::pair().expect("socketpair");
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
                // The final token comes back to link 0 after the last hop.
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

pub fn cell(w: &str, ps: &Params, workers: Option<usize>, m: &Measure) -> Result<(), String> {
    let rt = match workers {
        Some(n) => tokio::runtime::Builder::new_multi_thread().worker_threads(n).enable_all().build(),
        None => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    }
    .map_err(|e| format!("runtime: {}", e))?;
    let run = |f: futures::future::BoxFuture<'static, u64>| rt.block_on(async move { spawn(f).await });
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
        _ => Err(format!("tokio has no workload {}", w)),
    }
}
