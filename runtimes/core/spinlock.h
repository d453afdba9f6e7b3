/* A test-and-test-and-set spinlock for the primitives' short critical
 * sections (a ring-buffer slot and a waker or two). Spins a bounded number of
 * times, then sched_yield()s, so a preempted holder on a 2-core box costs a
 * time slice at worst, not a livelock. Header-only, Concurrency Kit style. */
#ifndef SB_SPINLOCK_H
#define SB_SPINLOCK_H

#include <sched.h>
#include <stdatomic.h>

#include "sb.h"

/* Spins before each sched_yield() while the lock is held by someone else. */
#define SB_SPIN_LIMIT 128

typedef struct sb_spinlock {
  atomic_int held; /* 1 while some thread is inside the critical section */
} sb_spinlock;

#define SB_SPINLOCK_INIT                                                       \
  { 0 }

static inline void sb_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* One step of a wait for another thread: a pause for SB_SPIN_LIMIT steps,
 * then a sched_yield() and the count starts again. *spins starts at 0. */
static inline void sb_spin_backoff(int *spins) {
  if (++*spins < SB_SPIN_LIMIT) {
    sb_cpu_relax();
  } else {
    *spins = 0;
    sched_yield();
  }
}

static inline void sb_spin_init(sb_spinlock *l) {
  atomic_init(&l->held, 0);
}

static inline void sb_spin_lock(sb_spinlock *l) {
  for (;;) {
    /* acquire: on success, everything the previous holder wrote before its
     * release in sb_spin_unlock is visible inside our critical section. */
    if (atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0)
      return;
    /* relaxed: a read-only wait for the line to look free; it orders nothing,
     * the acquiring exchange above is retried once it does. Reading keeps the
     * cache line shared instead of bouncing it with failed exchanges. */
    int spins = 0;
    while (atomic_load_explicit(&l->held, memory_order_relaxed) != 0)
      sb_spin_backoff(&spins);
  }
}

static inline void sb_spin_unlock(sb_spinlock *l) {
  /* release: publishes every write of the critical section to the next
   * thread whose acquiring exchange sees 0. */
  atomic_store_explicit(&l->held, 0, memory_order_release);
}

#endif /* SB_SPINLOCK_H */
