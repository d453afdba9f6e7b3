/* Test-only fault injection. The fault test executables are linked with
 * -Wl,--wrap=<call> for each call below (tests/faults.cmake), so every
 * reference to it from the test, the runtimes and the workloads goes through
 * a wrapper in faultinject.c that fails or shortens it on demand. Production
 * code has no hook: the wrappers exist only in these executables. */
#ifndef SB_FAULTINJECT_H
#define SB_FAULTINJECT_H

#include <stddef.h>
#include <stdint.h>

typedef enum sb_fi_call {
  SB_FI_ACCEPT4,
  SB_FI_EPOLL_CTL,
  SB_FI_EPOLL_CREATE1,
  SB_FI_READ, /* read(2) and recvmsg(2) */
  SB_FI_WRITE,
  SB_FI_ALLOC, /* malloc, calloc, aligned_alloc, realloc */
  SB_FI_PTHREAD_CREATE,
  SB_FI_NCALLS
} sb_fi_call;

/* Kinds of descriptor a rule may be limited to (sb_fi_rule.fd_kinds). */
#define SB_FI_SOCK 1u /* sockets (socketpair, TCP) */
#define SB_FI_FILE 2u /* regular files and pipes */

/* Which calls a rule hits and what it does to them. Zero means "any" or
 * "none" for every filter field. */
typedef struct sb_fi_rule {
  int err;           /* errno the call fails with; 0: shorten (read/write) */
  size_t max_len;    /* err == 0: cut read/write lengths to 1..max_len */
  int64_t skip;      /* let this many matching calls through first */
  int64_t count;     /* then inject on this many; < 0: until disarmed */
  uint32_t one_in;   /* inject on about one matching call in one_in (> 1) */
  uint32_t seed;     /* seeds one_in and the shortened lengths */
  int fd;            /* only calls on this fd (accept4: the listener) */
  int any_fd;        /* 1: ignore fd (set by SB_FI_RULE) */
  unsigned fd_kinds; /* only fds of these SB_FI_* kinds; 0: any */
  int epoll_op;      /* epoll_ctl: only this op (EPOLL_CTL_ADD...); 0: any */
} sb_fi_rule;

/* A rule that hits every call: start from it and narrow. */
#define SB_FI_RULE ((sb_fi_rule){.count = -1, .fd = -1, .any_fd = 1})

/* Arms call with rule, resetting its counters. Thread-safe. */
void sb_fi_arm(sb_fi_call call, sb_fi_rule rule);
/* Lets every later call through; counters are kept for reading. */
void sb_fi_disarm(sb_fi_call call);
void sb_fi_disarm_all(void);
/* Calls the rule matched, and faults injected, since call was last armed. */
int64_t sb_fi_matched(sb_fi_call call);
int64_t sb_fi_injected(sb_fi_call call);
/* With on = 1, calls made by this thread are never injected (helper threads
 * of a test: clients, signal senders). */
void sb_fi_exempt_thread(int on);
/* Allocations made through the wrappers and not yet freed. Compare before
 * and after a region to prove that it leaks nothing. */
int64_t sb_fi_live_allocs(void);

#endif
