/* Stack overflow in runtime `fiber`: a SIGSEGV handler, run on an
 * alternate signal stack (the fiber's own stack is the one that ran out),
 * that recognises a hit on the running fiber's guard page, says so in one
 * line naming the runtime and the fix, and aborts. Any other SIGSEGV goes
 * to the handler that was there before (or the default action). Never a
 * silent corruption: a frame larger than the guard page could step over it
 * (the same limit as a thread's guard, which -fstack-clash-protection
 * lifts), which is why the default stack leaves room to spare. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fiber_internal.h"

/* Alternate signal stack per carrier thread: at least 64 KiB, above the
 * kernel's minimum for this CPU's signal frame (AVX-512 needs ~3.4 KiB). */
#define ALTSTACK_MIN (64 * 1024)

static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_err;              /* 0, or -errno from the setup */
static struct sigaction prev_segv; /* the handler before ours */
static size_t guard_page;          /* the page size, for the handler */
static size_t altstack_bytes;      /* size of each alternate stack */
static pthread_key_t altstack_key; /* a thread's alternate stack, freed at
                                      its exit */

/* Writes "<text><n>" pieces with write(2): the handler may not use stdio. */
static void put(const char *s) {
  (void)!write(STDERR_FILENO, s, strlen(s));
}

static void put_num(size_t n) {
  char buf[24];
  int i = (int)sizeof buf;
  buf[--i] = '\0';
  do
    buf[--i] = (char)('0' + n % 10);
  while ((n /= 10) > 0 && i > 0);
  put(&buf[i]);
}

/* 1 when addr lies in f's guard page. */
static int in_guard(const fiber *f, const char *addr) {
  return f != NULL && addr < f->lo && addr >= f->lo - guard_page;
}

static void on_segv(int sig, siginfo_t *si, void *uc) {
  fiber_carrier *c = sb__fiber_self;
  const char *addr = si->si_addr;
  /* The fiber on the CPU, or the one leaving it in the middle of a switch. */
  const fiber *f = NULL;
  if (c != NULL && in_guard(c->running, addr))
    f = c->running;
  else if (c != NULL && in_guard(c->prev, addr))
    f = c->prev;
  if (f != NULL) {
    put("fiber: stack overflow in ");
    put(f->is_root ? "block_on's fiber (" : "a fiber (");
    put_num(f->size / 1024);
    put(" KiB stack): raise sb_config.stack_size\n");
    abort();
  }
  /* Not ours: hand it on. */
  if (prev_segv.sa_flags & SA_SIGINFO) {
    prev_segv.sa_sigaction(sig, si, uc);
  } else if (prev_segv.sa_handler != SIG_DFL &&
             prev_segv.sa_handler != SIG_IGN) {
    prev_segv.sa_handler(sig);
  } else {
    /* Default action: restore it; the faulting access runs again and
     * the kernel kills the process with SIGSEGV as usual. */
    signal(SIGSEGV, SIG_DFL);
  }
}

static void altstack_free(void *mem) {
  stack_t off = {.ss_flags = SS_DISABLE};
  sigaltstack(&off, NULL);
  munmap(mem, altstack_bytes);
}

static void guard_init(void) {
  guard_page = (size_t)sysconf(_SC_PAGESIZE);
  long min = sysconf(_SC_SIGSTKSZ);
  altstack_bytes = min > ALTSTACK_MIN ? (size_t)min : ALTSTACK_MIN;
  int rc = pthread_key_create(&altstack_key, altstack_free);
  if (rc != 0) {
    guard_err = -rc;
    return;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &prev_segv) != 0)
    guard_err = -errno;
}

/* Installs the process-wide handler once, and gives the calling thread an
 * alternate signal stack unless it has one (its own, or a sanitizer's).
 * Returns 0 or -errno. */
int sb__fiber_guard_setup(void) {
  static _Thread_local int ready; /* this thread has an alternate stack */
  pthread_once(&guard_once, guard_init);
  if (guard_err != 0)
    return guard_err;
  if (ready)
    return 0;
  stack_t cur;
  if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) {
    ready = 1;
    return 0;
  }
  void *mem = mmap(NULL, altstack_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED)
    return -errno;
  stack_t ss = {.ss_sp = mem, .ss_size = altstack_bytes, .ss_flags = 0};
  int rc = pthread_setspecific(altstack_key, mem);
  if (rc != 0 || sigaltstack(&ss, NULL) != 0) {
    rc = rc != 0 ? -rc : -errno;
    pthread_setspecific(altstack_key, NULL);
    munmap(mem, altstack_bytes);
    return rc;
  }
  ready = 1;
  return 0;
}
