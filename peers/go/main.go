// sb-peer-go: Go's goroutines and channels on switchbench's workloads,
// measured by the protocol every side follows (workloads/PROTOCOL.md):
//
//	sb-peer-go list     one line per cell kind: workload runtime primitive
//	sb-peer-go run ...  one JSON object per repetition (section 2)
//	sb-peer-go serve .. the echo server the C load generator drives (section 6)
//
// GOMAXPROCS is the cell's worker count. Bad arguments: one line on stderr
// naming the problem, exit 2; a failed run: the reason, exit 1.
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

func (ps params) has(name string) bool {
	for _, p := range ps {
		if p.name == name {
			return true
		}
	}
	return false
}

// cellKinds: what `list` prints, PROTOCOL.md section 7.
var cellKinds = [][3]string{
	{"pingpong", "go", "spawn+join"}, {"yield", "go", "spawn+join"},
	{"spawn", "go", "spawn+join"}, {"fib", "go", "spawn+join"},
	{"fib", "serial-go", "serial"}, {"sum", "go", "spawn+join"},
	{"echo", "go", "spawn+join"}, {"ring", "go", "spawn+join"},
	{"timers", "go", "spawn+join"}, {"workqueue", "go", "spawn+join"},
	{"million", "go", "spawn+join"},
}

const usageText = `usage: sb-peer-go list
       sb-peer-go run --workload W --runtime go|serial-go [--workers N] [--reps K]
                  [--min-time S] [--warmup 0|1] [--cpus 0,1,...] [--param name=value ...]
       sb-peer-go serve --workload echo --runtime go [--workers N] [--cpus 0,1,...] --listen-fd FD`

// fail reports a bad argument and exits 2.
func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "sb-peer-go: "+format+"\n", a...)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		fail("needs a command: list, run or serve (--help shows the flags)")
	}
	switch os.Args[1] {
	case "list":
		for _, k := range cellKinds {
			fmt.Printf("%s %s %s\n", k[0], k[1], k[2])
		}
	case "run":
		os.Exit(run(parse("run", os.Args[2:])))
	case "serve":
		os.Exit(serveCmd(parse("serve", os.Args[2:])))
	case "-h", "--help", "help":
		fmt.Println(usageText)
	default:
		fail("unknown command '%s' (list, run, serve)", os.Args[1])
	}
}

// options: every flag of run and serve.
type options struct {
	workload, runtime string
	workers, reps     uint64
	minTime           float64
	warmup            bool
	cpus              string // "" when not given
	listenFd          int64  // -1 when not given
	ps                params
}

func number(flag, v string) uint64 {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		fail("%s needs a non-negative integer, got '%s'", flag, v)
	}
	return n
}

// parse reads the flags cmd takes; anything else is a bad argument.
func parse(cmd string, args []string) options {
	o := options{reps: 1, minTime: 0.5, warmup: true, listenFd: -1}
	runOnly := map[string]bool{"--reps": true, "--min-time": true, "--warmup": true, "--param": true}
	for i := 0; i < len(args); i++ {
		flag := args[i]
		if cmd == "serve" && runOnly[flag] || cmd == "run" && flag == "--listen-fd" {
			fail("%s does not take %s", cmd, flag)
		}
		if i+1 >= len(args) {
			fail("%s needs a value", flag)
		}
		v := args[i+1]
		i++
		switch flag {
		case "--workload":
			o.workload = v
		case "--runtime":
			o.runtime = v
		case "--workers":
			o.workers = number(flag, v)
		case "--reps":
			if o.reps = number(flag, v); o.reps == 0 {
				fail("--reps must be at least 1")
			}
		case "--min-time":
			t, err := strconv.ParseFloat(v, 64)
			if err != nil || !(t >= 0) || t > 1e6 {
				fail("--min-time needs seconds >= 0, got '%s'", v)
			}
			o.minTime = t
		case "--warmup":
			if v != "0" && v != "1" {
				fail("--warmup takes 0 or 1, got '%s'", v)
			}
			o.warmup = v == "1"
		case "--cpus":
			o.cpus = v
		case "--listen-fd":
			fd := number(flag, v)
			if fd > 1<<20 {
				fail("--listen-fd %s is not a descriptor", v)
			}
			o.listenFd = int64(fd)
		case "--param":
			kv := strings.SplitN(v, "=", 2)
			if len(kv) != 2 || kv[0] == "" {
				fail("--param wants name=non-negative-integer, got '%s'", v)
			}
			val, err := strconv.ParseUint(kv[1], 10, 64)
			if err != nil {
				fail("--param wants name=non-negative-integer, got '%s'", v)
			}
			if o.ps.has(kv[0]) {
				fail("--param %s given twice", kv[0])
			}
			o.ps = append(o.ps, param{kv[0], val})
		default:
			fail("unknown argument '%s' (--help shows the flags)", flag)
		}
	}
	if o.workload == "" || o.runtime == "" {
		fail("%s needs --workload and --runtime", cmd)
	}
	return o
}

// settle applies the settings every command shares: the CPU list first (so
// every thread the runtime makes later inherits it), then GOMAXPROCS, then
// the open-file limit.
func settle(o options) {
	if o.cpus != "" {
		set, err := parseCPUs(o.cpus)
		if err != nil {
			fail("%v", err)
		}
		if err := confine(set); err != nil {
			fmt.Fprintf(os.Stderr, "sb-peer-go: cannot confine the process to CPUs %s: %v\n", o.cpus, err)
			os.Exit(1)
		}
	}
	workers := o.workers
	if workers == 0 {
		workers = uint64(runtime.NumCPU())
	}
	if workers > 1<<16 {
		fail("--workers %d is more than this peer allows (65536)", workers)
	}
	runtime.GOMAXPROCS(int(workers))
	raiseFdLimit() // ring holds two descriptors per goroutine, serve one per connection
}

func run(o options) int {
	switch {
	case o.workload == "echo":
		fail("echo is measured through `serve` (the C load generator drives it), not `run`")
	case o.runtime == "serial-go" && o.workload != "fib":
		fail("runtime 'serial-go' has only the workload fib")
	case o.runtime != "go" && o.runtime != "serial-go":
		fail("no runtime '%s' (go, serial-go)", o.runtime)
	}
	if why := checkParams(o.workload, o.ps); why != "" {
		fail("%s", why)
	}
	settle(o)
	c, err := setup(o.workload, o.runtime, o.ps)
	if err == nil {
		err = c.measure(o.reps, o.minTime, o.warmup)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sb-peer-go: %s/%s: %v\n", o.workload, o.runtime, err)
		return 1
	}
	return 0
}

func serveCmd(o options) int {
	switch {
	case o.workload != "echo":
		fail("serve has only the workload echo, not '%s'", o.workload)
	case o.runtime != "go":
		fail("serve has only the runtime go, not '%s'", o.runtime)
	case o.listenFd < 0:
		fail("serve needs --listen-fd FD (the harness's listening socket)")
	}
	settle(o)
	return serve(uintptr(o.listenFd))
}
