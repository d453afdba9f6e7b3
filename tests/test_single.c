/* Tests of what is particular to runtime `single` (runtimes/single/single.c):
 * wakes from other threads (inbox + eventfd), such wakes racing with the task's
 * end, the budget that keeps a flood of ready tasks from starving timers and
 * I/O, and close() dropping what is still alive. The argument names the
 * runtime (normally single); every case also holds on any executor. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "runtimes/primitives/fdio.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* ---- a signal another thread raises: a flag and a waker under a lock ---- */

typedef struct signal {
  pthread_mutex_t lock; /* protects the two fields below */
  int raised;           /* 1 once raised */
  sb_waker waker;       /* who to wake; .task NULL if nobody waits */
} signal_t;

typedef struct await_signal {
  sb_future base;
  signal_t *sig;
} await_signal;

static sb_poll await_signal_poll(sb_future *f, sb_cx *cx) {
  await_signal *a = (await_signal *)f;
  pthread_mutex_lock(&a->sig->lock);
  int raised = a->sig->raised;
  /* Done: take the waker back under the lock, as the contract asks. */
  a->sig->waker = raised ? (sb_waker){0} : cx->waker;
  pthread_mutex_unlock(&a->sig->lock);
  if (!raised)
    return SB_PENDING;
  return sb_future_ready(f, 1);
}

static void await_signal_drop(sb_future *f, sb_runtime *rt) {
  await_signal *a = (await_signal *)f;
  (void)rt;
  pthread_mutex_lock(&a->sig->lock);
  a->sig->waker = (sb_waker){0};
  pthread_mutex_unlock(&a->sig->lock);
  sb_future_done(f);
}

static void signal_raise(signal_t *s) {
  pthread_mutex_lock(&s->lock);
  s->raised = 1;
  if (s->waker.task != NULL)
    sb_wake(s->waker);
  pthread_mutex_unlock(&s->lock);
}

/* Wakes the waiter, if any, without raising: a spurious wake. */
static void signal_poke(signal_t *s) {
  pthread_mutex_lock(&s->lock);
  if (s->waker.task != NULL)
    sb_wake(s->waker);
  pthread_mutex_unlock(&s->lock);
}

/* ---- remote wake of a loop blocked in epoll ---------------------------- */

static void *raise_later(void *arg) {
  struct timespec ts = {0, 5 * 1000 * 1000};
  nanosleep(&ts, NULL);
  signal_raise(arg);
  return NULL;
}

static void remote_wake_unblocks(const sb_runtime_ops *ops) {
  signal_t sig = {.lock = PTHREAD_MUTEX_INITIALIZER};
  await_signal root = {SB_FUTURE_INIT(await_signal_poll, await_signal_drop),
                       &sig};
  pthread_t th;
  ASSERT_EQ(pthread_create(&th, NULL, raise_later, &sig), 0);
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
  ASSERT_EQ(pthread_join(th, NULL), 0);
}

/* ---- remote wakes racing with the end of the woken tasks --------------- */

#define RACE_TASKS 64
#define RACE_ROUNDS 200

typedef struct race {
  signal_t sig[RACE_TASKS];
  atomic_int round; /* round the root is in; -1 = stop */
  atomic_int poked; /* rounds the poker finished */
} race;

static void *poker(void *arg) {
  race *r = arg;
  for (int round = 0; round < RACE_ROUNDS; round++) {
    while (atomic_load(&r->round) < round)
      sched_yield();
    /* Spurious wakes, then the real one, then more spurious ones: the last
     * may land while the task ends and is freed. */
    for (int i = 0; i < RACE_TASKS; i++)
      signal_poke(&r->sig[i]);
    for (int i = 0; i < RACE_TASKS; i++)
      signal_raise(&r->sig[i]);
    for (int i = 0; i < RACE_TASKS; i++)
      signal_poke(&r->sig[i]);
    atomic_store(&r->poked, round + 1);
  }
  return NULL;
}

typedef struct race_root {
  sb_future base;
  race *r;
  int round, i;
  uint64_t sum;
  sb_join joins[RACE_TASKS];
} race_root;

static sb_poll race_root_poll(sb_future *f, sb_cx *cx) {
  race_root *self = (race_root *)f;
  SB_BEGIN(self);
  for (self->round = 0; self->round < RACE_ROUNDS; self->round++) {
    for (int i = 0; i < RACE_TASKS; i++) {
      signal_t *s = &self->r->sig[i];
      pthread_mutex_lock(&s->lock);
      s->raised = 0;
      pthread_mutex_unlock(&s->lock);
      await_signal a = {SB_FUTURE_INIT(await_signal_poll, await_signal_drop),
                        s};
      ASSERT_EQ(sb_spawn(cx, &a.base, sizeof a, &self->joins[i]), 0);
    }
    atomic_store(&self->r->round, self->round);
    for (self->i = 0; self->i < RACE_TASKS; self->i++) {
      SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
      self->sum += self->joins[self->i].base.out;
    }
    /* The poker's trailing wakes must be done before the signals reset. */
    while (atomic_load(&self->r->poked) <= self->round)
      sched_yield();
  }
  SB_END(self, self->sum);
}

static void remote_wakes_race_task_end(const sb_runtime_ops *ops) {
  static race r;
  pthread_t th;
  for (int i = 0; i < RACE_TASKS; i++)
    r.sig[i] = (signal_t){.lock = PTHREAD_MUTEX_INITIALIZER};
  atomic_store(&r.round, -1);
  atomic_store(&r.poked, 0);
  race_root root = {.base = SB_FUTURE_INIT(race_root_poll, NULL), .r = &r};
  ASSERT_EQ(pthread_create(&th, NULL, poker, &r), 0);
  ASSERT_EQ(sb_test_run(ops, &root.base), RACE_TASKS * RACE_ROUNDS);
  ASSERT_EQ(pthread_join(th, NULL), 0);
}

/* ---- a flood of ready tasks must not starve timers or I/O -------------- */

typedef struct spinner {
  sb_future base;
  atomic_int *stop; /* set when the spinner may end */
} spinner;

static sb_poll spinner_poll(sb_future *f, sb_cx *cx) {
  spinner *s = (spinner *)f;
  ASSERT_EQ(cx->budget, SB_BUDGET); /* every task poll gets a fresh budget */
  if (atomic_load(s->stop))
    return SB_READY;
  return cx->rt->ops->yield(cx);
}

typedef struct starve_root {
  sb_future base;
  int use_io; /* 0: wait for a timer, 1: for a pipe */
  int p[2];
  char byte;
  atomic_int stop;
  int i;
  sb_join joins[4];
  sb_sleep sleep;
  sb_fdop read;
} starve_root;

static void *write_later(void *arg) {
  struct timespec ts = {0, 2 * 1000 * 1000};
  nanosleep(&ts, NULL);
  ASSERT_EQ(write(*(int *)arg, "x", 1), 1);
  return NULL;
}

static sb_poll starve_root_poll(sb_future *f, sb_cx *cx) {
  starve_root *self = (starve_root *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < 4; self->i++) {
    spinner s = {SB_FUTURE_INIT(spinner_poll, NULL), &self->stop};
    ASSERT_EQ(sb_spawn(cx, &s.base, sizeof s, &self->joins[self->i]), 0);
  }
  if (self->use_io) {
    sb_read_init(&self->read, self->p[0], &self->byte, 1);
    SB_AWAIT(self, sb_fdop_poll(&self->read, cx));
    ASSERT_EQ(self->read.base.out, 1);
  } else {
    sb_sleep_for_init(&self->sleep, 2 * 1000 * 1000);
    SB_AWAIT(self, sb_sleep_poll(&self->sleep, cx));
  }
  atomic_store(&self->stop, 1);
  for (self->i = 0; self->i < 4; self->i++)
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
  SB_END(self, 1);
}

static void flood_does_not_starve(const sb_runtime_ops *ops, int use_io) {
  starve_root root = {.base = SB_FUTURE_INIT(starve_root_poll, NULL),
                      .use_io = use_io};
  pthread_t th;
  atomic_init(&root.stop, 0);
  ASSERT_EQ(pipe2(root.p, O_NONBLOCK | O_CLOEXEC), 0);
  if (use_io)
    ASSERT_EQ(pthread_create(&th, NULL, write_later, &root.p[1]), 0);
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, &root.base), 0);
  ASSERT_EQ(root.base.out, 1);
  sb_fd_close(rt, root.p[0]);
  ops->close(rt);
  close(root.p[1]);
  if (use_io)
    ASSERT_EQ(pthread_join(th, NULL), 0);
}

static void timers_not_starved(const sb_runtime_ops *ops) {
  flood_does_not_starve(ops, 0);
}

static void io_not_starved(const sb_runtime_ops *ops) {
  flood_does_not_starve(ops, 1);
}

/* ---- close drops what is alive; self-wakes after the end -------------- */

typedef struct holder {
  sb_future base;
  int *drops; /* incremented by drop */
  int p;      /* read end to wait on */
  char byte;
  sb_sleep sleep;
  sb_fdop read;
} holder;

static sb_poll holder_poll(sb_future *f, sb_cx *cx) {
  holder *h = (holder *)f;
  if (sb_future_is_idle(&h->base)) {
    sb_future_waiting(&h->base);
    sb_sleep_for_init(&h->sleep, (int64_t)3600 * 1000000000);
    sb_read_init(&h->read, h->p, &h->byte, 1);
  }
  ASSERT_EQ(sb_sleep_poll(&h->sleep, cx), SB_PENDING);
  ASSERT_EQ(sb_fdop_poll(&h->read, cx), SB_PENDING);
  return SB_PENDING;
}

static void holder_drop(sb_future *f, sb_runtime *rt) {
  holder *h = (holder *)f;
  sb_future_drop(&h->sleep.base, rt);
  sb_future_drop(&h->read.base, rt);
  (*h->drops)++;
  sb_future_done(f);
}

/* Wakes itself, then ends: the task is on the run queue although done. */
static sb_poll self_waker_poll(sb_future *f, sb_cx *cx) {
  sb_wake(cx->waker);
  f->out = 3;
  return SB_READY;
}

typedef struct spawner {
  sb_future base;
  holder proto; /* copied into each child */
} spawner;

static sb_poll spawner_poll(sb_future *f, sb_cx *cx) {
  spawner *s = (spawner *)f;
  sb_join j;
  for (int i = 0; i < 10; i++) {
    ASSERT_EQ(sb_spawn(cx, &s->proto.base, sizeof s->proto, &j), 0);
    sb_join_release(&j, cx->rt); /* detached: close must drop it */
    sb_future sw = SB_FUTURE_INIT(self_waker_poll, NULL);
    ASSERT_EQ(sb_spawn(cx, &sw, sizeof sw, &j), 0);
    sb_join_release(&j, cx->rt);
  }
  f->out = 1;
  return SB_READY;
}

static void close_drops_alive_tasks(const sb_runtime_ops *ops) {
  int drops = 0, p[2];
  ASSERT_EQ(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  spawner root = {.base = SB_FUTURE_INIT(spawner_poll, NULL),
                  .proto = {.base = SB_FUTURE_INIT(holder_poll, holder_drop),
                            .drops = &drops,
                            .p = p[0]}};
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, &root.base), 0);
  /* Let the children run once: a root that only yields. */
  sb_yield y;
  sb_yield_init(&y);
  ASSERT_EQ(ops->block_on(rt, &y.base), 0);
  sb_yield_init(&y);
  ASSERT_EQ(ops->block_on(rt, &y.base), 0);
  ops->forget_fd(rt, p[0]);
  ops->close(rt);
  ASSERT_EQ(drops, 10);
  close(p[0]);
  close(p[1]);
}

/* ---- open/close many times: no fd or memory leak (ASan checks memory) -- */

static void open_close_many(const sb_runtime_ops *ops) {
  int before = dup(0);
  ASSERT_GE(before, 0);
  close(before);
  for (int i = 0; i < 500; i++) {
    sb_yield y;
    sb_yield_init(&y);
    sb_test_run(ops, &y.base);
  }
  int after = dup(0);
  ASSERT_EQ(after, before); /* the lowest free number did not move */
  close(after);
}

static const sb_test_case cases[] = {
    {"remote_wake_unblocks", remote_wake_unblocks},
    {"remote_wakes_race_task_end", remote_wakes_race_task_end},
    {"timers_not_starved", timers_not_starved},
    {"io_not_starved", io_not_starved},
    {"close_drops_alive_tasks", close_drops_alive_tasks},
    {"open_close_many", open_close_many},
};

SB_TEST_MAIN(cases)
