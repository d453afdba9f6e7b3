// The waiting workloads: timers (goroutines asleep, their lateness into the
// histogram of PROTOCOL.md section 8) and million (n goroutines waiting at
// once, and what each costs in memory). Both keep their per-goroutine slots
// in a slice made and written in setup, so the slots are resident before
// the first run, as the C side's join handles are.
package main

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// timersPeriod: d_i = (1 + i mod 20) ms, so the longest sleep is
// min(n, 20) ms.
const timersPeriod = 20

type timerSlot struct {
	late int64  // wake - deadline, ns
	out  uint64 // the goroutine's output, i
}

type timersCell struct {
	blocking  bool
	slots     []timerSlot
	late      hist  // the repetition's lateness
	runs      int64 // the repetition's runs
	elapsedNs int64 // their timed regions, summed
}

// sleepBlocking sleeps d in a raw nanosleep system call that holds its OS
// thread; Go's sysmon hands the goroutine's P to another thread meanwhile
// (PROTOCOL.md section 9).
func sleepBlocking(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}

// body: goroutine i gets its deadline, read just before its go statement;
// once running it sleeps d_i from that moment and stores its lateness in its
// own slot.
func (t *timersCell) body() (runOut, error) {
	var wg sync.WaitGroup
	wg.Add(len(t.slots))
	spawned := uint64(0)
	for i := range t.slots {
		d := time.Duration(1+i%timersPeriod) * time.Millisecond
		deadline := time.Now().Add(d)
		go func(i int, d time.Duration, deadline time.Time) {
			if t.blocking {
				sleepBlocking(d)
			} else {
				time.Sleep(d)
			}
			t.slots[i] = timerSlot{time.Since(deadline).Nanoseconds(), uint64(i)}
			wg.Done()
		}(i, d, deadline)
		spawned++
	}
	wg.Wait()
	res := runOut{0, work{spawned, 0}}
	for i := range t.slots {
		res.out += t.slots[i].out
	}
	return res, nil
}

func (t *timersCell) after(elapsedNs int64) {
	for i := range t.slots {
		t.late.record(t.slots[i].late)
	}
	t.runs++
	t.elapsedNs += elapsedNs
}

func (t *timersCell) reset() {
	t.late.reset()
	t.runs, t.elapsedNs = 0, 0
}

func (t *timersCell) counters(c *counters) {
	t.late.counters("late_", c)
	n := int64(len(t.slots))
	if n > timersPeriod {
		n = timersPeriod
	}
	longest := n * int64(time.Millisecond)
	wall := float64(t.elapsedNs) / float64(t.runs)
	c.addInt("longest_sleep_ns", longest)
	c.add("wall_ns", wall)
	c.add("wall_over_longest", wall/float64(longest))
}

func newTimers(n uint64, blocking bool) *timersCell {
	t := &timersCell{blocking: blocking, slots: make([]timerSlot, n)}
	for i := range t.slots {
		t.slots[i] = timerSlot{-1, 0} // written, so resident before the first run
	}
	return t
}

// millionCell: n goroutines count themselves in and wait on one closed
// channel; the last one in wakes the root, which reads RSS and VmSize with
// all of them waiting, then releases and joins them.
type millionCell struct {
	slots            []uint64 // each goroutine's output, 1
	rssBase, vmBase  int64    // VmRSS and VmSize after setup, bytes
	rss, vm          int64    // with all waiting, in the repetition's last run
	spawnNs, allInNs int64    // summed over the repetition's runs
	spawned          int64    // goroutines, summed over the repetition's runs
	maxReached       int64    // the most waiting at once in the repetition
}

func newMillion(n uint64) (*millionCell, error) {
	m := &millionCell{slots: make([]uint64, n)}
	for i := range m.slots {
		m.slots[i] = ^uint64(0) // written, so resident in the baseline
	}
	base, err := procStatus("VmRSS", "VmSize")
	if err != nil {
		return nil, err
	}
	m.rssBase, m.vmBase = base[0], base[1]
	return m, nil
}

func (m *millionCell) body() (runOut, error) {
	n := int64(len(m.slots))
	var in int64 // goroutines counted in
	allIn := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(len(m.slots))
	t0 := time.Now()
	spawned := int64(0)
	for i := range m.slots {
		go func(i int) {
			// The one whose increment makes n is the only one that signals.
			if atomic.AddInt64(&in, 1) == n {
				close(allIn)
			}
			<-release
			m.slots[i] = 1
			wg.Done()
		}(i)
		spawned++
	}
	spawnNs := time.Since(t0).Nanoseconds()
	<-allIn // parks the root: no polling, no yielding
	allInNs := time.Since(t0).Nanoseconds()
	sizes, err := procStatus("VmRSS", "VmSize")
	close(release)
	wg.Wait()
	if err != nil {
		return runOut{}, err
	}
	m.rss, m.vm = sizes[0], sizes[1]
	m.spawnNs += spawnNs
	m.allInNs += allInNs
	m.spawned += spawned
	if spawned > m.maxReached {
		m.maxReached = spawned
	}
	res := runOut{0, work{uint64(spawned), 0}}
	for i := range m.slots {
		res.out += m.slots[i]
	}
	return res, nil
}

// prepare clears the slots, untimed, so the sum checks that every goroutine
// of this run wrote its own.
func (m *millionCell) prepare() error {
	for i := range m.slots {
		m.slots[i] = 0
	}
	return nil
}

func (m *millionCell) reset() {
	m.spawnNs, m.allInNs, m.spawned, m.maxReached = 0, 0, 0, 0
}

// counters: RSS and VM per waiting goroutine are signed deltas against the
// setup baseline (the runtime may have returned memory since). A goroutine
// cannot fail to start (Go aborts when out of memory), so limit_hit is 0.
func (m *millionCell) counters(c *counters) {
	n := float64(len(m.slots))
	c.add("rss_per_task_bytes", float64(m.rss-m.rssBase)/n)
	c.add("vm_per_task_bytes", float64(m.vm-m.vmBase)/n)
	c.add("spawn_ns_per_task", float64(m.spawnNs)/float64(m.spawned))
	c.add("all_waiting_ns_per_task", float64(m.allInNs)/float64(m.spawned))
	c.addInt("max_tasks_reached", m.maxReached)
	c.addInt("limit_hit", 0)
}
