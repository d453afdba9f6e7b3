/* The fib/serial row (PROTOCOL.md 5): the fib tree walked by plain
 * recursion with no runtime, divided by the tasks a fib run spawns, so a
 * runtime's fib figure minus this row is its own cost per task. Measured
 * like a C cell: a warm-up run, tallies reset per call, every run checked. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "workloads/fib.h"

/* One timed walk of the tree, checked. */
static int one_run(void *arg, char *why, size_t len) {
  sb_serial_run *r = arg;
  int n = r->n;
  uint64_t s0 = sb__ctx_switches();
  int64_t t0 = sb_now_ns();
  /* Compiler barriers: the walk's input appears to change after t0 and its
   * output to be used before t1, so a walk the compiler knows to be pure
   * can be neither hoisted out of the clock nor merged across runs. */
  __asm__ volatile("" : "+r"(n) : : "memory");
  uint64_t out = sb_fib_tree(n, r->cutoff);
  __asm__ volatile("" : "+r"(out) : : "memory");
  int64_t t1 = sb_now_ns();
  r->t.switches += sb__ctx_switches() - s0;
  if (out != r->want) {
    snprintf(why, len, "fib(%d) = %" PRIu64 ", expected %" PRIu64, r->n, out,
             r->want);
    return -1;
  }
  r->last_out = out;
  r->t.ns += t1 - t0;
  return 0;
}

static int serial_begin(void *arg, char *why, size_t len) {
  return sb__tally_begin(&((sb_serial_run *)arg)->t, why, len);
}

static int serial_batch(void *arg, int64_t n, double *seconds, char *why,
                        size_t len) {
  sb_serial_run *r = arg;
  return sb__tally_batch(&r->t, one_run, r, n, seconds, why, len);
}

static void serial_end(void *arg, int64_t iterations, sb_counters *c) {
  sb_serial_run *r = arg;
  sb__tally_counters(&r->t, iterations * r->ops, c);
  snprintf(c->label, sizeof c->label, "checksum=0x%016llx",
           (unsigned long long)r->last_out);
}

void sb__serial_open(sb_serial_run *r, const sb_cell *c) {
  memset(r, 0, sizeof *r);
  r->body = (sb_gb_body){.arg = r,
                         .begin = serial_begin,
                         .batch = serial_batch,
                         .end = serial_end};
  r->n = (int)sb_param_of(&c->params, sb_workload_fib.params, "n");
  r->cutoff = (int)sb_param_of(&c->params, sb_workload_fib.params, "cutoff");
  r->ops = sb_fib_tasks(r->n, r->cutoff);
  r->want = sb_workload_fib.checksum(&c->params);
  if (r->ops <= 0) {
    snprintf(r->t.error, sizeof r->t.error,
             "fib/serial: %" PRId64 " tasks per run", r->ops);
    return;
  }
  sb__tally_warmup(&r->t, one_run, r);
}
