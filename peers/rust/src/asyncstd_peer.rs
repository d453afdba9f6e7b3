//! async-std's global multi-threaded executor (async-global-executor), its
//! worker count set through ASYNC_STD_THREAD_COUNT before it starts. It has
//! no thread-start hook, so a CPU list confines the whole process (every
//! thread it starts inherits the mask) instead of pinning each worker.

use std::future::Future;

use async_std::prelude::*;
use futures::future::BoxFuture;

use crate::cli::{RunArgs, ServeArgs, Settings};
use crate::measure::Measure;
use crate::smol_peer::{ch, ev};
use crate::{async_cell, async_echo, async_io_cell, async_ring, async_suite, async_timers, echo_server, work};

pub type Join<T> = async_std::task::JoinHandle<T>;

/// async_std::task::spawn, counted.
fn spawn<F>(f: F) -> Join<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    work::tasks(1);
    async_std::task::spawn(f)
}

use async_std::task::yield_now;

async fn sleep(d: std::time::Duration) {
    async_std::task::sleep(d).await
}

/// ring: one end of a socket pair, shared by reference (async-std reads and
/// writes through &UnixStream).
type Link = async_std::os::unix::net::UnixStream;

fn link_pair() -> Result<(Link, Link), String> {
    Link::pair().map_err(|e| format!("socketpair: {}", e))
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

type Listener = async_std::net::TcpListener;
type Stream = async_std::net::TcpStream;

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

struct Rt;

impl Rt {
    /// Sets the worker count and the CPU mask the executor's threads will
    /// inherit; both are read when the executor starts, at the first spawn.
    fn new(s: &Settings) -> Result<Rt, String> {
        std::env::set_var("ASYNC_STD_THREAD_COUNT", s.workers.to_string());
        s.confine()?;
        Ok(Rt)
    }

    /// The timed call: the body runs as a spawned task (not counted).
    fn block_on<T: Send + 'static>(&self, root: BoxFuture<'static, T>) -> T {
        async_std::task::block_on(async_std::task::spawn(root))
    }

    fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        f()
    }
}

pub fn cell(a: &RunArgs, m: &Measure) -> Result<(), String> {
    let rt = Rt::new(&a.set)?;
    match a.workload.as_str() {
        "timers" | "ring" => async_io_cell!(a, m, rt),
        _ => async_cell!(a, m, rt),
    }
}

pub fn serve(a: &ServeArgs, l: std::net::TcpListener) -> Result<i32, String> {
    Rt::new(&a.set)?;
    let l = Listener::from(l);
    async_std::task::spawn(accept_loop(l));
    Ok(echo_server::control())
}
