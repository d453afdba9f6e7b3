/* spawn_blocking: plain C functions run on a lazily started, bounded pool of
 * OS threads (a mutex-and-condvar FIFO in libuv threadpool's manner); the
 * awaiting task is woken when the function returns. */
#include <errno.h>
#include <pthread.h>

#include "blocking.h"
#include "runtimes/core/spinlock.h"
#include "runtimes/os/wakeq.h"

/* One call of fn(arg). Heap-allocated so that a dropped op can leave the job
 * running: whichever of worker and op finishes with it last frees it. */
struct sb_blocking_job {
  sb_snode link;       /* FIFO linkage, under pool.mu */
  sb_blocking_fn fn;   /* the function to run (immutable) */
  void *arg;           /* its argument (immutable) */
  sb_spinlock lock;    /* protects the fields below */
  uint64_t result;     /* fn's return value, once done */
  int done;            /* 1 once fn returned */
  int abandoned;       /* 1 once the op was dropped: worker frees */
  sb_waitlist waiters; /* the awaiting op (at most one) */
};

/* The process-wide pool. mu protects every field. */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv; /* signalled when a job is queued or on stop */
  sb_queue jobs;     /* queued jobs, oldest first */
  int queued;        /* jobs in the FIFO */
  int idle;          /* threads waiting on cv */
  int nthreads;      /* threads started, <= SB_BLOCKING_THREADS */
  int stopping;      /* 1 once the process is exiting */
  pthread_t threads[SB_BLOCKING_THREADS];
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
          .cv = PTHREAD_COND_INITIALIZER,
          .jobs = {NULL, NULL}};

static void job_finish(sb_blocking_job *job, uint64_t result) {
  sb_spin_lock(&job->lock);
  job->result = result;
  job->done = 1;
  /* Wake under the job lock: the op's drop takes it to leave the list, so
   * the task cannot be gone while we wake it (sb.h's waker rule). */
  sb_waitlist_wake_all(&job->waiters);
  int owned = job->abandoned;
  sb_spin_unlock(&job->lock);
  if (owned)
    free(job);
}

static void *worker_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&pool.mu);
  for (;;) {
    while (sb_queue_empty(&pool.jobs) && !pool.stopping) {
      pool.idle++;
      pthread_cond_wait(&pool.cv, &pool.mu);
      pool.idle--;
    }
    sb_snode *n = sb_queue_pop(&pool.jobs);
    if (n == NULL) /* stopping and drained */
      break;
    sb_blocking_job *job = SB_CONTAINER_OF(n, sb_blocking_job, link);
    pool.queued--;
    pthread_mutex_unlock(&pool.mu);
    job_finish(job, job->fn(job->arg));
    pthread_mutex_lock(&pool.mu);
  }
  pthread_mutex_unlock(&pool.mu);
  return NULL;
}

/* Stops the pool at exit: queued jobs are still run, then threads joined. */
static void pool_stop(void) {
  pthread_mutex_lock(&pool.mu);
  pool.stopping = 1;
  pthread_cond_broadcast(&pool.cv);
  int n = pool.nthreads;
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0; i < n; i++)
    pthread_join(pool.threads[i], NULL);
}

/* Queues job, starting a thread if none is idle and the bound allows.
 * Returns 0, or -errno when no thread exists and none could be started. */
static int pool_submit(sb_blocking_job *job) {
  int rc = 0;
  pthread_mutex_lock(&pool.mu);
  if (pool.stopping) {
    rc = -ESHUTDOWN;
    goto out;
  }
  if (pool.idle <= pool.queued && pool.nthreads < SB_BLOCKING_THREADS) {
    int err =
        pthread_create(&pool.threads[pool.nthreads], NULL, worker_main, NULL);
    if (err == 0) {
      if (pool.nthreads++ == 0)
        atexit(pool_stop);
    } else if (pool.nthreads == 0) {
      rc = -err;
      goto out;
    } /* else: the running threads will get to it */
  }
  sb_queue_push(&pool.jobs, &job->link);
  pool.queued++;
  pthread_cond_signal(&pool.cv);
out:
  pthread_mutex_unlock(&pool.mu);
  return rc;
}

static sb_poll blocking_poll(sb_future *f, sb_cx *cx) {
  return sb_spawn_blocking_poll((sb_spawn_blocking *)f, cx);
}

static void blocking_drop(sb_future *f, sb_runtime *rt) {
  sb_spawn_blocking *op = (sb_spawn_blocking *)f;
  sb_blocking_job *job = op->job;
  (void)rt;
  op->job = NULL;
  sb_future_done(&op->base);
  if (job == NULL)
    return;
  sb_spin_lock(&job->lock);
  sb_waitlist_remove(&op->node);
  job->abandoned = 1; /* the worker frees it when fn returns */
  int done = job->done;
  sb_spin_unlock(&job->lock);
  if (done) /* fn already returned: the worker saw abandoned == 0 */
    free(job);
}

void sb_spawn_blocking_init(sb_spawn_blocking *op, sb_blocking_fn fn,
                            void *arg) {
  op->base = SB_FUTURE_INIT(blocking_poll, blocking_drop);
  op->fn = fn;
  op->arg = arg;
  op->job = NULL;
  op->node = (sb_waiter){0};
}

sb_poll sb_spawn_blocking_poll(sb_spawn_blocking *op, sb_cx *cx) {
  sb_blocking_job *job = op->job;
  if (job == NULL) {
    if (!sb_coop_proceed(cx))
      return SB_PENDING;
    if (cx->rt->ops->flags & SB_RT_THREAD_PER_TASK) {
      /* The task owns its thread: blocking it is the model, run inline,
       * after issuing the wakes this poll made so far (wakeq.h). */
      sb__wakeq_flush();
      return sb_future_ready(&op->base, op->fn(op->arg));
    }
    job = calloc(1, sizeof(*job));
    if (job == NULL)
      return sb_future_ready(&op->base, (uint64_t)(int64_t)-ENOMEM);
    job->fn = op->fn;
    job->arg = op->arg;
    sb_spin_init(&job->lock);
    sb_waitlist_init(&job->waiters);
    /* Registered before the job can finish: nobody else sees it yet. */
    sb_waitlist_add(&job->waiters, &op->node, cx->waker);
    int rc = pool_submit(job);
    if (rc < 0) {
      free(job);
      op->node = (sb_waiter){0};
      return sb_future_ready(&op->base, (uint64_t)(int64_t)rc);
    }
    op->job = job;
    sb_future_waiting(&op->base);
  }
  sb_spin_lock(&job->lock);
  if (!job->done) {
    /* A spurious poll only refreshes the waker. */
    sb_waitlist_add(&job->waiters, &op->node, cx->waker);
    sb_spin_unlock(&job->lock);
    return SB_PENDING;
  }
  uint64_t result = job->result;
  sb_spin_unlock(&job->lock);
  free(job); /* done and not abandoned: the worker no longer touches it */
  op->job = NULL;
  return sb_future_ready(&op->base, result);
}
