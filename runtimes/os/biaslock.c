/* The slow half of the biased lock (biaslock.h): whether this thread may
 * own locks, the membarrier registration, and the foreign side. */
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "biaslock.h"

_Thread_local char sb__bias_token;

/* 1 while this thread runs a one-thread executor's block_on. */
static _Thread_local int one_thread_executor;

static pthread_once_t registered_once = PTHREAD_ONCE_INIT;
/* 1 once the process is registered for the expedited membarrier; written
 * under registered_once, read after it. */
static int expedited;

static long membarrier(int cmd) {
  return syscall(SYS_membarrier, cmd, 0, 0);
}

static void register_expedited(void) {
  long cmds = membarrier(MEMBARRIER_CMD_QUERY);
  expedited = cmds >= 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
              membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

int sb_bias_thread_set(int on) {
  int prev = one_thread_executor;
  one_thread_executor = on;
  return prev;
}

void sb_bias_init(sb_biaslock *l) {
  l->owner = 0;
  atomic_init(&l->owner_in, 0);
  sb_spin_init(&l->foreign);
  if (!one_thread_executor)
    return;
  pthread_once(&registered_once, register_expedited);
  if (expedited)
    l->owner = sb__bias_self();
}

void sb__bias_lock_foreign(sb_biaslock *l) {
  sb_spin_lock(&l->foreign); /* the announcement, and the foreign threads'
                                mutual exclusion */
  /* Orders our announcement before the load below, and forces a full
   * barrier on the owner's CPU, so the owner either sees us or is seen.
   * Registered in sb_bias_init before any lock was biased: cannot fail. */
  long rc = membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
  SB_ASSERT(rc == 0);
  (void)rc;
  /* acquire: pairs with the owner's releasing unlock, so what it wrote
   * inside is visible to us. */
  int spins = 0;
  while (atomic_load_explicit(&l->owner_in, memory_order_acquire) != 0)
    sb_spin_backoff(&spins);
}
