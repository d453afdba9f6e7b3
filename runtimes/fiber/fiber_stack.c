/* The stacks of runtime `fiber`: slots carved from large mappings, each a
 * guard page below a stack whose top holds the fiber's header; a free list
 * per carrier and a shared one under a mutex, so a spawn reuses a warm stack
 * without a system call.
 *
 * The guard. With MADV_GUARD_INSTALL (Linux >= 6.13) a guard is a marker in
 * the page tables: a chunk of CHUNK_SLOTS stacks stays one mapping, and
 * vm.max_map_count (65530 by default) no longer bounds the fibers. On older
 * kernels the guard is mprotect(PROT_NONE), which splits the mapping: two
 * mappings a stack, about 32,000 fibers at the default limit; past it
 * mprotect fails with ENOMEM and spawn returns -ENOMEM.
 *
 * Stack overflow (fiber_guard.c) needs only each fiber's bounds (in its
 * header), not this pool. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fiber_internal.h"
#include "fiber_san.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* uapi asm-generic/mman-common.h, 6.13 */
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* Slots per mapping: 64 default stacks are 1.25 MiB of address space,
 * untouched until carved; small enough that a runtime with few fibers
 * reserves little, large enough that a million fibers need 16,000 mmaps. */
#define CHUNK_SLOTS 64
/* A carrier keeps at most LOCAL_MAX free stacks, then gives half back. */
#define LOCAL_MAX 256
/* Stacks a carrier takes from the shared list at once. */
#define REFILL 32

fiber *sb__fiber_slot_header(char *lo, size_t stack_size) {
  uintptr_t hi = (uintptr_t)lo + stack_size;
  return (fiber *)((hi - sizeof(fiber)) & ~(uintptr_t)(SB_CACHELINE - 1));
}

int sb__fiber_pool_init(fiber_pool *p, size_t stack_size) {
  memset(p, 0, sizeof *p);
  p->stack_size = stack_size;
  p->page = (size_t)sysconf(_SC_PAGESIZE);
  return -pthread_mutex_init(&p->lock, NULL);
}

static size_t slot_bytes(const fiber_pool *p) {
  return p->page + p->stack_size;
}

void sb__fiber_pool_each_live(fiber_pool *p, void (*fn)(fiber *, void *),
                              void *arg) {
  for (size_t i = 0; i < p->nchunks; i++)
    for (uint32_t k = 0; k < p->chunks[i].carved; k++) {
      char *slot = p->chunks[i].base + (size_t)k * slot_bytes(p);
      fiber *f = sb__fiber_slot_header(slot + p->page, p->stack_size);
      if (f->live)
        fn(f, arg);
    }
}

void sb__fiber_pool_destroy(fiber_pool *p) {
  for (size_t i = 0; i < p->nchunks; i++) {
    fiber_chunk *ch = &p->chunks[i];
    for (uint32_t k = 0; k < ch->carved; k++)
      fiber_san_slot_gone(sb__fiber_slot_header(
          ch->base + (size_t)k * slot_bytes(p) + p->page, p->stack_size));
    munmap(ch->base, (size_t)ch->nslots * slot_bytes(p));
  }
  free(p->chunks);
  pthread_mutex_destroy(&p->lock);
  memset(p, 0, sizeof *p);
}

void sb__fiber_pool_force_mprotect(fiber_pool *p) {
  pthread_mutex_lock(&p->lock);
  p->use_mprotect = 1;
  pthread_mutex_unlock(&p->lock);
}

/* Makes the page at g a guard. Returns 0 or -errno (-ENOMEM when the
 * mapping count is at vm.max_map_count). Called under the pool lock. */
static int guard(fiber_pool *p, char *g) {
  if (!p->use_mprotect) {
    if (madvise(g, p->page, MADV_GUARD_INSTALL) == 0)
      return 0;
    if (errno != EINVAL)
      return -errno;
    p->use_mprotect = 1; /* an older kernel: for good */
  }
  return mprotect(g, p->page, PROT_NONE) == 0 ? 0 : -errno;
}

/* Sets up a slot's header: its bounds, nothing live. */
static fiber *slot_init(char *slot, size_t page, size_t stack_size) {
  fiber *f = sb__fiber_slot_header(slot + page, stack_size);
  f->lo = slot + page;
  f->size = stack_size;
  f->live = 0;
  f->asan_fake = NULL;
  f->tsan = NULL;
  return f;
}

/* Hands out a never-used slot, mapping a new chunk when needed. Called
 * under the pool lock. Returns the slot's header, or NULL with *err. */
static fiber *carve(fiber_pool *p, int *err) {
  fiber_chunk *ch = p->nchunks > 0 ? &p->chunks[p->nchunks - 1] : NULL;
  if (ch == NULL || ch->carved == ch->nslots) {
    if (p->nchunks == p->cap) {
      size_t cap = p->cap > 0 ? 2 * p->cap : 16;
      fiber_chunk *grown = realloc(p->chunks, cap * sizeof *grown);
      if (grown == NULL) {
        *err = -ENOMEM;
        return NULL;
      }
      p->chunks = grown;
      p->cap = cap;
    }
    size_t bytes = (size_t)CHUNK_SLOTS * slot_bytes(p);
    void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
      *err = errno == EAGAIN ? -EAGAIN : -ENOMEM;
      return NULL;
    }
    ch = &p->chunks[p->nchunks++];
    ch->base = base;
    ch->nslots = CHUNK_SLOTS;
    ch->carved = 0;
  }
  char *slot = ch->base + (size_t)ch->carved * slot_bytes(p);
  int rc = guard(p, slot);
  if (rc < 0) {
    *err = rc == -EAGAIN ? -EAGAIN : -ENOMEM;
    return NULL;
  }
  ch->carved++;
  /* The slot's top page (header, future, first frames) is written at once
   * by the spawn: populate it in the same breath. One system call instead
   * of a page fault, several times cheaper where faults exit to a
   * hypervisor (21 us against 4 us on the reference VM); an older kernel
   * (EINVAL) simply faults it in. */
  (void)madvise(slot + slot_bytes(p) - p->page, p->page, MADV_POPULATE_WRITE);
  return slot_init(slot, p->page, p->stack_size);
}

/* A free list of stacks, LIFO (the warmest is reused first). */
static void list_push(fiber **list, size_t *n, fiber *f) {
  f->next = *list;
  *list = f;
  (*n)++;
}

static fiber *list_pop(fiber **list, size_t *n) {
  fiber *f = *list;
  if (f != NULL) {
    *list = f->next;
    (*n)--;
  }
  return f;
}

fiber *sb__fiber_stack_get(fiber_rt *rt, fiber_carrier *c, int *err) {
  fiber_pool *p = &rt->pool;
  fiber *f;
  if (c != NULL && (f = list_pop(&c->free, &c->nfree)) != NULL)
    return f;
  pthread_mutex_lock(&p->lock);
  f = list_pop(&p->free, &p->nfree);
  if (f == NULL)
    f = carve(p, err);
  /* Take a few more along, so the next spawns need no lock. */
  for (int i = 1; f != NULL && c != NULL && i < REFILL && p->free != NULL; i++)
    list_push(&c->free, &c->nfree, list_pop(&p->free, &p->nfree));
  pthread_mutex_unlock(&p->lock);
  return f;
}

void sb__fiber_stack_put(fiber_rt *rt, fiber_carrier *c, fiber *f) {
  fiber_pool *p = &rt->pool;
  f->live = 0;
  if (c != NULL) {
    list_push(&c->free, &c->nfree, f);
    if (c->nfree <= LOCAL_MAX)
      return;
  }
  /* Not on a carrier, or too many here (fibers spawned elsewhere end
   * here): to the shared list, half of the carrier's with it. */
  pthread_mutex_lock(&p->lock);
  if (c == NULL)
    list_push(&p->free, &p->nfree, f);
  while (c != NULL && c->nfree > LOCAL_MAX / 2)
    list_push(&p->free, &p->nfree, list_pop(&c->free, &c->nfree));
  pthread_mutex_unlock(&p->lock);
}

int sb__fiber_map_one(size_t stack_size, fiber **out, size_t *map_bytes) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t bytes = page + stack_size;
  char *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    return -errno;
  if (madvise(base, page, MADV_GUARD_INSTALL) != 0 &&
      mprotect(base, page, PROT_NONE) != 0) {
    int rc = -errno;
    munmap(base, bytes);
    return rc;
  }
  *out = slot_init(base, page, stack_size);
  *map_bytes = bytes;
  return 0;
}

void sb__fiber_unmap_one(fiber *f, size_t map_bytes) {
  fiber_san_slot_gone(f);
  munmap(f->lo - (map_bytes - f->size), map_bytes);
}
