/* `switchbench cell NAME`: runs one cell in this process through Google
 * Benchmark and writes its JSON. The matrix runs every cell this way, in a
 * child process, so that a cell that hangs or crashes cannot take it down:
 * C cells, the fib/serial row, and a peer's echo cell (--peer PATH: the
 * peer serves, the C load generator drives it). A name ending in /cpus:N
 * confines the whole process first. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "face_cli.h"
#include "harness.h"
#include "runtimes/os/topo.h"

/* Test hooks: SB_TEST_HANG=NAME makes cell NAME never finish and
 * SB_TEST_CRASH=NAME makes it abort, so the tests can prove that the
 * watchdog records such cells and the matrix goes on. */
static void test_hooks(const char *name) {
  const char *hang = getenv("SB_TEST_HANG");
  const char *crash = getenv("SB_TEST_CRASH");
  if (crash != NULL && strcmp(crash, name) == 0) {
    fprintf(stderr, "switchbench: SB_TEST_CRASH: aborting cell %s\n", name);
    abort();
  }
  if (hang != NULL && strcmp(hang, name) == 0)
    for (;;)
      pause();
}

/* A name ending in /cpus:N: every thread of this process, present and
 * future, on the first N CPUs of the policy's order, before anything is
 * created. Returns 0, or -1 after saying why. */
static int confine(const sb_cell *c, sb_pin pin) {
  if (c->cpus_n == 0)
    return 0;
  int cpus[SB_MAX_CPUS];
  int n = sb__cell_cpus(c, pin, cpus, SB_MAX_CPUS);
  sb_topo *t = NULL;
  int rc = n < 0 ? n : sb_topo_get(&t);
  if (rc == 0)
    rc = sb_topo_confine(t, cpus, n);
  if (rc != 0)
    fprintf(stderr, "switchbench: cell %s: cannot confine to %d CPUs: %s\n",
            c->name, c->cpus_n, strerror(-rc));
  return rc == 0 ? 0 : -1;
}

/* Parses an integer option in [lo, hi]; prints the problem and returns -1. */
static int int_opt(const char *opt, const char *s, long lo, long hi, int *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
    fprintf(stderr, "switchbench: bad %s '%s' (want %ld..%ld)\n", opt, s, lo,
            hi);
    return -1;
  }
  *out = (int)v;
  return 0;
}

int sb__cell_main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"json", required_argument, NULL, 'j'},
      {"repetitions", required_argument, NULL, 'r'},
      {"min-time", required_argument, NULL, 'm'},
      {"workers", required_argument, NULL, 'w'},
      {"pin", required_argument, NULL, 'p'},
      {"peer", required_argument, NULL, 'P'},
      {NULL, 0, NULL, 0}};
  const char *json = "-", *peer = NULL;
  int reps = 1, workers = 0;
  double min_time = 0.5;
  sb_pin pin = SB_PIN_NONE;
  int ch;
  sb__cli_start();
  while ((ch = getopt_long(argc, argv, SB_CLI_SHORT, longopts, NULL)) != -1) {
    char *end = NULL;
    switch (ch) {
    case 'j':
      json = optarg;
      break;
    case 'r':
      if (int_opt("--repetitions", optarg, 1, 1000, &reps) != 0)
        return 2;
      break;
    case 'm':
      min_time = strtod(optarg, &end);
      if (end == optarg || *end != '\0' || !(min_time > 0) || min_time > 3600) {
        fprintf(stderr, "switchbench: bad --min-time '%s'\n", optarg);
        return 2;
      }
      break;
    case 'w':
      if (int_opt("--workers", optarg, 0, 1024, &workers) != 0)
        return 2;
      break;
    case 'P':
      peer = optarg;
      break;
    case 'p':
      if (sb_pin_parse(optarg, &pin) != 0) {
        fprintf(stderr, "switchbench: bad --pin '%s' (none|compact|spread)\n",
                optarg);
        return 2;
      }
      break;
    default: /* usage: cell NAME [--json FILE] [--repetitions N]
              [--min-time S] [--workers N] [--pin P] [--peer PATH] */
      return sb__cli_bad("cell", ch, argv);
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "switchbench: cell wants exactly one cell name\n");
    return 2;
  }
  char why[SB_REASON_LEN] = "";
  sb_cell c;
  const char *name = argv[optind];
  if (peer != NULL) {
    /* The one peer this cell drives: workload/runtime from the name. */
    char w[32] = "", r[32] = "";
    sscanf(name, "%31[^/]/%31[^/]", w, r);
    sb__peer_use(peer, w, r);
  }
  if (sb__cell_parse(name, peer != NULL, &c, why, sizeof why) != 0) {
    fprintf(stderr, "switchbench: cell %s: %s\n", name, why);
    return 2;
  }
  if (c.source == SB_SOURCE_PEER && !sb__peer_served(&c)) {
    fprintf(stderr,
            "switchbench: cell %s: a peer runs this cell itself "
            "(only echo is driven from here)\n",
            name);
    return 2;
  }
  if (!c.workers_in_name)
    c.workers = workers;
  test_hooks(c.name);
  if (confine(&c, pin) != 0)
    return 1;

  sb_machine m;
  sb__machine_get(&m);
  sb__machine_add_context(&m, sb_pin_name(pin));
  char gb_arg0[] = "switchbench";
  char *gb_argv[] = {gb_arg0, NULL};
  int gb_argc = 1;
  sb_gb_initialize(&gb_argc, gb_argv);

  sb_cell_run run;
  sb_serial_run serial;
  void *echo = NULL;
  sb_gb_body body;
  switch (c.source) {
  case SB_SOURCE_FLOOR:
    SB_ASSERT(sb__floor_body(c.name, &body) == 0);
    break;
  case SB_SOURCE_SERIAL:
    sb__serial_open(&serial, &c);
    body = serial.body;
    break;
  case SB_SOURCE_PEER:
    echo = sb__peer_echo_open(&c, pin, &body);
    break;
  case SB_SOURCE_C: {
    sb_config cfg = {.workers = c.workers, .pin = pin, .stack_size = 0};
    sb__cell_open(&run, &c, &cfg);
    body = run.body;
    break;
  }
  }
  sb_gb_options opt = {.repetitions = reps, .min_time = min_time};
  int rc = sb_gb_register(c.name, &body, &opt);
  SB_ASSERT(rc == 0);
  rc = sb_gb_run(json);
  if (c.source == SB_SOURCE_C)
    sb__cell_close(&run);
  sb__peer_echo_close(echo);
  if (rc < 0) {
    fprintf(stderr, "switchbench: cannot write %s: %s\n", json, strerror(-rc));
    return 1;
  }
  return 0;
}
