/* The reactor: a table of per-fd slots (waiters plus readiness seen while
 * nobody waited) over the epoll backend. Lock-free for one thread; one mutex
 * per slot when shared between workers. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "reactor.h"
#include "reactor_epoll.c"

/* Slots come in pages so that a slot never moves once handed out: a waiter
 * and a concurrent poller can hold a pointer to it without a lock on the
 * table. Pages are created on first use and freed at close. */
#define PAGE_SHIFT 8
#define PAGE_SLOTS (1u << PAGE_SHIFT)
#define MAX_FDS (1u << 22) /* table limit when RLIMIT_NOFILE is unlimited */

typedef struct fd_slot {
  alignas(SB_CACHELINE) pthread_mutex_t lock; /* shared reactors only:
                                    protects the fields below and the list
                                    linkage, waker and events of its waits */
  sb_list waiters;     /* waits on this fd (sb_wait.link) */
  uint32_t ready;      /* SB_READABLE/SB_WRITABLE edges no waiter claimed */
  uint32_t registered; /* 1 while the fd is in the epoll set */
} fd_slot;

struct sb__reactor {
  backend be;                /* epoll fd and notify eventfd */
  int shared;                /* 1: slots are locked, pages made under grow */
  uint32_t npages;           /* entries in pages */
  pthread_mutex_t grow;      /* shared reactors: serialises page creation */
  atomic_uint nregistered;   /* fds in the epoll set; 0 lets a poll with no
                                timeout skip the syscall */
  _Atomic(fd_slot *) *pages; /* page i holds fds [i*PAGE_SLOTS, ...) */
};

/* An fd wait is on its slot's list (w->link) until it is taken off: fired,
 * cancelled or forgotten. Its link is written under the slot lock. */

static inline void slot_lock(const sb__reactor *r, fd_slot *s) {
  if (r->shared)
    pthread_mutex_lock(&s->lock);
}

static inline void slot_unlock(const sb__reactor *r, fd_slot *s) {
  if (r->shared)
    pthread_mutex_unlock(&s->lock);
}

static fd_slot *page_create(sb__reactor *r, uint32_t p) {
  fd_slot *page = NULL;
  if (r->shared)
    pthread_mutex_lock(&r->grow);
  /* Relaxed: in a shared reactor the grow lock orders this re-check after
   * any earlier creation; alone, there is no other thread. */
  page = atomic_load_explicit(&r->pages[p], memory_order_relaxed);
  if (page != NULL)
    goto out;
  page = aligned_alloc(SB_CACHELINE, PAGE_SLOTS * sizeof(fd_slot));
  if (page == NULL)
    goto out;
  memset(page, 0, PAGE_SLOTS * sizeof(fd_slot));
  for (uint32_t i = 0; i < PAGE_SLOTS; i++) {
    sb_list_init(&page[i].waiters);
    if (r->shared)
      pthread_mutex_init(&page[i].lock, NULL);
  }
  /* Release: a thread that loads the page pointer (acquire, slot_get) also
   * sees the zeroed slots and their initialised mutexes. */
  atomic_store_explicit(&r->pages[p], page, memory_order_release);
out:
  if (r->shared)
    pthread_mutex_unlock(&r->grow);
  return page;
}

/* Returns fd's slot, creating its page if asked; NULL if out of range or out
 * of memory (or not created). */
static fd_slot *slot_get(sb__reactor *r, int fd, int create) {
  if (fd < 0 || ((uint32_t)fd >> PAGE_SHIFT) >= r->npages)
    return NULL;
  uint32_t p = (uint32_t)fd >> PAGE_SHIFT;
  /* Acquire: pairs with the release in page_create. */
  fd_slot *page = atomic_load_explicit(&r->pages[p], memory_order_acquire);
  if (page == NULL && create)
    page = page_create(r, p);
  return page != NULL ? &page[(uint32_t)fd & (PAGE_SLOTS - 1)] : NULL;
}

int sb__reactor_open(int shared, sb__reactor **out) {
  int err = -ENOMEM;
  sb__reactor *r = calloc(1, sizeof(*r));
  if (r == NULL)
    goto fail;
  struct rlimit rl;
  rlim_t nfds = MAX_FDS;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < nfds)
    nfds = rl.rlim_max; /* no fd can be numbered beyond the hard limit */
  r->npages = (uint32_t)((nfds + PAGE_SLOTS - 1) / PAGE_SLOTS);
  r->pages = calloc(r->npages, sizeof(*r->pages));
  if (r->pages == NULL)
    goto fail_reactor;
  r->shared = shared;
  atomic_init(&r->nregistered, 0);
  err = backend_open(&r->be);
  if (err < 0)
    goto fail_pages;
  if (shared && (err = -pthread_mutex_init(&r->grow, NULL)) < 0)
    goto fail_backend;
  *out = r;
  return 0;
fail_backend:
  backend_close(&r->be);
fail_pages:
  free(r->pages);
fail_reactor:
  free(r);
fail:
  return err;
}

void sb__reactor_close(sb__reactor *r) {
  for (uint32_t p = 0; p < r->npages; p++) {
    fd_slot *page = atomic_load_explicit(&r->pages[p], memory_order_relaxed);
    if (page != NULL && r->shared)
      for (uint32_t i = 0; i < PAGE_SLOTS; i++)
        pthread_mutex_destroy(&page[i].lock);
    free(page);
  }
  if (r->shared)
    pthread_mutex_destroy(&r->grow);
  backend_close(&r->be);
  free(r->pages);
  free(r);
}

sb_poll sb__reactor_wait_fd(sb__reactor *r, sb_wait *w, sb_waker waker, int fd,
                            uint32_t events) {
  SB_ASSERT(w->state == SB__WAIT_IDLE || w->state == SB__WAIT_FD);
  if (w->state == SB__WAIT_FD && w->fd != fd)
    sb__reactor_cancel(r, w); /* moved to another fd: start afresh */
  if (fd < 0)
    return SB_READY; /* the syscall will report EBADF */
  fd_slot *s = slot_get(r, fd, 1);
  if (s == NULL)
    goto retry_later;
  sb_poll res = SB_PENDING;
  slot_lock(r, s);
  if (w->state == SB__WAIT_FD && !sb_list_linked(&w->link)) {
    w->state = SB__WAIT_IDLE; /* fired since the last call */
    res = SB_READY;
    goto out;
  }
  if (s->ready & events) {
    s->ready &= ~events; /* the edge is consumed by this retry */
    if (w->state == SB__WAIT_FD)
      sb_list_remove(&w->link);
    w->state = SB__WAIT_IDLE;
    res = SB_READY;
    goto out;
  }
  if (!s->registered) {
    int err = backend_add(&r->be, fd);
    if (err == -EPERM) { /* a regular file: always ready */
      res = SB_READY;
      goto out;
    }
    if (err < 0) {
      slot_unlock(r, s);
      goto retry_later;
    }
    s->registered = 1;
    /* Relaxed: only a hint for sb__reactor_poll(r, 0); a poll that misses a
     * registration made concurrently finds its edge on the next look. */
    atomic_fetch_add_explicit(&r->nregistered, 1, memory_order_relaxed);
  }
  if (w->state != SB__WAIT_FD) {
    w->fd = fd;
    w->state = SB__WAIT_FD;
    sb_list_push_front(&s->waiters, &w->link);
  }
  w->waker = waker;
  w->events = events;
out:
  slot_unlock(r, s);
  return res;
retry_later:
  /* The fd cannot be watched right now (no memory, no epoll watches, fd
   * beyond the table): poll the task again soon rather than hang it. */
  sb_wake(waker);
  return SB_PENDING;
}

void sb__reactor_cancel(sb__reactor *r, sb_wait *w) {
  if (w->state != SB__WAIT_FD)
    return;
  fd_slot *s = slot_get(r, w->fd, 0);
  SB_ASSERT(s != NULL); /* the slot existed when w was linked */
  slot_lock(r, s);
  if (sb_list_linked(&w->link))
    sb_list_remove(&w->link);
  slot_unlock(r, s);
  w->state = SB__WAIT_IDLE;
}

/* Takes every wait that asked for one of mask's bits off s and wakes it;
 * the caller holds the slot lock, as the contract asks of wakes. Returns the
 * bits of mask that no wait asked for. */
static uint32_t wake_waiters(fd_slot *s, uint32_t mask) {
  uint32_t unclaimed = mask;
  sb_list *n, *next;
  SB_LIST_FOREACH_SAFE(n, next, &s->waiters) {
    sb_wait *w = SB_CONTAINER_OF(n, sb_wait, link);
    if ((w->events & mask) == 0)
      continue;
    unclaimed &= ~w->events;
    sb_list_remove(&w->link);
    sb_wake(w->waker);
  }
  return unclaimed;
}

void sb__reactor_forget_fd(sb__reactor *r, int fd) {
  fd_slot *s = slot_get(r, fd, 0);
  if (s == NULL)
    return;
  slot_lock(r, s);
  if (s->registered) {
    backend_del(&r->be, fd);
    s->registered = 0;
    /* Relaxed: a hint, as in sb__reactor_wait_fd. */
    atomic_fetch_sub_explicit(&r->nregistered, 1, memory_order_relaxed);
  }
  s->ready = 0;
  (void)wake_waiters(s, SB_READABLE | SB_WRITABLE);
  slot_unlock(r, s);
}

int sb__reactor_poll(sb__reactor *r, int64_t timeout_ns) {
  return sb__reactor_poll_some(r, timeout_ns, BACKEND_MAX_EVENTS);
}

int sb__reactor_poll_some(sb__reactor *r, int64_t timeout_ns, int max_events) {
  SB_ASSERT(max_events >= 1 && max_events <= BACKEND_MAX_EVENTS);
  backend_event evs[BACKEND_MAX_EVENTS];
  /* Relaxed: see sb__reactor_wait_fd. With no fd to watch, a look that may
   * not block has nothing to find but a notify, which only matters to a
   * poll that blocks. */
  if (timeout_ns == 0 &&
      atomic_load_explicit(&r->nregistered, memory_order_relaxed) == 0)
    return 0;
  int n = backend_wait(&r->be, evs, timeout_ns, max_events);
  for (int i = 0; i < n; i++) {
    fd_slot *s = slot_get(r, evs[i].fd, 0);
    if (s == NULL)
      continue;
    slot_lock(r, s);
    /* An event fetched before a concurrent forget_fd is stale: the fd may
     * already be closed or reused, so it records nothing. */
    if (s->registered)
      s->ready |= wake_waiters(s, evs[i].events);
    slot_unlock(r, s);
  }
  return n;
}

void sb__reactor_notify(sb__reactor *r) {
  backend_notify(&r->be);
}
