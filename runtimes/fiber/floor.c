/* The floor rows of the context switch (see floor.h): a measuring loop and
 * a partner context that only switches back. Sanitizer builds are told
 * about the stack switches as the runtime does (the figures there are not
 * the point; not crashing is). */
#include <errno.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "fiber_san.h"
#include "floor.h"
#include "switch.h"

#define FLOOR_STACK (64 * 1024)

/* The two contexts of one measurement (one thread, one at a time). */
typedef struct floor_pair {
  void *main_sp;    /* the measuring side, while the partner runs */
  void *partner_sp; /* the partner, while the measuring side runs */
  ucontext_t main_uc;
  ucontext_t partner_uc;
  char *stack;     /* the partner's stack */
  void *main_fake; /* AddressSanitizer bookkeeping of each side */
  void *partner_fake;
  const void *main_bottom;
  size_t main_size;
  void *main_tsan; /* ThreadSanitizer fibers of each side */
  void *partner_tsan;
} floor_pair;

static floor_pair pair;

/* Sanitizer hooks around one switch, to the partner (to_partner) or back. */
static void san_before(int to_partner) {
#ifdef SB_FIBER_ASAN
  if (to_partner)
    __sanitizer_start_switch_fiber(&pair.main_fake, pair.stack, FLOOR_STACK);
  else
    __sanitizer_start_switch_fiber(&pair.partner_fake, pair.main_bottom,
                                   pair.main_size);
#endif
#ifdef SB_FIBER_TSAN
  __tsan_switch_to_fiber(to_partner ? pair.partner_tsan : pair.main_tsan, 0);
#endif
  (void)to_partner;
}

static void san_after(int in_partner) {
#ifdef SB_FIBER_ASAN
  if (in_partner)
    __sanitizer_finish_switch_fiber(pair.partner_fake, &pair.main_bottom,
                                    &pair.main_size);
  else
    __sanitizer_finish_switch_fiber(pair.main_fake, NULL, NULL);
#endif
  (void)in_partner;
}

/* One function, not copies specialised per side (GCC's constant
 * propagation clones): both sides must run the same code. */
#if defined(__clang__)
#define FLOOR_SHARED __attribute__((noinline))
#else
#define FLOOR_SHARED __attribute__((noinline, noipa))
#endif

/* One switch to the other side (to_partner: from the measuring side). Both
 * sides call it from the one loop below, as fibers all park from one call
 * site (sb__fiber_leave): the return predictor sees what it sees in the
 * runtime. */
FLOOR_SHARED static void hop(int ucontext, int to_partner) {
  san_before(to_partner);
  if (ucontext)
    swapcontext(to_partner ? &pair.main_uc : &pair.partner_uc,
                to_partner ? &pair.partner_uc : &pair.main_uc);
  else
    sb__fiber_switch(to_partner ? &pair.main_sp : &pair.partner_sp,
                     to_partner ? pair.partner_sp : pair.main_sp, NULL);
  san_after(!to_partner);
}

/* n round trips from the measuring side; for ever from the partner. */
FLOOR_SHARED static void loop(int ucontext, int partner, int64_t n) {
  for (int64_t i = 0; partner || i < n; i++)
    hop(ucontext, !partner);
}

static void partner_switch(void *arg, void *data) {
  (void)arg;
  (void)data;
  san_after(1);
  loop(0, 1, 0);
}

static void partner_ucontext(void) {
  san_after(1);
  loop(1, 1, 0);
}

int sb__fiber_floor(int ucontext, int64_t n, int64_t *ns) {
  pair.stack = mmap(NULL, FLOOR_STACK, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pair.stack == MAP_FAILED)
    return -errno;
#ifdef SB_FIBER_TSAN
  pair.main_tsan = __tsan_get_current_fiber();
  pair.partner_tsan = __tsan_create_fiber(0);
#endif
  int rc = 0;
  if (ucontext) {
    if (getcontext(&pair.partner_uc) != 0) {
      rc = -errno;
      goto out;
    }
    pair.partner_uc.uc_stack.ss_sp = pair.stack;
    pair.partner_uc.uc_stack.ss_size = FLOOR_STACK;
    pair.partner_uc.uc_link = NULL;
    makecontext(&pair.partner_uc, partner_ucontext, 0);
  } else {
    pair.partner_sp =
        sb__fiber_ctx_make(pair.stack + FLOOR_STACK, partner_switch, NULL);
  }
  int64_t t0 = sb_now_ns();
  loop(ucontext, 0, n);
  *ns = sb_now_ns() - t0;
out:
#ifdef SB_FIBER_ASAN
  ASAN_UNPOISON_MEMORY_REGION(pair.stack, FLOOR_STACK);
#endif
#ifdef SB_FIBER_TSAN
  __tsan_destroy_fiber(pair.partner_tsan);
#endif
  munmap(pair.stack, FLOOR_STACK);
  return rc;
}
