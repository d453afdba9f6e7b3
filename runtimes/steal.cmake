# Runtime `steal`: work-stealing workers with fixed rings and steal-half
# (deque.h), a global injection queue (inject.h), the task state machine,
# task memory, scheduling, idle workers, and the reactor/timer waits.
target_sources(sb_runtimes PRIVATE
  steal.c steal_task.c steal_alloc.c steal_worker.c steal_park.c steal_io.c)
