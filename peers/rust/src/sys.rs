//! What the peer reads from and asks of Linux: getrusage, /proc/self
//! (statm, VmHWM, clear_refs), CPU affinity and the open-file limit.

/// Process CPU time and context switches (getrusage RUSAGE_SELF).
#[derive(Clone, Copy, Default)]
pub struct Usage {
    pub cpu_ns: u64,   // user + system
    pub switches: u64, // voluntary + involuntary
}

pub fn usage() -> Usage {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let ns = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1000;
    Usage { cpu_ns: ns(ru.ru_utime) + ns(ru.ru_stime), switches: (ru.ru_nvcsw + ru.ru_nivcsw) as u64 }
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no memory effects.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as u64
    } else {
        4096
    }
}

/// (VmSize, VmRSS) of the process now, in bytes, from /proc/self/statm.
pub fn statm() -> Result<(u64, u64), String> {
    let s = std::fs::read_to_string("/proc/self/statm").map_err(|e| format!("/proc/self/statm: {}", e))?;
    let mut f = s.split_whitespace().map(|v| v.parse::<u64>());
    match (f.next(), f.next()) {
        (Some(Ok(vm)), Some(Ok(rss))) => Ok((vm * page_size(), rss * page_size())),
        _ => Err(format!("/proc/self/statm: cannot parse '{}'", s.trim())),
    }
}

/// The process's peak resident set (VmHWM), in bytes.
pub fn peak_rss() -> Result<u64, String> {
    let s = std::fs::read_to_string("/proc/self/status").map_err(|e| format!("/proc/self/status: {}", e))?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| "/proc/self/status has no VmHWM".to_string())
}

/// Resets the peak resident set to the current one (Linux >= 4.0).
pub fn reset_peak_rss() -> Result<(), String> {
    std::fs::write("/proc/self/clear_refs", "5").map_err(|e| format!("/proc/self/clear_refs: {}", e))
}

/// The CPUs the calling thread may run on now.
pub fn allowed_cpus() -> Result<Vec<usize>, String> {
    // SAFETY: sched_getaffinity writes at most size_of::<cpu_set_t>() bytes
    // into the set we hand it; CPU_ISSET reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Err(format!("sched_getaffinity: {}", std::io::Error::last_os_error()));
        }
        Ok((0..libc::CPU_SETSIZE as usize).filter(|&c| libc::CPU_ISSET(c, &set)).collect())
    }
}

/// Restricts the calling thread (and the threads it creates from now on)
/// to cpus. Called before a runtime starts, it confines the process.
pub fn confine_thread(cpus: &[usize]) -> Result<(), String> {
    // SAFETY: CPU_ZERO/CPU_SET write inside the set (every cpu was checked
    // against CPU_SETSIZE when parsed); sched_setaffinity reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        for &c in cpus {
            libc::CPU_SET(c, &mut set);
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(format!("sched_setaffinity {:?}: {}", cpus, std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// Pins the calling thread to one CPU, from a runtime's thread-start hook,
/// where no error can be returned: a failure ends the process with the
/// reason (the CPU list was checked against the allowed CPUs beforehand).
pub fn pin_or_exit(cpu: usize) {
    if let Err(e) = confine_thread(&[cpu]) {
        eprintln!("sb-peer-rust: pinning a worker: {}", e);
        std::process::exit(1);
    }
}

/// Lifts the soft limit on open files to the hard limit (echo and ring hold
/// a descriptor per connection or link end). Returns the limit now.
pub fn raise_fd_limit() -> u64 {
    // SAFETY: get/setrlimit only read and write the struct we hand them.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        if lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
            }
        }
        lim.rlim_cur as u64
    }
}
