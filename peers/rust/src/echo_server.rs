//! `serve`: the echo server of workloads/PROTOCOL.md section 6, driven by
//! the harness's load generator. The server accepts on the listening socket
//! it inherits (never one of its own), runs a task (or thread) per
//! connection, and answers the control protocol on stdin/stdout:
//!
//!   (server ready)  -> `ready`
//!   `stats`         -> one JSON object: connections, bytes, sum, tasks,
//!                      ctx_switches, peak_rss_bytes (totals since start)
//!   `reset_peak`    -> writes 5 to /proc/self/clear_refs, then `ok`
//!   EOF on stdin    -> exit 0

use std::io::BufRead;
use std::os::unix::io::FromRawFd;
use std::sync::atomic::{AtomicU64, Ordering::Acquire, Ordering::Relaxed, Ordering::Release};
use std::time::Duration;

use crate::{sys, work};

/// Connections served to EOF.
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes echoed by the connections served.
static BYTES: AtomicU64 = AtomicU64::new(0);
/// Sum of the bytes echoed by the connections served (mod 2^64).
static SUM: AtomicU64 = AtomicU64::new(0);

/// A connection reached EOF after echoing `bytes` bytes summing to `sum`.
/// Its tallies are added first and the connection counted last (Release),
/// so a reader that sees the count (Acquire) sees the tallies.
pub fn served(bytes: u64, sum: u64) {
    BYTES.fetch_add(bytes, Relaxed);
    SUM.fetch_add(sum, Relaxed);
    CONNECTIONS.fetch_add(1, Release);
}

/// The byte sum of one read, added into a connection's running sum.
pub fn add_bytes(sum: u64, buf: &[u8]) -> u64 {
    buf.iter().fold(sum, |s, &x| s.wrapping_add(x as u64))
}

/// The connection loop's buffer: a read takes up to this many bytes.
pub const BUF: usize = 4096;

/// The inherited listening socket, checked to be one.
pub fn listener(fd: i32) -> Result<std::net::TcpListener, String> {
    let mut on: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most len bytes into `on`.
    let rc = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN, &mut on as *mut _ as *mut libc::c_void, &mut len)
    };
    if rc != 0 {
        return Err(format!("--listen-fd {}: {}", fd, std::io::Error::last_os_error()));
    }
    if on == 0 {
        return Err(format!("--listen-fd {} is not a listening socket", fd));
    }
    // SAFETY: fd is an open listening socket handed to this process, which
    // owns it from here on.
    Ok(unsafe { std::net::TcpListener::from_raw_fd(fd) })
}

/// How long to wait after a failed accept (EMFILE, ENOBUFS ...) before the
/// next: 1 ms doubling to 100 ms, back to 1 ms after a success, as the C
/// server does.
#[derive(Default)]
pub struct Backoff(u64);

impl Backoff {
    pub fn next(&mut self) -> Duration {
        self.0 = if self.0 == 0 { 1 } else { (self.0 * 2).min(100) };
        Duration::from_millis(self.0)
    }
    pub fn reset(&mut self) {
        self.0 = 0;
    }
}

fn stats() -> Result<String, String> {
    // The count first (Acquire): the tallies of every counted connection
    // and the spawns that made them are visible after it.
    let connections = CONNECTIONS.load(Acquire);
    Ok(format!(
        "{{\"connections\":{},\"bytes\":{},\"sum\":{},\"tasks\":{},\"ctx_switches\":{},\"peak_rss_bytes\":{}}}",
        connections,
        BYTES.load(Relaxed),
        SUM.load(Relaxed),
        work::total().tasks,
        sys::usage().switches,
        sys::peak_rss()?
    ))
}

/// Says `ready`, then answers the control lines until EOF on stdin.
/// Returns the exit status.
pub fn control() -> i32 {
    println!("ready");
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("sb-peer-rust: serve: stdin: {}", e);
                return 1;
            }
        };
        let answer = match line.trim() {
            "stats" => stats(),
            "reset_peak" => sys::reset_peak_rss().map(|()| "ok".to_string()),
            "" => continue,
            other => Err(format!("unknown control line '{}'", other)),
        };
        match answer {
            Ok(a) => println!("{}", a),
            Err(e) => {
                eprintln!("sb-peer-rust: serve: {}", e);
                return 1;
            }
        }
    }
    0
}

/// Serves from a thread of its own (the single-thread runtimes, whose one
/// thread is the server) while this thread answers the control protocol.
/// `start` pins the thread, makes the runtime and registers the listener;
/// `forever` then serves. Returns the exit status of `control`.
pub fn on_own_thread<S, F, G>(start: F, forever: G) -> Result<i32, String>
where
    S: 'static,
    F: FnOnce() -> Result<S, String> + Send + 'static,
    G: FnOnce(S) + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || match start() {
        Ok(server) => {
            let _ = tx.send(Ok(()));
            forever(server);
        }
        Err(e) => {
            let _ = tx.send(Err(e));
        }
    });
    rx.recv().map_err(|_| "the server thread ended before it was ready".to_string())??;
    Ok(control())
}

/// The echo server for an async peer. The module provides `Listener`,
/// `Stream`, `accept`, `nodelay`, `spawn_detached` (counted), `sleep` and
/// its runtime's AsyncReadExt / AsyncWriteExt.
#[macro_export]
macro_rules! async_echo {
    () => {
        /// Read up to 4096 bytes, add each to the sum, write them all back,
        /// until EOF; then close and count the connection served.
        async fn echo_conn(mut s: Stream) {
            nodelay(&s);
            let mut buf = vec![0u8; $crate::echo_server::BUF];
            let (mut bytes, mut sum) = (0u64, 0u64);
            loop {
                let k = match s.read(&mut buf).await {
                    Ok(0) => break,
                    Ok(k) => k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => return,
                };
                sum = $crate::echo_server::add_bytes(sum, &buf[..k]);
                bytes += k as u64;
                if s.write_all(&buf[..k]).await.is_err() {
                    return;
                }
            }
            drop(s);
            $crate::echo_server::served(bytes, sum);
        }

        /// Accepts forever, a task per connection.
        async fn accept_loop(l: Listener) {
            let mut backoff = $crate::echo_server::Backoff::default();
            loop {
                match accept(&l).await {
                    Ok(s) => {
                        backoff.reset();
                        spawn_detached(echo_conn(s));
                    }
                    Err(_) => sleep(backoff.next()).await,
                }
            }
        }
    };
}
