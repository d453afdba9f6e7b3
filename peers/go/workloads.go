// The workloads written the way Go's users write them: goroutines, channels,
// sync.WaitGroup, a closed channel as a broadcast, blocking net I/O on the
// runtime's netpoller.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func pingpong(n uint64) uint64 {
	ping, pong := make(chan uint64, 1), make(chan uint64, 1)
	done := make(chan uint64, 1)
	go func() { // ponger
		for x := range ping {
			pong <- x + 1
		}
		done <- 0
	}()
	go func() { // pinger
		sum := uint64(0)
		for i := uint64(0); i < n; i++ {
			ping <- i
			sum += <-pong
		}
		close(ping)
		done <- sum
	}()
	a, b := <-done, <-done
	return a + b
}

func yields(k, n uint64) uint64 {
	out := make([]uint64, k)
	var wg sync.WaitGroup
	for j := uint64(0); j < k; j++ {
		wg.Add(1)
		go func(j uint64) {
			defer wg.Done()
			for i := uint64(0); i < n; i++ {
				runtime.Gosched()
			}
			out[j] = (j + 1) * n
		}(j)
	}
	wg.Wait()
	sum := uint64(0)
	for _, v := range out {
		sum += v
	}
	return sum
}

func spawns(n uint64) uint64 {
	sum := uint64(0)
	out := make([]uint64, 1024)
	for i := uint64(0); i < n; i += 1024 {
		end := i + 1024
		if end > n {
			end = n
		}
		var wg sync.WaitGroup
		for t := i; t < end; t++ {
			wg.Add(1)
			go func(t uint64) { out[t-i] = t; wg.Done() }(t)
		}
		wg.Wait()
		for t := i; t < end; t++ {
			sum += out[t-i]
		}
	}
	return sum
}

func fibSerial(n uint64) uint64 {
	if n < 2 {
		return n
	}
	return fibSerial(n-1) + fibSerial(n-2)
}

func fib(n, cutoff uint64) uint64 {
	if n <= cutoff || n < 2 {
		return fibSerial(n)
	}
	var a, b uint64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { a = fib(n-1, cutoff); wg.Done() }()
	go func() { b = fib(n-2, cutoff); wg.Done() }()
	wg.Wait()
	return a + b
}

func sum(data []uint64, chunk uint64) uint64 {
	nchunks := (uint64(len(data)) + chunk - 1) / chunk
	out := make([]uint64, nchunks)
	var wg sync.WaitGroup
	for c := uint64(0); c < nchunks; c++ {
		wg.Add(1)
		go func(c uint64) {
			defer wg.Done()
			end := (c + 1) * chunk
			if end > uint64(len(data)) {
				end = uint64(len(data))
			}
			s := uint64(0)
			for _, x := range data[c*chunk : end] {
				s += x * x
			}
			out[c] = s
		}(c)
	}
	wg.Wait()
	total := uint64(0)
	for _, v := range out {
		total += v
	}
	return total
}

// timers: time.Sleep parks the goroutine on the runtime's timer; the
// blocking variant is a raw nanosleep that holds its OS thread.
func timers(n uint64, blocking bool, m *measure) uint64 {
	late := make([]uint64, n)
	var total uint64
	var wg sync.WaitGroup
	for i := uint64(0); i < n; i++ {
		wg.Add(1)
		go func(i uint64) {
			defer wg.Done()
			d := time.Duration(1+i%20) * time.Millisecond
			deadline := time.Now().Add(d)
			if blocking {
				ts := syscall.NsecToTimespec(int64(d))
				for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
				}
			} else {
				time.Sleep(d)
			}
			if l := time.Since(deadline); l > 0 {
				late[i] = uint64(l)
			}
			atomic.AddUint64(&total, i)
		}(i)
	}
	wg.Wait()
	sortU64(late)
	m.extra["late_p50_ns"] = percentile(late, 0.50)
	m.extra["late_p99_ns"] = percentile(late, 0.99)
	m.extra["late_max_ns"] = float64(late[len(late)-1])
	return total
}

type request struct {
	v     uint64
	reply chan uint64
}

func workqueue(r, n, capacity uint64) uint64 {
	reqs := make(chan request, capacity)
	go func() {
		for q := range reqs {
			q.reply <- 2*q.v + 1
		}
	}()
	out := make([]uint64, r)
	var wg sync.WaitGroup
	for q := uint64(0); q < r; q++ {
		wg.Add(1)
		go func(q uint64) {
			defer wg.Done()
			s := uint64(0)
			for i := uint64(0); i < n; i++ {
				reply := make(chan uint64, 1) // a oneshot
				reqs <- request{q*n + i, reply}
				s += <-reply
			}
			out[q] = s
		}(q)
	}
	wg.Wait()
	close(reqs)
	total := uint64(0)
	for _, v := range out {
		total += v
	}
	return total
}

// million: n goroutines wait on one channel; closing it releases them all.
func million(n uint64, m *measure) uint64 {
	base := rssBase()
	start := time.Now()
	release := make(chan struct{})
	var waiting int64
	var wg sync.WaitGroup
	var total uint64
	for i := uint64(0); i < n; i++ {
		wg.Add(1)
		go func() {
			atomic.AddInt64(&waiting, 1)
			<-release
			atomic.AddUint64(&total, 1)
			wg.Done()
		}()
	}
	spawnNs := float64(time.Since(start).Nanoseconds())
	for atomic.LoadInt64(&waiting) < int64(n) {
		runtime.Gosched()
	}
	m.extra["rss_per_task_bytes"] = float64(rssNow()-base) / float64(n)
	m.extra["spawn_per_second"] = float64(n) / (spawnNs / 1e9)
	close(release)
	wg.Wait()
	return total
}

func cell(w string, ps params, m *measure) error {
	n, k := ps.get("n"), ps.get("k")
	plain := func(f func() uint64) error { return m.run(func() (uint64, error) { return f(), nil }) }
	switch w {
	case "pingpong":
		return plain(func() uint64 { return pingpong(n) })
	case "yield":
		return plain(func() uint64 { return yields(k, n) })
	case "spawn":
		return plain(func() uint64 { return spawns(n) })
	case "fib":
		return plain(func() uint64 { return fib(n, ps.get("cutoff")) })
	case "sum":
		data := make([]uint64, n)
		for i := range data {
			data[i] = uint64(i)
		}
		return plain(func() uint64 { return sum(data, ps.get("chunk")) })
	case "timers":
		return plain(func() uint64 { return timers(n, ps.get("blocking") != 0, m) })
	case "workqueue":
		return plain(func() uint64 { return workqueue(ps.get("r"), n, ps.get("cap")) })
	case "million":
		return plain(func() uint64 { return million(n, m) })
	case "echo":
		return m.run(func() (uint64, error) { return echo(ps.get("c"), ps.get("b"), ps.get("r"), m) })
	case "ring":
		return m.run(func() (uint64, error) { return ring(n, ps.get("laps")) })
	}
	return fmt.Errorf("no workload %s", w)
}
