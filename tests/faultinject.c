/* The wrappers behind faultinject.h: each __wrap_X decides, under one lock,
 * whether the armed rule hits this call, then fails it, shortens it, or
 * passes it to __real_X (the libc function, or a sanitizer's interceptor). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faultinject.h"

int __real_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int __real_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int __real_epoll_create1(int flags);
ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __real_write(int fd, const void *buf, size_t len);
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);

/* One wrapped call's rule and tallies. */
typedef struct fi_slot {
  _Atomic int armed; /* 1 while rule applies; read without the lock first */
  sb_fi_rule rule;   /* what to inject (lock) */
  int64_t matched;   /* calls the rule matched since arming (lock) */
  int64_t injected;  /* faults injected since arming (lock) */
  uint32_t rng;      /* xorshift state for one_in and lengths (lock) */
} fi_slot;

/* Protects every slot's rule, tallies and rng. Never held across a real
 * call, so a wrapper cannot deadlock with another. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static fi_slot slots[SB_FI_NCALLS];
static _Thread_local int exempt; /* 1: this thread is never injected */
/* Allocations through the wrappers not yet freed. Relaxed: a tally read by
 * the test after joining the threads that changed it (or closing the
 * runtime, which joins its workers), so no ordering is needed. */
static _Atomic int64_t live_allocs;

static uint32_t next_rand(uint32_t *s) {
  uint32_t x = *s != 0 ? *s : 0x9e3779b9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

void sb_fi_arm(sb_fi_call call, sb_fi_rule rule) {
  pthread_mutex_lock(&lock);
  slots[call].rule = rule;
  slots[call].matched = 0;
  slots[call].injected = 0;
  slots[call].rng = rule.seed;
  /* seq_cst store under the lock: a wrapper that sees armed == 1 takes the
   * lock before it reads the rule, so the rule it reads is this one. */
  atomic_store(&slots[call].armed, 1);
  pthread_mutex_unlock(&lock);
}

void sb_fi_disarm(sb_fi_call call) {
  atomic_store(&slots[call].armed, 0);
}

void sb_fi_disarm_all(void) {
  for (int i = 0; i < SB_FI_NCALLS; i++)
    sb_fi_disarm((sb_fi_call)i);
}

int64_t sb_fi_matched(sb_fi_call call) {
  pthread_mutex_lock(&lock);
  int64_t n = slots[call].matched;
  pthread_mutex_unlock(&lock);
  return n;
}

int64_t sb_fi_injected(sb_fi_call call) {
  pthread_mutex_lock(&lock);
  int64_t n = slots[call].injected;
  pthread_mutex_unlock(&lock);
  return n;
}

void sb_fi_exempt_thread(int on) {
  exempt = on;
}

int64_t sb_fi_live_allocs(void) {
  return atomic_load_explicit(&live_allocs, memory_order_relaxed);
}

static int fd_kind_matches(int fd, unsigned kinds) {
  struct stat st;
  if (kinds == 0)
    return 1;
  if (fstat(fd, &st) != 0)
    return 0;
  if ((kinds & SB_FI_SOCK) && S_ISSOCK(st.st_mode))
    return 1;
  return (kinds & SB_FI_FILE) && (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode));
}

/* Decides one call. Returns the errno to fail with, or 0 to make the call,
 * after cutting *len when the rule shortens it. fd < 0: no descriptor. */
static int decide(sb_fi_call call, int fd, int epoll_op, size_t *len) {
  fi_slot *s = &slots[call];
  int err = 0;
  if (!atomic_load(&s->armed) || exempt)
    return 0;
  pthread_mutex_lock(&lock);
  const sb_fi_rule *r = &s->rule;
  if (!atomic_load(&s->armed))
    goto out; /* disarmed meanwhile */
  if (!r->any_fd && fd != r->fd)
    goto out;
  if (r->epoll_op != 0 && epoll_op != r->epoll_op)
    goto out;
  if (fd >= 0 && !fd_kind_matches(fd, r->fd_kinds))
    goto out;
  s->matched++;
  if (s->matched <= r->skip)
    goto out;
  if (r->count >= 0 && s->injected >= r->count)
    goto out;
  if (r->one_in > 1 && next_rand(&s->rng) % r->one_in != 0)
    goto out;
  if (r->err != 0) {
    err = r->err;
  } else if (len != NULL && r->max_len > 0 && *len > 1) {
    size_t cut = 1 + next_rand(&s->rng) % r->max_len;
    if (cut >= *len)
      goto out; /* already short enough: nothing injected */
    *len = cut;
  } else {
    goto out;
  }
  s->injected++;
out:
  pthread_mutex_unlock(&lock);
  return err;
}

int __wrap_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
  int err = decide(SB_FI_ACCEPT4, fd, 0, NULL);
  if (err != 0) {
    errno = err;
    return -1;
  }
  return __real_accept4(fd, addr, len, flags);
}

int __wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
  int err = decide(SB_FI_EPOLL_CTL, fd, op, NULL);
  if (err != 0) {
    errno = err;
    return -1;
  }
  return __real_epoll_ctl(epfd, op, fd, ev);
}

int __wrap_epoll_create1(int flags) {
  int err = decide(SB_FI_EPOLL_CREATE1, -1, 0, NULL);
  if (err != 0) {
    errno = err;
    return -1;
  }
  return __real_epoll_create1(flags);
}

ssize_t __wrap_read(int fd, void *buf, size_t len) {
  int err = decide(SB_FI_READ, fd, 0, &len);
  if (err != 0) {
    errno = err;
    return -1;
  }
  return __real_read(fd, buf, len);
}

/* A read too (SB_FI_READ): its rule fails or cuts it as it does read(2).
 * A cut shortens the first buffer only, and the caller sees it restored. */
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags) {
  size_t len = msg->msg_iovlen > 0 ? msg->msg_iov[0].iov_len : 0;
  int err = decide(SB_FI_READ, fd, 0, &len);
  if (err != 0) {
    errno = err;
    return -1;
  }
  if (msg->msg_iovlen == 0 || len == msg->msg_iov[0].iov_len)
    return __real_recvmsg(fd, msg, flags);
  size_t whole = msg->msg_iov[0].iov_len;
  size_t niov = msg->msg_iovlen;
  msg->msg_iov[0].iov_len = len;
  msg->msg_iovlen = 1; /* the cut ends the read in the first buffer */
  ssize_t n = __real_recvmsg(fd, msg, flags);
  int saved = errno;
  msg->msg_iov[0].iov_len = whole;
  msg->msg_iovlen = niov;
  errno = saved;
  return n;
}

ssize_t __wrap_write(int fd, const void *buf, size_t len) {
  int err = decide(SB_FI_WRITE, fd, 0, &len);
  if (err != 0) {
    errno = err;
    return -1;
  }
  return __real_write(fd, buf, len);
}

/* Counts a successful allocation; returns p. */
static void *counted(void *p) {
  if (p != NULL)
    atomic_fetch_add_explicit(&live_allocs, 1, memory_order_relaxed);
  return p;
}

static int alloc_fails(void) {
  int err = decide(SB_FI_ALLOC, -1, 0, NULL);
  if (err != 0)
    errno = err;
  return err != 0;
}

void *__wrap_malloc(size_t size) {
  return alloc_fails() ? NULL : counted(__real_malloc(size));
}

void *__wrap_calloc(size_t n, size_t size) {
  return alloc_fails() ? NULL : counted(__real_calloc(n, size));
}

void *__wrap_aligned_alloc(size_t align, size_t size) {
  return alloc_fails() ? NULL : counted(__real_aligned_alloc(align, size));
}

void *__wrap_realloc(void *p, size_t size) {
  if (alloc_fails())
    return NULL; /* p is left as it was, as realloc does */
  void *q = __real_realloc(p, size);
  return p == NULL ? counted(q) : q;
}

void __wrap_free(void *p) {
  if (p != NULL)
    atomic_fetch_sub_explicit(&live_allocs, 1, memory_order_relaxed);
  __real_free(p);
}

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg) {
  int err = decide(SB_FI_PTHREAD_CREATE, -1, 0, NULL);
  if (err != 0)
    return err; /* pthread_create returns the error, errno untouched */
  return __real_pthread_create(tid, attr, fn, arg);
}
