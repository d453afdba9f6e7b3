/* Task memory by size class (slab.h): carving chunks into blocks, running
 * the constructor, visiting every block, and freeing the chunks. */
#include <errno.h>
#include <stdlib.h>

#include "slab.h"

/* A chunk: this header, padded to a cache line, then nblocks blocks. */
typedef struct chunk {
  sb_snode link;    /* on the slab's chunks, newest first */
  unsigned cls;     /* the class of every block in it */
  unsigned nblocks; /* blocks after the header */
} chunk;
#define CHUNK_HDR SB_CACHELINE

static void *block_at(chunk *ch, unsigned i) {
  return (char *)ch + CHUNK_HDR + (size_t)i * sb_slab_block_size(ch->cls);
}

void sb_slab_init(sb_slab *s, size_t link, sb_slab_ctor ctor, void *arg) {
  for (int c = 0; c < SB_SLAB_CLASSES; c++)
    s->free[c] = NULL;
  s->chunks = NULL;
  s->link = link;
  s->ctor = ctor;
  s->arg = arg;
}

int sb_slab_refill(sb_slab *s, unsigned cls) {
  size_t bs = sb_slab_block_size(cls);
  size_t n = (SB_SLAB_CHUNK - CHUNK_HDR) / bs;
  if (n < 1)
    n = 1;
  /* aligned_alloc wants a multiple of the alignment (96-byte blocks). */
  size_t bytes =
      (CHUNK_HDR + n * bs + SB_CACHELINE - 1) & ~(size_t)(SB_CACHELINE - 1);
  chunk *ch = aligned_alloc(SB_CACHELINE, bytes);
  if (ch == NULL)
    return -ENOMEM;
  ch->cls = cls;
  ch->nblocks = (unsigned)n;
  sb_stack_push(&s->chunks, &ch->link);
  /* Last block first, so the free list hands them out in address order. */
  for (unsigned i = ch->nblocks; i-- > 0;) {
    void *b = block_at(ch, i);
    if (s->ctor != NULL)
      s->ctor(b, cls, s->arg);
    sb_slab_free(s, b, cls);
  }
  return (int)ch->nblocks;
}

void sb_slab_foreach(sb_slab *s,
                     void (*fn)(void *block, unsigned cls, void *arg),
                     void *arg) {
  for (sb_snode *n = s->chunks; n != NULL; n = n->next) {
    chunk *ch = SB_CONTAINER_OF(n, chunk, link);
    for (unsigned i = 0; i < ch->nblocks; i++)
      fn(block_at(ch, i), ch->cls, arg);
  }
}

void sb_slab_destroy(sb_slab *s) {
  sb_snode *n;
  while ((n = sb_stack_pop(&s->chunks)) != NULL)
    free(SB_CONTAINER_OF(n, chunk, link));
  for (int c = 0; c < SB_SLAB_CLASSES; c++)
    s->free[c] = NULL;
}
