// The measurement loop of workloads/PROTOCOL.md sections 1-4: one untimed,
// verified warm-up run, then per repetition as many runs as fill min-time
// (at least one). Only each run's body call is timed; building its inputs,
// verifying its output and work counts and the gaps between runs are not.
// Every counter starts again at each repetition. One JSON object per
// repetition on stdout.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// work is what one run did (PROTOCOL.md section 4): goroutines the workload
// started and messages its receivers took.
type work struct {
	tasks, messages uint64
}

// runOut is what one run's body returns: its output and the work it did.
type runOut struct {
	out  uint64
	work work
}

// cell is one workload on one side, as the loop drives it. The func fields
// other than body may be nil.
type cell struct {
	name     string                 // the Google Benchmark name, workload/runtime/params
	ops      uint64                 // ops per run (PROTOCOL.md section 5)
	checksum uint64                 // the output of every correct run
	want     work                   // the work of every correct run
	messages bool                   // work_messages applies (section 4's table)
	body     func() (runOut, error) // one run: the timed region and nothing else
	prepare  func() error           // untimed, before each run's clock
	after    func(elapsedNs int64)  // untimed, after a verified run: per-run counters
	reset    func()                 // at the start of each repetition: the workload's counters
	counters func(c *counters)      // the repetition's workload counters
}

// counters is the ordered list of a repetition's extra keys.
type counters struct {
	keys   []string
	values []string
}

func (c *counters) add(key string, v float64) {
	c.keys = append(c.keys, key)
	c.values = append(c.values, strconv.FormatFloat(v, 'f', -1, 64))
}

func (c *counters) addInt(key string, v int64) {
	c.keys = append(c.keys, key)
	c.values = append(c.values, strconv.FormatInt(v, 10))
}

// runStats is one run as measured: its timed region, the context switches
// across it, and its work.
type runStats struct {
	elapsedNs, switches int64
	work                work
}

// once builds (prepare), times (body) and verifies one run.
func (c *cell) once() (runStats, error) {
	var s runStats
	if c.prepare != nil {
		if err := c.prepare(); err != nil {
			return s, err
		}
	}
	u0 := usageNow()
	t0 := time.Now()
	out, err := c.body()
	s.elapsedNs = time.Since(t0).Nanoseconds()
	s.switches = usageNow().switches - u0.switches
	if err != nil {
		return s, err
	}
	if out.out != c.checksum {
		return s, fmt.Errorf("checksum 0x%016x, expected 0x%016x", out.out, c.checksum)
	}
	if out.work.tasks != c.want.tasks {
		return s, fmt.Errorf("work: %d tasks per run, expected %d", out.work.tasks, c.want.tasks)
	}
	if out.work.messages != c.want.messages {
		return s, fmt.Errorf("work: %d messages per run, expected %d", out.work.messages, c.want.messages)
	}
	s.work = out.work
	if c.after != nil {
		c.after(s.elapsedNs)
	}
	return s, nil
}

// measure runs the warm-up (if asked) and reps repetitions, printing each.
func (c *cell) measure(reps uint64, minTime float64, warmup bool) error {
	if warmup {
		if _, err := c.once(); err != nil {
			return fmt.Errorf("warm-up run: %v", err)
		}
	}
	minNs := int64(minTime * 1e9)
	// Google Benchmark's rule, which the C cells follow: the first
	// repetition runs until its timed sum reaches the minimum time, and
	// every later repetition makes that same number of runs.
	var runsPerRep uint64
	for rep := uint64(0); rep < reps; rep++ {
		if c.reset != nil {
			c.reset()
		}
		if err := resetPeak(); err != nil {
			return fmt.Errorf("cannot reset the peak RSS (/proc/self/clear_refs): %v", err)
		}
		u0 := usageNow()
		var runs uint64
		var total runStats
		for {
			s, err := c.once()
			if err != nil {
				return err
			}
			runs++
			total.elapsedNs += s.elapsedNs
			total.switches += s.switches
			total.work.tasks += s.work.tasks
			total.work.messages += s.work.messages
			if (rep == 0 && total.elapsedNs >= minNs) || (rep > 0 && runs >= runsPerRep) {
				break
			}
		}
		if rep == 0 {
			runsPerRep = runs
		}
		cpuNs := usageNow().cpuNs - u0.cpuNs
		peak, err := peakRSS()
		if err != nil {
			return err
		}
		c.print(reps, rep, runs, total, cpuNs, peak)
	}
	return nil
}

// print writes one repetition as a Google Benchmark iteration entry with
// the keys of PROTOCOL.md section 2, then the workload's counters.
func (c *cell) print(reps, rep, runs uint64, t runStats, cpuNs, peak int64) {
	timed := float64(t.elapsedNs)
	if timed <= 0 {
		timed = 1 // a clock that did not move: keep the rates finite
	}
	ops := float64(runs * c.ops)
	var extra counters
	extra.add("real_time", timed/float64(runs))
	extra.add("cpu_time", float64(cpuNs)/float64(runs))
	extra.keys = append(extra.keys, "time_unit")
	extra.values = append(extra.values, `"ns"`)
	extra.add("ns_per_op", timed/ops)
	extra.add("items_per_second", ops/(timed/1e9))
	extra.add("ctx_switches_per_op", float64(t.switches)/ops)
	extra.addInt("peak_rss_bytes", peak)
	extra.addInt("work_tasks", int64(t.work.tasks))
	if c.messages {
		extra.addInt("work_messages", int64(t.work.messages))
	}
	if c.counters != nil {
		c.counters(&extra)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `{"name":"%s","run_name":"%s","run_type":"iteration","repetitions":%d,`+
		`"repetition_index":%d,"threads":1,"iterations":%d`, c.name, c.name, reps, rep, runs)
	for i, k := range extra.keys {
		fmt.Fprintf(&s, `,"%s":%s`, k, extra.values[i])
	}
	fmt.Fprintf(&s, `,"label":"checksum=0x%016x"}`+"\n", c.checksum)
	os.Stdout.WriteString(s.String())
}
