#!/usr/bin/env python3
"""Writes tests/data/bad/: files the results reader must refuse with a
one-line reason (exit 2), never a crash. Built from results-small.json."""
import json, os

d = os.path.dirname(os.path.abspath(__file__))
bad = os.path.join(d, "bad")
os.makedirs(bad, exist_ok=True)
good = open(os.path.join(d, "results-small.json"), "rb").read()
doc = json.loads(good)
ctx = doc["context"]

def small(**over):
    """A valid small document (two cells) with fields replaced."""
    b = [e for e in doc["benchmarks"] if e["run_name"] == "pingpong/single/n:10000"]
    c = [x for x in doc["switchbench_cells"] if x["name"] == "pingpong/single/n:10000"]
    out = json.loads(json.dumps({"context": ctx, "benchmarks": b,
                                 "switchbench_cells": c}))
    for k, v in over.items():
        v(out) if callable(v) else out.__setitem__(k, v)
    return json.dumps(out)

def setp(path, value):
    def f(o):
        cur = o
        for k in path[:-1]:
            cur = cur[k]
        cur[path[-1]] = value
    return f

files = {
    "empty.json": b"",
    "whitespace.json": b"  \n\t \n",
    "truncated.json": good[:3000],
    "truncated-end.json": good[:-3],
    "not-object.json": b"[1, 2, 3]\n",
    "string.json": b"\"results\"\n",
    "number.json": b"42\n",
    "garbage.json": bytes(range(256)),
    "nul-in-string.json": small(x=setp(["switchbench_cells", 0, "name"], "a\u0000b")).encode(),
    "nul-byte.json": good[:100] + b"\x00" + good[101:],
    "deep.json": b"[" * 100000 + b"]" * 100000,
    "duplicate-key.json": b'{"context": {}, "context": {}}',
    "foreign-package.json": b'{"name": "left-pad", "version": "1.3.0", "main": "index.js"}\n',
    "foreign-gbench.json": json.dumps({"context": {"date": "x", "num_cpus": 2},
        "benchmarks": [{"name": "BM_x", "run_type": "iteration",
                        "real_time": 1.0, "time_unit": "ns"}]}).encode(),
    "schema-2.json": small(x=setp(["context", "switchbench", "schema"], 2)).encode(),
    "switchbench-not-object.json": small(x=setp(["context", "switchbench"], [1])).encode(),
    "no-benchmarks.json": small(x=lambda o: o.pop("benchmarks")).encode(),
    "benchmarks-object.json": small(benchmarks={"a": 1}).encode(),
    "cells-string.json": small(switchbench_cells="none").encode(),
    "no-cells.json": small(x=lambda o: o.pop("switchbench_cells")).encode(),
    "entry-not-object.json": small(x=setp(["benchmarks", 0], "x")).encode(),
    "name-number.json": small(x=setp(["benchmarks", 0, "name"], 42)).encode(),
    "ns-string.json": small(x=setp(["benchmarks", 0, "ns_per_op"], "fast")).encode(),
    "ns-negative.json": small(x=setp(["benchmarks", 0, "ns_per_op"], -5.0)).encode(),
    "cores-string.json": small(x=setp(["context", "switchbench", "cores"], "two")).encode(),
    "cores-huge.json": small(x=setp(["context", "switchbench", "cores"], 10**15)).encode(),
    "error-flag-string.json": small(x=setp(["benchmarks", 0, "error_occurred"], "yes")).encode(),
    "params-string.json": small(x=setp(["switchbench_cells", 0, "params"], {"n": "many"})).encode(),
    "cpus-string.json": small(x=setp(["switchbench_cells", 0, "cpus"], "0,1")).encode(),
    "cpus-negative.json": small(x=setp(["switchbench_cells", 0, "cpus"], [0, -1])).encode(),
    "primitive-number.json": small(x=setp(["switchbench_cells", 0, "primitive"], 3)).encode(),
    "min-time-string.json": small(x=setp(["switchbench_cells", 0, "min_time"], "0.5")).encode(),
    "cell-name-null.json": small(x=setp(["switchbench_cells", 0, "name"], None)).encode(),
    "huge-integer.json": small().replace('"repetition_index": 0', '"repetition_index": 99999999999999999999999999', 1).encode(),
    "huge-real.json": small().replace('"ns_per_op": ', '"ns_per_op": 1e999, "x": ', 1).encode(),
}
for name, data in files.items():
    with open(os.path.join(bad, name), "wb") as f:
        f.write(data)
print(len(files), "files in", bad)

# Seeds for the fuzzer: small valid files.
seeds = os.path.join(d, "fuzz-seeds")
os.makedirs(seeds, exist_ok=True)
with open(os.path.join(seeds, "two-cells.json"), "w") as f:
    f.write(small())
with open(os.path.join(seeds, "derived.json"), "w") as f:
    f.write(json.dumps({"context": {"switchbench": {"schema": 1}},
        "switchbench_cells": [], "benchmarks": [
        {"name": "ring/single/n:4/laps:2/repeats:2/real_time",
         "run_type": "iteration", "ns_per_op": 10},
        {"name": "ring/single/n:4/laps:2/repeats:2/real_time_median",
         "run_type": "aggregate", "aggregate_name": "median", "ns_per_op": 20},
        {"name": "spawn/pool/n:8", "error_occurred": True,
         "error_message": "out of threads"}]}))
# The keys the measurement protocol added: primitives, serial rows, a
# confined cell with its CPU list, a peer's settings.
with open(os.path.join(seeds, "protocol.json"), "w") as f:
    names = ("fib/rayon/n:25/cutoff:10", "fib/serial-rust/n:25/cutoff:10",
             "pingpong/threads/n:10000/cpus:1")
    f.write(json.dumps({"context": ctx,
        "benchmarks": [e for e in doc["benchmarks"] if e["run_name"] in names],
        "switchbench_cells": [c for c in doc["switchbench_cells"]
                              if c["name"] in names]}))
