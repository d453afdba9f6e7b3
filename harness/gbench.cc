// The C face of Google Benchmark 1.7.1 (gbench.h): the only C++ in the
// project. Cells are registered with a lambda that runs the C body in batches,
// so no C/C++ crossing sits inside the timed loop.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

// Runs one call of a cell: begin, one batch of max_iterations, end. The C
// body measures its own time (UseManualTime) around the work alone.
void run_cell(benchmark::State &s, const sb_gb_body *body) {
  char why[256] = "";
  if (body->begin != nullptr && body->begin(body->arg, why, sizeof(why)) != 0) {
    s.SkipWithError(why);
    return;
  }
  const benchmark::IterationCount n = s.max_iterations;
  bool ok = true;
  while (s.KeepRunningBatch(n)) {
    double seconds = 0;
    if (body->batch(body->arg, n, &seconds, why, sizeof(why)) != 0) {
      s.SkipWithError(why);
      ok = false;
      break;
    }
    s.SetIterationTime(seconds);
  }
  if (!ok || body->end == nullptr)
    return;
  sb_counters c;
  std::memset(&c, 0, sizeof(c));
  body->end(body->arg, s.iterations(), &c);
  for (int i = 0; i < c.n && i < SB_COUNTERS_MAX; i++)
    s.counters[c.c[i].name] = benchmark::Counter(c.c[i].value);
  if (c.label[0] != '\0')
    s.SetLabel(c.label);
}

// Google Benchmark's JSON, with each entry named by its cell alone (the
// suffixes it appends for per-benchmark settings (/min_time:, /repeats:,
// /process_time/manual_time) would make names differ between settings),
// and without non-finite counters.
class CellJSONReporter : public benchmark::JSONReporter {
public:
  void ReportRuns(const std::vector<Run> &reports) override {
    std::vector<Run> named(reports);
    for (Run &r : named) {
      r.run_name.min_time.clear();
      r.run_name.min_warmup_time.clear();
      r.run_name.iterations.clear();
      r.run_name.repetitions.clear();
      r.run_name.time_type.clear();
      r.run_name.threads.clear();
      // A cv over a counter whose mean is 0 is NaN, which JSON cannot
      // hold: such an undefined figure is left out rather than printed.
      for (auto it = r.counters.begin(); it != r.counters.end();)
        it = std::isfinite(it->second.value) ? std::next(it)
                                             : r.counters.erase(it);
    }
    benchmark::JSONReporter::ReportRuns(named);
  }
};

} // namespace

extern "C" void sb_gb_initialize(int *argc, char **argv) {
  benchmark::Initialize(argc, argv);
}

extern "C" int sb_gb_register(const char *name, const sb_gb_body *body,
                              const sb_gb_options *opt) {
  if (name == nullptr || body == nullptr || body->batch == nullptr ||
      opt->repetitions <= 0 || !(opt->min_time > 0))
    return -EINVAL;
  benchmark::RegisterBenchmark(
      name, [body](benchmark::State &s) { run_cell(s, body); })
      ->Unit(benchmark::kNanosecond)
      ->UseManualTime()
      ->MeasureProcessCPUTime()
      ->MinTime(opt->min_time)
      ->Repetitions(opt->repetitions);
  return 0;
}

extern "C" void sb_gb_add_context(const char *key, const char *value) {
  benchmark::AddCustomContext(key, value);
}

extern "C" int sb_gb_run(const char *path) {
  CellJSONReporter reporter;
  std::ofstream file;
  if (std::strcmp(path, "-") != 0) {
    file.open(path, std::ios::out | std::ios::trunc);
    if (!file.is_open())
      return -EACCES;
    reporter.SetOutputStream(&file);
  }
  reporter.SetErrorStream(&std::cerr);
  size_t ran = benchmark::RunSpecifiedBenchmarks(&reporter);
  if (file.is_open()) {
    file.close();
    if (file.fail())
      return -EIO;
  }
  return static_cast<int>(ran);
}
