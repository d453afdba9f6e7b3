// The I/O workloads: an echo server with a goroutine per connection, driven
// by a load generator outside the Go scheduler's netpoller (raw epoll on a
// locked OS thread), and a token ring over socketpairs.
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

type loadConn struct {
	fd             int
	k, round       uint64
	written, nread int
	out, in        []byte
	t0             time.Time
}

func (c *loadConn) fill() {
	for j := range c.out {
		c.out[j] = echoByte(c.k, c.round, uint64(j))
	}
	c.written, c.nread, c.t0 = 0, 0, time.Now()
}

// loadgen drives c connections of r round trips of b bytes from one locked
// OS thread with its own epoll set; returns the checksum and latencies.
func loadgen(port int, c, b, r uint64) (uint64, []uint64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return 0, nil, fmt.Errorf("epoll_create1: %v", err)
	}
	defer syscall.Close(ep)
	conns := make([]*loadConn, c)
	addr := &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	for k := uint64(0); k < c; k++ {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return 0, nil, fmt.Errorf("socket: %v", err)
		}
		// As the C load generator: requests go out at once (no Nagle). Go's
		// own net package sets TCP_NODELAY on the server's side by default.
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		if err := syscall.Connect(fd, addr); err != nil && err != syscall.EINPROGRESS {
			return 0, nil, fmt.Errorf("connect: %v", err)
		}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLOUT | (syscall.EPOLLET & 0xffffffff), Fd: int32(k)}
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return 0, nil, fmt.Errorf("epoll_ctl: %v", err)
		}
		conns[k] = &loadConn{fd: fd, k: k, out: make([]byte, b), in: make([]byte, b)}
		conns[k].fill()
	}
	var sum uint64
	lat := make([]uint64, 0, c*r)
	events := make([]syscall.EpollEvent, 256)
	for done := uint64(0); done < c; {
		nev, err := syscall.EpollWait(ep, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, nil, fmt.Errorf("epoll_wait: %v", err)
		}
		for _, ev := range events[:nev] {
			cn := conns[ev.Fd]
			if cn.fd < 0 {
				continue
			}
			finished, err := drive(cn, r, &sum, &lat)
			if err != nil {
				return 0, nil, err
			}
			if finished {
				syscall.Close(cn.fd)
				cn.fd = -1
				done++
			}
		}
	}
	return sum, lat, nil
}

func drive(cn *loadConn, r uint64, sum *uint64, lat *[]uint64) (bool, error) {
	b := len(cn.out)
	for {
		if cn.written < b {
			n, err := syscall.Write(cn.fd, cn.out[cn.written:])
			if err == syscall.EAGAIN || err == syscall.ENOTCONN {
				return false, nil
			} else if err == syscall.EINTR {
				continue
			} else if err != nil {
				return false, fmt.Errorf("write: %v", err)
			}
			cn.written += n
			continue
		}
		n, err := syscall.Read(cn.fd, cn.in[cn.nread:])
		if err == syscall.EAGAIN {
			return false, nil
		} else if err == syscall.EINTR {
			continue
		} else if err != nil {
			return false, fmt.Errorf("read: %v", err)
		} else if n == 0 {
			return false, fmt.Errorf("server closed the connection early")
		}
		cn.nread += n
		if cn.nread < b {
			continue
		}
		for j := range cn.in {
			if cn.in[j] != cn.out[j] {
				return false, fmt.Errorf("connection %d round %d: echoed bytes differ", cn.k, cn.round)
			}
			*sum += uint64(cn.in[j])
		}
		*lat = append(*lat, uint64(time.Since(cn.t0)))
		cn.round++
		if cn.round == r {
			return true, nil
		}
		cn.fill()
	}
}

func echo(c, b, r uint64, m *measure) (uint64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	type result struct {
		sum uint64
		lat []uint64
		err error
	}
	res := make(chan result, 1)
	go func() {
		s, l, err := loadgen(ln.Addr().(*net.TCPAddr).Port, c, b, r)
		res <- result{s, l, err}
	}()
	var wg sync.WaitGroup
	for i := uint64(0); i < c; i++ {
		conn, err := ln.Accept()
		if err != nil {
			return 0, err
		}
		wg.Add(1)
		go func(conn net.Conn) {
			defer wg.Done()
			defer conn.Close()
			buf := make([]byte, b)
			for {
				if _, err := io.ReadFull(conn, buf); err != nil {
					return
				}
				if _, err := conn.Write(buf); err != nil {
					return
				}
			}
		}(conn)
	}
	wg.Wait()
	out := <-res
	if out.err != nil {
		return 0, fmt.Errorf("load generator: %v", out.err)
	}
	sortU64(out.lat)
	m.extra["p50_ns"] = percentile(out.lat, 0.50)
	m.extra["p99_ns"] = percentile(out.lat, 0.99)
	m.extra["p999_ns"] = percentile(out.lat, 0.999)
	return out.sum, nil
}

// socketpair returns both ends as net.Conns on the netpoller.
func socketpair() (net.Conn, net.Conn, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "socketpair")
		conns[i], err = net.FileConn(f)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	return conns[0], conns[1], nil
}

func ring(n, laps uint64) (uint64, error) {
	writers, readers := make([]net.Conn, n), make([]net.Conn, n)
	for i := range writers {
		w, r, err := socketpair()
		if err != nil {
			return 0, fmt.Errorf("socketpair: %v", err)
		}
		writers[i], readers[i] = w, r
	}
	defer func() {
		for i := range writers {
			writers[i].Close()
			readers[i].Close()
		}
	}()
	var tok [8]byte
	if _, err := writers[0].Write(tok[:]); err != nil {
		return 0, err
	}
	var final uint64
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := uint64(0); i < n; i++ {
		wg.Add(1)
		go func(i uint64) {
			defer wg.Done()
			rd, wr := readers[i], writers[(i+1)%n]
			var t [8]byte
			for l := uint64(0); l < laps; l++ {
				if _, err := io.ReadFull(rd, t[:]); err != nil {
					errs <- err
					return
				}
				binary.LittleEndian.PutUint64(t[:], binary.LittleEndian.Uint64(t[:])+1)
				if _, err := wr.Write(t[:]); err != nil {
					errs <- err
					return
				}
			}
			if i == 0 { // the final token comes back to link 0
				if _, err := io.ReadFull(rd, t[:]); err != nil {
					errs <- err
					return
				}
				final = binary.LittleEndian.Uint64(t[:])
			}
		}(i)
	}
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return final, nil
}
