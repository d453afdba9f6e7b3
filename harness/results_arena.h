/* A bump arena for the results model: every string and array of one parsed
 * file lives in it, so a parse that fails halfway frees everything at once.
 * Header-only; used by results_read.c and results_model.c. */
#ifndef SB_RESULTS_ARENA_H
#define SB_RESULTS_ARENA_H

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "results_read.h"

/* One block of the arena; blocks form a list, newest first. */
typedef struct sb_arena_block {
  struct sb_arena_block *next;               /* the previous (older) block */
  size_t used;                               /* bytes of data handed out */
  size_t cap;                                /* bytes of data */
  alignas(max_align_t) unsigned char data[]; /* the memory handed out */
} sb_arena_block;

typedef struct sb_arena {
  sb_arena_block *head; /* the block allocations come from, NULL at first */
} sb_arena;

/* Returns n zeroed bytes aligned for any type, or NULL (out of memory). */
static inline void *sb__arena_alloc(sb_arena *a, size_t n) {
  const size_t align = alignof(max_align_t);
  if (n == 0)
    return NULL;
  if (n > (size_t)-1 / 2)
    return NULL;
  n = (n + align - 1) / align * align;
  if (a->head == NULL || a->head->cap - a->head->used < n) {
    size_t cap = n > 32768 ? n : 32768;
    sb_arena_block *b = malloc(sizeof(*b) + cap);
    if (b == NULL)
      return NULL;
    b->next = a->head;
    b->used = 0;
    b->cap = cap;
    a->head = b;
  }
  void *p = a->head->data + a->head->used;
  a->head->used += n;
  memset(p, 0, n);
  return p;
}

/* Returns a copy of s in the arena, or NULL (out of memory). */
static inline char *sb__arena_strdup(sb_arena *a, const char *s) {
  size_t n = strlen(s) + 1;
  char *d = sb__arena_alloc(a, n);
  if (d != NULL)
    memcpy(d, s, n);
  return d;
}

/* Frees every block. */
static inline void sb__arena_release(sb_arena *a) {
  while (a->head != NULL) {
    sb_arena_block *next = a->head->next;
    free(a->head);
    a->head = next;
  }
}

/* Joins the benchmark entries to the first nlisted cells, adding a derived
 * cell for each run name no cell lists. Returns 0 or -ENOMEM. */
int sb__results_join(sb_arena *a, sb_results *r, size_t nlisted);

/* Fills the role and headline of a cell from a file that did not record
 * them (results_legacy.c). */
void sb__results_legacy(sb_rcell *c);

#endif
