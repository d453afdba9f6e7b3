/* The sanitizers' view of runtime `fiber`: AddressSanitizer is told about
 * every stack switch, ThreadSanitizer about every fiber and switch. Without
 * a sanitizer every hook is an empty inline: Release builds pay nothing.
 * Only runtimes/fiber/ includes it. */
#ifndef SB_FIBER_SAN_H
#define SB_FIBER_SAN_H

#include "fiber_internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define SB_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_FIBER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define SB_FIBER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SB_FIBER_TSAN 1
#endif
#endif

#ifdef SB_FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef SB_FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* fiber_san.c: ThreadSanitizer fibers, reused process-wide. A fiber takes
 * one when it first runs (or at spawn, if one is free) and gives it back
 * when it exits. ThreadSanitizer counts each as a thread (8128 at most)
 * and makes one in milliseconds here, so fresh fibers mostly hold none and
 * the first open makes a few. No-ops without ThreadSanitizer. */
void *sb__fiber_tsan_take(int at_spawn);
void sb__fiber_tsan_give(void *tsan_fiber);
void sb__fiber_tsan_warm(void);

/* A function ThreadSanitizer does not instrument at all, not even with a
 * frame on its shadow stack (GCC's no_sanitize_thread; clang keeps the
 * frame under no_sanitize, so it needs disable_sanitizer_instrumentation). */
#if defined(__clang__)
#define FIBER_NO_TSAN_FRAME __attribute__((disable_sanitizer_instrumentation))
#else
#define FIBER_NO_TSAN_FRAME __attribute__((no_sanitize_thread))
#endif

/* 1 in a sanitizer build: stacks default larger (instrumented frames are). */
#if defined(SB_FIBER_ASAN) || defined(SB_FIBER_TSAN)
#define SB_FIBER_SANITIZED 1
#else
#define SB_FIBER_SANITIZED 0
#endif

/* Always inlined: ThreadSanitizer must see no function return between the
 * switch of its fiber and the switch of stacks (a return there would pop
 * the other fiber's shadow stack). */
#define FIBER_SAN_INLINE static inline __attribute__((always_inline))

/* Before switching from `from` (NULL: c's scheduler) to `to` (NULL: the
 * scheduler). `dying`: `from` will never run again (its fake stack goes). */
FIBER_SAN_INLINE void fiber_san_leave(fiber_carrier *c, fiber *from, fiber *to,
                                      int dying) {
#ifdef SB_FIBER_ASAN
  void **fake = dying ? NULL : from != NULL ? &from->asan_fake : &c->sched_fake;
  if (to != NULL)
    __sanitizer_start_switch_fiber(fake, to->lo, to->size);
  else
    __sanitizer_start_switch_fiber(fake, c->sched_stack, c->sched_stack_size);
#endif
#ifdef SB_FIBER_TSAN
  if (to != NULL && to->tsan == NULL)
    to->tsan = sb__fiber_tsan_take(0);
  __tsan_switch_to_fiber(to != NULL ? to->tsan : c->sched_tsan, 0);
#endif
  (void)c;
  (void)from;
  (void)to;
  (void)dying;
}

/* After arriving in `self` (NULL: c's scheduler). from_sched: the context
 * that switched here was c's scheduler, whose stack bounds AddressSanitizer
 * reports now and the switches back to it need. */
FIBER_SAN_INLINE void fiber_san_arrive(fiber_carrier *c, fiber *self,
                                       int from_sched) {
#ifdef SB_FIBER_ASAN
  const void *bottom = NULL;
  size_t size = 0;
  __sanitizer_finish_switch_fiber(
      self != NULL ? self->asan_fake : c->sched_fake, &bottom, &size);
  if (from_sched) {
    c->sched_stack = bottom;
    c->sched_stack_size = size;
  }
#endif
  (void)c;
  (void)self;
  (void)from_sched;
}

/* The scheduler starts on this thread: who it is to ThreadSanitizer. */
static inline void fiber_san_sched_begin(fiber_carrier *c) {
#ifdef SB_FIBER_TSAN
  c->sched_tsan = __tsan_get_current_fiber();
#endif
  (void)c;
}

/* A slot gets a new fiber on carrier c: stale poison of frames that never
 * returned goes (AddressSanitizer); maybe a ThreadSanitizer fiber now. */
static inline void fiber_san_slot_reuse(fiber_carrier *c, fiber *f) {
#ifdef SB_FIBER_ASAN
  ASAN_UNPOISON_MEMORY_REGION(f->lo, f->size);
#endif
#ifdef SB_FIBER_TSAN
  if (f->tsan == NULL)
    f->tsan = sb__fiber_tsan_take(1);
#endif
  (void)c;
  (void)f;
}

/* f exited, and c runs on another stack: f's ThreadSanitizer fiber, whose
 * shadow stack is empty (sb__fiber_entry), can serve again. */
static inline void fiber_san_exited(fiber_carrier *c, fiber *f) {
#ifdef SB_FIBER_TSAN
  if (f->tsan != NULL)
    sb__fiber_tsan_give(f->tsan);
  f->tsan = NULL;
#endif
  (void)c;
  (void)f;
}

/* The slot's memory is about to be unmapped (a parked fiber's frames go
 * with it). */
static inline void fiber_san_slot_gone(fiber *f) {
#ifdef SB_FIBER_ASAN
  ASAN_UNPOISON_MEMORY_REGION(f->lo, f->size);
#endif
#ifdef SB_FIBER_TSAN
  if (f->tsan != NULL)
    __tsan_destroy_fiber(f->tsan);
#endif
  f->tsan = NULL;
}

#endif /* SB_FIBER_SAN_H */
