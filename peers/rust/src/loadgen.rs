//! The echo load generator, outside the runtime under test: one OS thread
//! with its own mio (epoll) loop drives c connections, each doing r round
//! trips of b bytes, and records each round trip's latency.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::Instant;

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use crate::expect::echo_byte;

pub struct Load {
    pub checksum: u64,
    pub latencies_ns: Vec<u64>,
}

struct Conn {
    sock: Option<TcpStream>,
    k: u64,
    round: u64,
    written: usize,
    read: usize,
    out: Vec<u8>,
    inb: Vec<u8>,
    t0: Instant,
}

impl Conn {
    fn fill(&mut self) {
        let (k, i) = (self.k, self.round);
        for (j, byte) in self.out.iter_mut().enumerate() {
            *byte = echo_byte(k, i, j as u64);
        }
        self.written = 0;
        self.read = 0;
        self.t0 = Instant::now();
    }
}

/// Runs the whole load against addr; returns when every connection is done.
pub fn run(addr: SocketAddr, c: u64, b: u64, r: u64) -> Result<Load, String> {
    let mut poll = Poll::new().map_err(|e| format!("epoll: {}", e))?;
    let mut conns = Vec::with_capacity(c as usize);
    for k in 0..c {
        let mut sock = TcpStream::connect(addr).map_err(|e| format!("connect: {}", e))?;
        // As the C load generator: requests go out at once (no Nagle).
        let _ = sock.set_nodelay(true);
        poll.registry()
            .register(&mut sock, Token(k as usize), Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| format!("register: {}", e))?;
        let mut conn = Conn {
            sock: Some(sock),
            k,
            round: 0,
            written: 0,
            read: 0,
            out: vec![0; b as usize],
            inb: vec![0; b as usize],
            t0: Instant::now(),
        };
        conn.fill();
        conns.push(conn);
    }
    let mut load = Load { checksum: 0, latencies_ns: Vec::with_capacity((c * r) as usize) };
    let mut done = 0u64;
    let mut events = Events::with_capacity(1024);
    while done < c {
        poll.poll(&mut events, None).map_err(|e| format!("epoll_wait: {}", e))?;
        for ev in events.iter() {
            let conn = &mut conns[ev.token().0];
            if drive(conn, r, &mut load)? {
                conn.sock = None; // closing tells the server's task to finish
                done += 1;
            }
        }
    }
    Ok(load)
}

/// Moves one connection as far as its socket allows. Returns true when its
/// last round trip is done.
fn drive(conn: &mut Conn, r: u64, load: &mut Load) -> Result<bool, String> {
    let b = conn.out.len();
    loop {
        let sock = match conn.sock.as_mut() {
            Some(s) => s,
            None => return Ok(false),
        };
        if conn.written < b {
            match sock.write(&conn.out[conn.written..]) {
                Ok(n) => conn.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::NotConnected => return Ok(false),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("write: {}", e)),
            }
            continue;
        }
        match sock.read(&mut conn.inb[conn.read..]) {
            Ok(0) => return Err("server closed the connection early".into()),
            Ok(n) => conn.read += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("read: {}", e)),
        }
        if conn.read < b {
            continue;
        }
        if conn.inb != conn.out {
            return Err(format!("connection {} round {}: echoed bytes differ", conn.k, conn.round));
        }
        load.latencies_ns.push(conn.t0.elapsed().as_nanos() as u64);
        load.checksum = conn.inb.iter().fold(load.checksum, |s, &x| s.wrapping_add(x as u64));
        conn.round += 1;
        if conn.round == r {
            return Ok(true);
        }
        conn.fill();
    }
}

/// Starts the load on its own thread.
pub fn start(addr: SocketAddr, c: u64, b: u64, r: u64) -> std::thread::JoinHandle<Result<Load, String>> {
    std::thread::spawn(move || run(addr, c, b, r))
}

/// Joins the load thread, records its latency percentiles, returns the
/// checksum (0 on failure, which the checksum check then reports).
pub fn finish(h: std::thread::JoinHandle<Result<Load, String>>) -> u64 {
    match h.join() {
        Ok(Ok(mut load)) => {
            load.latencies_ns.sort_unstable();
            let v = &load.latencies_ns;
            crate::measure::extra("p50_ns", crate::measure::percentile(v, 0.50));
            crate::measure::extra("p99_ns", crate::measure::percentile(v, 0.99));
            crate::measure::extra("p999_ns", crate::measure::percentile(v, 0.999));
            load.checksum
        }
        Ok(Err(e)) => {
            eprintln!("sb-peer-rust: load generator: {}", e);
            0
        }
        Err(_) => 0,
    }
}
