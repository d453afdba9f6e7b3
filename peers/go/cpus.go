// --cpus: confining the whole process to a CPU list. Go gives no hook on the
// threads that run its Ps, so it cannot pin worker i to CPU i as the C pool
// does; the harness confines the peer process before exec, and this sets
// the same mask on every thread the process has from inside, as a second
// guard (PROTOCOL.md sections 7 and 9).
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// cpuSetWords: a mask of 1024 CPUs, the size of glibc's cpu_set_t.
const cpuSetWords = 16

type cpuSet [cpuSetWords]uint64

// parseCPUs reads "0,1,3" (each a CPU number below 1024, no repeats).
func parseCPUs(list string) (cpuSet, error) {
	var set cpuSet
	if list == "" {
		return set, fmt.Errorf("--cpus needs a list such as 0,1")
	}
	for _, item := range strings.Split(list, ",") {
		cpu, err := strconv.ParseUint(item, 10, 32)
		if err != nil || cpu >= 64*cpuSetWords {
			return set, fmt.Errorf("--cpus wants CPU numbers below %d separated by commas, got '%s'",
				64*cpuSetWords, list)
		}
		if set[cpu/64]&(1<<(cpu%64)) != 0 {
			return set, fmt.Errorf("--cpus names CPU %d twice in '%s'", cpu, list)
		}
		set[cpu/64] |= 1 << (cpu % 64)
	}
	return set, nil
}

func setAffinity(tid int, set *cpuSet) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid),
		unsafe.Sizeof(*set), uintptr(unsafe.Pointer(set)))
	if e != 0 {
		return e
	}
	return nil
}

// confine sets the mask on every thread of the process. A thread inherits
// its creator's mask, so once a pass over /proc/self/task finds no thread it
// had not set, every thread, and every thread made later, is confined.
func confine(set cpuSet) error {
	done := map[int]bool{}
	for {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		fresh := 0
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil || done[tid] {
				continue
			}
			if err := setAffinity(tid, &set); err != nil && err != syscall.ESRCH {
				return fmt.Errorf("sched_setaffinity(%d): %v", tid, err)
			}
			done[tid] = true
			fresh++
		}
		if fresh == 0 {
			return nil
		}
	}
}
