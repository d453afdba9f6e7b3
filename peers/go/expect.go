// The checksum and op count every correct run of a workload produces, from
// the closed forms in workloads/README.md (arithmetic modulo 2^64).
package main

import "fmt"

func check(w string, ps params) string {
	need := map[string][]string{
		"pingpong": {"n"}, "spawn": {"n"}, "million": {"n"}, "yield": {"k", "n"},
		"fib": {"n", "cutoff"}, "sum": {"n", "chunk"}, "echo": {"c", "b", "r"},
		"ring": {"n", "laps"}, "timers": {"n", "blocking"}, "workqueue": {"r", "n", "cap"},
	}
	names, ok := need[w]
	if !ok {
		return fmt.Sprintf("unknown workload '%s'", w)
	}
	for _, k := range names {
		found := false
		for _, p := range ps {
			found = found || p.name == k
		}
		if !found {
			return fmt.Sprintf("%s needs --param %s=...", w, k)
		}
		if ps.get(k) == 0 && k != "cutoff" && k != "blocking" {
			return fmt.Sprintf("%s: %s must be at least 1", w, k)
		}
	}
	if w == "fib" && ps.get("n") > 90 {
		return "fib: n must be at most 90"
	}
	return ""
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

func echoByte(k, i, j uint64) byte {
	return byte((k*31 + i*7 + j) & 0xff)
}

func checksum(w string, ps params) uint64 {
	n := ps.get("n")
	switch w {
	case "pingpong":
		return n * (n + 1) / 2
	case "yield":
		k := ps.get("k")
		return n * (k * (k + 1) / 2)
	case "spawn":
		return n * (n - 1) / 2
	case "fib":
		return fibIter(n)
	case "sum":
		s := uint64(0)
		for i := uint64(0); i < n; i++ {
			s += i * i
		}
		return s
	case "echo":
		s := uint64(0)
		c, b, r := ps.get("c"), ps.get("b"), ps.get("r")
		for k := uint64(0); k < c; k++ {
			for i := uint64(0); i < r; i++ {
				for j := uint64(0); j < b; j++ {
					s += uint64(echoByte(k, i, j))
				}
			}
		}
		return s
	case "ring":
		return ps.get("laps") * n
	case "timers":
		return n * (n - 1) / 2
	case "workqueue":
		t := ps.get("r") * n
		return t * t
	case "million":
		return n
	}
	return 0
}

func ops(w string, ps params) uint64 {
	n := ps.get("n")
	switch w {
	case "pingpong":
		return 2 * n
	case "yield":
		return ps.get("k") * n
	case "fib":
		return fibTasks(n, ps.get("cutoff"))
	case "echo":
		return ps.get("c") * ps.get("r")
	case "ring":
		return ps.get("laps") * n
	case "workqueue":
		return ps.get("r") * n
	}
	return n
}
