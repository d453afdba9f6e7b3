/* `switchbench serve echo|http`: the workloads' server (workloads/server.h,
 * the accept loop in its serve-until-stopped form) alone on one runtime,
 * until SIGINT/SIGTERM. A signal thread stops it: shutting the listener
 * down ends the accept loop, then every live connection is shut down and
 * the server waits for their tasks to end. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/registry/registry.h"
#include "serve.h"
#include "workloads/fdlimit.h"
#include "workloads/server.h"

/* ---- the signal thread -------------------------------------------------- */

/* SIGINT and SIGTERM stop the server; a second one exits at once. SIGUSR1
 * from the main thread ends the signal thread when the server is done. */
typedef struct sig_thread {
  pthread_t tid; /* the thread taking the signals */
  sigset_t set;  /* SIGINT, SIGTERM, SIGUSR1: blocked in every thread */
  sb_server *s;  /* the server to stop */
} sig_thread;

static void *sig_main(void *arg) {
  sig_thread *t = arg;
  int stops = 0;
  for (;;) {
    int sig;
    if (sigwait(&t->set, &sig) != 0 || sig == SIGUSR1)
      break;
    if (stops++ > 0) {
      fprintf(stderr, "serve: second signal, exiting at once\n");
      _exit(130);
    }
    fprintf(stderr, "serve: %s, stopping\n", strsignal(sig));
    sb_server_stop(t->s); /* the accept fails: the loop ends */
  }
  return NULL;
}

/* ---- the command ------------------------------------------------------ */

#define USAGE                                                                  \
  "switchbench serve echo|http --runtime R [--port P] [--bind ADDR] "          \
  "[--workers N]"

/* A one-line complaint about the command line; returns exit code 2. */
static int bad_usage(const char *what, const char *arg) {
  fprintf(stderr, "switchbench: serve: %s%s%s%s (usage: " USAGE ")\n", what,
          arg ? ": '" : "", arg ? arg : "", arg ? "'" : "");
  return 2;
}

static int parse_long(const char *opt, const char *s, long lo, long hi,
                      long *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
    fprintf(stderr, "switchbench: serve: bad %s '%s' (want %ld..%ld)\n", opt, s,
            lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

/* Parses the command line. Returns 0, or the exit code (2 bad, 0 help). */
static int parse_args(int argc, char **argv, int *http,
                      const sb_runtime_ops **ops, struct sockaddr_in *addr,
                      sb_config *cfg) {
  static const struct option longopts[] = {
      {"runtime", required_argument, NULL, 'r'},
      {"port", required_argument, NULL, 'p'},
      {"bind", required_argument, NULL, 'b'},
      {"workers", required_argument, NULL, 'w'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  long port = -1, workers = 0;
  const char *bind_to = "127.0.0.1", *runtime = NULL;
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (ch) {
    case 'r':
      runtime = optarg;
      break;
    case 'p':
      if (parse_long("--port", optarg, 0, 65535, &port) != 0)
        return 2;
      break;
    case 'b':
      bind_to = optarg;
      break;
    case 'w':
      if (parse_long("--workers", optarg, 0, 100000, &workers) != 0)
        return 2;
      break;
    case 'h':
      printf("usage: " USAGE "\n"
             "Serves on ADDR:P (default 127.0.0.1, port 8080 for http, 7070 "
             "for echo;\nport 0 picks a free one) until SIGINT or "
             "SIGTERM.\n");
      return -1;
    default:
      return bad_usage("unknown option, or one missing its value",
                       argv[optind - 1]);
    }
  }
  if (optind != argc - 1)
    return bad_usage("wants exactly one server, echo or http", NULL);
  if (strcmp(argv[optind], "echo") != 0 && strcmp(argv[optind], "http") != 0)
    return bad_usage("no such server (echo or http)", argv[optind]);
  *http = strcmp(argv[optind], "http") == 0;
  if (runtime == NULL)
    return bad_usage("needs --runtime (threads, pool, single or steal)", NULL);
  if ((*ops = sb_runtime_find(runtime)) == NULL)
    return bad_usage("no such runtime", runtime);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_port = htons((uint16_t)(port >= 0 ? port : *http ? 8080 : 7070));
  if (inet_pton(AF_INET, bind_to, &addr->sin_addr) != 1) {
    return bad_usage("--bind wants an IPv4 address such as 127.0.0.1", bind_to);
  }
  cfg->workers = (int)workers;
  return 0;
}

/* As many descriptors as the system lets us: wrk -c 1000 needs 1000+. */
static void raise_fd_limit(void) {
  struct rlimit rl;
  char why[160];
  if (sb__fd_limit_ensure(1 << 16, why, sizeof(why)) != 0 &&
      getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY)
    (void)sb__fd_limit_ensure((size_t)rl.rlim_max, why, sizeof(why));
}

int sb_cmd_serve(int argc, char **argv) {
  sb_server s;
  sb_conn_set conns;
  sig_thread sig = {.s = &s};
  const sb_runtime_ops *ops = NULL;
  struct sockaddr_in addr;
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  int rc, code = 1, http = 0, listen_fd = -1, have_conns = 0, have_sig = 0;

  if ((rc = parse_args(argc, argv, &http, &ops, &addr, &cfg)) != 0)
    return rc < 0 ? 0 : rc;
  raise_fd_limit();
  signal(SIGPIPE, SIG_IGN); /* a write to a closed peer is EPIPE */
  /* Blocked before any other thread exists, so every runtime thread
   * inherits the mask and only the signal thread takes them. */
  sigemptyset(&sig.set);
  sigaddset(&sig.set, SIGINT);
  sigaddset(&sig.set, SIGTERM);
  sigaddset(&sig.set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &sig.set, NULL);

  if ((rc = sb_conn_set_init(&conns)) != 0) {
    fprintf(stderr, "switchbench: serve: %s\n", strerror(-rc));
    goto cleanup;
  }
  have_conns = 1;
  if ((rc = sb_listen_tcp(&addr, 4096)) < 0) {
    char a[INET_ADDRSTRLEN];
    fprintf(stderr, "switchbench: serve: cannot listen on %s:%u: %s\n",
            inet_ntop(AF_INET, &addr.sin_addr, a, sizeof(a)),
            ntohs(addr.sin_port), strerror(-rc));
    goto cleanup;
  }
  listen_fd = rc;
  if ((rc = ops->open(&cfg, &rt)) != 0) {
    fprintf(stderr, "switchbench: serve: runtime %s: %s\n", ops->name,
            strerror(-rc));
    rt = NULL;
    goto cleanup;
  }
  /* Serve until stopped: connection tasks run detached, registered in
   * conns, which the stop shuts down and waits for. */
  sb_server_init(&s,
                 &(sb_server_cfg){.kind = http ? SB_CONN_HTTP : SB_CONN_ECHO,
                                  .listen_fd = listen_fd,
                                  .count = 0,
                                  .set = &conns});
  if ((rc = pthread_create(&sig.tid, NULL, sig_main, &sig)) != 0) {
    fprintf(stderr, "switchbench: serve: signal thread: %s\n", strerror(rc));
    goto cleanup;
  }
  have_sig = 1;
  char a[INET_ADDRSTRLEN];
  printf("listening on %s:%u\n",
         inet_ntop(AF_INET, &addr.sin_addr, a, sizeof(a)),
         ntohs(addr.sin_port));
  fflush(stdout);
  fprintf(stderr, "serve: %s on runtime %s; SIGINT or SIGTERM stops it\n",
          http ? "http" : "echo", ops->name);
  if ((rc = ops->block_on(rt, &s.base)) != 0) {
    fprintf(stderr, "switchbench: serve: runtime failed: %s\n", strerror(-rc));
    goto cleanup;
  }
  if (s.accept_err != 0) {
    fprintf(stderr, "switchbench: serve: accept: %s\n",
            strerror((int)-s.accept_err));
    goto cleanup;
  }
  fprintf(stderr,
          "serve: stopped after %llu connections, %llu bytes served; "
          "%llu refused for lack of tasks%s%s, %llu accept pauses\n",
          (unsigned long long)conns.accepted, (unsigned long long)conns.bytes,
          (unsigned long long)s.spawn_failed, s.spawn_failed ? ": " : "",
          s.spawn_failed ? strerror(-s.spawn_err) : "",
          (unsigned long long)s.backoffs);
  code = 0;
cleanup:
  if (have_sig) {
    pthread_kill(sig.tid, SIGUSR1);
    pthread_join(sig.tid, NULL);
  }
  if (rt != NULL)
    ops->close(rt);
  if (listen_fd >= 0)
    close(listen_fd);
  if (have_conns)
    sb_conn_set_destroy(&conns);
  return code;
}
