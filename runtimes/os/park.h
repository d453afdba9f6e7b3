/* Park/unpark on a futex: one owner thread sleeps on a parker, any thread
 * unparks it. Unparks coalesce into one token. The owner can also sleep in
 * poll(2) on an fd (the parker's eventfd interrupts it) or until a deadline. */
#ifndef SB_PARK_H
#define SB_PARK_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "runtimes/core/sb.h"

/* A parker. Only its owner thread calls sb_park, sb_park_wait and
 * sb_park_take; any thread calls sb_unpark. Padded to a cache line because
 * the owner spins on it while unparkers write it.
 *
 * Lifetime: an unpark may still touch the parker (futex word, eventfd) a
 * moment after the owner saw the token, so memory holding a parker must stay
 * mapped, and its eventfd open, until no unpark can be in flight. A stale
 * unpark of a reused parker only causes a spurious wake-up, which every wait
 * here absorbs. */
typedef struct sb_parker {
  alignas(SB_CACHELINE) _Atomic uint32_t state; /* futex word: SB__PARK_* */
  int efd; /* eventfd used to interrupt poll(2); -1 until the owner first
              waits on an fd (written by the owner before it publishes
              SB__PARK_POLLING, read by unparkers that saw that state) */
} sb_parker;

/* Parker states (the futex word). Private to park.c; listed for debugging. */
#define SB__PARK_EMPTY 0u    /* no token, owner not sleeping */
#define SB__PARK_NOTIFIED 1u /* a token is waiting for the owner */
#define SB__PARK_PARKED 2u   /* owner sleeps in FUTEX_WAIT on state */
#define SB__PARK_POLLING 3u  /* owner sleeps in poll(2) on [fd, efd] */

/* What sb_park_wait returns (or a negative errno). */
#define SB_PARK_UNPARKED 0 /* a token is present; it was NOT consumed */
#define SB_PARK_FD 1       /* poll(2) reported fd ready (or error/hangup) */
#define SB_PARK_TIMEOUT 2  /* the deadline passed */

/* Initialises p empty, with no eventfd yet. Cannot fail. */
void sb_parker_init(sb_parker *p);
/* Closes p's eventfd, if any. No unpark may be in flight. */
void sb_parker_destroy(sb_parker *p);

/* Sleeps until a token is present, then consumes it. Spurious futex returns
 * are absorbed. Never fails. */
void sb_park(sb_parker *p);

/* Consumes the token if present: returns 1 if it did, 0 if there was none. */
int sb_park_take(sb_parker *p);

/* Sleeps until a token is present (SB_PARK_UNPARKED, token left in place so
 * that a later sb_park returns at once), fd is ready for events
 * (SB_READABLE | SB_WRITABLE; SB_PARK_FD) or CLOCK_MONOTONIC passes
 * deadline_ns (SB_PARK_TIMEOUT). fd < 0: no fd; deadline_ns < 0: no deadline.
 * With no fd the owner sleeps on the futex (FUTEX_WAIT_BITSET with an
 * absolute CLOCK_MONOTONIC deadline, so no drift); with an fd in poll(2) on
 * [fd, eventfd] (if no eventfd can be created, in poll(2) on fd alone in
 * 1 ms slices, noticing a token within a slice). Returns one of SB_PARK_* or
 * -errno (poll failed); if a token is already present it returns
 * SB_PARK_UNPARKED without sleeping. */
int sb_park_wait(sb_parker *p, int fd, uint32_t events, int64_t deadline_ns);

/* Makes the token present and wakes the owner if it sleeps: a futex wake
 * when it is parked, an eventfd write when it polls, nothing otherwise (so a
 * burst of unparks costs one atomic exchange each). Callable from any
 * thread, including the owner. Never fails. */
void sb_unpark(sb_parker *p);

#endif
