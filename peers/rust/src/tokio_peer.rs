//! tokio, multi-thread and current_thread. The body of every run is itself
//! a spawned task (in block_on's root future every wake costs an extra
//! epoll_wait on current_thread), as tokio's users run it.

use std::future::Future;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::measure::Measure;
use crate::{async_cell, async_io, async_suite, async_timers, Params};

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
async_io!();

async fn bind_local() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind")
}

fn local_addr(l: &tokio::net::TcpListener) -> std::net::SocketAddr {
    l.local_addr().expect("local_addr")
}

fn set_nodelay(s: &tokio::net::TcpStream) {
    let _ = s.set_nodelay(true);
}

fn unix_pair() -> (tokio::net::UnixStream, tokio::net::UnixStream) {
    tokio::net::UnixStream::pair().expect("socketpair")
}

pub fn cell(w: &str, ps: &Params, workers: Option<usize>, m: &Measure) -> Result<(), String> {
    let rt = match workers {
        Some(n) => tokio::runtime::Builder::new_multi_thread().worker_threads(n).enable_all().build(),
        None => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    }
    .map_err(|e| format!("runtime: {}", e))?;
    let run = |f: futures::future::BoxFuture<'static, u64>| rt.block_on(async move { spawn(f).await });
    async_cell!(w, ps, m, run, "tokio")
}
