//! async-std's global multi-threaded executor (async-global-executor), with
//! its worker count set through ASYNC_STD_THREAD_COUNT before first use.

use std::future::Future;

use async_std::prelude::*;

use crate::measure::Measure;
use crate::smol_peer::{ch, ev};
use crate::{async_cell, async_io, async_suite, async_timers, Params};

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
async_io!();

async fn bind_local() -> async_std::net::TcpListener {
    async_std::net::TcpListener::bind("127.0.0.1:0").await.expect("bind")
}

fn local_addr(l: &async_std::net::TcpListener) -> std::net::SocketAddr {
    l.local_addr().expect("local_addr")
}

type UnixPairEnd = async_std::os::unix::net::UnixStream;
fn set_nodelay(s: &async_std::net::TcpStream) {
    let _ = s.set_nodelay(true);
}

fn unix_pair() -> (UnixPairEnd, UnixPairEnd) {
    UnixPairEnd::pair().expect("socketpair")
}

pub fn cell(w: &str, ps: &Params, workers: usize, m: &Measure) -> Result<(), String> {
    // Read once, when the global executor starts (first block_on).
    std::env::set_var("ASYNC_STD_THREAD_COUNT", workers.to_string());
    let run = |f: futures::future::BoxFuture<'static, u64>| async_std::task::block_on(spawn(f));
    async_cell!(w, ps, m, run, "async-std")
}
