/* Workload files: read f files of s KiB at once, a task per file. Regular
 * files are always "ready" to epoll, so the executors read through
 * spawn_blocking while threads and pool read directly; cold runs drop the
 * files from the page cache first (posix_fadvise DONTNEED) where it works. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtimes/primitives/blocking.h"
#include "runtimes/primitives/spawn.h"
#include "workload.h"

#define READ_CHUNK 65536                  /* bytes per read(2) */
#define FILES_MAX_KIB (INT64_C(16) << 20) /* all files of a cell: 16 GiB */

/* Files, KiB per file, and whether runs start cold: every cell names the
 * first two. */
static const sb_param_spec specs[] = {{"f", 0, 1, 100000},
                                      {"s", 0, 1, 1 << 22},
                                      {"cold", 0, 0, 1},
                                      {NULL, 0, 0, 0}};

/* One file and what reading it found. */
typedef struct file_job {
  char path[200]; /* where it is */
  int err;        /* the last read's -errno, or 0 */
} file_job;

/* Reads one file, directly or through spawn_blocking. */
typedef struct file_task {
  sb_future base;
  file_job *job;        /* the file */
  int direct;           /* 1: read on the task's own thread */
  sb_spawn_blocking op; /* the offloaded read in flight */
} file_task;

typedef struct files_state files_state;

/* Spawns a task per file and joins them all. */
typedef struct files_root {
  sb_future base;
  files_state *st; /* the cell */
  int i;           /* tasks spawned, then tasks joined */
  int spawned;     /* tasks spawned in this run */
  uint64_t sum;    /* bytes read so far, summed */
} files_root;

struct files_state {
  int f;           /* files */
  int64_t bytes;   /* bytes per file */
  int cold;        /* 1: drop the files from the page cache before a run */
  int direct;      /* 1: tasks read directly (their waits block anyway) */
  char dir[160];   /* the scratch directory */
  file_job *jobs;  /* f files */
  sb_join *joins;  /* f join handles, reused by every run */
  int spawn_err;   /* the last run's first spawn error, or 0 */
  double resident; /* fraction of pages cached when the last run began;
                      -1 when no run began since the last reset */
  files_root root; /* the run's root future */
};

static const sb_params files_quick[] = {
    {{{"f", 256}, {"s", 64}, {"cold", 0}}},
    {{{"f", 256}, {"s", 64}, {"cold", 1}}},
    {{{"f", 1024}, {"s", 4}, {"cold", 0}}},
    {{{NULL, 0}}},
};

static const sb_params files_full[] = {
    {{{"f", 256}, {"s", 256}, {"cold", 0}}},
    {{{"f", 256}, {"s", 256}, {"cold", 1}}},
    {{{"f", 4096}, {"s", 4}, {"cold", 0}}},
    {{{"f", 4096}, {"s", 4}, {"cold", 1}}},
    {{{"f", 16}, {"s", 4096}, {"cold", 0}}},
    {{{"f", 16}, {"s", 4096}, {"cold", 1}}},
    {{{NULL, 0}}},
};

/* Reads the whole file and returns the sum of its bytes; errors go to
 * job->err. Runs on whatever thread reads (a task's, or a blocking one). */
static uint64_t read_file(void *arg) {
  file_job *job = arg;
  uint64_t sum = 0;
  uint8_t *buf = malloc(READ_CHUNK);
  int fd = -1;
  job->err = 0;
  if (buf == NULL) {
    job->err = -ENOMEM;
    goto out;
  }
  fd = open(job->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    job->err = -errno;
    goto out;
  }
  for (;;) {
    ssize_t n = read(fd, buf, READ_CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      job->err = -errno;
      break;
    }
    if (n == 0)
      break;
    for (ssize_t i = 0; i < n; i++)
      sum += buf[i];
  }
out:
  if (fd >= 0)
    close(fd);
  free(buf);
  return sum;
}

static sb_poll file_task_poll(sb_future *f, sb_cx *cx) {
  file_task *self = (file_task *)f;
  SB_BEGIN(self);
  if (self->direct)
    SB_RETURN(self, read_file(self->job));
  sb_spawn_blocking_init(&self->op, read_file, self->job);
  SB_AWAIT(self, sb_spawn_blocking_poll(&self->op, cx));
  if ((int64_t)self->op.base.out < 0 && self->job->err == 0)
    self->job->err = (int)(int64_t)self->op.base.out; /* not started */
  SB_END(self, self->op.base.out);
}

static void file_task_drop(sb_future *f, sb_runtime *rt) {
  file_task *self = (file_task *)f;
  if (sb_future_is_pending(&self->base))
    sb_future_drop(&self->op.base, rt);
  sb_future_done(&self->base);
}

static sb_poll files_root_poll(sb_future *f, sb_cx *cx) {
  files_root *self = (files_root *)f;
  files_state *st = self->st;
  SB_BEGIN(self);
  for (self->spawned = 0; self->spawned < st->f; self->spawned++) {
    file_task task = {.base = SB_FUTURE_INIT(file_task_poll, file_task_drop),
                      .job = &st->jobs[self->spawned],
                      .direct = st->direct};
    int rc = sb_spawn(cx, &task.base, sizeof(task), &st->joins[self->spawned]);
    if (rc < 0) {
      st->spawn_err = rc;
      break;
    }
  }
  for (self->i = 0; self->i < self->spawned; self->i++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->i], cx));
    self->sum += st->joins[self->i].base.out;
  }
  SB_END(self, self->sum);
}

static void files_root_drop(sb_future *f, sb_runtime *rt) {
  files_root *self = (files_root *)f;
  for (int i = 0; i < self->spawned; i++)
    sb_join_release(&self->st->joins[i], rt);
  sb_future_done(&self->base);
}

/* The fraction of fd's pages in the page cache (mincore over a mapping). */
static double resident_fraction(int fd, int64_t bytes) {
  long page = sysconf(_SC_PAGESIZE);
  size_t pages = (size_t)((bytes + page - 1) / page), in = 0;
  void *map = mmap(NULL, (size_t)bytes, PROT_READ, MAP_SHARED, fd, 0);
  unsigned char *vec = malloc(pages);
  if (map != MAP_FAILED && vec != NULL && mincore(map, (size_t)bytes, vec) == 0)
    for (size_t p = 0; p < pages; p++)
      in += vec[p] & 1;
  else
    in = pages; /* unknown: say "all cached", the cautious answer */
  free(vec);
  if (map != MAP_FAILED)
    munmap(map, (size_t)bytes);
  return (double)in / (double)pages;
}

/* Before a run (outside the timed part): drop the files from the page cache
 * when cold, and measure how much of them is cached either way. */
static sb_future *files_root_new(void *state) {
  files_state *st = state;
  double resident = 0;
  for (int i = 0; i < st->f; i++) {
    int fd = open(st->jobs[i].path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue; /* the run reports the open error */
    if (st->cold)
      (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    resident += resident_fraction(fd, st->bytes);
    close(fd);
  }
  st->resident = resident / st->f;
  st->spawn_err = 0;
  memset(&st->root, 0, sizeof(st->root));
  st->root.base = SB_FUTURE_INIT(files_root_poll, files_root_drop);
  st->root.st = st;
  return &st->root.base;
}

/* At most 16 GiB of files. */
static int files_check(const sb_params *ps, char *why, size_t len) {
  int64_t f = sb_param_of(ps, specs, "f"), s = sb_param_of(ps, specs, "s");
  if (f * s <= FILES_MAX_KIB)
    return 0;
  snprintf(why, len, "files needs f*s <= 16 GiB (got f=%lld s=%lld KiB)",
           (long long)f, (long long)s);
  return -EINVAL;
}

static void files_teardown(void *state) {
  files_state *st = state;
  for (int i = 0; st->jobs != NULL && i < st->f; i++)
    if (st->jobs[i].path[0] != '\0')
      unlink(st->jobs[i].path);
  if (st->dir[0] != '\0')
    rmdir(st->dir);
  free(st->jobs);
  free(st->joins);
  free(st);
}

/* Writes file i: byte j is (i + j) & 0xff (setup flushes them all). */
static int write_file(const char *path, int i, int64_t bytes) {
  uint8_t buf[4096];
  int rc = 0;
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return -errno;
  for (int64_t off = 0; off < bytes && rc == 0; off += (int64_t)sizeof(buf)) {
    size_t n = bytes - off < (int64_t)sizeof(buf) ? (size_t)(bytes - off)
                                                  : sizeof(buf);
    for (size_t j = 0; j < n; j++)
      buf[j] = (uint8_t)((unsigned)i + (uint64_t)off + j);
    /* A write to a regular file may be short (a signal, a nearly full
     * disk): go on with the rest; only an error ends it. */
    for (size_t done = 0; done < n && rc == 0;) {
      ssize_t w = write(fd, buf + done, n - done);
      if (w > 0)
        done += (size_t)w;
      else if (w < 0 && errno != EINTR)
        rc = -errno;
      else if (w == 0)
        rc = -EIO; /* no progress and no error: give up */
    }
  }
  close(fd);
  return rc;
}

/* Flushes the files to disk with one syncfs, so that a cold run can drop
 * their clean pages and no writeback runs in the timed runs (a fdatasync
 * per file cost 7 s of setup for 4096 files here). 0 or -errno. */
static int flush_files(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  int rc = syncfs(fd) < 0 ? -errno : 0;
  close(fd);
  return rc;
}

/* The scratch directory's parent: $SB_SCRATCH, else $TMPDIR, else /var/tmp
 * (a disk on most systems, where /tmp may be tmpfs and never cold). */
static const char *scratch_parent(void) {
  const char *p = getenv("SB_SCRATCH");
  if (p == NULL || p[0] == '\0')
    p = getenv("TMPDIR");
  if (p == NULL || p[0] == '\0')
    p = access("/var/tmp", W_OK) == 0 ? "/var/tmp" : "/tmp";
  return p;
}

static int files_setup(const sb_params *ps, const sb_setup_env *env,
                       void **state, char *why, size_t len) {
  int rc = -ENOMEM;
  files_state *st = calloc(1, sizeof(*st));
  if (st == NULL)
    return -ENOMEM;
  st->f = (int)sb_param_of(ps, specs, "f");
  st->bytes = sb_param_of(ps, specs, "s") * 1024;
  st->cold = (int)sb_param_of(ps, specs, "cold");
  st->resident = -1;
  /* Where a wait blocks the task's OS thread anyway, a blocking read is
   * the model itself; elsewhere it must not stall the executor. */
  st->direct = (env->rt->ops->flags &
                (SB_RT_THREAD_PER_TASK | SB_RT_BLOCKING_WAITS)) != 0;
  st->jobs = calloc((size_t)st->f, sizeof(*st->jobs));
  st->joins = calloc((size_t)st->f, sizeof(*st->joins));
  if (st->jobs == NULL || st->joins == NULL)
    goto fail;
  if (snprintf(st->dir, sizeof(st->dir), "%s/switchbench-files-XXXXXX",
               scratch_parent()) >= (int)sizeof(st->dir) ||
      mkdtemp(st->dir) == NULL) {
    rc = -errno;
    snprintf(why, len, "scratch directory %s: %s", st->dir, strerror(errno));
    st->dir[0] = '\0';
    goto fail;
  }
  for (int i = 0; i < st->f; i++) {
    snprintf(st->jobs[i].path, sizeof(st->jobs[i].path), "%s/f%06d", st->dir,
             i);
    if ((rc = write_file(st->jobs[i].path, i, st->bytes)) < 0) {
      snprintf(why, len, "writing %s: %s", st->jobs[i].path, strerror(-rc));
      goto fail;
    }
  }
  if ((rc = flush_files(st->dir)) < 0) {
    snprintf(why, len, "flushing %s: %s", st->dir, strerror(-rc));
    goto fail;
  }
  *state = st;
  return 0;
fail:
  files_teardown(st);
  return rc;
}

static int files_verify(void *state, uint64_t out, char *why, size_t len) {
  files_state *st = state;
  uint64_t want = sb_workload_files.checksum(&(sb_params){
      {{"f", st->f}, {"s", st->bytes / 1024}, {"cold", st->cold}}});
  if (st->spawn_err != 0) {
    snprintf(why, len, "spawning %d file readers: %s", st->f,
             strerror(-st->spawn_err));
    return -1;
  }
  for (int i = 0; i < st->f; i++) {
    if (st->jobs[i].err != 0) {
      snprintf(why, len, "reading %s: %s", st->jobs[i].path,
               strerror(-st->jobs[i].err));
      return -1;
    }
  }
  if (out != want) {
    snprintf(why, len, "byte sum %llu, expected %llu", (unsigned long long)out,
             (unsigned long long)want);
    return -1;
  }
  return 0;
}

/* Sum over files i < f of bytes j < s*1024 of (i + j) & 0xff: whole cycles
 * of 256 sum to 32640, and s*1024 is a multiple of 256. */
static uint64_t files_checksum(const sb_params *ps) {
  uint64_t f = (uint64_t)sb_param_of(ps, specs, "f");
  uint64_t bytes = (uint64_t)sb_param_of(ps, specs, "s") * 1024;
  return f * (bytes / 256) * 32640u;
}

static int64_t files_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "f");
}

static void files_work(const sb_params *ps, sb_work *out) {
  *out = (sb_work){
      .tasks = sb_param_of(ps, specs, "f"), .messages = -1, .connections = -1};
}

/* The readings are levels: the repetition reports its last run's. */
static void files_reset(void *state) {
  ((files_state *)state)->resident = -1;
}

static void files_counters(void *state, sb_counters *c) {
  files_state *st = state;
  /* How much of the data was cached as the repetition's last run began,
   * and so whether a cold run really read from the device. */
  if (st->resident >= 0) {
    sb_counter_set(c, "resident_frac", st->resident);
    sb_counter_set(c, "cold_effective", st->cold && st->resident < 0.1);
  }
  sb_counter_set(c, "offloaded", !st->direct);
}

const sb_workload sb_workload_files = {
    .name = "files",
    .question = "Does a thread pool serve file reads just as well (regular "
                "files read many at once, warm and cold)?",
    .unit = "file",
    .kind = "io",
    .headline = "ns_per_op",
    .headline_unit = "ns",
    .quick = files_quick,
    .full = files_full,
    .params = specs,
    .check = files_check,
    .setup = files_setup,
    .root = files_root_new,
    .verify = files_verify,
    .checksum = files_checksum,
    .ops = files_ops,
    .work = files_work,
    .reset = files_reset,
    .counters = files_counters,
    .teardown = files_teardown,
};
