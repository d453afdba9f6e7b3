// A cell's setup (PROTOCOL.md section 1, untimed, once): what every run
// reuses is made here (input arrays, result slots, socket pairs, the RSS
// baseline), then the measurement loop only calls the body.
package main

import "fmt"

// spawnBatch: spawn joins its goroutines in batches of this many.
const spawnBatch = 1024

func setup(w, rt string, ps params) (*cell, error) {
	c := &cell{}
	n := ps.get("n")
	switch {
	case rt == "serial-go":
		serialN, serialCutoff = n, ps.get("cutoff")
		c.body = func() (runOut, error) { return runOut{serialTree(serialN, serialCutoff), work{}}, nil }
	case w == "pingpong":
		c.body = func() (runOut, error) { return pingpong(n) }
	case w == "yield":
		out := make([]uint64, ps.get("k"))
		c.body = func() (runOut, error) { return yields(n, out), nil }
	case w == "spawn":
		size := uint64(spawnBatch)
		if n < size {
			size = n
		}
		out := make([]uint64, size)
		c.body = func() (runOut, error) { return spawns(n, out), nil }
	case w == "fib":
		cutoff := ps.get("cutoff")
		c.body = func() (runOut, error) { return fibTree(n, cutoff), nil }
	case w == "sum":
		chunk := ps.get("chunk")
		data := make([]uint64, n)
		for i := range data {
			data[i] = uint64(i)
		}
		out := make([]uint64, (n+chunk-1)/chunk)
		c.body = func() (runOut, error) { return sum(data, chunk, out), nil }
	case w == "workqueue":
		r, capacity := ps.get("r"), ps.get("cap")
		c.body = func() (runOut, error) { return workqueue(r, n, capacity), nil }
	case w == "timers":
		t := newTimers(n, ps.get("blocking") != 0)
		c.body, c.after, c.reset, c.counters = t.body, t.after, t.reset, t.counters
	case w == "million":
		m, err := newMillion(n)
		if err != nil {
			return nil, fmt.Errorf("RSS baseline: %v", err)
		}
		c.body, c.prepare, c.reset, c.counters = m.body, m.prepare, m.reset, m.counters
	case w == "ring":
		g, err := newRing(n, ps.get("laps"))
		if err != nil {
			return nil, err
		}
		c.body, c.prepare = g.body, g.prepare
	default:
		return nil, fmt.Errorf("no workload %s", w)
	}
	c.name = w + "/" + rt
	for _, p := range ps {
		c.name += fmt.Sprintf("/%s:%d", p.name, p.value)
	}
	c.ops, c.checksum = ops(w, ps), checksum(w, ps)
	c.want, c.messages = expectedWork(w, rt, ps)
	return c, nil
}
