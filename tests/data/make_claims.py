#!/usr/bin/env python3
"""Writes the synthetic results files the claims test reads (tests/data/):
a run with every cell the claims read, including a green-thread runtime
(fiber) and open-loop socket cells (a `rate` parameter with their latency
counters), a second run of the same matrix with fresh noise, and the same
run without the fiber and open-loop cells. The figures are made up, not
measurements; some sit right at a claim's threshold, so the noise decides
them unless the judge refuses to."""
import os, random
from make_synthetic import cell, dump, new_doc

RT = ["threads", "pool", "single", "steal"]
HEAD = {  # workload: (kind, headline, headline_unit)
    "pingpong": ("switch", "ns_per_op", "ns"),
    "million": ("memory", "rss_per_task_bytes", "bytes"),
    "spawn": ("spawn", "ns_per_op", "ns"),
    "fib": ("cpu", "ns_per_op", "ns"),
    "sum": ("cpu", "ns_per_op", "ns"),
    "echo": ("io", "p99_ns", "ns"),
    "files": ("io", "ns_per_op", "ns"),
    "timers": ("pitfall", "late_p99_ns", "ns"),
    "blocking": ("pitfall", "probe_late_p99_ns", "ns"),
}

def matrix(green, open_loop):
    c = []
    for name, ns in (("same-core", 1500), ("cross-core", 4000)):
        c.append(cell("floor", "futex", [], ns, source="floor", ctx=1))
        c[-1][0]["name"] = "floor/futex/" + name
        c[-1][0]["params"] = {}
    rts = RT + (["fiber"] if green else [])
    pp = {"threads": 2100, "pool": 1800, "single": 30, "steal": 90,
          "fiber": 45}
    for r in rts:
        c.append(cell("pingpong", r, [("n", 10000)], pp[r]))
    for r, rss in (("threads", 11000), ("single", 150), ("steal", 170),
                   ("fiber", 8400)):
        if r in rts:
            c.append(cell("million", r, [("n", 10000)], 900,
                          extra={"rss_per_task_bytes": rss}))
    for r, ns in zip(RT, (26000, 400, 60, 110)):
        c.append(cell("spawn", r, [("n", 10000)], ns))
    # fib: pool far behind; sum: pool and steal within noise of each other.
    for r, ns in zip(RT, (30000, 300, 150, 90)):
        c.append(cell("fib", r, [("n", 25), ("cutoff", 10)], ns))
    for r, ns in zip(RT, (0.8, 0.5, 0.9, 0.5)):
        c.append(cell("sum", r, [("n", 1 << 24), ("chunk", 65536)], ns,
                      cv=0.08))
    for r in RT:
        for conns in (100, 1000):
            rss = 6e6 + conns * (12000 if r in ("threads", "pool") else 2000)
            c.append(cell("echo", r, [("c", conns), ("b", 64), ("r", 100)],
                          20000, extra={"p99_ns": 5e5, "peak_rss_bytes": rss}))
    # files: pool against the executors at 1.25x, right on the threshold
    # (undecided whatever the noise), and well within it.
    for r in RT:
        for f, s, cold, ns in ((256, 64, 0, 40000), (256, 64, 1, 200000)):
            k = {"threads": 1.0, "pool": 1.0, "single": 1.0,
                 "steal": 1.0}[r]
            if cold and r in ("single", "steal"):
                k = 1 / 1.25
            c.append(cell("files", r, [("f", f), ("s", s), ("cold", cold)],
                          ns * k, cv=0.06))
    for r in RT:
        for b in (0, 1):
            late = 2e8 if r == "single" and b else 60000
            c.append(cell("timers", r, [("n", 200), ("blocking", b)], 20000,
                          extra={"late_p99_ns": late,
                                 "longest_sleep_ns": 1e7}))
        for off in (0, 1):
            late = 5e8 if r == "single" and off == 0 else 1e5
            c.append(cell("blocking", r, [("m", 16), ("cpu_ms", 500),
                                          ("offload", off)], 5e6,
                          extra={"probe_late_p99_ns": late}))
    if open_loop:
        # At 4000/s the generator could not keep up: that rate is left out.
        for r in RT:
            for rate, limited in ((2000, 0), (4000, 1)):
                p99 = (9e6 if r in ("threads", "pool") else 3e5) * rate / 2000
                c.append(cell("echo", r, [("c", 100), ("rate", rate)], 5e5,
                              extra={"p50_ns": p99 / 8, "p90_ns": p99 / 3,
                                     "p99_ns": p99, "p999_ns": p99 * 2,
                                     "max_ns": p99 * 4, "offered_rps": rate,
                                     "achieved_rps": rate * (1 - limited / 4),
                                     "generator_limited": limited,
                                     "peak_rss_bytes": 8e6}))
    for meta, spec in c:
        w = meta["workload"]
        if w == "files":
            meta.update(question="Does a pool serve file reads as well as "
                        "an executor?", unit="file")
        kind, head, hunit = HEAD.get(w, ("switch", "ns_per_op", "ns"))
        meta.update(kind=kind, headline=head, headline_unit=hunit, workers=0,
                    primitive="none" if w == "floor" else "spawn+join",
                    min_time=0.5, repetitions=spec["reps"],
                    warmup=0 if w == "floor" else 1, pin="none", cpus=[])
    return c

def write(path, seed, green=True, open_loop=True):
    cells = matrix(green, open_loop)
    doc = new_doc(cells, "2026-11-28T12:00:00+00:00", False)
    dump(path, doc, cells, random.Random(seed), 1.0)

if __name__ == "__main__":
    d = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(d, "claims-run1.json"), 11)
    write(os.path.join(d, "claims-run2.json"), 12)
    write(os.path.join(d, "claims-base.json"), 11, green=False,
          open_loop=False)
