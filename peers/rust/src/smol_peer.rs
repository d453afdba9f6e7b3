//! smol's LocalExecutor on one thread, driven by async-io's block_on (which
//! polls the reactor when the executor is idle): a single-thread executor,
//! compared with switchbench's `single`.

use std::future::Future;

use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::{Async, LocalExecutor};

use crate::measure::Measure;
use crate::{async_cell, async_io, async_suite, async_timers, Params};

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
async_io!();

async fn bind_local() -> Async<std::net::TcpListener> {
    Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0)).expect("bind")
}

fn local_addr(l: &Async<std::net::TcpListener>) -> std::net::SocketAddr {
    l.get_ref().local_addr().expect("local_addr")
}

type UnixPairEnd = Async<std::os::unix::net::UnixStream>;
fn set_nodelay(s: &Async<std::net::TcpStream>) {
    let _ = s.get_ref().set_nodelay(true);
}

fn unix_pair() -> (UnixPairEnd, UnixPairEnd) {
    Async::<std::os::unix::net::UnixStream>::pair().expect("socketpair")
}

pub fn cell(w: &str, ps: &Params, m: &Measure) -> Result<(), String> {
    let run = |f: futures::future::BoxFuture<'static, u64>| EX.with(|ex| smol::block_on(ex.run(spawn(f))));
    async_cell!(w, ps, m, run, "smol")
}
