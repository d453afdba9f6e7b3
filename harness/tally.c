/* The standard counters every cell reports (PROTOCOL.md 2, 3): time per op,
 * context switches, and the peak RSS of one repetition, whose window is
 * opened at the start of each Google Benchmark call by resetting the
 * kernel's high-water mark; and the call's tallies that every body making
 * timed runs shares (begin, batch, warm-up, counters): C cells, the serial
 * row, a peer's echo server. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"

int sb__peak_rss_reset(void) {
  /* "5" resets VmHWM to the current RSS (Linux >= 4.0, proc(5)). */
  int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  int ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

/* VmHWM of /proc/self/status in bytes, or -1 when it cannot be read. */
static double vm_hwm(void) {
  FILE *f = fopen("/proc/self/status", "re");
  char line[256];
  double kib = -1;
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof line, f) != NULL)
    if (sscanf(line, "VmHWM: %lf kB", &kib) == 1)
      break;
  fclose(f);
  return kib < 0 ? -1 : kib * 1024.0;
}

double sb__peak_rss_bytes(int reset) {
  double hwm = reset ? vm_hwm() : -1;
  if (hwm >= 0)
    return hwm;
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return (double)ru.ru_maxrss * 1024.0; /* Linux reports KiB */
}

void sb__counters_standard(sb_counters *c, double seconds, int64_t ops,
                           uint64_t ctx_switches, double peak_rss,
                           int peak_reset) {
  if (ops > 0 && seconds > 0) {
    sb_counter_set(c, "ns_per_op", seconds * 1e9 / (double)ops);
    sb_counter_set(c, "items_per_second", (double)ops / seconds);
    sb_counter_set(c, "ctx_switches_per_op",
                   (double)ctx_switches / (double)ops);
  }
  sb_counter_set(c, "peak_rss_bytes", peak_rss);
  /* Said only when the peak could not be reset: it then covers the whole
   * process so far, not this repetition alone. */
  if (!peak_reset)
    sb_counter_set(c, "peak_rss_reset", 0);
}

int sb__tally_begin(sb_tally *t, char *why, size_t len) {
  if (t->error[0] != '\0') {
    snprintf(why, len, "%s", t->error);
    return -1;
  }
  t->peak_reset = sb__peak_rss_reset();
  t->ns = 0;
  t->switches = 0;
  return 0;
}

int sb__tally_batch(sb_tally *t, sb_run_fn run, void *arg, int64_t n,
                    double *seconds, char *why, size_t len) {
  int64_t before = t->ns;
  for (int64_t i = 0; i < n; i++) {
    if (run(arg, why, len) != 0) {
      snprintf(t->error, sizeof t->error, "%s", why);
      return -1;
    }
  }
  *seconds = (double)(t->ns - before) / 1e9;
  return 0;
}

void sb__tally_warmup(sb_tally *t, sb_run_fn run, void *arg) {
  char why[SB_REASON_LEN] = "";
  if (t->error[0] == '\0' && run(arg, why, sizeof why) != 0)
    snprintf(t->error, sizeof t->error, "warm-up run: %.*s", SB_REASON_LEN - 16,
             why);
}

void sb__tally_counters(const sb_tally *t, int64_t ops, sb_counters *c) {
  sb__counters_standard(c, (double)t->ns / 1e9, ops, t->switches,
                        sb__peak_rss_bytes(t->peak_reset), t->peak_reset);
}
