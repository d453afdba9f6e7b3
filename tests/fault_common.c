/* The fault tests' shared parts: checking client threads, the SIGUSR1 storm
 * and thread counting. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault_common.h"
#include "faultinject.h"
#include "test.h"

/* ---- clients ---------------------------------------------------------- */

static uint8_t client_byte(const fc_client *c, int round, int j) {
  return (uint8_t)(c->seed * 131u + (uint32_t)round * 31u + (uint32_t)j * 7u);
}

uint64_t fc_client_expect(const fc_client *c, int first, int rounds) {
  uint64_t sum = 0;
  for (int r = first; r < first + rounds; r++)
    for (int j = 0; j < c->bytes; j++)
      sum += client_byte(c, r, j);
  return sum;
}

/* Moves all len bytes through one blocking read or write per step, retrying
 * EINTR and short transfers. Returns 0, -1 at EOF, or errno. */
static int move_all(int fd, uint8_t *buf, size_t len, int writing) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = writing ? write(fd, buf + done, len - done)
                        : read(fd, buf + done, len - done);
    if (n > 0)
      done += (size_t)n;
    else if (n == 0)
      return -1;
    else if (errno != EINTR)
      return errno;
  }
  return 0;
}

/* One round trip; returns 0 or the error. */
static int client_round(fc_client *c, int round, uint8_t *out, uint8_t *in) {
  for (int j = 0; j < c->bytes; j++)
    out[j] = client_byte(c, round, j);
  int rc = move_all(c->fd, out, (size_t)c->bytes, 1);
  if (rc == 0)
    rc = move_all(c->fd, in, (size_t)c->bytes, 0);
  if (rc != 0)
    return rc;
  for (int j = 0; j < c->bytes; j++) {
    if (in[j] != out[j])
      c->mismatches++;
    else
      c->sum += in[j];
  }
  return 0;
}

static void gate_wait(fc_client *c) {
  if (c->gate != NULL)
    pthread_barrier_wait(c->gate);
}

static void *client_main(void *arg) {
  fc_client *c = arg;
  uint8_t *out = malloc((size_t)c->bytes), *in = malloc((size_t)c->bytes);
  sb_fi_exempt_thread(1);
  ASSERT(out != NULL && in != NULL);
  if (c->fd < 0) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(c->fd, 0);
    int rc;
    do
      rc = connect(c->fd, (struct sockaddr *)&c->addr, sizeof(c->addr));
    while (rc < 0 && errno == EINTR);
    if (rc < 0 && c->err == 0)
      c->err = errno;
  }
  int round = 0;
  for (; c->err == 0 && round < c->rounds[0]; round++)
    c->err = client_round(c, round, out, in);
  gate_wait(c);
  gate_wait(c);
  for (; c->err == 0 && round < c->rounds[0] + c->rounds[1]; round++)
    c->err = client_round(c, round, out, in);
  gate_wait(c);
  close(c->fd);
  free(out);
  free(in);
  return NULL;
}

void fc_client_start(fc_client *c) {
  c->sum = 0;
  c->mismatches = 0;
  c->err = 0;
  ASSERT_EQ(pthread_create(&c->tid, NULL, client_main, c), 0);
}

void fc_client_join(fc_client *c) {
  ASSERT_EQ(pthread_join(c->tid, NULL), 0);
  if (c->err != 0)
    fprintf(stderr, "  client: %s\n",
            c->err < 0 ? "early EOF" : strerror(c->err));
}

/* ---- signals and threads ------------------------------------------------ */

static _Atomic uint64_t delivered; /* SIGUSR1s handled (lock-free counter) */

static void on_sigusr1(int sig) {
  (void)sig;
  atomic_fetch_add_explicit(&delivered, 1, memory_order_relaxed);
}

/* Signals every other thread once per pass, then naps 50 us: each blocking
 * call anywhere is interrupted every few dozen microseconds. */
static void *storm_main(void *arg) {
  fc_storm *s = arg;
  pid_t pid = getpid(), self = (pid_t)syscall(SYS_gettid);
  sb_fi_exempt_thread(1);
  while (!atomic_load(&s->stop)) {
    DIR *d = opendir("/proc/self/task");
    ASSERT(d != NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      pid_t tid = (pid_t)atoi(e->d_name);
      if (tid <= 0 || tid == self)
        continue;
      if (syscall(SYS_tgkill, pid, tid, SIGUSR1) == 0)
        atomic_fetch_add(&s->sent, 1);
    }
    closedir(d);
    usleep(50);
  }
  return NULL;
}

void fc_storm_start(fc_storm *s) {
  struct sigaction sa = {.sa_handler = on_sigusr1, .sa_flags = 0};
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0); /* no SA_RESTART: EINTR */
  atomic_init(&s->stop, 0);
  atomic_init(&s->sent, 0);
  atomic_store(&delivered, 0);
  ASSERT_EQ(pthread_create(&s->tid, NULL, storm_main, s), 0);
  /* Return once the storm is raining: on a loaded machine the storm thread
   * may not be scheduled before a short workload ends, and a case that saw
   * no signal would test nothing. The main thread is one of its targets. */
  for (int ms = 0; ms < 10000 && atomic_load(&delivered) == 0; ms++)
    usleep(1000);
  ASSERT_GT(atomic_load(&delivered), 0);
}

uint64_t fc_storm_stop(fc_storm *s) {
  atomic_store(&s->stop, 1);
  ASSERT_EQ(pthread_join(s->tid, NULL), 0);
  /* Leave the handler installed: a signal still in flight to a thread must
   * not kill the process. */
  return atomic_load(&delivered);
}

int fc_thread_count(void) {
  int n = 0;
  DIR *d = opendir("/proc/self/task");
  ASSERT(d != NULL);
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

/* ThreadSanitizer runs one background thread of its own, started lazily. */
#if defined(__SANITIZE_THREAD__)
#define SANITIZER_THREADS 1
#else
#define SANITIZER_THREADS 0
#endif

int fc_await_main_only(void) {
  for (int ms = 0; ms < 5000; ms++) {
    if (fc_thread_count() <= 1 + SANITIZER_THREADS)
      return 1;
    usleep(1000);
  }
  fprintf(stderr, "  %d threads left running\n", fc_thread_count());
  return 0;
}

int fc_lowest_free_fd(void) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  close(fd);
  return fd;
}
