/* Park/unpark on a futex word, with poll(2) on [fd, eventfd] for owners that
 * wait on the kernel. See park.h for the contract. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "park.h"

void sb_parker_init(sb_parker *p) {
  atomic_init(&p->state, SB__PARK_EMPTY);
  p->efd = -1;
}

void sb_parker_destroy(sb_parker *p) {
  if (p->efd >= 0)
    close(p->efd);
  p->efd = -1;
}

/* FUTEX_WAIT_BITSET takes an absolute deadline on CLOCK_MONOTONIC (the clock
 * of every sb deadline), so a sleep never drifts across spurious returns;
 * NULL waits forever. Returns 0 or -errno (EAGAIN, EINTR, ETIMEDOUT). */
static int futex_wait_until(_Atomic uint32_t *word, uint32_t expect,
                            int64_t deadline_ns) {
  struct timespec ts, *tsp = NULL;
  if (deadline_ns >= 0) {
    ts.tv_sec = (time_t)(deadline_ns / 1000000000);
    ts.tv_nsec = (long)(deadline_ns % 1000000000);
    tsp = &ts;
  }
  long rc = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET_PRIVATE,
                    expect, tsp, NULL, FUTEX_BITSET_MATCH_ANY);
  return rc == 0 ? 0 : -errno;
}

static void futex_wake_one(_Atomic uint32_t *word) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int sb_park_take(sb_parker *p) {
  uint32_t expect = SB__PARK_NOTIFIED;
  /* Acquire on success: whatever the unparker wrote before its release
   * exchange (e.g. a task state) is visible once the token is consumed.
   * Relaxed on failure: there is no token, so nothing to see. */
  return atomic_compare_exchange_strong_explicit(
      &p->state, &expect, SB__PARK_EMPTY, memory_order_acquire,
      memory_order_relaxed);
}

void sb_park(sb_parker *p) {
  while (sb_park_wait(p, -1, 0, -1) != SB_PARK_UNPARKED)
    ; /* no fd and no deadline: only a token ends the wait */
  int took = sb_park_take(p);
  SB_ASSERT(took); /* only the owner consumes tokens */
}

/* Moves EMPTY -> sleeping; returns 0, or 1 when a token is already there. */
static int begin_sleep(sb_parker *p, uint32_t sleeping) {
  uint32_t expect = SB__PARK_EMPTY;
  /* Release on success: publishes p->efd (set before) to an unparker that
   * reads SB__PARK_POLLING. Acquire on failure: the token's writes become
   * visible. */
  if (atomic_compare_exchange_strong_explicit(&p->state, &expect, sleeping,
                                              memory_order_acq_rel,
                                              memory_order_acquire))
    return 0;
  SB_ASSERT(expect == SB__PARK_NOTIFIED);
  return 1;
}

/* Moves sleeping -> EMPTY after a wait ended for another reason than a
 * token; returns 1 if a token arrived meanwhile (state left NOTIFIED). */
static int end_sleep(sb_parker *p, uint32_t sleeping) {
  uint32_t expect = sleeping;
  /* Acquire (needed on failure): the unparker's writes before its token. */
  if (atomic_compare_exchange_strong_explicit(
          &p->state, &expect, SB__PARK_EMPTY, memory_order_acquire,
          memory_order_acquire))
    return 0;
  SB_ASSERT(expect == SB__PARK_NOTIFIED);
  return 1;
}

static int wait_futex(sb_parker *p, int64_t deadline_ns) {
  if (begin_sleep(p, SB__PARK_PARKED))
    return SB_PARK_UNPARKED;
  for (;;) {
    int rc = futex_wait_until(&p->state, SB__PARK_PARKED, deadline_ns);
    /* Acquire: pairs with the unparker's release exchange. */
    if (atomic_load_explicit(&p->state, memory_order_acquire) ==
        SB__PARK_NOTIFIED)
      return SB_PARK_UNPARKED;
    if (rc == -ETIMEDOUT)
      return end_sleep(p, SB__PARK_PARKED) ? SB_PARK_UNPARKED : SB_PARK_TIMEOUT;
    /* 0 with state unchanged (a stale wake of a reused parker), EINTR or
     * EAGAIN: sleep again. */
  }
}

/* Milliseconds for poll(2) until deadline_ns, rounded up; -1 = forever. */
static int poll_timeout_ms(int64_t deadline_ns) {
  if (deadline_ns < 0)
    return -1;
  int64_t left = deadline_ns - sb_now_ns();
  if (left <= 0)
    return 0;
  int64_t ms = (left + 999999) / 1000000;
  return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void drain_eventfd(int efd) {
  uint64_t count;
  ssize_t n = read(efd, &count, sizeof count);
  (void)n; /* EAGAIN: another stale write was already drained */
}

/* Without an eventfd (none could be created: EMFILE) the owner polls fd alone
 * in slices of this many ms, and unparkers see it as PARKED (a futex wake
 * that finds nobody); a wake is then noticed within one slice. */
#define FALLBACK_SLICE_MS 1

static int wait_poll(sb_parker *p, int fd, uint32_t events,
                     int64_t deadline_ns) {
  if (p->efd < 0)
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); /* -1: fallback */
  uint32_t sleeping = p->efd >= 0 ? SB__PARK_POLLING : SB__PARK_PARKED;
  nfds_t nfds = p->efd >= 0 ? 2 : 1;
  struct pollfd pfd[2] = {
      {.fd = fd,
       .events = (short)(((events & SB_READABLE) ? POLLIN : 0) |
                         ((events & SB_WRITABLE) ? POLLOUT : 0))},
      {.fd = p->efd, .events = POLLIN},
  };
  if (begin_sleep(p, sleeping))
    return SB_PARK_UNPARKED;
  for (;;) {
    int ms = poll_timeout_ms(deadline_ns);
    if (nfds == 1 && (ms < 0 || ms > FALLBACK_SLICE_MS))
      ms = FALLBACK_SLICE_MS;
    int n = poll(pfd, nfds, ms);
    int err = n < 0 ? errno : 0;
    if (n > 0 && nfds == 2 && pfd[1].revents != 0)
      drain_eventfd(p->efd);
    if (n < 0 && err != EINTR) {
      if (end_sleep(p, sleeping))
        return SB_PARK_UNPARKED;
      return -err;
    }
    /* Acquire: pairs with the unparker's release exchange. */
    if (atomic_load_explicit(&p->state, memory_order_acquire) ==
        SB__PARK_NOTIFIED)
      return SB_PARK_UNPARKED;
    if (n > 0 && pfd[0].revents != 0)
      return end_sleep(p, sleeping) ? SB_PARK_UNPARKED : SB_PARK_FD;
    if (deadline_ns >= 0 && poll_timeout_ms(deadline_ns) == 0)
      return end_sleep(p, sleeping) ? SB_PARK_UNPARKED : SB_PARK_TIMEOUT;
    /* EINTR, a stale eventfd write, poll's millisecond rounding, or a
     * fallback slice: wait again. */
  }
}

int sb_park_wait(sb_parker *p, int fd, uint32_t events, int64_t deadline_ns) {
  if (fd >= 0)
    return wait_poll(p, fd, events, deadline_ns);
  return wait_futex(p, deadline_ns);
}

void sb_unpark(sb_parker *p) {
  /* acq_rel: release publishes the caller's writes (e.g. a task state or a
   * channel slot) to the owner that consumes the token; acquire makes the
   * owner's p->efd visible when old is SB__PARK_POLLING. */
  uint32_t old = atomic_exchange_explicit(&p->state, SB__PARK_NOTIFIED,
                                          memory_order_acq_rel);
  if (old == SB__PARK_PARKED) {
    futex_wake_one(&p->state);
  } else if (old == SB__PARK_POLLING) {
    uint64_t one = 1;
    ssize_t n = write(p->efd, &one, sizeof one);
    (void)n; /* EAGAIN only when the counter is full: the owner wakes anyway */
  }
}
