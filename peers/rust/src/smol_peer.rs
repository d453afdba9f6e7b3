//! smol's LocalExecutor on one thread, driven by async-io's block_on (which
//! polls the reactor when the executor is idle): a single-thread executor,
//! compared with switchbench's `single`.

use std::future::Future;

use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::{Async, LocalExecutor};

use crate::expect::p;
use crate::measure::Measure;
use crate::{async_suite, async_timers, loadgen, suite, Params};

thread_local! {
    static EX: LocalExecutor<'static> = LocalExecutor::new();
}

fn spawn<F>(f: F) -> smol::Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    EX.with(|ex| ex.spawn(f))
}

use smol::future::yield_now;

async fn sleep_ms(ms: u64) {
    smol::Timer::after(std::time::Duration::from_millis(ms)).await;
}

/// async-channel, the channel of smol and async-std; a oneshot is a bounded
/// channel of one.
pub mod ch {
    pub type Tx<T> = async_channel::Sender<T>;
    pub type Rx<T> = async_channel::Receiver<T>;
    pub type OTx<T> = async_channel::Sender<T>;
    pub type ORx<T> = async_channel::Receiver<T>;
    pub fn bounded<T>(cap: usize) -> (Tx<T>, Rx<T>) {
        async_channel::bounded(cap)
    }
    pub async fn send<T>(tx: &Tx<T>, v: T) {
        let _ = tx.send(v).await;
    }
    pub async fn recv<T>(rx: &mut Rx<T>) -> Option<T> {
        rx.recv().await.ok()
    }
    pub fn oneshot<T>() -> (OTx<T>, ORx<T>) {
        async_channel::bounded(1)
    }
    pub fn osend<T>(tx: OTx<T>, v: T) {
        let _ = tx.try_send(v);
    }
    pub async fn orecv<T>(rx: ORx<T>) -> Option<T> {
        rx.recv().await.ok()
    }
}

/// event-listener's Event, the notification primitive under smol.
pub mod ev {
    use std::sync::Arc;
    pub type Event = Arc<event_listener::Event>;
    pub fn new() -> Event {
        Arc::new(event_listener::Event::new())
    }
    pub fn listen(e: &Event) -> event_listener::EventListener {
        e.listen()
    }
    pub fn set(e: &Event) {
        e.notify(usize::MAX);
    }
}

async_suite!();
async_timers!();

async fn echo(c: u64, b: u64, r: u64) -> u64 {
    let listener = Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0)).expect("bind");
    let load = loadgen::start(listener.get_ref().local_addr().expect("addr"), c, b, r);
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
        let (w, r) = Async::<std::os::unix::net::UnixStream>::pair().expect("socketpair");
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

pub fn cell(w: &str, ps: &Params, m: &Measure) -> Result<(), String> {
    let run = |f: futures::future::BoxFuture<'static, u64>| EX.with(|ex| smol::block_on(ex.run(spawn(f))));
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
        _ => Err(format!("smol has no workload {}", w)),
    }
}
