/* The executors' reactor: edge-triggered fd readiness (epoll backend in
 * reactor_epoll.c) plus a cross-thread notify, shared by `single` (one
 * thread, no locks) and `steal` (any worker registers, cancels and polls). */
#ifndef SB_REACTOR_H
#define SB_REACTOR_H

#include "runtimes/core/sb.h"

/* What a runtime keeps in sb_wait.state, so that one cancel() can tell an fd
 * wait from a timer. Only the thread that owns the waiting future reads or
 * writes w->state; the reactor and the timer heap signal "fired" by taking w
 * off their lists, never by writing w->state. */
#define SB__WAIT_IDLE 0u  /* not registered anywhere */
#define SB__WAIT_FD 1u    /* registered through sb__reactor_wait_fd */
#define SB__WAIT_TIMER 2u /* the runtime put it in its timer heap */

typedef struct sb__reactor sb__reactor;

/* Opens a reactor: an epoll instance and an eventfd for notify. With shared =
 * 0 every call must come from one thread at a time and no lock is ever taken.
 * With shared = 1 any thread may call anything concurrently: each fd's slot
 * has its own mutex, and polls may even overlap (each uses its own event
 * buffer), though steal lets only one idle worker poll at a time.
 * Returns 0 and *out, or -errno (-ENOMEM, -EMFILE, ...) with nothing leaked. */
int sb__reactor_open(int shared, sb__reactor **out);
/* Closes the epoll fd and the eventfd and frees the slots. Waits still
 * registered are forgotten without a wake. No call may be in flight. */
void sb__reactor_close(sb__reactor *r);

/* wait_fd for one sb_wait, with the semantics of sb_runtime_ops.wait_fd:
 * - The fd is registered with epoll once (EPOLLIN|EPOLLOUT|EPOLLRDHUP|
 *   EPOLLET) on its first wait and stays so until sb__reactor_forget_fd.
 * - Each fd has a slot holding its waiters and the readiness seen while
 *   nobody waited for it, so no edge is lost between the caller's EAGAIN and
 *   this call.
 * - Returns READY ("retry the syscall") when a recorded edge matches events
 *   (consuming it), when a wait registered earlier with w has fired since
 *   (w is then idle again), or when epoll refuses the fd because it is
 *   always ready (-EPERM: regular files). Otherwise registers w (or
 *   refreshes its waker and events) and returns PENDING; when a matching
 *   edge arrives, w is taken off the slot and waker is woken, from inside
 *   sb__reactor_poll, under the slot's lock when shared.
 * - If epoll_ctl fails for lack of resources the task is woken at once and
 *   PENDING is returned, so it retries rather than hangs.
 * Error, hang-up and peer-shutdown count as both readable and writable.
 * w must be zeroed or last used with this reactor; w->state must not be
 * SB__WAIT_TIMER. Several waits may share an fd (e.g. one reader and one
 * writer): each is woken by the edges it asked for. */
sb_poll sb__reactor_wait_fd(sb__reactor *r, sb_wait *w, sb_waker waker, int fd,
                            uint32_t events);
/* If w is an fd wait, takes it off its slot (it will not be woken) and makes
 * it idle; any other w is left alone. Call it from the future's drop. */
void sb__reactor_cancel(sb__reactor *r, sb_wait *w);
/* Before close(fd): removes fd from epoll (EPOLL_CTL_DEL) and clears its
 * slot. Waits still on it are woken (under the slot lock when shared), so
 * they retry and see the error. */
void sb__reactor_forget_fd(sb__reactor *r, int fd);

/* The most readiness reports one poll takes from the kernel. */
#define SB__REACTOR_BATCH 128

/* Waits up to timeout_ns (-1 = no limit, 0 = just look) for fd events or a
 * notify, and wakes the waiters of every fd that became ready (their wakes
 * are made from the calling thread), up to SB__REACTOR_BATCH of them.
 * Returns the number of fd events handled (0 after a timeout, a notify or
 * EINTR), or -errno if epoll failed. */
int sb__reactor_poll(sb__reactor *r, int64_t timeout_ns);
/* As sb__reactor_poll, taking at most max_events reports (1 ..
 * SB__REACTOR_BATCH; the notify counts as one). The others stay in the
 * kernel's ready list, in the order they came, for the next poll of any
 * thread: edge-triggered, an edge not yet reported is not lost. */
int sb__reactor_poll_some(sb__reactor *r, int64_t timeout_ns, int max_events);
/* Makes a poll that is blocked, or the next one to block, return: one
 * eventfd write. Callable from any thread; callers should skip it when they
 * know nobody is (about to be) blocked in poll, since it is a syscall. */
void sb__reactor_notify(sb__reactor *r);

#endif /* SB_REACTOR_H */
