/* Idle workers of runtime `steal` (tokio's idle protocol): how many workers
 * search for work and how many are parked, who gets woken when work
 * appears, and how an idle worker sleeps: in the shared reactor if nobody
 * else polls it (so I/O and timers keep being served), else on its futex.
 *
 * No lost wakeup: whoever makes work visible (a push) then reads idle_state
 * (notify_parked), and a searcher that stops searching changes idle_state
 * then looks at every queue; both with a seq_cst fence in between, so at
 * least one of them sees the other. Workers that are not searching only
 * park after a search failed or while someone else searches. */
#include <errno.h>

#include "steal_internal.h"

/* Readiness reports a busy worker takes per maintenance poll: no more than
 * the tasks it runs until the next one, so that I/O alone never grows its
 * ring. The tasks they wake go behind the ring's older tasks; what it does
 * not take stays in the kernel's ready list, in order, for whichever worker
 * polls next (an idle one, or the next maintenance). Taking a whole batch
 * (128) made one worker's ring the backlog of many ready connections, and
 * any stall of that worker (preempted by another thread on its CPU, say)
 * stalled them all: at echo c:1000 its p99 round trip was 1.9 to 2.4
 * times single's, as tokio-mt's is (it takes up to 1024 per poll); with a
 * batch of 61 it is 1.0 to 1.7 times single's, and half tokio-mt's, for the
 * same round trips per second. An idle worker's poll takes a whole batch:
 * it has nothing else to run. */
#define STEAL_MAINTENANCE_EVENTS STEAL_GLOBAL_INTERVAL

#define IDLE_SEARCHING_MASK 0xffffu  /* low half: searching workers */
#define IDLE_ONE_UNPARKED (1u << 16) /* high half: workers not parked */

static int searching_of(uint32_t s) {
  return (int)(s & IDLE_SEARCHING_MASK);
}
static int unparked_of(uint32_t s) {
  return (int)(s >> 16);
}

static int should_wake(steal_rt *rt) {
  uint32_t s = atomic_load(&rt->idle_state); /* seq_cst: see the top */
  return searching_of(s) == 0 && unparked_of(s) < rt->nworkers;
}

/* Wakes w wherever it sleeps: its futex, or the reactor's poll. */
static void unpark_worker(steal_worker *w) {
  sb_unpark(&w->parker);
  /* seq_cst fence: orders the token above before the load of in_reactor
   * below; park_in_reactor stores in_reactor, fences, then looks for the
   * token. One of the two sees the other, so a worker about to sleep in
   * the reactor either finds the token or gets the reactor notify. */
  atomic_thread_fence(memory_order_seq_cst);
  /* relaxed: ordered by the fences just described. */
  if (atomic_load_explicit(&w->in_reactor, memory_order_relaxed))
    sb__reactor_notify(w->rt->reactor);
}

void sb__steal_notify_parked(steal_rt *rt) {
  /* seq_cst fence: the caller's push before our read of idle_state (a
   * store-load order); pairs with the fence in sb__steal_park. */
  atomic_thread_fence(memory_order_seq_cst);
  if (!should_wake(rt))
    return;
  pthread_mutex_lock(&rt->idle_lock);
  if (!should_wake(rt) || rt->nsleepers == 0) {
    pthread_mutex_unlock(&rt->idle_lock);
    return;
  }
  /* The woken worker comes out searching and unparked. */
  atomic_fetch_add(&rt->idle_state, 1u + IDLE_ONE_UNPARKED);
  steal_worker *w = &rt->workers[rt->sleepers[--rt->nsleepers]];
  w->sleeping = 0;
  pthread_mutex_unlock(&rt->idle_lock);
  unpark_worker(w);
}

void sb__steal_notify_parked_local(steal_rt *rt) {
  /* relaxed, and no fence: the task was pushed to the caller's own ring,
   * which the caller drains before it can park, so a stale read never
   * strands it; at worst another worker starts helping one push later.
   * This keeps a full fence off the spawn path. */
  uint32_t s = atomic_load_explicit(&rt->idle_state, memory_order_relaxed);
  if (searching_of(s) == 0 && unparked_of(s) < rt->nworkers)
    sb__steal_notify_parked(rt);
}

int sb__steal_to_searching(steal_rt *rt) {
  uint32_t s = atomic_load(&rt->idle_state);
  do {
    if (2 * searching_of(s) >= rt->nworkers)
      return 0; /* half the workers already search */
  } while (!atomic_compare_exchange_weak(&rt->idle_state, &s, s + 1));
  return 1;
}

int sb__steal_from_searching(steal_rt *rt) {
  uint32_t prev = atomic_fetch_sub(&rt->idle_state, 1u);
  SB_ASSERT(searching_of(prev) > 0);
  return searching_of(prev) == 1;
}

/* Some queue holds a task another worker could run. */
static int work_pending(steal_rt *rt) {
  if (sb_inject_len(&rt->inject) > 0)
    return 1;
  for (int i = 0; i < rt->nworkers; i++)
    if (!sb_deque_maybe_empty(&rt->workers[i].q) ||
        !sb_forkq_maybe_empty(&rt->workers[i].forks))
      return 1;
  return 0;
}

static int try_driver(steal_rt *rt) {
  /* relaxed pre-check: spare the exchange while someone holds it. */
  if (atomic_load_explicit(&rt->driver_held, memory_order_relaxed))
    return 0;
  /* acquire: the previous holder's work on the reactor and timers happens
   * before ours. */
  return atomic_exchange_explicit(&rt->driver_held, 1, memory_order_acquire) ==
         0;
}

static void release_driver(steal_rt *rt) {
  /* release: pairs with the acquire in try_driver. */
  atomic_store_explicit(&rt->driver_held, 0, memory_order_release);
}

/* Sleeps in the reactor until I/O, the next timer, or an unpark. Tasks it
 * wakes land in w's ring (w->current is NULL, w->parking is set). */
static void park_in_reactor(steal_worker *w) {
  steal_rt *rt = w->rt;
  /* relaxed: ordered by the fence below. */
  atomic_store_explicit(&w->in_reactor, 1, memory_order_relaxed);
  /* seq_cst fence: pairs with the one in unpark_worker (see there). */
  atomic_thread_fence(memory_order_seq_cst);
  if (!sb_park_take(&w->parker)) {
    int64_t next = sb__steal_fire_timers(rt, 1);
    int64_t timeout = -1;
    if (sb_deque_len(&w->q) > 0)
      timeout = 0; /* a timer fired: just look at I/O and go */
    else if (next != INT64_MAX) {
      int64_t now = sb_now_ns();
      timeout = next > now ? next - now : 0;
    }
    sb__steal_io_poll(rt, timeout, SB__REACTOR_BATCH);
    sb__steal_fire_timers(rt, 0);
    (void)sb_park_take(&w->parker); /* the caller re-checks anyway */
  }
  /* relaxed: an unparker that still sees 1 only costs a spare notify. */
  atomic_store_explicit(&w->in_reactor, 0, memory_order_relaxed);
}

void sb__steal_park(steal_worker *w) {
  steal_rt *rt = w->rt;
  pthread_mutex_lock(&rt->idle_lock);
  uint32_t prev = atomic_fetch_sub(
      &rt->idle_state, IDLE_ONE_UNPARKED + (w->searching ? 1u : 0u));
  int last_searcher = w->searching && searching_of(prev) == 1;
  w->searching = 0;
  rt->sleepers[rt->nsleepers++] = w->index;
  w->sleeping = 1;
  pthread_mutex_unlock(&rt->idle_lock);
  if (last_searcher) {
    /* seq_cst fence: our idle_state change before our look at the queues;
     * pairs with the fence in sb__steal_notify_parked. */
    atomic_thread_fence(memory_order_seq_cst);
    if (work_pending(rt))
      sb__steal_notify_parked(rt);
  }
  /* relaxed: a hint; close sets it before unparking every worker. */
  while (!atomic_load_explicit(&rt->shutdown, memory_order_relaxed)) {
    if (try_driver(rt)) {
      w->parking = 1;
      park_in_reactor(w);
      w->parking = 0;
      release_driver(rt);
    } else {
      sb_park(&w->parker);
    }
    pthread_mutex_lock(&rt->idle_lock);
    if (!w->sleeping) {
      /* A notifier took us off the stack and counted us searching. */
      pthread_mutex_unlock(&rt->idle_lock);
      w->searching = 1;
      return;
    }
    if (sb_deque_len(&w->q) > 0) {
      /* The reactor or a timer woke tasks onto our ring: run them. */
      for (int i = 0; i < rt->nsleepers; i++)
        if (rt->sleepers[i] == w->index) {
          rt->sleepers[i] = rt->sleepers[--rt->nsleepers];
          break;
        }
      w->sleeping = 0;
      atomic_fetch_add(&rt->idle_state, IDLE_ONE_UNPARKED);
      pthread_mutex_unlock(&rt->idle_lock);
      if (sb_deque_len(&w->q) >= 2)
        sb__steal_notify_parked(rt);
      return;
    }
    pthread_mutex_unlock(&rt->idle_lock);
  }
}

void sb__steal_maintenance(steal_worker *w) {
  steal_rt *rt = w->rt;
  /* relaxed: hints; a registration missed here is served by the next
   * maintenance or by the idle worker that sleeps in the reactor. */
  int io = atomic_load_explicit(&rt->io_used, memory_order_relaxed);
  uint32_t timers = atomic_load_explicit(&rt->ntimers, memory_order_relaxed);
  if ((!io && timers == 0) || !try_driver(rt))
    return;
  if (io)
    sb__steal_io_poll(rt, 0, STEAL_MAINTENANCE_EVENTS);
  if (timers > 0)
    sb__steal_fire_timers(rt, 0);
  release_driver(rt);
}

void sb__steal_unpark_all(steal_rt *rt) {
  for (int i = 0; i < rt->nworkers; i++)
    unpark_worker(&rt->workers[i]);
}
