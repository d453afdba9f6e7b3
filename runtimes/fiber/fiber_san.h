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

/* 1 in a sanitizer build: stacks default larger (instrumented frames are). */
#if defined(SB_FIBER_ASAN) || defined(SB_FIBER_TSAN)
#define SB_FIBER_SANITIZED 1
#else
#define SB_FIBER_SANITIZED 0
#endif

/* Before switching from `from` (NULL: c's scheduler) to `to` (NULL: the
 * scheduler). `dying`: `from` will never run again (its fake stack goes). */
static inline void fiber_san_leave(fiber_carrier *c, fiber *from, fiber *to,
                                   int dying) {
#ifdef SB_FIBER_ASAN
  void **fake = dying ? NULL : from != NULL ? &from->asan_fake : &c->sched_fake;
  if (to != NULL)
    __sanitizer_start_switch_fiber(fake, to->lo, to->size);
  else
    __sanitizer_start_switch_fiber(fake, c->sched_stack, c->sched_stack_size);
#endif
#ifdef SB_FIBER_TSAN
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
static inline void fiber_san_arrive(fiber_carrier *c, fiber *self,
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

/* A slot gets a new fiber: stale poison of frames that never returned goes
 * (AddressSanitizer); the slot gets its ThreadSanitizer fiber once. */
static inline void fiber_san_slot_reuse(fiber *f) {
#ifdef SB_FIBER_ASAN
  ASAN_UNPOISON_MEMORY_REGION(f->lo, f->size);
#endif
#ifdef SB_FIBER_TSAN
  if (f->tsan == NULL)
    f->tsan = __tsan_create_fiber(0);
#endif
  (void)f;
}

/* The slot's memory is about to be unmapped. */
static inline void fiber_san_slot_gone(fiber *f) {
#ifdef SB_FIBER_ASAN
  ASAN_UNPOISON_MEMORY_REGION(f->lo, f->size);
#endif
#ifdef SB_FIBER_TSAN
  if (f->tsan != NULL)
    __tsan_destroy_fiber(f->tsan);
  f->tsan = NULL;
#endif
  (void)f;
}

#endif /* SB_FIBER_SAN_H */
