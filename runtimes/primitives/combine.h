/* Combinators over futures the caller owns: join of N (all must finish) and
 * select of N (the first to finish wins, the others are dropped). */
#ifndef SB_COMBINE_H
#define SB_COMBINE_H

#include "runtimes/core/sb.h"

/* READY when every child is READY; base.out = number of children. Each
 * child's output stays in its own ->out. Dropping it drops the unfinished. */
typedef struct sb_join_all {
  sb_future base;       /* READY: out = n */
  sb_future **children; /* the caller's futures, polled in index order */
  int n;                /* how many */
  int remaining;        /* children not yet READY */
  uint8_t *done; /* done[i] = 1 once child i returned READY; caller-sized n */
} sb_join_all;
void sb_join_all_init(sb_join_all *j, sb_future **children, uint8_t *done,
                      int n);
sb_poll sb_join_all_poll(sb_join_all *j, sb_cx *cx);

/* READY with base.out = index of the first child READY (ties: lowest index);
 * every other child has been dropped by then (its drop called), so none of
 * its registrations remain. */
typedef struct sb_select {
  sb_future base;       /* READY: out = the winner's index */
  sb_future **children; /* the caller's futures, polled in index order */
  int n;                /* how many (>= 1) */
} sb_select;
void sb_select_init(sb_select *s, sb_future **children, int n);
sb_poll sb_select_poll(sb_select *s, sb_cx *cx);

#endif
