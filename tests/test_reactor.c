/* Unit tests of the executors' reactor (runtimes/os/reactor.c): edge-triggered
 * waits, edges recorded with no waiter, reader and writer on one fd, hang-up,
 * forget_fd, notify, polls that take part of what is ready, and a shared
 * reactor driven from three threads. Every case runs on a private and on a
 * shared reactor; the argument is ignored. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtimes/os/reactor.h"
#include "test.h"

/* A stand-in for a runtime: a wake only counts, per fake task. */
typedef struct fake_task {
  atomic_int wakes; /* wakes received */
} fake_task;

static void fake_wake(sb_waker w) {
  atomic_fetch_add(&((fake_task *)(void *)w.task)->wakes, 1);
}

static const sb_runtime_ops fake_ops = {.name = "fake", .wake = fake_wake};
static sb_runtime fake_rt = {.ops = &fake_ops};

static sb_waker waker_of(fake_task *t) {
  return (sb_waker){.rt = &fake_rt, .task = (sb_task *)(void *)t};
}

static int wakes(fake_task *t) {
  return atomic_load(&t->wakes);
}

static sb__reactor *open_reactor(int shared) {
  sb__reactor *r = NULL;
  ASSERT_EQ(sb__reactor_open(shared, &r), 0);
  return r;
}

static void make_pipe(int fds[2]) {
  ASSERT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void put_byte(int fd) {
  ASSERT_EQ(write(fd, "x", 1), 1);
}

static void readable_edge(int shared) {
  sb__reactor *r = open_reactor(shared);
  fake_task t = {0};
  sb_wait w = {0};
  int p[2];
  char c;
  make_pipe(p);
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), p[0], SB_READABLE),
            SB_PENDING);
  ASSERT_EQ(sb__reactor_poll(r, 0), 0);
  ASSERT_EQ(wakes(&t), 0);
  put_byte(p[1]);
  ASSERT_EQ(sb__reactor_poll(r, -1), 1);
  ASSERT_EQ(wakes(&t), 1);
  /* Fired: the next call with the same wait says "retry". */
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), p[0], SB_READABLE),
            SB_READY);
  ASSERT_EQ(w.state, SB__WAIT_IDLE);
  ASSERT_EQ(read(p[0], &c, 1), 1);
  ASSERT_EQ(read(p[0], &c, 1), -1);
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), p[0], SB_READABLE),
            SB_PENDING);
  /* Edge-triggered: nothing new, no wake, however often we look. */
  ASSERT_EQ(sb__reactor_poll(r, 0), 0);
  ASSERT_EQ(wakes(&t), 1);
  sb__reactor_cancel(r, &w);
  ASSERT_EQ(w.state, SB__WAIT_IDLE);
  sb__reactor_forget_fd(r, p[0]);
  close(p[0]);
  close(p[1]);
  sb__reactor_close(r);
}

/* An edge that arrives while nobody waits is kept for the next wait. */
static void edge_kept_without_waiter(int shared) {
  sb__reactor *r = open_reactor(shared);
  fake_task t = {0};
  sb_wait w1 = {0}, w2 = {0};
  int p[2];
  make_pipe(p);
  ASSERT_EQ(sb__reactor_wait_fd(r, &w1, waker_of(&t), p[0], SB_READABLE),
            SB_PENDING);
  sb__reactor_cancel(r, &w1); /* registered with epoll, but nobody waits */
  put_byte(p[1]);
  ASSERT_EQ(sb__reactor_poll(r, -1), 1);
  ASSERT_EQ(wakes(&t), 0);
  ASSERT_EQ(sb__reactor_wait_fd(r, &w2, waker_of(&t), p[0], SB_READABLE),
            SB_READY);
  /* The edge was consumed by that retry. */
  ASSERT_EQ(sb__reactor_wait_fd(r, &w2, waker_of(&t), p[0], SB_READABLE),
            SB_PENDING);
  sb__reactor_forget_fd(r, p[0]);
  ASSERT_EQ(wakes(&t), 1); /* forget_fd wakes whoever still waits */
  close(p[0]);
  close(p[1]);
  sb__reactor_close(r);
}

static void reader_and_writer(int shared) {
  sb__reactor *r = open_reactor(shared);
  fake_task tr = {0}, tw = {0};
  sb_wait wr = {0}, ww = {0};
  int s[2];
  char c;
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s), 0);
  ASSERT_EQ(sb__reactor_wait_fd(r, &wr, waker_of(&tr), s[0], SB_READABLE),
            SB_PENDING);
  ASSERT_EQ(sb__reactor_wait_fd(r, &ww, waker_of(&tw), s[0], SB_WRITABLE),
            SB_PENDING);
  ASSERT_EQ(sb__reactor_poll(r, -1), 1); /* writable since registration */
  ASSERT_EQ(wakes(&tw), 1);
  ASSERT_EQ(wakes(&tr), 0);
  put_byte(s[1]);
  ASSERT_EQ(sb__reactor_poll(r, -1), 1);
  ASSERT_EQ(wakes(&tr), 1);
  ASSERT_EQ(wakes(&tw), 1);
  ASSERT_EQ(read(s[0], &c, 1), 1);
  /* A wait refreshed with another waker wakes the new one only. */
  fake_task other = {0};
  ASSERT_EQ(sb__reactor_wait_fd(r, &wr, waker_of(&tr), s[0], SB_READABLE),
            SB_READY); /* fired earlier */
  ASSERT_EQ(sb__reactor_wait_fd(r, &wr, waker_of(&tr), s[0], SB_READABLE),
            SB_PENDING);
  ASSERT_EQ(sb__reactor_wait_fd(r, &wr, waker_of(&other), s[0], SB_READABLE),
            SB_PENDING);
  /* Peer shutdown counts as readable and writable. */
  close(s[1]);
  ASSERT_EQ(sb__reactor_poll(r, -1), 1);
  ASSERT_EQ(wakes(&other), 1);
  ASSERT_EQ(wakes(&tr), 1);
  sb__reactor_forget_fd(r, s[0]);
  close(s[0]);
  sb__reactor_close(r);
}

/* After forget_fd and close, the same fd number is registered afresh. */
static void forget_then_reuse(int shared) {
  sb__reactor *r = open_reactor(shared);
  fake_task t = {0};
  sb_wait w = {0};
  int p[2], q[2];
  make_pipe(p);
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), p[0], SB_READABLE),
            SB_PENDING);
  sb__reactor_forget_fd(r, p[0]);
  ASSERT_EQ(wakes(&t), 1);
  int fd = p[0];
  close(p[0]);
  close(p[1]);
  make_pipe(q);
  ASSERT_EQ(q[0], fd); /* lowest free number */
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), q[0], SB_READABLE),
            SB_READY); /* the old registration was ended by forget_fd */
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), q[0], SB_READABLE),
            SB_PENDING);
  put_byte(q[1]);
  ASSERT_EQ(sb__reactor_poll(r, -1), 1);
  ASSERT_EQ(wakes(&t), 2);
  sb__reactor_forget_fd(r, q[0]);
  close(q[0]);
  close(q[1]);
  sb__reactor_close(r);
}

/* Regular files cannot be watched and are always ready; bad fds retry. */
static void always_ready_fds(int shared) {
  sb__reactor *r = open_reactor(shared);
  fake_task t = {0};
  sb_wait w = {0};
  FILE *f = tmpfile();
  ASSERT(f != NULL);
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), fileno(f), SB_READABLE),
            SB_READY);
  ASSERT_EQ(sb__reactor_wait_fd(r, &w, waker_of(&t), -1, SB_READABLE),
            SB_READY);
  ASSERT_EQ(wakes(&t), 0);
  sb__reactor_forget_fd(r, fileno(f));
  fclose(f);
  sb__reactor_close(r);
}

/* A poll that takes fewer reports than are ready leaves the rest, in
 * order, to the next poll: every edge is reported once, none is lost. */
static void partial_batches(int shared) {
  enum { N = 5 };
  sb__reactor *r = open_reactor(shared);
  fake_task t[N] = {0};
  sb_wait w[N] = {0};
  int p[N][2];
  for (int i = 0; i < N; i++) {
    make_pipe(p[i]);
    ASSERT_EQ(sb__reactor_wait_fd(r, &w[i], waker_of(&t[i]), p[i][0],
                                  SB_READABLE),
              SB_PENDING);
    put_byte(p[i][1]);
  }
  ASSERT_EQ(sb__reactor_poll_some(r, 0, 2), 2);
  ASSERT_EQ(wakes(&t[0]) + wakes(&t[1]), 2); /* the first two, in order */
  ASSERT_EQ(sb__reactor_poll_some(r, 0, 2), 2);
  ASSERT_EQ(sb__reactor_poll_some(r, -1, 2), 1);
  ASSERT_EQ(sb__reactor_poll_some(r, 0, 2), 0);
  for (int i = 0; i < N; i++) {
    ASSERT_EQ(wakes(&t[i]), 1);
    ASSERT_EQ(sb__reactor_wait_fd(r, &w[i], waker_of(&t[i]), p[i][0],
                                  SB_READABLE),
              SB_READY);
    sb__reactor_forget_fd(r, p[i][0]);
    close(p[i][0]);
    close(p[i][1]);
  }
  sb__reactor_close(r);
}

static void *notify_later(void *arg) {
  struct timespec ts = {0, 10 * 1000 * 1000};
  nanosleep(&ts, NULL);
  sb__reactor_notify(arg);
  return NULL;
}

static void notify_and_timeout(int shared) {
  sb__reactor *r = open_reactor(shared);
  pthread_t th;
  ASSERT_EQ(pthread_create(&th, NULL, notify_later, r), 0);
  ASSERT_EQ(sb__reactor_poll(r, -1), 0); /* returns because of the notify */
  ASSERT_EQ(pthread_join(th, NULL), 0);
  sb__reactor_notify(r); /* a notify with nobody blocked ends the next poll */
  ASSERT_EQ(sb__reactor_poll(r, -1), 0);
  int64_t t0 = sb_now_ns();
  ASSERT_EQ(sb__reactor_poll(r, 20 * 1000 * 1000), 0);
  ASSERT_GE(sb_now_ns() - t0, 20 * 1000 * 1000); /* never early */
  sb__reactor_close(r);
}

/* Shared: one thread polls, one writes, the main thread reads and waits.
 * Run it under TSan to check the slot locking. */
#define ROUNDS 2000
typedef struct shared_ctx {
  sb__reactor *r;
  int p[2];
  atomic_int stop;   /* set by main when done */
  atomic_int wanted; /* bytes main has asked for so far */
} shared_ctx;

static void *poller(void *arg) {
  shared_ctx *s = arg;
  while (!atomic_load(&s->stop))
    ASSERT_GE(sb__reactor_poll(s->r, 1000 * 1000), 0);
  return NULL;
}

static void *writer(void *arg) {
  shared_ctx *s = arg;
  for (int i = 0; i < ROUNDS; i++) {
    while (atomic_load(&s->wanted) <= i)
      sched_yield();
    put_byte(s->p[1]);
  }
  return NULL;
}

static void shared_threads(void) {
  shared_ctx s = {.r = open_reactor(1)};
  fake_task t = {0};
  sb_wait w = {0};
  pthread_t tp, tw;
  make_pipe(s.p);
  ASSERT_EQ(pthread_create(&tp, NULL, poller, &s), 0);
  ASSERT_EQ(pthread_create(&tw, NULL, writer, &s), 0);
  for (int got = 0; got < ROUNDS;) {
    char c;
    if (read(s.p[0], &c, 1) == 1) {
      got++;
      continue;
    }
    ASSERT_EQ(errno, EAGAIN);
    atomic_store(&s.wanted, got + 1);
    int before = wakes(&t);
    if (sb__reactor_wait_fd(s.r, &w, waker_of(&t), s.p[0], SB_READABLE) ==
        SB_READY)
      continue;
    while (wakes(&t) == before)
      sched_yield();
  }
  atomic_store(&s.stop, 1);
  ASSERT_EQ(pthread_join(tp, NULL), 0);
  ASSERT_EQ(pthread_join(tw, NULL), 0);
  sb__reactor_cancel(s.r, &w);
  sb__reactor_forget_fd(s.r, s.p[0]);
  close(s.p[0]);
  close(s.p[1]);
  sb__reactor_close(s.r);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  for (int shared = 0; shared <= 1; shared++) {
    fprintf(stderr, "reactor (shared=%d) ...\n", shared);
    readable_edge(shared);
    edge_kept_without_waiter(shared);
    reader_and_writer(shared);
    forget_then_reuse(shared);
    always_ready_fds(shared);
    notify_and_timeout(shared);
    partial_batches(shared);
  }
  shared_threads();
  fprintf(stderr, "reactor: 15 cases passed\n");
  return 0;
}
