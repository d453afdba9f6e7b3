/* Task memory for the executors: free lists by size class, refilled from
 * chunks, so that spawn does not call malloc on the hot path. Chunks are
 * only returned at destroy. Single-threaded (one slab per runtime or per
 * worker); header-only. */
#ifndef SB_TASK_SLAB_H
#define SB_TASK_SLAB_H

#include <errno.h>
#include <stdlib.h>

#include "runtimes/core/sb.h"

#define SB__SLAB_MIN_SHIFT 7 /* smallest class: 128 bytes */
#define SB__SLAB_CLASSES 6   /* 128, 256, ..., 4096 bytes */
#define SB__SLAB_CHUNK 16384 /* bytes carved into objects at a time */

typedef struct sb__slab_obj {
  struct sb__slab_obj *next; /* next free object of the same class */
} sb__slab_obj;

typedef struct sb__slab_chunk {
  struct sb__slab_chunk *next; /* chunk allocated before this one */
} sb__slab_chunk;

typedef struct sb__slab {
  sb__slab_obj *free[SB__SLAB_CLASSES]; /* free objects per class */
  sb__slab_chunk *chunks;               /* every chunk, freed at destroy */
} sb__slab;

static inline void sb__slab_init(sb__slab *s) {
  for (int c = 0; c < SB__SLAB_CLASSES; c++)
    s->free[c] = NULL;
  s->chunks = NULL;
}

/* The class holding size bytes, or -1 if larger than every class. */
static inline int sb__slab_class(size_t size) {
  if (size <= ((size_t)1 << SB__SLAB_MIN_SHIFT))
    return 0;
  int shift = 64 - __builtin_clzll((unsigned long long)(size - 1));
  int c = shift - SB__SLAB_MIN_SHIFT;
  return c < SB__SLAB_CLASSES ? c : -1;
}

/* Carves a new chunk into objects of class c. Returns 0 or -ENOMEM. */
static inline int sb__slab_refill(sb__slab *s, int c) {
  size_t obj = (size_t)1 << (SB__SLAB_MIN_SHIFT + c);
  size_t first = SB_CACHELINE; /* the chunk header, padded to a line */
  size_t n = (SB__SLAB_CHUNK - first) / obj;
  if (n < 4)
    n = 4;
  sb__slab_chunk *ch = aligned_alloc(SB_CACHELINE, first + n * obj);
  if (ch == NULL)
    return -ENOMEM;
  ch->next = s->chunks;
  s->chunks = ch;
  for (size_t i = n; i-- > 0;) {
    sb__slab_obj *o = (sb__slab_obj *)((char *)ch + first + i * obj);
    o->next = s->free[c];
    s->free[c] = o;
  }
  return 0;
}

/* Returns size bytes aligned to SB_CACHELINE, or NULL. Sizes beyond the
 * largest class go to aligned_alloc directly. */
static inline void *sb__slab_alloc(sb__slab *s, size_t size) {
  int c = sb__slab_class(size);
  if (c < 0)
    return aligned_alloc(SB_CACHELINE, (size + SB_CACHELINE - 1) &
                                           ~(size_t)(SB_CACHELINE - 1));
  if (s->free[c] == NULL && sb__slab_refill(s, c) < 0)
    return NULL;
  sb__slab_obj *o = s->free[c];
  s->free[c] = o->next;
  return o;
}

/* Gives back p, allocated from any slab with the same size. */
static inline void sb__slab_free(sb__slab *s, void *p, size_t size) {
  int c = sb__slab_class(size);
  if (c < 0) {
    free(p);
    return;
  }
  sb__slab_obj *o = p;
  o->next = s->free[c];
  s->free[c] = o;
}

/* Frees every chunk. Objects still in use become invalid. */
static inline void sb__slab_destroy(sb__slab *s) {
  while (s->chunks != NULL) {
    sb__slab_chunk *ch = s->chunks;
    s->chunks = ch->next;
    free(ch);
  }
  sb__slab_init(s);
}

#endif /* SB_TASK_SLAB_H */
