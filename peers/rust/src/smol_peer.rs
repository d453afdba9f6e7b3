//! smol's LocalExecutor on one thread (pinned to cpus[0]), driven by
//! async-io's block_on, which polls the reactor when the executor is idle:
//! a single-thread executor, read beside switchbench's `single`. Its
//! channel and event adapters serve async-std and futures-local too.

use std::future::Future;

use futures::future::BoxFuture;
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::{Async, LocalExecutor};

use crate::cli::{RunArgs, ServeArgs, Settings};
use crate::measure::Measure;
use crate::{async_cell, async_echo, async_io_cell, async_ring, async_suite, async_timers, echo_server, work};

thread_local! {
    static EX: LocalExecutor<'static> = const { LocalExecutor::new() };
}

pub type Join<T> = smol::Task<T>;

/// LocalExecutor::spawn on this thread's executor, counted.
fn spawn<F>(f: F) -> Join<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    work::tasks(1);
    EX.with(|ex| ex.spawn(f))
}

use smol::future::yield_now;

async fn sleep(d: std::time::Duration) {
    smol::Timer::after(d).await;
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

/// million's events from event-listener, the notification primitive under
/// smol: the gate an Event every task listens on; the latch a flag and an
/// Event, checked after listening so the root never misses the opening.
pub mod ev {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

    pub type Gate = event_listener::Event;
    pub struct Latch {
        open: AtomicBool,             // set once by the last task in
        event: event_listener::Event, // notified after open is set
    }
    pub fn gate() -> Gate {
        event_listener::Event::new()
    }
    pub fn listen(g: &Gate) -> event_listener::EventListener {
        g.listen()
    }
    pub fn set(g: &Gate) {
        g.notify(usize::MAX);
    }
    pub fn latch() -> Latch {
        Latch { open: AtomicBool::new(false), event: event_listener::Event::new() }
    }
    /// SeqCst, as event-listener's own example: the store and the waiter's
    /// second load are ordered against the listener's registration.
    pub fn open(l: &Latch) {
        l.open.store(true, SeqCst);
        l.event.notify(usize::MAX);
    }
    pub async fn wait(l: &Latch) {
        loop {
            if l.open.load(SeqCst) {
                return;
            }
            let listener = l.event.listen();
            if l.open.load(SeqCst) {
                return;
            }
            listener.await;
        }
    }
}

/// ring: one end of a socket pair, shared by reference (async-io reads and
/// writes through &Async<UnixStream>).
type Link = Async<std::os::unix::net::UnixStream>;

fn link_pair() -> Result<(Link, Link), String> {
    Async::<std::os::unix::net::UnixStream>::pair().map_err(|e| format!("socketpair: {}", e))
}

async fn read_token(l: &Link) -> u64 {
    crate::suite::read_token(l).await
}

async fn write_token(l: &Link, v: u64) {
    crate::suite::write_token(l, v).await
}

async_suite!();
async_timers!();
async_ring!();

type Listener = Async<std::net::TcpListener>;
type Stream = Async<std::net::TcpStream>;

async fn accept(l: &Listener) -> std::io::Result<Stream> {
    l.accept().await.map(|(s, _)| s)
}

fn nodelay(s: &Stream) {
    let _ = s.get_ref().set_nodelay(true);
}

fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
    spawn(f).detach();
}

async_echo!();

struct Rt;

impl Rt {
    /// The timed call: the body runs as a spawned task (not counted).
    fn block_on<T: 'static>(&self, root: BoxFuture<'static, T>) -> T {
        EX.with(|ex| smol::block_on(ex.run(ex.spawn(root))))
    }

    fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        f()
    }
}

pub fn cell(a: &RunArgs, m: &Measure) -> Result<(), String> {
    a.set.pin_one()?;
    let rt = Rt;
    match a.workload.as_str() {
        "timers" | "ring" => async_io_cell!(a, m, rt),
        _ => async_cell!(a, m, rt),
    }
}

pub fn serve(a: &ServeArgs, l: std::net::TcpListener) -> Result<i32, String> {
    let set = Settings { workers: 1, cpus: a.set.cpus.clone() };
    echo_server::on_own_thread(
        move || set.pin_one().and_then(|()| Async::new(l).map_err(|e| format!("listener: {}", e))),
        |l| EX.with(|ex| smol::block_on(ex.run(accept_loop(l)))),
    )
}
