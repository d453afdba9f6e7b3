// sb-peer-go: Go's goroutines and channels on switchbench's workloads
// (workloads/README.md), printing one JSON object per repetition, the
// protocol the harness reads (harness/RESULTS.md). GOMAXPROCS is the cell's
// worker count.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// param is one name=value, in the order given (the C cell-name order).
type param struct {
	name  string
	value uint64
}

type params []param

func (ps params) get(name string) uint64 {
	for _, p := range ps {
		if p.name == name {
			return p.value
		}
	}
	return 0
}

var workloads = []string{"pingpong", "yield", "spawn", "fib", "sum", "echo", "ring", "timers", "workqueue", "million"}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: sb-peer-go list\n       sb-peer-go run --workload W --runtime go [--workers N] [--reps K] [--min-time S] [--param name=value ...]")
	os.Exit(2)
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "sb-peer-go: "+format+"\n", a...)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "list":
		for _, w := range workloads {
			fmt.Printf("%s go\n", w)
		}
	case "describe":
		fmt.Println("go\tGo goroutines and channels, GOMAXPROCS = workers")
	case "run":
		os.Exit(run(os.Args[2:]))
	default:
		usage()
	}
}

func num(flag string, args []string, i int) uint64 {
	if i >= len(args) {
		fail("%s needs a value", flag)
	}
	v, err := strconv.ParseUint(args[i], 10, 64)
	if err != nil {
		fail("%s needs a non-negative integer, got '%s'", flag, args[i])
	}
	return v
}

func run(args []string) int {
	var workload, rt string
	workers, reps, minTime := uint64(0), uint64(1), 0.1
	var ps params
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--workload", "--runtime":
			if i+1 >= len(args) {
				fail("%s needs a value", args[i])
			}
			if args[i] == "--workload" {
				workload = args[i+1]
			} else {
				rt = args[i+1]
			}
			i++
		case "--workers":
			workers = num(args[i], args, i+1)
			i++
		case "--reps":
			reps = num(args[i], args, i+1)
			i++
		case "--min-time":
			if i+1 >= len(args) {
				fail("--min-time needs seconds")
			}
			t, err := strconv.ParseFloat(args[i+1], 64)
			if err != nil || t < 0 {
				fail("--min-time needs seconds >= 0")
			}
			minTime = t
			i++
		case "--param":
			if i+1 >= len(args) {
				fail("--param needs name=value")
			}
			kv := strings.SplitN(args[i+1], "=", 2)
			if len(kv) != 2 || kv[0] == "" {
				fail("--param wants name=non-negative-integer, got '%s'", args[i+1])
			}
			v, err := strconv.ParseUint(kv[1], 10, 64)
			if err != nil {
				fail("--param wants name=non-negative-integer, got '%s'", args[i+1])
			}
			ps = append(ps, param{kv[0], v})
			i++
		default:
			fail("unknown argument '%s'", args[i])
		}
	}
	if rt != "go" {
		fail("no runtime '%s' (only 'go')", rt)
	}
	if reps == 0 {
		fail("--reps must be at least 1")
	}
	if err := check(workload, ps); err != "" {
		fail("%s", err)
	}
	if workers == 0 {
		workers = uint64(runtime.NumCPU())
	}
	runtime.GOMAXPROCS(int(workers))
	files := raiseFdLimit()
	if need := 2*ps.get("c") + 64; workload == "echo" && files < need {
		// Both ends of every connection live in this process.
		fmt.Fprintf(os.Stderr, "needs %d open files; RLIMIT_NOFILE is %d and cannot be raised\n", need, files)
		return 77 // the harness records the cell as skipped
	}
	m := newMeasure(workload, ps, reps, minTime)
	if err := cell(workload, ps, m); err != nil {
		fmt.Fprintf(os.Stderr, "sb-peer-go: %s/go: %v\n", workload, err)
		return 1
	}
	return 0
}
