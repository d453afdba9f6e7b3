/* A checked stream transfer over socketpairs, shared by the EINTR and short
 * I/O tests: for each pair one task writes len pseudo-random bytes in chunks
 * (sb_write_all) and shuts its end, another reads them back with single
 * reads (sb_read) until EOF, comparing every byte. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault_xfer.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

#define CHUNK 8192

static uint8_t pattern(uint32_t seed, size_t off) {
  return (uint8_t)(((uint32_t)off * 2654435761u >> 13) ^ seed);
}

typedef struct writer {
  sb_future base;
  int fd;             /* our end, shut for writing at the end */
  uint32_t seed;      /* picks the bytes */
  size_t len, off;    /* bytes to send, bytes sent */
  sb_fdop op;         /* the write in flight */
  uint8_t buf[CHUNK]; /* the chunk being written */
} writer;

static sb_poll writer_poll(sb_future *f, sb_cx *cx) {
  writer *w = (writer *)f;
  SB_BEGIN(w);
  while (w->off < w->len) {
    {
      size_t n = w->len - w->off < CHUNK ? w->len - w->off : CHUNK;
      for (size_t i = 0; i < n; i++)
        w->buf[i] = pattern(w->seed, w->off + i);
      sb_write_all_init(&w->op, w->fd, w->buf, n);
    }
    SB_AWAIT(w, sb_fdop_poll(&w->op, cx));
    ASSERT_EQ((int64_t)w->op.base.out, (int64_t)w->op.len);
    w->off += w->op.len;
  }
  ASSERT_EQ(shutdown(w->fd, SHUT_WR), 0);
  SB_END(w, w->off);
}

typedef struct reader {
  sb_future base;
  int fd;              /* our end */
  uint32_t seed;       /* the writer's */
  size_t off;          /* bytes read */
  uint64_t mismatches; /* bytes that differ from the writer's */
  sb_fdop op;          /* the read in flight */
  uint8_t buf[CHUNK];  /* what one read returned */
} reader;

static sb_poll reader_poll(sb_future *f, sb_cx *cx) {
  reader *r = (reader *)f;
  SB_BEGIN(r);
  for (;;) {
    sb_read_init(&r->op, r->fd, r->buf, sizeof(r->buf));
    SB_AWAIT(r, sb_fdop_poll(&r->op, cx));
    ASSERT_GE((int64_t)r->op.base.out, 0); /* no error reaches the reader */
    if (r->op.base.out == 0)
      break;
    for (size_t i = 0; i < r->op.base.out; i++)
      r->mismatches += r->buf[i] != pattern(r->seed, r->off + i);
    r->off += r->op.base.out;
  }
  ASSERT_EQ(r->mismatches, 0);
  SB_END(r, r->off);
}

typedef struct xfer_root {
  sb_future base;
  fx_params p;              /* what to transfer */
  int fds[FX_MAX_PAIRS][2]; /* the pairs */
  sb_join w[FX_MAX_PAIRS];  /* writers */
  sb_join r[FX_MAX_PAIRS];  /* readers */
  int i;                    /* the handle being joined */
  uint64_t total;           /* bytes read by every reader */
} xfer_root;

static sb_poll xfer_poll(sb_future *f, sb_cx *cx) {
  xfer_root *x = (xfer_root *)f;
  SB_BEGIN(x);
  for (int i = 0; i < x->p.pairs; i++) {
    writer w = {.base = SB_FUTURE_INIT(writer_poll, NULL),
                .fd = x->fds[i][0],
                .seed = (uint32_t)i * 77u + 5u,
                .len = x->p.len};
    reader r = {.base = SB_FUTURE_INIT(reader_poll, NULL),
                .fd = x->fds[i][1],
                .seed = w.seed};
    ASSERT_EQ(sb_spawn(cx, &w.base, sizeof(w), &x->w[i]), 0);
    ASSERT_EQ(sb_spawn(cx, &r.base, sizeof(r), &x->r[i]), 0);
  }
  for (x->i = 0; x->i < x->p.pairs; x->i++) {
    SB_AWAIT(x, sb_join_poll(&x->w[x->i], cx));
    ASSERT_EQ(x->w[x->i].base.out, x->p.len);
    SB_AWAIT(x, sb_join_poll(&x->r[x->i], cx));
    ASSERT_EQ(x->r[x->i].base.out, x->p.len); /* nothing lost or extra */
    x->total += x->r[x->i].base.out;
  }
  SB_END(x, x->total);
}

uint64_t fx_run(const sb_runtime_ops *ops, fx_params p) {
  /* Every task blocks a pool worker in its wait: one worker per task. */
  sb_config cfg = {.workers = 2 * p.pairs + 1};
  sb_runtime *rt = NULL;
  xfer_root *x = calloc(1, sizeof(*x));
  ASSERT(x != NULL);
  ASSERT_LE(p.pairs, FX_MAX_PAIRS);
  x->base = SB_FUTURE_INIT(xfer_poll, NULL);
  x->p = p;
  for (int i = 0; i < p.pairs; i++) {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, x->fds[i]), 0);
    ASSERT_EQ(sb_fd_nonblock(x->fds[i][0]), 0);
    ASSERT_EQ(sb_fd_nonblock(x->fds[i][1]), 0);
    if (p.sndbuf > 0)
      ASSERT_EQ(setsockopt(x->fds[i][0], SOL_SOCKET, SO_SNDBUF, &p.sndbuf,
                           sizeof(p.sndbuf)),
                0);
  }
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, &x->base), 0);
  uint64_t total = x->base.out;
  ASSERT_EQ(total, (uint64_t)p.pairs * p.len);
  for (int i = 0; i < p.pairs; i++) {
    sb_fd_close(rt, x->fds[i][0]);
    sb_fd_close(rt, x->fds[i][1]);
  }
  ops->close(rt);
  free(x);
  return total;
}
