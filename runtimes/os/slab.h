/* Task memory for every runtime, by size class, in the manner of the
 * kernel's kmem_cache: blocks of 64 bytes, then every 8 bytes up to 256
 * (72, 80, .., 256: a waiting task's header and future rarely match a
 * coarser step, and the bytes between are paid by every one of a million
 * tasks; 8 is the alignment a future's copy needs, SB_FUTURE_ALIGN), then
 * eight classes per power of two (288, 320, .. 512, 576, ..:
 * at most a ninth of a block wasted, tcmalloc's spacing rather than
 * jemalloc's four), carved from chunks of about SB_SLAB_CHUNK bytes (one
 * block a chunk for the larger classes), kept on a free list per class, so
 * that spawn calls no malloc on the hot path. A constructor runs once per
 * block as its chunk is carved, and a block keeps what it built while free
 * (a parker, an atomic state). Chunks live until sb_slab_destroy: a block
 * stays mapped for a stray wake after its task ended, and close can visit
 * every block (sb_slab_foreach). One owner: the caller's thread or lock
 * protects a slab (steal moves free blocks between its slabs through a
 * depot, steal_alloc.c). The hot path is here, header-only; carving is in
 * slab.c. */
#ifndef SB_SLAB_H
#define SB_SLAB_H

#include <stddef.h>

#include "runtimes/core/list.h"
#include "runtimes/core/sb.h"

#define SB_SLAB_MIN_SHIFT 6 /* the smallest block: 64 bytes, a cache line */
#define SB_SLAB_STEP 8 /* bytes between two classes up to SB_SLAB_STEP_MAX */
#define SB_SLAB_STEP_MAX 256
#define SB_SLAB_STEPS 25 /* classes 0 .. 24: 64, 72, .., 256 bytes */
#define SB_SLAB_CLASSES                                                        \
  193 /* the steps, then 288 B .. 512 MiB, eight per power of two */
#define SB_SLAB_CHUNK                                                          \
  16384 /* bytes carved at once (picked out of thin air:                       \
           a few pages, 256 of the smallest tasks) */

/* Runs once per block as it is carved: what stays built while it is free. */
typedef void (*sb_slab_ctor)(void *block, unsigned cls, void *arg);

typedef struct sb_slab {
  sb_snode *free[SB_SLAB_CLASSES]; /* free blocks per class, linked through
                                      the node `link` bytes into each */
  sb_snode *chunks;                /* every chunk carved, newest first */
  size_t link;                     /* where a block's free-list node is */
  sb_slab_ctor ctor;               /* run as blocks are carved, or NULL */
  void *arg;                       /* passed to ctor */
} sb_slab;

/* Makes an empty slab whose blocks keep their free-list node (an sb_snode)
 * link bytes in, so a block may keep other fields built while free; ctor
 * (NULL: none) runs once per block. Never fails: memory comes on demand. */
void sb_slab_init(sb_slab *s, size_t link, sb_slab_ctor ctor, void *arg);
/* Frees every chunk. Blocks still in use become invalid. */
void sb_slab_destroy(sb_slab *s);
/* Visits every block ever carved, free or in use, in no set order. */
void sb_slab_foreach(sb_slab *s,
                     void (*fn)(void *block, unsigned cls, void *arg),
                     void *arg);
/* Carves one chunk of class cls onto its free list. Returns the number of
 * blocks carved (at least 1), or -ENOMEM. */
int sb_slab_refill(sb_slab *s, unsigned cls);

/* The class whose blocks hold size bytes, or -1 when none does. Class c
 * below SB_SLAB_STEPS is 64 + 8c bytes; above, class SB_SLAB_STEPS + 8k + q
 * is (9 + q) << (5 + k) bytes: 288, 320, .., 512, 576, ... */
static inline int sb_slab_class(size_t size) {
  if (size <= ((size_t)1 << SB_SLAB_MIN_SHIFT))
    return 0;
  if (size <= SB_SLAB_STEP_MAX)
    return (int)((size + SB_SLAB_STEP - 1) / SB_SLAB_STEP) -
           (1 << SB_SLAB_MIN_SHIFT) / SB_SLAB_STEP;
  unsigned long long s = (unsigned long long)(size - 1);
  int msb = 63 - __builtin_clzll(s);   /* >= 8 */
  int q = (int)((s >> (msb - 3)) & 7); /* which eighth above 1 << msb */
  int c = SB_SLAB_STEPS + 8 * (msb - 8) + q;
  return c < SB_SLAB_CLASSES ? c : -1;
}

/* Bytes of a block of class cls (a multiple of 8: blocks stay aligned as
 * SB_FUTURE_ALIGN wants, chunks being cache-line aligned; a runtime that
 * needs more asks sb_slab_class_aligned). */
static inline size_t sb_slab_block_size(unsigned cls) {
  if (cls < SB_SLAB_STEPS)
    return 64 + SB_SLAB_STEP * (size_t)cls;
  unsigned k = (cls - SB_SLAB_STEPS) / 8, q = (cls - SB_SLAB_STEPS) % 8;
  return (size_t)(9 + q) << (5 + k);
}

/* The class whose blocks hold size bytes and keep align (a power of two
 * up to SB_CACHELINE) for every block of a chunk: blocks are carved back
 * to back, so the block size itself must be a multiple of align (80 B
 * blocks keep 16-byte alignment, not 64). -1 when none does. */
static inline int sb_slab_class_aligned(size_t size, size_t align) {
  int c = sb_slab_class(size);
  while (c >= 0 && c < SB_SLAB_CLASSES && sb_slab_block_size((unsigned)c) % align)
    c++;
  return c < SB_SLAB_CLASSES ? c : -1;
}

/* A free block of class cls (carving a chunk when there is none), or NULL
 * when out of memory. */
static inline void *sb_slab_alloc(sb_slab *s, unsigned cls) {
  sb_snode *n = sb_stack_pop(&s->free[cls]);
  if (n == NULL) {
    if (sb_slab_refill(s, cls) < 0)
      return NULL;
    n = sb_stack_pop(&s->free[cls]);
  }
  return (char *)n - s->link;
}

/* Gives back block, of class cls, carved by any slab with the same link. */
static inline void sb_slab_free(sb_slab *s, void *block, unsigned cls) {
  sb_stack_push(&s->free[cls], (sb_snode *)((char *)block + s->link));
}

/* The free-list node of block. */
static inline sb_snode *sb_slab_node(const sb_slab *s, void *block) {
  return (sb_snode *)((char *)block + s->link);
}

/* The block whose free-list node is n. */
static inline void *sb_slab_block(const sb_slab *s, sb_snode *n) {
  return (char *)n - s->link;
}

/* Hands class cls, whose free list is empty, a whole chain of free blocks
 * (linked through their nodes, NULL-terminated) at once. */
static inline void sb_slab_adopt(sb_slab *s, unsigned cls, sb_snode *chain) {
  SB_ASSERT(s->free[cls] == NULL);
  s->free[cls] = chain;
}

#endif /* SB_SLAB_H */
