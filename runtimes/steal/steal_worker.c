/* Scheduling in runtime `steal`: where a woken, spawned or yielding task
 * goes, how a worker picks its next task, and how it steals. The shape is
 * tokio's multi-thread scheduler (itself after Go's): a FIFO ring per
 * worker, a LIFO slot for the task the running task just woke, a global
 * injection queue looked at every 61 ticks, random-victim steal-half; and
 * beside the ring, a Chase-Lev fork deque (LIFO for its owner) for
 * scoped forks, as Cilk and rayon. */
#include "steal_internal.h"

_Thread_local steal_worker *sb__steal_self;

static void push_local(steal_worker *w, sb_task *t) {
  if (sb_deque_push(&w->q, t) == 0)
    return;
  /* Full: move the older half of the ring, then t, to the injection queue
   * in one critical section, as tokio and Go do. */
  void *half[SB_DEQUE_CAP / 2];
  uint32_t n = sb_deque_take_half(&w->q, half);
  if (n == 0) {
    /* A thief is copying out of the ring: it will have room soon, but t
     * has to go somewhere now. */
    sb_inject_push(&w->rt->inject, &t->link);
    return;
  }
  for (uint32_t i = 0; i + 1 < n; i++)
    ((sb_task *)half[i])->link.next = &((sb_task *)half[i + 1])->link;
  ((sb_task *)half[n - 1])->link.next = &t->link;
  sb_inject_push_batch(&w->rt->inject, &((sb_task *)half[0])->link, &t->link,
                       n + 1);
}

/* The ring has tasks another worker could take: wake one if none searches. */
static void notify_if_spare(steal_worker *w) {
  if (sb_deque_len(&w->q) >= 2)
    sb__steal_notify_parked_local(w->rt);
}

/* Puts t in w's LIFO slot (claimed: made RUNNING by its wake). The task it
 * displaces goes to the ring, NOTIFIED again, where others may steal it. */
static void lifo_put(steal_worker *w, sb_task *t, int claimed) {
  sb_task *prev = w->lifo;
  int prev_claimed = w->lifo_claimed;
  w->lifo = t;
  w->lifo_claimed = claimed;
  if (prev != NULL) {
    if (prev_claimed)
      sb__steal_unclaim(prev);
    push_local(w, prev);
    sb__steal_notify_parked_local(w->rt);
  }
}

void sb__steal_schedule(steal_rt *rt, sb_task *t, int mode) {
  steal_worker *w = steal_local(rt);
  if (w == NULL) {
    /* From outside the workers (block_on, other threads): the injection
     * queue, and a parked worker is woken to look at it. */
    sb_inject_push(&rt->inject, &t->link);
    sb__steal_notify_parked(rt);
    return;
  }
  switch (mode) {
  case STEAL_SCHED_SPAWN:
    /* A heap-spawned task goes where a wake goes (LIFO slot, then the
     * ring), not on the fork deque: measured on spawn n:10000, the deque's
     * seq_cst pop and one-at-a-time steals cost 12% per task (83 -> 75 ns
     * back on the ring, same run) while fib at cutoff 15 was the same
     * within noise. Scoped forks (sb__steal_fork) use the deque. */
    /* fallthrough */
  case STEAL_SCHED_WAKE:
    if (w->current != NULL) {
      /* Woken or spawned by the running task: it runs next, on this warm
       * cache (a message-passing pair stays hot; a fork-join child runs
       * before the older, bigger subtrees, which is what measured best
       * here, as in tokio). The task it displaces goes to the ring, where
       * others may steal it. */
      lifo_put(w, t, 0);
      return;
    }
    /* Woken by the reactor or a timer on this worker: behind the others. */
    push_local(w, t);
    if (!w->parking)
      notify_if_spare(w);
    return;
  default: /* STEAL_SCHED_YIELD: re-queued behind the others */
    push_local(w, t);
    notify_if_spare(w);
    return;
  }
}

void sb__steal_lifo_claimed(steal_worker *w, sb_task *t) {
  lifo_put(w, t, 1);
}

int sb__steal_fork(sb_cx *cx, sb_fork *f) {
  steal_rt *rt = (steal_rt *)cx->rt;
  steal_worker *w = cx->worker;
  /* relaxed: as steal_spawn's count: both halves of the fork (fork.h). */
  atomic_store_explicit(
      &w->spawned, atomic_load_explicit(&w->spawned, memory_order_relaxed) + 2,
      memory_order_relaxed);
  if (rt->nworkers == 1)
    return 0; /* nobody to offer it to: the parent runs it inline */
  sb_task *t = (sb_task *)f->task;
  t->fut = f->child;
  t->cls = STEAL_CLS_FORK;
  /* relaxed: the push's release store publishes the header. Alive and
   * join references, as a spawn's. */
  atomic_store_explicit(&t->state,
                        ST_NOTIFIED | ST_JOIN_INTEREST | 2 * ST_REF_ONE,
                        memory_order_relaxed);
  if (sb_forkq_push(&w->forks, t) < 0)
    return 0; /* full: the parent runs it inline */
  sb__steal_notify_parked_local(rt);
  return 1;
}

int sb__steal_unfork(sb_cx *cx, sb_fork *f) {
  steal_worker *w = cx->worker;
  sb_task *t = (sb_task *)f->task;
  /* The child is the newest entry unless a task this worker ran while the
   * parent waited left forks of its own above it. */
  sb_task *top = sb_forkq_pop(&w->forks);
  if (top == t)
    return 1; /* nobody took it: no task any more, the parent polls it */
  if (top != NULL)
    SB_ASSERT(sb_forkq_push(&w->forks, top) == 0); /* room: we just popped */
  return 0;
}

/* Pops up to a fair share of the injection queue: one task to run now, the
 * rest into the ring. Returns NULL when the queue is empty. */
static sb_task *pop_inject(steal_worker *w, size_t max) {
  steal_rt *rt = w->rt;
  size_t len = sb_inject_len(&rt->inject);
  if (len == 0)
    return NULL;
  size_t n = len / (size_t)rt->nworkers + 1;
  if (n > max)
    n = max;
  sb_snode *batch[SB_DEQUE_CAP / 2];
  n = sb_inject_pop_batch(&rt->inject, batch, n);
  if (n == 0)
    return NULL;
  for (size_t i = 1; i < n; i++)
    push_local(w, SB_CONTAINER_OF(batch[i], sb_task, link));
  return SB_CONTAINER_OF(batch[0], sb_task, link);
}

static sb_task *next_task(steal_worker *w) {
  if (w->tick % STEAL_GLOBAL_INTERVAL == 0) {
    sb_task *t = pop_inject(w, 1);
    if (t != NULL)
      return t;
  }
  /* Forks first, newest first (depth first, as rayon), except on the
   * ticks that look at the injection queue: the ring goes first then, so
   * an endless stream of forks cannot starve woken tasks. */
  int ring_first = w->tick % STEAL_GLOBAL_INTERVAL == 0;
  sb_task *t = ring_first ? sb_deque_pop(&w->q) : NULL;
  if (t == NULL && (t = sb_forkq_pop(&w->forks)) != NULL)
    return t;
  if (t == NULL && !ring_first)
    t = sb_deque_pop(&w->q);
  if (t != NULL)
    return t;
  return pop_inject(w, SB_DEQUE_CAP / 2);
}

static uint32_t next_rand(steal_worker *w) {
  uint32_t x = w->rng; /* xorshift32 */
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  w->rng = x;
  return x;
}

/* Steals half of a random victim's ring, else looks at the injection queue.
 * Only while counted as searching, and at most half the workers are. */
static sb_task *steal_work(steal_worker *w) {
  steal_rt *rt = w->rt;
  if (!w->searching) {
    if (!sb__steal_to_searching(rt))
      return NULL;
    w->searching = 1;
  }
  int n = rt->nworkers;
  int start = (int)(next_rand(w) % (uint32_t)n);
  for (int i = 0; i < n; i++) {
    int v = (start + i) % n;
    if (v == w->index)
      continue;
    sb_task *t = NULL;
    /* Forks first: the oldest is the biggest subtree of a fork tree. */
    if (!sb_forkq_maybe_empty(&rt->workers[v].forks))
      t = sb_forkq_steal(&rt->workers[v].forks);
    if (t == NULL && !sb_deque_maybe_empty(&rt->workers[v].q))
      t = sb_deque_steal_half(&rt->workers[v].q, &w->q);
    if (t != NULL)
      return t;
  }
  return pop_inject(w, SB_DEQUE_CAP / 2);
}

static void run_task(steal_worker *w, sb_task *t) {
  steal_rt *rt = w->rt;
  if (w->searching) {
    /* The last searcher to find work wakes another to keep looking, so
     * that a burst of new work spreads over idle workers. */
    w->searching = 0;
    if (sb__steal_from_searching(rt))
      sb__steal_notify_parked(rt);
  }
  /* The task and the chain of tasks it wakes through the LIFO slot share
   * one cooperative budget, as in tokio 1.24 (the version peers/ builds):
   * a ping-pong pair stays hot on this core until the chain has spent
   * SB_BUDGET units, then the slot's task goes to the back of the ring, so
   * the pair cannot starve the rest. Each hop also costs a unit, so a chain
   * of tasks that spend none (spawns and joins) is bounded too. */
  int budget = SB_BUDGET;
  sb__steal_run(w, t, &budget, 0);
  while (w->lifo != NULL) {
    t = w->lifo;
    int claimed = w->lifo_claimed;
    w->lifo = NULL;
    w->lifo_claimed = 0;
    if (--budget <= 0) {
      if (claimed)
        sb__steal_unclaim(t);
      push_local(w, t);
      sb__steal_end_deferred(w);
      notify_if_spare(w);
      return;
    }
    sb__steal_run(w, t, &budget, claimed);
  }
  SB_ASSERT(w->deferred == NULL); /* only deferred while a LIFO task waits */
}

void *sb__steal_worker_main(void *arg) {
  steal_worker *w = arg;
  steal_rt *rt = w->rt;
  sb__steal_self = w;
  if (rt->pin != SB_PIN_NONE) {
    int rc = sb_topo_pin_worker(rt->topo, rt->pin, w->index, rt->nworkers);
    if (rc < 0) {
      int zero = 0;
      /* relaxed: read by open after `started` (release/acquire below). */
      atomic_compare_exchange_strong_explicit(&rt->start_err, &zero, rc,
                                              memory_order_relaxed,
                                              memory_order_relaxed);
    }
  }
  /* release: open reads start_err after seeing every worker started. */
  if (atomic_fetch_add_explicit(&rt->started, 1, memory_order_release) + 1 ==
      rt->nworkers)
    sb_unpark(&rt->main_parker);
  /* relaxed: a hint polled each tick; close's unpark_all makes parked
   * workers look again, and the thread join orders everything after. */
  while (!atomic_load_explicit(&rt->shutdown, memory_order_relaxed)) {
    w->tick++;
    if (w->tick % STEAL_GLOBAL_INTERVAL == 0)
      sb__steal_maintenance(w);
    sb_task *t = next_task(w);
    if (t == NULL)
      t = steal_work(w);
    if (t != NULL)
      run_task(w, t);
    else
      sb__steal_park(w);
  }
  sb__steal_self = NULL;
  return NULL;
}
