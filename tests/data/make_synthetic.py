#!/usr/bin/env python3
"""Writes the synthetic results files the face tests read (tests/data/).
They follow harness/RESULTS.md; the figures are made up to resemble a small
VM and exercise every table and plot, they are not measurements."""
import json, math, random, sys, os

RT = ["threads", "pool", "single", "steal"]
Q = {
  "pingpong": ("What does handing a message to another task cost?", "message", "switch"),
  "yield": ("What does giving the processor away cost?", "yield", "switch"),
  "ring": ("What does passing a token through a ring of pipes cost?", "hop", "switch"),
  "spawn": ("What does starting a task cost?", "task", "spawn"),
  "million": ("How much memory does a waiting task hold?", "task", "memory"),
  "fib": ("How well does fine-grained fork-join scale?", "task", "cpu"),
  "sum": ("How well does a data-parallel sum scale?", "element", "cpu"),
  "grain": ("How small can a task be and still pay off (METG)?", "task", "cpu"),
  "echo": ("How many round trips per second over TCP, and how late?", "round trip", "io"),
  "timers": ("How late do timers fire, and what does a blocking sleep do?", "timer", "io"),
  "blocking": ("What does CPU work that never yields do to other tasks?", "probe", "io"),
  "workqueue": ("What does a request/response over a bounded channel cost?", "request", "switch"),
}

def cell(workload, runtime, params, ns, extra=None, source="switchbench",
         status="ok", reason="", ctx=0.0, reps=5, cv=0.03, error=None,
         primitive=None, peer=None, cpus=None):
    name = "/".join([workload, runtime] + ["%s:%d" % kv for kv in params])
    if cpus:
        name += "/cpus:%d" % len(cpus)
    q, unit, kind = Q.get(workload, ("What is the kernel's floor for one switch?", "switch", "switch"))
    meta = {"name": name, "workload": workload, "runtime": runtime,
            "params": dict(params), "question": q, "unit": unit, "kind": kind,
            "source": source, "status": status, "reason": reason,
            "seconds": 1.5, "checksum": "0x0000000000000001"}
    # Newer files record these; cells without them read as the old ones.
    if primitive:
        meta.update(primitive=primitive, min_time=0.5, repetitions=reps,
                    warmup=1, pin="none", cpus=cpus or [])
    if peer:
        meta["peer"] = peer
    return meta, dict(ns=ns, extra=extra or {}, ctx=ctx, reps=reps, cv=cv,
                      error=error)

def entries(meta, spec, rng, scale):
    name = meta["name"]
    if meta["status"] != "ok":
        if spec["error"]:
            return [{"name": name, "run_name": name, "run_type": "iteration",
                     "repetitions": 1, "repetition_index": 0, "threads": 1,
                     "iterations": 0, "real_time": 0, "cpu_time": 0,
                     "time_unit": "ns", "error_occurred": True,
                     "error_message": spec["error"]}]
        return []
    out, vals = [], []
    n = spec["reps"]
    for i in range(n):
        f = scale * (1 + rng.gauss(0, spec["cv"]))
        e = {"name": name, "family_index": 0, "per_family_instance_index": 0,
             "run_name": name, "run_type": "iteration", "repetitions": n,
             "repetition_index": i, "threads": 1, "iterations": 1000,
             "real_time": spec["ns"] * f * 100, "cpu_time": spec["ns"] * f * 90,
             "time_unit": "ns", "ns_per_op": spec["ns"] * f,
             "items_per_second": 1e9 / (spec["ns"] * f),
             "ctx_switches_per_op": spec["ctx"], "peak_rss_bytes": 6291456}
        for k, v in spec["extra"].items():
            e[k] = v * (f if not k.startswith(("eff", "stack")) else 1)
        e["label"] = "checksum=" + meta["checksum"]
        out.append(e)
        vals.append(e)
    if n > 1:
        keys = [k for k, v in out[0].items() if isinstance(v, float) or
                k in ("ctx_switches_per_op", "peak_rss_bytes")]
        for agg in ("mean", "median", "stddev", "cv"):
            a = {"name": name + "_" + agg, "family_index": 0,
                 "per_family_instance_index": 0, "run_name": name,
                 "run_type": "aggregate", "repetitions": n, "threads": 1,
                 "aggregate_name": agg,
                 "aggregate_unit": "percentage" if agg == "cv" else "time",
                 "iterations": n, "time_unit": "ns"}
            for k in keys:
                xs = sorted(float(v[k]) for v in vals)
                mean = sum(xs) / n
                sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
                a[k] = {"mean": mean, "median": (xs[n // 2] if n % 2 else
                        (xs[n // 2 - 1] + xs[n // 2]) / 2), "stddev": sd,
                        "cv": sd / mean if mean else 0}[agg]
            out.append(a)
    return out

def matrix(reps):
    c = []
    for mech, same, cross in (("futex", 1500, 4100), ("pipe", 2300, 5600)):
        c.append(cell("floor", mech, [], same, reps=reps, source="floor", ctx=1))
        c[-1][0]["name"] = "floor/%s/same-core" % mech
        c.append(cell("floor", mech, [], cross, reps=reps, source="floor", ctx=1))
        c[-1][0]["name"] = "floor/%s/cross-core" % mech
    c.append(cell("floor", "sched_yield", [], 190, reps=reps, source="floor", ctx=1))
    c[-1][0]["name"] = "floor/sched_yield/same-core"
    for m in c:
        m[0]["params"] = {}
    pp = {"threads": (2100, 1.0), "pool": (1800, 0.9), "single": (28, 0.0001),
          "steal": (95, 0.01)}
    for r in RT:
        c.append(cell("pingpong", r, [("n", 10000)], pp[r][0], ctx=pp[r][1],
                      reps=reps, cv=0.25 if r == "steal" else 0.03))
    c.append(cell("pingpong", "tokio-mt", [("n", 10000)], 160, reps=reps,
                  source="peer", ctx=0.02))
    for r, ns in zip(RT, (420, 150, 12, 31)):
        c.append(cell("yield", r, [("k", 10), ("n", 1000)], ns, reps=reps,
                      ctx=1 if r == "threads" else 0))
    for r, ns in zip(RT, (3100, 2600, 610, 880)):
        c.append(cell("ring", r, [("n", 16), ("laps", 100)], ns, reps=reps))
    for r, ns in zip(RT, (26000, 410, 61, 112)):
        c.append(cell("spawn", r, [("n", 10000)], ns, reps=reps))
    for r, n, rss in (("threads", 1000, 11264), ("single", 10000, 144),
                      ("steal", 10000, 168)):
        c.append(cell("million", r, [("n", n)], 900 if r != "threads" else 30000,
                      extra={"rss_per_task_bytes": rss,
                             "stack_reserved_bytes": 8388608.0}, reps=reps))
    c.append(cell("million", "pool", [("n", 10000)], 0, status="skipped",
                  reason="a pool of 2 workers cannot hold 10000 blocked tasks"))
    for r, ns in zip(RT, (31000, 310, 152, 88)):
        c.append(cell("fib", r, [("n", 25), ("cutoff", 10)], ns, reps=reps))
    for r, ns in zip(RT, (0.81, 0.46, 0.86, 0.44)):
        c.append(cell("sum", r, [("n", 10000000), ("chunk", 100000)], ns, reps=reps))
    eff = {"threads": (0.02, 0.21, 0.83), "pool": (0.38, 0.86, 0.97),
           "single": (0.45, 0.48, 0.5), "steal": (0.55, 0.92, 0.98)}
    for r in RT:
        for n, g, e in zip((2000, 2000, 1000), (1000, 10000, 100000), eff[r]):
            c.append(cell("grain", r, [("n", n), ("g", g)], g / e / 2,
                          extra={"efficiency": e}, reps=reps))
    for r in RT:
        for conns, rounds in ((10, 1000), (100, 100), (1000, 10)):
            base = {"threads": 30000, "pool": 32000, "single": 21000,
                    "steal": 19000}[r]
            ns = base / 2 * (1.6 if r in ("threads", "pool") and conns >= 100 else 1)
            c.append(cell("echo", r, [("c", conns), ("b", 64), ("r", rounds)], ns,
                          extra={"p50_ns": ns * conns * 0.9,
                                 "p99_ns": ns * conns * 2.5,
                                 "p999_ns": ns * conns * 4}, reps=reps))
    for r in RT:
        for n, b in ((1000, 0), (40, 0), (40, 1)):
            late = 60000 if r in ("threads", "pool") or b == 0 else 190e6
            c.append(cell("timers", r, [("n", n), ("blocking", b)], 20e6 / 1000,
                          extra={"late_p99_ns": late}, reps=reps))
    for r in RT:
        for off in (0, 1):
            late = 100000 if r in ("threads", "pool") or off == 1 else 49e6
            c.append(cell("blocking", r, [("m", 4), ("cpu_ms", 50), ("offload", off)],
                          5e6, extra={"probe_late_p99_ns": late}, reps=reps))
    c.append(cell("workqueue", "threads", [("r", 2), ("n", 1000), ("cap", 16)], 0,
                  status="failed", reason="checksum mismatch",
                  error="checksum 0x2 != 0x1"))
    # Appended last, so the draws of the cells above stay as they were:
    # the serial rows, peers of each primitive, the thread model on 1 CPU.
    fib = [("n", 25), ("cutoff", 10)]
    c.append(cell("fib", "serial", fib, 61, reps=reps, primitive="serial"))
    c.append(cell("fib", "tokio-mt", fib, 240, reps=reps, source="peer",
                  primitive="spawn+join", peer="rust"))
    c.append(cell("fib", "rayon", fib, 17, reps=reps, source="peer",
                  primitive="join", peer="rust"))
    c.append(cell("fib", "serial-rust", fib, 55, reps=reps, source="peer",
                  primitive="serial", peer="rust"))
    c.append(cell("spawn", "rayon", [("n", 10000)], 90, reps=reps,
                  source="peer", primitive="scope-spawn", peer="rust"))
    c.append(cell("pingpong", "threads", [("n", 10000)], 950, ctx=1.0,
                  reps=reps, primitive="spawn+join", cpus=[0]))
    return c

def rounded(x):
    if isinstance(x, float):
        return float("%.5g" % x)
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    return x

def write(path, reps, scale, seed, cpu="Synthetic CPU @ 2.00GHz",
          kernel="Linux 6.1.0-synthetic x86_64", only=None,
          commit="0123456789ab"):
    rng = random.Random(seed)
    cells = [c for c in matrix(reps)
             if only is None or c[0]["workload"] in only]
    doc = {"context": {
        "date": "2024-05-01T12:00:00+00:00", "host_name": "synthetic",
        "executable": "switchbench", "num_cpus": 2, "mhz_per_cpu": 2000,
        "cpu_scaling_enabled": True, "caches": [], "load_avg": [0.4, 0.3, 0.2],
        "library_build_type": "release",
        "switchbench": {"schema": 1, "git_commit": commit,
            "cpu_model": cpu, "cores": 2, "pus": 2,
            "topology": "1 package, 2 cores, 2 PUs, L3 32 MiB",
            "kernel": kernel, "compiler": "gcc 12.2.0",
            "virtualization": "kvm", "pin": "none", "workers": 2,
            "quick": True, "repetitions": reps,
            "command": "switchbench run --quick", "complete": True,
            "cells_total": len(cells), "cells_done": len(cells)}},
        "benchmarks": [], "switchbench_cells": []}
    dump(path, doc, cells, rng, scale)

def dump(path, doc, cells, rng, scale):
    """Adds the cells' entries to doc and writes it: one benchmark entry or
    cell per line, small, and diffs read well."""
    for meta, spec in cells:
        doc["benchmarks"] += entries(meta, spec, rng, scale)
        doc["switchbench_cells"].append(meta)
    with open(path, "w") as f:
        f.write('{"context": %s,\n"benchmarks": [\n' % json.dumps(doc["context"]))
        f.write(",\n".join(json.dumps(rounded(e)) for e in doc["benchmarks"]))
        f.write('],\n"switchbench_cells": [\n')
        f.write(",\n".join(json.dumps(c) for c in doc["switchbench_cells"]))
        f.write("]}\n")

# Workloads the face has never heard of, each with its role and headline as
# this build records them: the face must read them by those alone.
#   name: (question, unit, kind, headline, headline_unit)
NEW = {
    "relay": ("What does handing a token over a relay cost?", "token",
              "switch", "ns_per_op", "ns"),
    "hatch": ("What does hatching a task cost?", "task", "spawn",
              "ns_per_op", "ns"),
    "idle": ("What does an idle task hold?", "task", "memory", "held_bytes",
             "bytes"),
    "crunch": ("Does crunching blocks of numbers scale?", "block", "cpu",
               "ns_per_op", "ns"),
    "fill": ("How well do small tasks fill the CPU?", "task", "cpu", "fill",
             "fraction"),
    "rpc": ("How fast and how late are calls over a socket?", "call", "io",
            "p999_ns", "ns"),
    "nap": ("What does a nap that blocks do to the other tasks?", "wake",
            "pitfall", "wake_p99_ns", "ns"),
}

def roles_matrix():
    c = []
    for mech, ns in (("futex", 1500), ("pipe", 2300)):
        c.append(cell("floor", mech, [], ns, source="floor", ctx=1))
        c[-1][0]["name"] = "floor/%s/same-core" % mech
        c[-1][0]["params"] = {}
    for r, ns in zip(RT, (3000, 2500, 40, 90)):
        c.append(cell("relay", r, [("n", 1000)], ns))
    for r, ns in zip(RT, (20000, 300, 50, 90)):
        c.append(cell("hatch", r, [("n", 500)], ns))
    for r, n, held in (("threads", 100, 12000), ("single", 5000, 200),
                       ("steal", 5000, 240)):
        c.append(cell("idle", r, [("n", n)], 1000, extra={"held_bytes": held}))
    for r, ns in zip(RT, (1.0, 0.5, 1.0, 0.5)):
        c.append(cell("crunch", r, [("n", 1000000)], ns))
    fills = {"threads": (0.05, 0.3, 0.8), "pool": (0.4, 0.8, 0.95),
             "single": (0.45, 0.48, 0.5), "steal": (0.6, 0.9, 0.97)}
    for r in RT:
        for n, g, e in zip((4000, 2000, 1000), (100, 1000, 10000), fills[r]):
            c.append(cell("fill", r, [("n", n), ("g", g)], g / e,
                          extra={"fill": e}))
    for r in RT:
        for conns, rounds in ((8, 800), (64, 100), (512, 12)):
            ns = {"threads": 30000, "pool": 31000, "single": 12000,
                  "steal": 11000}[r] / 2
            c.append(cell("rpc", r, [("c", conns), ("r", rounds)], ns,
                          extra={"p999_ns": ns * conns * 5}))
    for r in RT:
        for sync in (0, 1):
            late = 80e6 if r == "single" and sync == 1 else 50000
            c.append(cell("nap", r, [("n", 10), ("sync", sync)], 1e6,
                          extra={"wake_p99_ns": late}))
    for meta, spec in c:
        w = meta["workload"]
        if w != "floor":
            q, unit, kind, head, hunit = NEW[w]
            meta.update(question=q, unit=unit, kind=kind)
        else:
            head, hunit = "ns_per_op", "ns"
        meta.update(headline=head, headline_unit=hunit, workers=0,
                    primitive="none" if w == "floor" else "spawn+join",
                    min_time=0.5, repetitions=spec["reps"],
                    warmup=0 if w == "floor" else 1, pin="none", cpus=[])
    return c

def new_doc(cells, date, quick):
    """An empty results document as this build writes it, for cells."""
    return {"context": {
        "date": date, "host_name": "synthetic",
        "num_cpus": 2,
        "switchbench": {"schema": 1, "git_commit": "0123456789ab",
            "cpu_model": "Synthetic CPU @ 2.00GHz", "cores": 2, "pus": 2,
            "cpus_allowed": 2, "topology": "1 package, 2 cores, 2 PUs",
            "kernel": "Linux 6.1.0-synthetic x86_64", "compiler": "gcc 12.2.0",
            "virtualization": "none", "pin": "none", "workers": 0,
            "quick": quick, "smoke": False, "repetitions": 5, "min_time": 0.5,
            "timeout": 30, "peers": False, "command": "switchbench run",
            "complete": True, "cells_total": len(cells),
            "cells_done": len(cells)}},
        "benchmarks": [], "switchbench_cells": []}

def write_roles(path, seed):
    """A file as this build writes it, of workloads no table names."""
    rng = random.Random(seed)
    cells = roles_matrix()
    doc = new_doc(cells, "2024-05-02T12:00:00+00:00", True)
    dump(path, doc, cells, rng, 1.0)

if __name__ == "__main__":
    d = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(d, "results-small.json"), 5, 1.0, 1)
    few = ("floor", "pingpong", "yield", "spawn", "million", "workqueue")
    write(os.path.join(d, "results-rerun.json"), 5, 1.0, 2, only=few)
    write(os.path.join(d, "results-slower.json"), 5, 1.5, 3,
          cpu="Other CPU @ 3.10GHz", kernel="Linux 6.6.0-other x86_64",
          only=few)
    write(os.path.join(d, "results-onerep.json"), 1, 1.0, 4)
    write_roles(os.path.join(d, "results-roles.json"), 5)
    # Another machine of the fleet (merge): another CPU and commit, twice
    # as slow, the few workloads only.
    write(os.path.join(d, "results-fleet-arm.json"), 5, 2.0, 6,
          cpu="Synthetic Arm Neoverse-N1", kernel="Linux 6.8.0-synthetic aarch64",
          only=few, commit="fedcba987654")
