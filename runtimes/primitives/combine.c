/* join_all and select over caller-owned futures. Both poll their children
 * with the parent's cx, so any child's wake re-polls the parent, which then
 * polls every unfinished child again (children tolerate spurious polls). */
#include "combine.h"

static sb_poll join_all_poll(sb_future *f, sb_cx *cx) {
  return sb_join_all_poll((sb_join_all *)f, cx);
}

static void join_all_drop(sb_future *f, sb_runtime *rt) {
  sb_join_all *j = (sb_join_all *)f;
  for (int i = 0; i < j->n; i++)
    if (!j->done[i])
      sb_future_drop(j->children[i], rt);
  sb_future_done(&j->base);
}

void sb_join_all_init(sb_join_all *j, sb_future **children, uint8_t *done,
                      int n) {
  SB_ASSERT(n >= 0);
  j->base = SB_FUTURE_INIT(join_all_poll, join_all_drop);
  j->children = children;
  j->n = n;
  j->remaining = n;
  j->done = done;
  for (int i = 0; i < n; i++)
    done[i] = 0;
}

sb_poll sb_join_all_poll(sb_join_all *j, sb_cx *cx) {
  for (int i = 0; i < j->n && j->remaining > 0; i++) {
    if (j->done[i])
      continue;
    sb_future *c = j->children[i];
    if (sb_future_poll(c, cx) == SB_READY) {
      j->done[i] = 1;
      j->remaining--;
    }
  }
  if (j->remaining > 0)
    return SB_PENDING;
  return sb_future_ready(&j->base, (uint64_t)j->n);
}

static sb_poll select_poll(sb_future *f, sb_cx *cx) {
  return sb_select_poll((sb_select *)f, cx);
}

static void select_drop(sb_future *f, sb_runtime *rt) {
  sb_select *s = (sb_select *)f;
  for (int i = 0; i < s->n; i++)
    sb_future_drop(s->children[i], rt);
  sb_future_done(&s->base);
}

void sb_select_init(sb_select *s, sb_future **children, int n) {
  SB_ASSERT(n >= 1);
  s->base = SB_FUTURE_INIT(select_poll, select_drop);
  s->children = children;
  s->n = n;
}

sb_poll sb_select_poll(sb_select *s, sb_cx *cx) {
  int winner = -1;
  for (int i = 0; i < s->n; i++) {
    sb_future *c = s->children[i];
    if (sb_future_poll(c, cx) == SB_READY) {
      winner = i;
      break;
    }
  }
  if (winner < 0)
    return SB_PENDING;
  /* The losers are dropped now, before READY, so none of their
   * registrations outlive the select. */
  for (int i = 0; i < s->n; i++)
    if (i != winner)
      sb_future_drop(s->children[i], cx->rt);
  return sb_future_ready(&s->base, (uint64_t)winner);
}
