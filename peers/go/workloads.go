// The compute and channel workloads written the way Go's users write them:
// a goroutine per task joined through a sync.WaitGroup (or a channel that
// carries its result), buffered channels, a buffered channel of one as a
// oneshot. Each returns its output and the work it did: the spawner counts
// its goroutines in a local variable and the receivers their messages, so no
// shared counter sits on a hot path.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

// pingpong: the pinger sends i and receives i+1 back, n times, over two
// channels of one; the ponger answers until the pinger closes its channel
// and returns how many it answered. Spawned pinger first, joined in order.
func pingpong(n uint64) (runOut, error) {
	ping, pong := make(chan uint64, 1), make(chan uint64, 1)
	type pingerOut struct{ sum, received uint64 }
	pingerDone, pongerDone := make(chan pingerOut, 1), make(chan uint64, 1)
	go func() { // the pinger
		var o pingerOut
		for i := uint64(0); i < n; i++ {
			ping <- i
			o.sum += <-pong
			o.received++
		}
		close(ping)
		pingerDone <- o
	}()
	go func() { // the ponger
		answered := uint64(0)
		for x := range ping {
			answered++
			pong <- x + 1
		}
		pongerDone <- answered
	}()
	pinger := <-pingerDone
	answered := <-pongerDone
	if answered != n {
		return runOut{}, fmt.Errorf("the ponger answered %d messages, expected %d", answered, n)
	}
	return runOut{pinger.sum, work{2, pinger.received + answered}}, nil
}

// yields: k goroutines each yield n times (runtime.Gosched); goroutine j
// returns (j+1)*n in its slot.
func yields(n uint64, out []uint64) runOut {
	var wg sync.WaitGroup
	wg.Add(len(out))
	for j := range out {
		go func(j uint64) {
			for i := uint64(0); i < n; i++ {
				runtime.Gosched()
			}
			out[j] = (j + 1) * n
			wg.Done()
		}(uint64(j))
	}
	wg.Wait()
	sum := uint64(0)
	for _, v := range out {
		sum += v
	}
	return runOut{sum, work{uint64(len(out)), 0}}
}

// spawns: batches of up to len(out) = 1024 goroutines, each returning its
// index; every batch is joined before the next is spawned.
func spawns(n uint64, out []uint64) runOut {
	sum, spawned := uint64(0), uint64(0)
	for i := uint64(0); i < n; i += uint64(len(out)) {
		end := i + uint64(len(out))
		if end > n {
			end = n
		}
		var wg sync.WaitGroup
		wg.Add(int(end - i))
		for t := i; t < end; t++ {
			go func(t uint64) { out[t-i] = t; wg.Done() }(t)
		}
		spawned += end - i
		wg.Wait()
		for t := i; t < end; t++ {
			sum += out[t-i]
		}
	}
	return runOut{sum, work{spawned, 0}}
}

// fibSerial is the leaf work of fib, and the serial-go row's whole work.
//
//go:noinline
func fibSerial(k uint64) uint64 {
	if k < 2 {
		return k
	}
	return fibSerial(k-1) + fibSerial(k-2)
}

// fibTree: above the cutoff both halves are goroutines joined by a
// WaitGroup; it returns fib(k) and the goroutines its subtree started.
func fibTree(k, cutoff uint64) runOut {
	if k <= cutoff || k < 2 {
		return runOut{fibSerial(k), work{}}
	}
	var a, b runOut
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { a = fibTree(k-1, cutoff); wg.Done() }()
	go func() { b = fibTree(k-2, cutoff); wg.Done() }()
	wg.Wait()
	return runOut{a.out + b.out, work{a.work.tasks + b.work.tasks + 2, 0}}
}

// serialN and serialCutoff hold the serial-go row's parameters in package
// variables, so the compiler cannot fold the timed call into a constant.
var serialN, serialCutoff uint64

// serialTree walks fibTree's tree by plain recursion: no goroutine.
//
//go:noinline
func serialTree(k, cutoff uint64) uint64 {
	if k <= cutoff || k < 2 {
		return fibSerial(k)
	}
	return serialTree(k-1, cutoff) + serialTree(k-2, cutoff)
}

// sum: one goroutine per chunk of data, each summing the squares of its
// chunk into its slot of out.
func sum(data []uint64, chunk uint64, out []uint64) runOut {
	var wg sync.WaitGroup
	wg.Add(len(out))
	for c := range out {
		go func(c uint64) {
			end := (c + 1) * chunk
			if end > uint64(len(data)) {
				end = uint64(len(data))
			}
			s := uint64(0)
			for _, x := range data[c*chunk : end] {
				s += x * x
			}
			out[c] = s
			wg.Done()
		}(uint64(c))
	}
	wg.Wait()
	total := uint64(0)
	for _, v := range out {
		total += v
	}
	return runOut{total, work{uint64(len(out)), 0}}
}

type request struct {
	v     uint64
	reply chan uint64 // a oneshot: a buffered channel of one
}

// workqueue: one worker answers 2v+1 to every request on a channel of
// capacity cap until it is closed, and returns how many it received; r
// requesters send n requests each, one at a time. The worker is spawned
// first; the requesters are joined, then the channel closed and the worker
// joined.
func workqueue(r, n, capacity uint64) runOut {
	reqs := make(chan request, capacity)
	workerDone := make(chan uint64, 1)
	go func() { // the worker
		received := uint64(0)
		for q := range reqs {
			received++
			q.reply <- 2*q.v + 1
		}
		workerDone <- received
	}()
	type requesterOut struct{ sum, received uint64 }
	out := make([]requesterOut, r)
	var wg sync.WaitGroup
	wg.Add(int(r))
	for q := uint64(0); q < r; q++ {
		go func(q uint64) {
			var o requesterOut
			for i := uint64(0); i < n; i++ {
				reply := make(chan uint64, 1)
				reqs <- request{q*n + i, reply}
				o.sum += <-reply
				o.received++
			}
			out[q] = o
			wg.Done()
		}(q)
	}
	wg.Wait()
	close(reqs) // every requester is done sending
	received := <-workerDone
	res := runOut{0, work{r + 1, received}}
	for _, o := range out {
		res.out += o.sum
		res.work.messages += o.received
	}
	return res
}
