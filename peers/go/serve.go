// `serve`: the echo server of workloads/PROTOCOL.md section 6, driven by
// the C load generator. It accepts on the listening socket it inherits
// (--listen-fd; it never makes its own, so the backlog is the harness's), a
// goroutine per connection, and answers the harness's control lines on
// stdin: `stats` -> one JSON line of totals since start, `reset_peak` ->
// `ok`, EOF -> exit 0.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// serverTotals: since the server started. Each connection adds its bytes
// and sum once, when it ends, before counting itself served, so a reader
// that sees k connections sees the bytes and sum of all k.
type serverTotals struct {
	connections uint64 // served to EOF
	bytes       uint64 // echoed
	sum         uint64 // of the bytes echoed, mod 2^64
	tasks       uint64 // goroutines started for connections
}

// echoConn is the connection loop: read up to 4096 bytes, add every byte to
// the sum, write them all back (net.Conn.Write loops on short writes), until
// EOF.
func echoConn(conn net.Conn, t *serverTotals) {
	var buf [4096]byte
	var nbytes, sum uint64
	served := false
	for {
		n, err := conn.Read(buf[:])
		for _, b := range buf[:n] {
			sum += uint64(b)
		}
		nbytes += uint64(n)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				fmt.Fprintf(os.Stderr, "sb-peer-go serve: write: %v\n", werr)
				break
			}
		}
		if err == io.EOF {
			served = true
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sb-peer-go serve: read: %v\n", err)
			break
		}
	}
	conn.Close()
	atomic.AddUint64(&t.bytes, nbytes)
	atomic.AddUint64(&t.sum, sum)
	if served {
		atomic.AddUint64(&t.connections, 1)
	}
}

// acceptLoop starts a goroutine per accepted connection, TCP_NODELAY on it.
// Out of descriptors or memory it pauses a millisecond and tries again: the
// connection waits in the backlog meanwhile.
func acceptLoop(ln *net.TCPListener, t *serverTotals) {
	for {
		conn, err := ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			fmt.Fprintf(os.Stderr, "sb-peer-go serve: accept: %v\n", err)
			time.Sleep(time.Millisecond)
			continue
		}
		if err := conn.SetNoDelay(true); err != nil {
			fmt.Fprintf(os.Stderr, "sb-peer-go serve: TCP_NODELAY: %v\n", err)
		}
		atomic.AddUint64(&t.tasks, 1) // one writer: never contended
		go echoConn(conn, t)
	}
}

// serve runs until EOF on stdin; the exit code.
func serve(fd uintptr) int {
	f := os.NewFile(fd, "listen-fd")
	l, err := net.FileListener(f) // a dup of fd: the same socket, the same backlog
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "sb-peer-go serve: --listen-fd %d: %v\n", fd, err)
		return 1
	}
	ln, ok := l.(*net.TCPListener)
	if !ok {
		fmt.Fprintf(os.Stderr, "sb-peer-go serve: --listen-fd %d is not a TCP listening socket\n", fd)
		return 1
	}
	var totals serverTotals
	go acceptLoop(ln, &totals)
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch line := in.Text(); line {
		case "stats":
			u := usageNow()
			peak, err := peakRSS()
			if err != nil {
				fmt.Fprintf(os.Stderr, "sb-peer-go serve: %v\n", err)
				return 1
			}
			fmt.Printf(`{"connections":%d,"bytes":%d,"sum":%d,"tasks":%d,"ctx_switches":%d,"peak_rss_bytes":%d}`+"\n",
				atomic.LoadUint64(&totals.connections), atomic.LoadUint64(&totals.bytes),
				atomic.LoadUint64(&totals.sum), atomic.LoadUint64(&totals.tasks), u.switches, peak)
		case "reset_peak":
			if err := resetPeak(); err != nil {
				fmt.Fprintf(os.Stderr, "sb-peer-go serve: cannot reset the peak RSS: %v\n", err)
				return 1
			}
			fmt.Println("ok")
		default:
			fmt.Fprintf(os.Stderr, "sb-peer-go serve: unknown control line '%s' (stats, reset_peak)\n", line)
			fmt.Println("error")
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "sb-peer-go serve: stdin: %v\n", err)
		return 1
	}
	ln.Close()
	return 0
}
