// Timing a peer cell as the harness times a C cell: one untimed warm-up run,
// then per repetition as many runs as fill min-time, with OS context
// switches (getrusage) and peak RSS; one JSON object per repetition.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

type measure struct {
	name     string
	reps     uint64
	minTime  float64
	checksum uint64
	ops      uint64
	extra    map[string]float64
}

func newMeasure(w string, ps params, reps uint64, minTime float64) *measure {
	name := w + "/go"
	for _, p := range ps {
		name += fmt.Sprintf("/%s:%d", p.name, p.value)
	}
	o := ops(w, ps)
	if o == 0 {
		o = 1
	}
	return &measure{name, reps, minTime, checksum(w, ps), o, map[string]float64{}}
}

type rusage struct{ cpuNs, switches, maxrss float64 }

func getUsage() rusage {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec)*1e9 + float64(t.Usec)*1e3 }
	return rusage{tv(ru.Utime) + tv(ru.Stime), float64(ru.Nvcsw + ru.Nivcsw), float64(ru.Maxrss) * 1024}
}

// run calls f (one whole run, returning its checksum) for every repetition.
func (m *measure) run(f func() (uint64, error)) error {
	verify := func() error {
		got, err := f()
		if err != nil {
			return err
		}
		if got != m.checksum {
			return fmt.Errorf("checksum 0x%016x, expected 0x%016x", got, m.checksum)
		}
		return nil
	}
	if err := verify(); err != nil {
		return err
	}
	for rep := uint64(0); rep < m.reps; rep++ {
		m.extra = map[string]float64{}
		before := getUsage()
		start := time.Now()
		iters := uint64(0)
		for {
			if err := verify(); err != nil {
				return err
			}
			iters++
			if time.Since(start).Seconds() >= m.minTime {
				break
			}
		}
		real := float64(time.Since(start).Nanoseconds())
		after := getUsage()
		m.print(rep, iters, real, before, after)
	}
	return nil
}

func (m *measure) print(rep, iters uint64, real float64, b, a rusage) {
	ops := float64(iters * m.ops)
	var s strings.Builder
	fmt.Fprintf(&s, `{"name":"%s","run_name":"%s","run_type":"iteration","repetitions":%d,`+
		`"repetition_index":%d,"threads":1,"iterations":%d,"real_time":%.3f,"cpu_time":%.3f,`+
		`"time_unit":"ns","ns_per_op":%.4f,"items_per_second":%.3f,"ctx_switches_per_op":%.6f,`+
		`"peak_rss_bytes":%.0f`,
		m.name, m.name, m.reps, rep, iters, real/float64(iters), (a.cpuNs-b.cpuNs)/float64(iters),
		real/ops, ops/(real/1e9), (a.switches-b.switches)/ops, a.maxrss)
	keys := make([]string, 0, len(m.extra))
	for k := range m.extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&s, `,"%s":%.3f`, k, m.extra[k])
	}
	fmt.Fprintf(&s, `,"label":"checksum=0x%016x"}`, m.checksum)
	fmt.Fprintln(os.Stdout, s.String())
}

func percentile(sorted []uint64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1)*p + 0.5)
	return float64(sorted[i])
}

func sortU64(v []uint64) { sort.Slice(v, func(i, j int) bool { return v[i] < v[j] }) }

var rssBaseOnce sync.Once
var rssBaseValue uint64

// rssBase is the RSS before the first run of the cell: the runtime keeps
// what a run frees, so against a later run's own start the delta would read
// ~0; against this baseline it is the memory of the waiting goroutines.
func rssBase() uint64 {
	rssBaseOnce.Do(func() { rssBaseValue = rssNow() })
	return rssBaseValue
}

// rssNow is the resident set size in bytes (/proc/self/statm).
func rssNow() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res uint64
	fmt.Sscan(string(b), &size, &res)
	return res * uint64(os.Getpagesize())
}

// raiseFdLimit lifts the soft limit on open files to the hard one and
// returns the limit in force.
func raiseFdLimit() uint64 {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return 0
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
			syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
	}
	return lim.Cur
}
