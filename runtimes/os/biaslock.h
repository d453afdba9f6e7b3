/* A lock biased to one thread: the thread that runs a one-thread executor
 * (`single`) takes it with plain stores and loads, no locked instruction;
 * any other thread still may, at the price of a membarrier(2) system call.
 *
 * Why: on `single` every task of a channel runs on one thread, and the two
 * locked instructions a message costs (the send's and the receive's) were
 * half of a ping-pong message. A lock that only one thread could take would
 * be wrong the day a blocking job or a foreign thread drops a sender; this
 * one stays a lock for everybody.
 *
 * How (the asymmetric Dekker of liburcu and folly's asymmetric barriers):
 * the owner announces itself (owner_in = 1) and then reads whether a foreign
 * thread is inside; a foreign thread announces itself (the spinlock `foreign`,
 * which also serialises the foreign threads) and then reads owner_in. Each
 * side's store must be ordered before its load (StoreLoad). The foreign side
 * orders its own with membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which also
 * runs a full barrier on every CPU that runs one of our threads, the owner's
 * included: so the owner needs only a compiler barrier. Either the owner's
 * announcement is visible to the foreign thread after the membarrier (the
 * foreign thread waits), or the owner's load comes after the barrier the
 * membarrier forced on it and sees the foreign announcement (the owner backs
 * off and waits). The foreign side has priority, so neither waits forever.
 *
 * A lock made by a thread that runs no one-thread executor, or where the
 * kernel has no expedited membarrier, is unbiased: everyone takes the
 * spinlock and nobody calls membarrier. Header plus biaslock.c. */
#ifndef SB_BIASLOCK_H
#define SB_BIASLOCK_H

#include <stdint.h>

#include "runtimes/core/spinlock.h"

typedef struct sb_biaslock {
  uintptr_t owner;     /* sb__bias_self() of the owner, or 0 (unbiased);
                          written once, before the lock is shared */
  atomic_int owner_in; /* 1 while the owner is inside (or announcing) */
  sb_spinlock foreign; /* held by the foreign thread inside (or announcing);
                          everyone's lock when unbiased */
} sb_biaslock;

/* This thread's identity: the address of a thread-local byte. */
extern _Thread_local char sb__bias_token;
static inline uintptr_t sb__bias_self(void) {
  return (uintptr_t)&sb__bias_token;
}

/* Says whether this thread runs a one-thread executor from now on (its
 * block_on); returns the previous value, to restore on the way out. Locks
 * made meanwhile on this thread are biased to it. */
int sb_bias_thread_set(int one_thread_executor);

/* Makes l, biased to the calling thread when it runs a one-thread executor
 * and the kernel has the expedited membarrier. */
void sb_bias_init(sb_biaslock *l);

/* The foreign side: takes the spinlock, then waits the owner out. */
void sb__bias_lock_foreign(sb_biaslock *l);

static inline void sb_bias_lock(sb_biaslock *l) {
  if (l->owner == sb__bias_self()) {
    for (int spins = 0;;) {
      /* relaxed, then a compiler-only fence: the CPU may still order the
       * load before the store, and the foreign side's membarrier is what
       * forbids that (see the top of this file). */
      atomic_store_explicit(&l->owner_in, 1, memory_order_relaxed);
      atomic_signal_fence(memory_order_seq_cst);
      /* acquire: pairs with the foreign side's releasing unlock, so what it
       * wrote inside is visible in our critical section. */
      if (atomic_load_explicit(&l->foreign.held, memory_order_acquire) == 0)
        return;
      /* A foreign thread is inside or announcing: back off until it is
       * gone (release: nothing of ours is inside yet, but keep the store
       * ordered after our earlier critical sections). */
      atomic_store_explicit(&l->owner_in, 0, memory_order_release);
      while (atomic_load_explicit(&l->foreign.held, memory_order_relaxed))
        sb_spin_backoff(&spins);
    }
  }
  if (l->owner == 0)
    sb_spin_lock(&l->foreign);
  else
    sb__bias_lock_foreign(l);
}

static inline void sb_bias_unlock(sb_biaslock *l) {
  /* release: publishes the critical section to the next thread to enter.
   * The store is the unlocking thread's last touch of l, so the next one may
   * free it (a channel's last reference). */
  if (l->owner == sb__bias_self())
    atomic_store_explicit(&l->owner_in, 0, memory_order_release);
  else
    sb_spin_unlock(&l->foreign);
}

#endif /* SB_BIASLOCK_H */
