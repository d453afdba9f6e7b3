/* `switchbench run`: parses the selection, plans the matrix (or reloads an
 * interrupted one), runs it, then prints the summary and renders the plots
 * and the report from the results file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "face.h"
#include "face_cli.h"
#include "harness.h"
#include "runtimes/os/topo.h"

/* Everything the command line said. */
typedef struct args {
  sb_select sel;       /* the selection */
  sb_run_opts o;       /* the settings */
  const char *out;     /* --out, or NULL for the default name */
  const char *resume;  /* --resume FILE, or NULL */
  int retry_failed;    /* --retry-failed: run failed cells of FILE again */
  int timeout_given;   /* --timeout was given */
  int reps_given;      /* --repetitions was given */
  int min_time_given;  /* --min-time was given */
  int selection_given; /* any option --resume cannot be combined with */
  int peers_flag;      /* -1 default, 1 --peers, 0 --no-peers */
  char *lists[8];      /* strdup'd copies the selection points into */
  int nlists;          /* entries in lists */
} args;

static int bad(const char *what, const char *value, const char *want) {
  fprintf(stderr, "switchbench: bad %s '%s' (%s)\n", what, value, want);
  return 2;
}

static int parse_int(const char *s, long lo, long hi, long *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

/* Splits a comma list into names (kept in a->lists). 0 or exit code 2. */
static int split(args *a, const char *opt, const char *s, char **names,
                 size_t *n) {
  if (a->nlists == (int)(sizeof a->lists / sizeof a->lists[0]))
    return bad(opt, s, "given too often");
  char *copy = strdup(s);
  if (copy == NULL)
    return bad(opt, s, "out of memory");
  a->lists[a->nlists++] = copy;
  char *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t != NULL;
       t = strtok_r(NULL, ",", &save)) {
    if (*n == SB_MAX_SELECT)
      return bad(opt, s, "too many names");
    names[(*n)++] = t;
  }
  if (*n == 0)
    return bad(opt, s, "empty list");
  return 0;
}

static int parse_workers(args *a, const char *s) {
  char *names[SB_MAX_SELECT];
  size_t n = 0;
  int rc = split(a, "--workers", s, names, &n);
  if (rc != 0)
    return rc;
  for (size_t i = 0; i < n; i++) {
    long v;
    if (parse_int(names[i], 1, 1024, &v) != 0)
      return bad("--workers", names[i], "want 1..1024 worker threads");
    if (a->sel.nworkers == SB_MAX_SELECT)
      return bad("--workers", s, "too many values");
    a->sel.workers[a->sel.nworkers++] = (int)v;
  }
  return 0;
}

static int parse_param(args *a, const char *s) {
  const char *eq = strchr(s, '=');
  long long v;
  char *end = NULL;
  if (eq == NULL || eq == s || (size_t)(eq - s) >= 32)
    return bad("--param", s, "want NAME=VALUE");
  errno = 0;
  v = strtoll(eq + 1, &end, 10);
  if (errno != 0 || end == eq + 1 || *end != '\0')
    return bad("--param", s, "want an integer value in range");
  if (a->sel.nparams == sizeof a->sel.params / sizeof a->sel.params[0])
    return bad("--param", s, "too many --param");
  snprintf(a->sel.params[a->sel.nparams].name, 32, "%.*s", (int)(eq - s), s);
  a->sel.params[a->sel.nparams++].value = v;
  return 0;
}

static int parse(args *a, int argc, char **argv) {
  enum {
    O_QUICK = 256,
    O_SMOKE,
    O_RUNTIME,
    O_WORKLOAD,
    O_WORKERS,
    O_PIN,
    O_REPS,
    O_OUT,
    O_RESUME,
    O_TIMEOUT,
    O_PEERS,
    O_NOPEERS,
    O_NOPLOTS,
    O_PARAM,
    O_RETRY,
    O_MINTIME
  };
  static const struct option longopts[] = {
      {"quick", no_argument, NULL, O_QUICK},
      {"smoke", no_argument, NULL, O_SMOKE},
      {"runtime", required_argument, NULL, O_RUNTIME},
      {"workload", required_argument, NULL, O_WORKLOAD},
      {"workers", required_argument, NULL, O_WORKERS},
      {"pin", required_argument, NULL, O_PIN},
      {"repetitions", required_argument, NULL, O_REPS},
      {"out", required_argument, NULL, O_OUT},
      {"resume", required_argument, NULL, O_RESUME},
      {"timeout", required_argument, NULL, O_TIMEOUT},
      {"peers", no_argument, NULL, O_PEERS},
      {"no-peers", no_argument, NULL, O_NOPEERS},
      {"no-plots", no_argument, NULL, O_NOPLOTS},
      {"param", required_argument, NULL, O_PARAM},
      {"retry-failed", no_argument, NULL, O_RETRY},
      {"min-time", required_argument, NULL, O_MINTIME},
      {NULL, 0, NULL, 0}};
  int ch, rc = 0;
  long v = 0;
  sb__cli_start();
  while (rc == 0 &&
         (ch = getopt_long(argc, argv, SB_CLI_SHORT, longopts, NULL)) != -1) {
    a->selection_given |=
        ch != O_TIMEOUT && ch != O_NOPLOTS && ch != O_RESUME && ch != O_RETRY;
    switch (ch) {
    case O_QUICK:
      a->o.quick = 1;
      break;
    case O_SMOKE:
      a->o.smoke = 1;
      break;
    case O_RUNTIME:
      rc = split(a, "--runtime", optarg, a->sel.runtimes, &a->sel.nruntimes);
      break;
    case O_WORKLOAD:
      rc = split(a, "--workload", optarg, a->sel.workloads, &a->sel.nworkloads);
      break;
    case O_WORKERS:
      rc = parse_workers(a, optarg);
      break;
    case O_PIN:
      if (sb_pin_parse(optarg, &a->o.pin) != 0)
        rc = bad("--pin", optarg, "want none, compact or spread");
      break;
    case O_REPS:
      if (parse_int(optarg, 1, 1000, &v) != 0)
        rc = bad("--repetitions", optarg, "want 1..1000");
      a->o.repetitions = (int)v;
      a->reps_given = 1;
      break;
    case O_OUT:
      a->out = optarg;
      break;
    case O_RESUME:
      a->resume = optarg;
      break;
    case O_TIMEOUT:
      if (parse_int(optarg, 1, 86400, &v) != 0)
        rc = bad("--timeout", optarg, "want 1..86400 seconds");
      a->o.timeout = (int)v;
      a->timeout_given = 1;
      break;
    case O_PEERS:
      a->peers_flag = 1;
      break;
    case O_NOPEERS:
      a->peers_flag = 0;
      break;
    case O_NOPLOTS:
      a->o.plots = 0;
      break;
    case O_PARAM:
      rc = parse_param(a, optarg);
      break;
    case O_RETRY:
      a->retry_failed = 1;
      break;
    case O_MINTIME: {
      char *end = NULL;
      errno = 0;
      double t = strtod(optarg, &end);
      if (errno != 0 || end == optarg || *end != '\0' || !(t > 0) || t > 3600)
        rc = bad("--min-time", optarg, "want seconds, above 0, at most 3600");
      a->o.min_time = t;
      a->min_time_given = 1;
      break;
    }
    default:
      rc = sb__cli_bad("run", ch, argv);
    }
  }
  if (rc == 0 && optind < argc) {
    fprintf(stderr, "switchbench: run: unexpected argument '%s'\n",
            argv[optind]);
    rc = 2;
  }
  if (rc == 0 && a->resume != NULL && a->selection_given) {
    fprintf(stderr, "switchbench: --resume keeps the interrupted run's "
                    "settings; only --timeout, --retry-failed and --no-plots "
                    "go with it\n");
    rc = 2;
  }
  if (rc == 0 && a->retry_failed && a->resume == NULL) {
    fprintf(stderr, "switchbench: --retry-failed goes with --resume FILE\n");
    rc = 2;
  }
  return rc;
}

/* 0 when path can be written (tried with path.tmp), else -errno. */
static int writable(const char *path) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return -EISDIR;
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
    return -ENAMETOOLONG;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  close(fd);
  unlink(tmp);
  return 0;
}

static void default_path(char *buf, size_t len, const char *host) {
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  mkdir("results", 0755);
  snprintf(buf, len, "results/%s-%s.json", host, stamp);
}

static void command_line(char *buf, size_t len, int argc, char **argv) {
  size_t at = (size_t)snprintf(buf, len, "switchbench");
  for (int i = 1; i < argc && at < len; i++)
    at += (size_t)snprintf(buf + at, len - at, " %s", argv[i]);
}

/* Summary, plots and report from the finished file. */
static int render(const char *path, int plots) {
  int rc = sb_summary_print(path, stdout);
  if (plots) {
    char plot[] = "plot", report[] = "report", file[4096];
    snprintf(file, sizeof file, "%s", path);
    char *pargv[] = {plot, file, NULL};
    char *rargv[] = {report, file, NULL};
    if (sb_cmd_plot(2, pargv) != 0 || sb_cmd_report(2, rargv) != 0)
      rc = 1;
  }
  return rc;
}

/* Finds the peer binaries when the run takes peers. Leaves in note why none
 * can run (said later, once the arguments have passed), else "". */
static void discover_peers(int peers, char *note, size_t len) {
  if (peers && sb__peers_discover(10, note, len) > 0)
    note[0] = '\0';
}

int sb__cmd_run(int argc, char **argv, int full_argc, char **full_argv) {
  args a;
  memset(&a, 0, sizeof a);
  a.o.plots = 1;
  a.peers_flag = -1;
  json_t *doc = NULL;
  sb_cell *cells = NULL;
  size_t n = 0, failed = 0;
  char path[4096], why[1024] = "";
  /* Why the peers are skipped, said only once the arguments and the output
   * path have passed: bad input gets exactly one line. */
  char peers_note[1024] = "";
  sb_machine m;
  int rc = parse(&a, argc, argv);
  if (rc != 0)
    goto cleanup;
  int timeout = a.o.timeout;
  int plots = a.o.plots;
  if (a.resume != NULL) {
    rc = sb__doc_load(a.resume, a.retry_failed, &doc, &a.o, why, sizeof why);
    if (rc == 0)
      discover_peers(a.o.peers, peers_note, sizeof peers_note);
    if (rc == 0)
      rc = sb__doc_cells(doc, &cells, &n, why, sizeof why);
    if (rc != 0) {
      fprintf(stderr, "switchbench: %s\n", why);
      rc = 2;
      goto cleanup;
    }
    if (a.timeout_given)
      a.o.timeout = timeout;
    a.o.plots = plots && !a.o.smoke;
    snprintf(path, sizeof path, "%s", a.resume);
  } else {
    /* Peers join the default matrix; --quick and --smoke take them only when
     * asked (--peers, or a peer runtime named in --runtime), so the quick
     * pass stays short. */
    int names_peer = 0; /* --runtime names a runtime that is not ours */
    for (size_t i = 0; i < a.sel.nruntimes; i++)
      names_peer |= sb_runtime_find(a.sel.runtimes[i]) == NULL;
    a.o.peers =
        a.peers_flag == 1 ||
        (a.peers_flag == -1 && ((!a.o.smoke && !a.o.quick) || names_peer));
    a.o.repetitions = a.reps_given ? a.o.repetitions
                      : a.o.smoke  ? 1
                      : a.o.quick  ? 3
                                   : 5;
    /* Smoke: one iteration per cell (any time is enough). */
    if (!a.min_time_given)
      a.o.min_time = a.o.smoke ? 1e-9 : a.o.quick ? 0.05 : 0.2;
    if (!a.timeout_given)
      a.o.timeout = a.o.quick || a.o.smoke ? 30 : 300;
    a.o.workers = a.sel.nworkers > 0 ? a.sel.workers[0] : 0;
    if (a.o.smoke)
      a.o.plots = 0;
    discover_peers(a.o.peers, peers_note, sizeof peers_note);
    rc = sb__plan(&a.sel, &a.o, &cells, &n, why, sizeof why);
    if (rc == 0 && n == 0) {
      snprintf(why, sizeof why, "the selection holds no cells");
      rc = -EINVAL;
    }
    if (rc != 0) {
      fprintf(stderr, "switchbench: %s\n", why);
      rc = 2;
      goto cleanup;
    }
    sb__machine_get(&m);
    if (a.out != NULL)
      snprintf(path, sizeof path, "%s", a.out);
    else
      default_path(path, sizeof path, m.host);
    char cmd[2048];
    command_line(cmd, sizeof cmd, full_argc, full_argv);
    doc = sb__doc_new(&m, &a.o, cmd, cells, n);
  }
  int wrc = writable(path);
  if (wrc == 0)
    wrc = sb__doc_write(doc, path);
  if (wrc != 0) {
    fprintf(stderr, "switchbench: cannot write %s: %s\n", path, strerror(-wrc));
    rc = 2;
    goto cleanup;
  }
  if (peers_note[0] != '\0')
    fprintf(stderr, "peers skipped: %s\n", peers_note);
  sb__child_install_signals();
  rc = sb__matrix_run(doc, &a.o, cells, n, path, &failed);
  if (rc == 130) {
    size_t done = 0;
    for (size_t i = 0; i < n; i++)
      done += strcmp(sb__doc_status(doc, i), "pending") != 0;
    fprintf(stderr,
            "interrupted: %zu of %zu cells finished and kept in %s\n"
            "finish with: switchbench run --resume %s\n",
            done, n, path, path);
    goto cleanup;
  }
  if (rc != 0)
    goto cleanup;
  sb__doc_set_complete(doc, 1);
  if ((wrc = sb__doc_write(doc, path)) != 0) {
    fprintf(stderr, "switchbench: cannot write %s: %s\n", path, strerror(-wrc));
    rc = 1;
    goto cleanup;
  }
  fprintf(stderr, "results: %s (%zu cells, %zu failed)\n", path, n, failed);
  rc = render(path, a.o.plots);
  if (failed > 0)
    rc = 1;
cleanup:
  json_decref(doc);
  free(cells);
  for (int i = 0; i < a.nlists; i++)
    free(a.lists[i]);
  return rc;
}
