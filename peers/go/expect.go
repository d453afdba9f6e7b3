// What every correct run of a workload gives: its checksum, its ops and its
// work counts, from the closed forms in workloads/README.md and
// workloads/PROTOCOL.md section 4 (arithmetic modulo 2^64), and the
// parameters each workload takes.
package main

import "fmt"

// paramNames: the parameters each workload run by `run` takes, all
// required. The ones that may be 0 are in mayBeZero.
var paramNames = map[string][]string{
	"pingpong": {"n"}, "yield": {"k", "n"}, "spawn": {"n"}, "fib": {"n", "cutoff"},
	"sum": {"n", "chunk"}, "ring": {"n", "laps"}, "timers": {"n", "blocking"},
	"workqueue": {"r", "n", "cap"}, "million": {"n"},
}

var mayBeZero = map[string]bool{"cutoff": true, "blocking": true}

// checkParams says what is wrong with the parameters of w, or "".
func checkParams(w string, ps params) string {
	names, ok := paramNames[w]
	if !ok {
		return fmt.Sprintf("unknown workload '%s'", w)
	}
	for _, p := range ps {
		known := false
		for _, k := range names {
			known = known || p.name == k
		}
		if !known {
			return fmt.Sprintf("%s has no parameter '%s' (it takes %v)", w, p.name, names)
		}
	}
	for _, k := range names {
		if !ps.has(k) {
			return fmt.Sprintf("%s needs --param %s=...", w, k)
		}
		if ps.get(k) == 0 && !mayBeZero[k] {
			return fmt.Sprintf("%s: %s must be at least 1", w, k)
		}
	}
	for _, k := range names {
		if most, ok := paramMost[w+" "+k]; ok && ps.get(k) > most {
			return fmt.Sprintf("%s: %s must be at most %d", w, k, most)
		}
	}
	switch {
	case w == "fib" && ps.get("n") < 2:
		return "fib: n must be at least 2"
	case w == "fib" && ps.get("cutoff") >= ps.get("n"):
		// A run that spawns no goroutine would have zero ops.
		return "fib: cutoff must be below n"
	case w == "sum" && ps.get("chunk") > ps.get("n"):
		return "sum: chunk must be at most n"
	}
	return ""
}

// paramMost: the largest value of a parameter, as the C workload's check
// has it (fib(80) is the largest whose serial time is bearable).
var paramMost = map[string]uint64{
	"pingpong n": 1 << 32, "yield k": 1 << 20, "yield n": 1 << 32, "spawn n": 1 << 32,
	"fib n": 80, "timers n": 1 << 20, "timers blocking": 1, "workqueue r": 1 << 16,
	"workqueue n": 1 << 24, "workqueue cap": 1 << 20, "million n": 1 << 26,
}

func fibIter(n uint64) uint64 {
	a, b := uint64(0), uint64(1)
	for i := uint64(0); i < n; i++ {
		a, b = b, a+b
	}
	return a
}

// fibTasks: T(k) = 0 if k <= cutoff or k < 2, else 2 + T(k-1) + T(k-2).
func fibTasks(n, cutoff uint64) uint64 {
	t := make([]uint64, n+1)
	for k := uint64(0); k <= n; k++ {
		if k > cutoff && k >= 2 {
			t[k] = 2 + t[k-1] + t[k-2]
		}
	}
	return t[n]
}

func checksum(w string, ps params) uint64 {
	n := ps.get("n")
	switch w {
	case "pingpong":
		return n * (n + 1) / 2
	case "yield":
		k := ps.get("k")
		return n * (k * (k + 1) / 2)
	case "spawn", "timers":
		return n * (n - 1) / 2
	case "fib":
		return fibIter(n)
	case "sum":
		s := uint64(0)
		for i := uint64(0); i < n; i++ {
			s += i * i
		}
		return s
	case "ring":
		return ps.get("laps") * n
	case "workqueue":
		t := ps.get("r") * n
		return t * t
	case "million":
		return n
	}
	return 0
}

// ops per run: what one op is, per workload, is in PROTOCOL.md section 5.
func ops(w string, ps params) uint64 {
	n := ps.get("n")
	switch w {
	case "pingpong":
		return 2 * n
	case "yield":
		return ps.get("k") * n
	case "fib":
		return fibTasks(n, ps.get("cutoff"))
	case "ring":
		return ps.get("laps") * n
	case "workqueue":
		return ps.get("r") * n
	}
	return n
}

// expectedWork is the work of one run of w on runtime rt, and whether
// work_messages applies to w.
func expectedWork(w, rt string, ps params) (work, bool) {
	n := ps.get("n")
	switch {
	case rt == "serial-go":
		return work{}, false // plain recursion: no goroutine at all
	case w == "pingpong":
		return work{2, 2 * n}, true
	case w == "yield":
		return work{ps.get("k"), 0}, false
	case w == "fib":
		return work{fibTasks(n, ps.get("cutoff")), 0}, false
	case w == "sum":
		chunk := ps.get("chunk")
		return work{(n + chunk - 1) / chunk, 0}, false
	case w == "ring":
		return work{n, n * ps.get("laps")}, true
	case w == "workqueue":
		r := ps.get("r")
		return work{r + 1, 2 * r * n}, true
	}
	return work{n, 0}, false // spawn, timers, million
}
