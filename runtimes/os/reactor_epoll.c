/* The reactor's epoll backend, in the manner of Redis's ae_epoll.c: a few
 * static functions over one private state struct. reactor.c includes this
 * file; it is not compiled on its own. */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* epoll_event.data of the eventfd: no fd slot can have this number. */
#define BACKEND_NOTIFY_TAG UINT64_MAX
/* Reports fetched by one backend_wait at most; more simply wait for the
 * next one. */
#define BACKEND_MAX_EVENTS SB__REACTOR_BATCH

typedef struct backend {
  int epfd;     /* the epoll instance */
  int notifyfd; /* eventfd registered edge-triggered; a write wakes a poll */
} backend;

/* One readiness report: which fd and which SB_READABLE/SB_WRITABLE bits. */
typedef struct backend_event {
  int fd;
  uint32_t events;
} backend_event;

static int backend_open(backend *b) {
  int err;
  b->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (b->epfd < 0)
    return -errno;
  b->notifyfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (b->notifyfd < 0) {
    err = -errno;
    goto fail_epoll;
  }
  /* Edge-triggered and never read by the poller: every eventfd write queues
   * one new event, so a notify costs the notifier one syscall and the poller
   * none. backend_notify resets the counter in the unlikely case it fills. */
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET,
                           .data.u64 = BACKEND_NOTIFY_TAG};
  if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->notifyfd, &ev) < 0) {
    err = -errno;
    goto fail_eventfd;
  }
  return 0;
fail_eventfd:
  close(b->notifyfd);
fail_epoll:
  close(b->epfd);
  return err;
}

static void backend_close(backend *b) {
  close(b->notifyfd);
  close(b->epfd);
}

/* Registers fd once for both directions, edge-triggered. 0 or -errno. */
static int backend_add(backend *b, int fd) {
  struct epoll_event ev = {
      .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
      .data.u64 = (uint64_t)(uint32_t)fd,
  };
  if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    return errno == EEXIST ? 0 : -errno;
  return 0;
}

static void backend_del(backend *b, int fd) {
  /* Failure only means fd was never added or is already closed: either way
   * epoll holds nothing for it. */
  (void)epoll_ctl(b->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* Waits up to timeout_ns (-1 = forever) and fills at most max (1 ..
 * BACKEND_MAX_EVENTS) reports into out. Returns how many, or -errno. EINTR
 * is an empty wait; the notify event is consumed here and not reported. */
static int backend_wait(backend *b, backend_event *out, int64_t timeout_ns,
                        int max) {
  struct epoll_event evs[BACKEND_MAX_EVENTS];
  struct timespec ts, *tsp = NULL;
  if (timeout_ns >= 0) {
    ts.tv_sec = timeout_ns / 1000000000;
    ts.tv_nsec = timeout_ns % 1000000000;
    tsp = &ts;
  }
  /* epoll_pwait2 (Linux 5.11) takes nanoseconds, so a timer is not rounded
   * up to the next millisecond; older kernels fall back to epoll_wait. */
  int n = epoll_pwait2(b->epfd, evs, max, tsp, NULL);
  if (n < 0 && errno == ENOSYS) {
    int ms = timeout_ns < 0 ? -1
             : timeout_ns > (int64_t)INT32_MAX * 1000000
                 ? INT32_MAX
                 : (int)((timeout_ns + 999999) / 1000000);
    n = epoll_wait(b->epfd, evs, max, ms);
  }
  if (n < 0)
    return errno == EINTR ? 0 : -errno;
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (evs[i].data.u64 == BACKEND_NOTIFY_TAG)
      continue;
    uint32_t e = evs[i].events, mask = 0;
    if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
      mask |= SB_READABLE;
    if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
      mask |= SB_WRITABLE;
    if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
      mask |= SB_READABLE | SB_WRITABLE;
    out[k].fd = (int)evs[i].data.u64;
    out[k].events = mask;
    k++;
  }
  return k;
}

static void backend_notify(backend *b) {
  uint64_t one = 1;
  while (write(b->notifyfd, &one, sizeof one) < 0) {
    if (errno == EAGAIN) { /* counter full: drain it, then write again */
      uint64_t drained;
      (void)!read(b->notifyfd, &drained, sizeof drained);
    } else if (errno != EINTR) {
      break; /* cannot happen on a valid eventfd; nothing better to do */
    }
  }
}
