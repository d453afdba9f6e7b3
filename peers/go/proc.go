// What the process reads about itself: CPU time and context switches
// (getrusage RUSAGE_SELF), resident and virtual size and their peak
// (/proc/self/status, the peak reset through /proc/self/clear_refs), and the
// open-file limit.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// usage is the process's getrusage(RUSAGE_SELF) figures that the protocol
// reports.
type usage struct {
	cpuNs    int64 // user + system CPU time, ns
	switches int64 // voluntary + involuntary context switches
}

func usageNow() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		// RUSAGE_SELF with a valid buffer cannot fail (getrusage(2)).
		panic(fmt.Sprintf("getrusage: %v", err))
	}
	return usage{
		cpuNs:    ru.Utime.Nano() + ru.Stime.Nano(),
		switches: ru.Nvcsw + ru.Nivcsw,
	}
}

// procStatus reads the named "kB" fields of /proc/self/status (VmRSS,
// VmSize, VmHWM, ...) in bytes, in the order asked.
func procStatus(names ...string) ([]int64, error) {
	text, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(names))
	for i, name := range names {
		at := bytes.Index(text, []byte("\n"+name+":"))
		if at < 0 {
			return nil, fmt.Errorf("/proc/self/status has no %s", name)
		}
		fields := bytes.Fields(text[at+len(name)+2:])
		if len(fields) < 2 || string(fields[1]) != "kB" {
			return nil, fmt.Errorf("/proc/self/status: %s is not in kB", name)
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("/proc/self/status: %s: %v", name, err)
		}
		out[i] = kb * 1024
	}
	return out, nil
}

// resetPeak makes VmHWM start again from the current RSS (Linux >= 4.0).
func resetPeak() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is VmHWM in bytes: the largest RSS since the last resetPeak.
func peakRSS() (int64, error) {
	v, err := procStatus("VmHWM")
	if err != nil {
		return 0, err
	}
	return v[0], nil
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
