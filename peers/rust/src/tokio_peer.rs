//! tokio, multi-thread (`tokio-mt`, worker_threads = workers, worker i
//! pinned to cpus[i % len] by on_thread_start) and current_thread
//! (`tokio-ct`, its one thread pinned to cpus[0]). The body of every run is
//! itself a spawned task, as tokio's users run it (in block_on's own future
//! every wake would cost current_thread an extra epoll_wait).

use std::future::Future;
use std::io::ErrorKind;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cli::{RunArgs, ServeArgs, Settings};
use crate::measure::Measure;
use crate::{async_cell, async_echo, async_io_cell, async_ring, async_suite, async_timers, echo_server, work};

/// A join handle whose await yields the task's output.
pub struct Join<T>(tokio::task::JoinHandle<T>);

impl<T> Future for Join<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|r| r.expect("task panicked"))
    }
}

/// tokio::spawn, counted.
fn spawn<F>(f: F) -> Join<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    work::tasks(1);
    Join(tokio::spawn(f))
}

use tokio::task::yield_now;

async fn sleep(d: std::time::Duration) {
    tokio::time::sleep(d).await
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

/// million's events: the gate a semaphore with no permits, opened wide; the
/// latch a Notify (notify_one keeps a permit if the root is not waiting yet).
mod ev {
    pub type Gate = tokio::sync::Semaphore;
    pub type Latch = tokio::sync::Notify;
    pub fn gate() -> Gate {
        tokio::sync::Semaphore::new(0)
    }
    pub async fn listen(g: &Gate) {
        g.acquire().await.expect("semaphore closed").forget()
    }
    pub fn set(g: &Gate) {
        g.add_permits(tokio::sync::Semaphore::MAX_PERMITS / 2);
    }
    pub fn latch() -> Latch {
        tokio::sync::Notify::new()
    }
    pub fn open(l: &Latch) {
        l.notify_one();
    }
    pub async fn wait(l: &Latch) {
        l.notified().await
    }
}

/// ring: one end of a socket pair, registered with the reactor in setup and
/// shared by reference (readable / try_read, writable / try_write).
type Link = tokio::net::UnixStream;

fn link_pair() -> Result<(Link, Link), String> {
    tokio::net::UnixStream::pair().map_err(|e| format!("socketpair: {}", e))
}

async fn read_token(l: &Link) -> u64 {
    let mut tok = [0u8; 8];
    let mut got = 0;
    while got < tok.len() {
        l.readable().await.expect("ring: readable");
        match l.try_read(&mut tok[got..]) {
            Ok(0) => panic!("ring: link closed"),
            Ok(k) => got += k,
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("ring: read: {}", e),
        }
    }
    u64::from_le_bytes(tok)
}

async fn write_token(l: &Link, v: u64) {
    let tok = v.to_le_bytes();
    let mut put = 0;
    while put < tok.len() {
        l.writable().await.expect("ring: writable");
        match l.try_write(&tok[put..]) {
            Ok(k) => put += k,
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("ring: write: {}", e),
        }
    }
}

async_suite!();
async_timers!();
async_ring!();

type Listener = tokio::net::TcpListener;
type Stream = tokio::net::TcpStream;

async fn accept(l: &Listener) -> std::io::Result<Stream> {
    l.accept().await.map(|(s, _)| s)
}

fn nodelay(s: &Stream) {
    let _ = s.set_nodelay(true);
}

fn spawn_detached<F: Future<Output = ()> + Send + 'static>(f: F) {
    drop(spawn(f)); // a dropped JoinHandle detaches its task
}

async_echo!();

struct Rt(tokio::runtime::Runtime);

impl Rt {
    /// multi: tokio-mt with s.workers workers, else current_thread on the
    /// calling thread.
    fn new(s: &Settings, multi: bool) -> Result<Rt, String> {
        let mut b = if multi {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(s.workers);
            if let Some(hook) = s.pin_hook() {
                b.on_thread_start(hook);
            }
            b
        } else {
            s.pin_one()?;
            tokio::runtime::Builder::new_current_thread()
        };
        b.enable_all().build().map(Rt).map_err(|e| format!("tokio runtime: {}", e))
    }

    /// The timed call: the body runs as a spawned task (not counted).
    fn block_on<T: Send + 'static>(&self, root: BoxFuture<'static, T>) -> T {
        self.0.block_on(async move { tokio::spawn(root).await.expect("the body panicked") })
    }

    /// Runs f in the runtime's context (streams made there are registered
    /// with its reactor).
    fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.0.enter();
        f()
    }
}

pub fn cell(a: &RunArgs, m: &Measure, multi: bool) -> Result<(), String> {
    let rt = Rt::new(&a.set, multi)?;
    match a.workload.as_str() {
        "timers" | "ring" => async_io_cell!(a, m, rt),
        _ => async_cell!(a, m, rt),
    }
}

pub fn serve(a: &ServeArgs, multi: bool, l: std::net::TcpListener) -> Result<i32, String> {
    l.set_nonblocking(true).map_err(|e| format!("listener: {}", e))?;
    if multi {
        let rt = Rt::new(&a.set, true)?;
        let l = rt.enter(|| Listener::from_std(l)).map_err(|e| format!("listener: {}", e))?;
        rt.0.spawn(accept_loop(l));
        return Ok(echo_server::control());
    }
    let set = Settings { workers: 1, cpus: a.set.cpus.clone() };
    echo_server::on_own_thread(
        move || {
            let rt = Rt::new(&set, false)?;
            let l = rt.enter(|| Listener::from_std(l)).map_err(|e| format!("listener: {}", e))?;
            Ok((rt, l))
        },
        |(rt, l)| rt.0.block_on(accept_loop(l)),
    )
}
