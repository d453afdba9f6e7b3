// The token ring over AF_UNIX stream socket pairs. The n pairs are made
// once, in setup, non-blocking, so os.NewFile puts them on Go's netpoller
// (no dup, no creation or registration inside a run); every run reuses them
// and leaves them empty. Link i carries the token from goroutine i-1 (the
// root for the first write, goroutine n-1 after) to goroutine i.
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
)

type link struct {
	w, r *os.File // the writing and the reading end
}

type ringCell struct {
	links []link
	laps  uint64
	reads []uint64 // tokens each goroutine read in the run
	errs  []error  // each goroutine's error, nil if none
}

func newRing(n, laps uint64) (*ringCell, error) {
	g := &ringCell{links: make([]link, n), laps: laps,
		reads: make([]uint64, n), errs: make([]error, n)}
	for i := range g.links {
		fds, err := syscall.Socketpair(syscall.AF_UNIX,
			syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			g.close()
			return nil, fmt.Errorf("socketpair %d of %d: %v", i, n, err)
		}
		g.links[i] = link{os.NewFile(uintptr(fds[0]), "ring-w"), os.NewFile(uintptr(fds[1]), "ring-r")}
	}
	return g, nil
}

func (g *ringCell) close() {
	for _, l := range g.links {
		if l.w != nil {
			l.w.Close()
			l.r.Close()
		}
	}
}

func readToken(f *os.File) (uint64, error) {
	var t [8]byte
	if _, err := io.ReadFull(f, t[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(t[:]), nil
}

func writeToken(f *os.File, v uint64) error {
	var t [8]byte
	binary.LittleEndian.PutUint64(t[:], v)
	_, err := f.Write(t[:]) // writes all 8 bytes or fails
	return err
}

// hops: goroutine i reads the token from link i and writes it plus one to
// link i+1 (mod n), laps times.
func (g *ringCell) hops(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	rd, wr := g.links[i].r, g.links[(i+1)%len(g.links)].w
	reads := uint64(0)
	for l := uint64(0); l < g.laps; l++ {
		v, err := readToken(rd)
		if err != nil {
			g.errs[i] = fmt.Errorf("goroutine %d, lap %d: read: %v", i, l, err)
			return
		}
		reads++
		if err := writeToken(wr, v+1); err != nil {
			g.errs[i] = fmt.Errorf("goroutine %d, lap %d: write: %v", i, l, err)
			return
		}
	}
	g.reads[i] = reads
}

// body: the n goroutines first, then the token into link 0, then every
// goroutine joined, then the root reads the final token from link 0.
func (g *ringCell) body() (runOut, error) {
	var wg sync.WaitGroup
	wg.Add(len(g.links))
	spawned := uint64(0)
	for i := range g.links {
		go g.hops(i, &wg)
		spawned++
	}
	if err := writeToken(g.links[0].w, 0); err != nil {
		return runOut{}, fmt.Errorf("root: write: %v", err)
	}
	wg.Wait()
	res := runOut{0, work{spawned, 0}}
	for i := range g.links {
		if g.errs[i] != nil {
			return res, g.errs[i]
		}
		res.work.messages += g.reads[i]
	}
	final, err := readToken(g.links[0].r)
	if err != nil {
		return res, fmt.Errorf("root: read: %v", err)
	}
	res.out = final
	return res, nil
}

// prepare clears the per-goroutine tallies, untimed.
func (g *ringCell) prepare() error {
	for i := range g.links {
		g.reads[i], g.errs[i] = 0, nil
	}
	return nil
}
