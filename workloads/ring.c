/* Workload ring: a token passed around a ring of n tasks over AF_UNIX
 * socketpairs, in the manner of lmbench's lat_ctx and the bucket brigade:
 * every hop is a write that makes the next task's read ready, so I/O
 * readiness drives each switch. */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdlimit.h"
#include "runtimes/primitives/fdio.h"
#include "runtimes/primitives/spawn.h"
#include "workload.h"

/* What the root writes instead of the token when the ring is incomplete. */
#define RING_POISON UINT64_MAX
/* The most hops one run makes. */
#define RING_MAX_HOPS 1000000000

/* Tasks in the ring and laps around it: every cell names both. */
static const sb_param_spec specs[] = {
    {"n", 0, 2, 100000}, {"laps", 0, 1, RING_MAX_HOPS}, {NULL, 0, 0, 0}};

/* Task i: laps times, read the token (8 bytes, little-endian) from link i,
 * add one, write it to link (i+1) mod n. Returns the tokens it read, or a
 * negative errno. */
typedef struct ring_task {
  sb_future base;
  int rfd, wfd;   /* link i's reading end, link i+1's writing end */
  int laps;       /* hops this task makes */
  int k;          /* hops made so far */
  uint64_t token; /* the token in hand, little-endian */
  sb_fdop op;     /* the read or write in flight */
} ring_task;

typedef struct ring_state ring_state;

/* Spawns the ring, writes 0 into link 0, joins every task, then reads the
 * final token back from link 0. */
typedef struct ring_root {
  sb_future base;
  ring_state *st; /* the cell */
  int spawned;    /* tasks spawned */
  int i;          /* tasks joined */
  int err;        /* the first failure: -errno, or 0 */
  int64_t tokens; /* tokens the joined tasks read */
  uint64_t token; /* the token written first and read back last (LE) */
  sb_fdop op;     /* the write or read in flight */
} ring_root;

struct ring_state {
  sb_runtime *rt;  /* the runtime the cell runs on */
  int n, laps;     /* tasks in the ring, laps around it */
  int (*links)[2]; /* links[i]: a socketpair, [0] read, [1] written; -1
                      when not open */
  sb_join *joins;  /* n join handles, reused by every run */
  int err;         /* the last run's first failure, or 0 */
  int64_t tokens;  /* tokens the tasks read in the last run */
  ring_root root;  /* the run's root future */
};

static const sb_params ring_quick[] = {
    {{{"n", 2}, {"laps", 20000}}},
    {{{"n", 100}, {"laps", 300}}},
    {{{"n", 1000}, {"laps", 20}}},
    {{{NULL, 0}}},
};

static const sb_params ring_full[] = {
    {{{"n", 2}, {"laps", 25000}}},
    {{{"n", 10}, {"laps", 5000}}},
    {{{"n", 100}, {"laps", 500}}},
    {{{"n", 1000}, {"laps", 50}}},
    {{{NULL, 0}}},
};

static sb_poll ring_task_poll(sb_future *f, sb_cx *cx) {
  ring_task *self = (ring_task *)f;
  SB_BEGIN(self);
  for (self->k = 0; self->k < self->laps; self->k++) {
    sb_read_full_init(&self->op, self->rfd, &self->token, sizeof(self->token));
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    if (self->op.base.out != sizeof(self->token))
      SB_RETURN(self, (int64_t)self->op.base.out < 0 ? self->op.base.out
                                                     : (uint64_t)-EPIPE);
    if (self->token == RING_POISON)
      SB_RETURN(self, (uint64_t)-ECANCELED);
    self->token = htole64(le64toh(self->token) + 1);
    sb_write_all_init(&self->op, self->wfd, &self->token, sizeof(self->token));
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    if (self->op.base.out != sizeof(self->token))
      SB_RETURN(self, (int64_t)self->op.base.out < 0 ? self->op.base.out
                                                     : (uint64_t)-EPIPE);
  }
  SB_END(self, self->k);
}

static void ring_task_drop(sb_future *f, sb_runtime *rt) {
  ring_task *self = (ring_task *)f;
  if (sb_future_is_pending(&self->base))
    sb_future_drop(&self->op.base, rt);
  sb_future_done(&self->base);
}

static sb_poll ring_root_poll(sb_future *f, sb_cx *cx) {
  ring_root *self = (ring_root *)f;
  ring_state *st = self->st;
  ring_task task;
  SB_BEGIN(self);
  for (self->spawned = 0; self->spawned < st->n; self->spawned++) {
    int i = self->spawned;
    memset(&task, 0, sizeof(task));
    task.base = SB_FUTURE_INIT(ring_task_poll, ring_task_drop);
    task.rfd = st->links[i][0];
    task.wfd = st->links[(i + 1) % st->n][1];
    task.laps = st->laps;
    int rc = sb_spawn(cx, &task.base, sizeof(task), &st->joins[i]);
    if (rc < 0) {
      self->err = rc;
      break;
    }
  }
  if (self->err == 0) {
    self->token = 0;
    sb_write_all_init(&self->op, st->links[0][1], &self->token,
                      sizeof(self->token));
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    if (self->op.base.out != sizeof(self->token))
      self->err = -EIO; /* cannot happen to an empty link */
  } else {
    /* A ring with a task missing cannot turn: release the tasks already
     * waiting. Their links are empty, so each write completes at once. */
    for (int i = 0; i < self->spawned; i++) {
      uint64_t poison = RING_POISON;
      ssize_t n = write(st->links[i][1], &poison, sizeof(poison));
      SB_ASSERT(n == (ssize_t)sizeof(poison));
    }
  }
  for (self->i = 0; self->i < self->spawned; self->i++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->i], cx));
    if ((int64_t)st->joins[self->i].base.out < 0) {
      if (self->err == 0)
        self->err = (int)(int64_t)st->joins[self->i].base.out;
    } else {
      self->tokens += (int64_t)st->joins[self->i].base.out;
    }
  }
  st->tokens = self->tokens;
  if (self->err != 0)
    SB_RETURN(self, st->err = self->err);
  sb_read_full_init(&self->op, st->links[0][0], &self->token,
                    sizeof(self->token));
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  if (self->op.base.out != sizeof(self->token))
    SB_RETURN(self, st->err = -EIO);
  SB_END(self, le64toh(self->token));
}

static void ring_root_drop(sb_future *f, sb_runtime *rt) {
  ring_root *self = (ring_root *)f;
  sb_future_drop(&self->op.base, rt);
  for (int i = 0; i < self->spawned; i++)
    sb_join_release(&self->st->joins[i], rt);
  sb_future_done(&self->base);
}

static sb_future *ring_root_new(void *state) {
  ring_state *st = state;
  st->err = 0;
  st->tokens = 0;
  memset(&st->root, 0, sizeof(st->root));
  memset(st->joins, 0, (size_t)st->n * sizeof(*st->joins));
  st->root.base = SB_FUTURE_INIT(ring_root_poll, ring_root_drop);
  st->root.st = st;
  sb_future_done(&st->root.op.base); /* nothing in flight: drop is a no-op */
  return &st->root.base;
}

/* At most 1e9 hops a run. */
static int ring_check(const sb_params *ps, char *why, size_t len) {
  int64_t n = sb_param_of(ps, specs, "n"),
          laps = sb_param_of(ps, specs, "laps");
  if (laps <= RING_MAX_HOPS / n)
    return 0;
  snprintf(why, len, "ring needs laps*n <= 1e9 (got n=%lld laps=%lld)",
           (long long)n, (long long)laps);
  return -EINVAL;
}

static void ring_teardown(void *state) {
  ring_state *st = state;
  for (int i = 0; st->links != NULL && i < st->n; i++)
    for (int e = 0; e < 2; e++)
      if (st->links[i][e] >= 0)
        sb_fd_close(st->rt, st->links[i][e]);
  free(st->links);
  free(st->joins);
  free(st);
}

static int ring_setup(const sb_params *ps, const sb_setup_env *env,
                      void **state, char *why, size_t len) {
  int rc = -ENOMEM;
  sb_runtime *rt = env->rt;
  ring_state *st = calloc(1, sizeof(*st));
  if (st == NULL)
    return -ENOMEM;
  st->rt = rt;
  st->n = (int)sb_param_of(ps, specs, "n");
  st->laps = (int)sb_param_of(ps, specs, "laps");
  st->links = malloc((size_t)st->n * sizeof(*st->links));
  st->joins = calloc((size_t)st->n, sizeof(*st->joins));
  if (st->links == NULL || st->joins == NULL)
    goto fail;
  for (int i = 0; i < st->n; i++)
    st->links[i][0] = st->links[i][1] = -1;
  /* Every task but the token's holder blocks in read at once: a runtime
   * whose waits hold an OS thread needs one per task. */
  if ((rt->ops->flags & SB_RT_BLOCKING_WAITS) && env->info.workers > 0 &&
      env->info.workers < st->n) {
    snprintf(why, len,
             "%d tasks blocked in read need %d OS threads; %s has %d "
             "workers, so the ring would deadlock",
             st->n, st->n, rt->ops->name, env->info.workers);
    rc = -EOPNOTSUPP;
    goto fail;
  }
  /* Two ends per link; a runtime may also hold a descriptor per waiting
   * task, so ask for a third where the limit allows. */
  if (sb__fd_limit_ensure(3 * (size_t)st->n + 64, why, len) < 0 &&
      (rc = sb__fd_limit_ensure(2 * (size_t)st->n + 64, why, len)) < 0) {
    rc = -EOPNOTSUPP; /* skipped where the limit does not allow it */
    goto fail;
  }
  for (int i = 0; i < st->n; i++) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   st->links[i]) < 0) {
      rc = -errno;
      snprintf(why, len, "socketpair %d of %d: %s", i, st->n, strerror(errno));
      goto fail;
    }
  }
  *state = st;
  return 0;
fail:
  ring_teardown(st);
  return rc;
}

static int ring_verify(void *state, uint64_t out, char *why, size_t len) {
  ring_state *st = state;
  uint64_t want = (uint64_t)st->laps * (uint64_t)st->n;
  if (st->err != 0)
    snprintf(why, len, "ring of %d: %s", st->n, strerror(-st->err));
  else if (out != want)
    snprintf(why, len, "token came back as %llu, expected %llu",
             (unsigned long long)out, (unsigned long long)want);
  else
    return 0;
  return -1;
}

static uint64_t ring_checksum(const sb_params *ps) {
  return (uint64_t)sb_param_of(ps, specs, "laps") *
         (uint64_t)sb_param_of(ps, specs, "n");
}

static int64_t ring_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "laps") * sb_param_of(ps, specs, "n");
}

/* n tasks; every task reads laps tokens (the root's final read of link 0
 * is not a hop and not counted). */
static void ring_work(const sb_params *ps, sb_work *out) {
  int64_t n = sb_param_of(ps, specs, "n");
  *out = (sb_work){.tasks = n,
                   .messages = n * sb_param_of(ps, specs, "laps"),
                   .connections = -1};
}

static void ring_run_work(void *state, sb_work *out) {
  ring_state *st = state;
  *out = (sb_work){.tasks = -1, .messages = st->tokens, .connections = -1};
}

const sb_workload sb_workload_ring = {
    .name = "ring",
    .question = "What does a switch cost when I/O readiness drives it (a "
                "token around a ring of tasks over socketpairs)?",
    .unit = "hop",
    .kind = "switch",
    .headline = "ns_per_op",
    .headline_unit = "ns",
    .quick = ring_quick,
    .full = ring_full,
    .params = specs,
    .check = ring_check,
    .setup = ring_setup,
    .root = ring_root_new,
    .verify = ring_verify,
    .checksum = ring_checksum,
    .ops = ring_ops,
    .work = ring_work,
    .run_work = ring_run_work,
    .teardown = ring_teardown,
};
