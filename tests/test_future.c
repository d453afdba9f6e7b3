/* Unit tests of the future head (runtimes/core/sb.h): drop and out share one
 * word, so a future that is done must never have its drop called, and its
 * output must survive whatever polls it: sb_future_poll, the combinators,
 * a drop after completion. The futures here return READY the bare way
 * (`f->out = x; return SB_READY;`), which leaves marking them done to
 * whoever polled them. No runtime: the argument is ignored. */
#include "runtimes/primitives/combine.h"
#include "test.h"

/* An output that would crash if it were ever called as a drop function. */
#define BARE_OUT UINT64_C(0xdead0000beef)

static int drops; /* calls of counting_drop */

static void counting_drop(sb_future *f, sb_runtime *rt) {
  (void)rt;
  drops++;
  sb_future_done(f);
}

static sb_poll bare_ready_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  f->out = BARE_OUT;
  return SB_READY;
}

static sb_poll never_ready_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  sb_future_waiting(f);
  return SB_PENDING;
}

static sb_cx test_cx(void) {
  return (sb_cx){.budget = SB_BUDGET};
}

static void poll_marks_ready_done(void) {
  sb_future f = SB_FUTURE_INIT(bare_ready_poll, counting_drop);
  sb_cx cx = test_cx();
  drops = 0;
  ASSERT(sb_future_is_idle(&f));
  ASSERT_EQ(sb_future_poll(&f, &cx), SB_READY);
  ASSERT(sb_future_is_done(&f));
  ASSERT(f.out == BARE_OUT);
  sb_future_drop(&f, NULL); /* done: the word holds the output, no call */
  ASSERT_EQ(drops, 0);
  ASSERT(f.out == BARE_OUT);
}

static void pending_future_is_dropped_once(void) {
  sb_future f = SB_FUTURE_INIT(never_ready_poll, counting_drop);
  sb_cx cx = test_cx();
  drops = 0;
  ASSERT_EQ(sb_future_poll(&f, &cx), SB_PENDING);
  ASSERT(sb_future_is_pending(&f));
  sb_future_drop(&f, NULL);
  ASSERT_EQ(drops, 1);
  sb_future_drop(&f, NULL); /* dropped is done: a second drop is a no-op */
  ASSERT_EQ(drops, 1);
}

/* select: the bare winner keeps its output and is not dropped; the pending
 * loser is dropped once. Dropping both afterwards changes nothing. */
static void select_keeps_a_bare_winner(void) {
  sb_future loser = SB_FUTURE_INIT(never_ready_poll, counting_drop);
  sb_future winner = SB_FUTURE_INIT(bare_ready_poll, counting_drop);
  sb_future *children[2] = {&loser, &winner};
  sb_select sel;
  sb_cx cx = test_cx();
  drops = 0;
  sb_select_init(&sel, children, 2);
  ASSERT_EQ(sb_select_poll(&sel, &cx), SB_READY);
  ASSERT_EQ(sel.base.out, 1);
  ASSERT(winner.out == BARE_OUT);
  ASSERT_EQ(drops, 1); /* the loser */
  sb_future_drop(&winner, NULL);
  sb_future_drop(&loser, NULL);
  ASSERT_EQ(drops, 1);
}

/* join_all over bare children: every output stays in its child, and
 * dropping the finished join drops nothing. */
static void join_all_keeps_bare_outputs(void) {
  sb_future a = SB_FUTURE_INIT(bare_ready_poll, counting_drop);
  sb_future b = SB_FUTURE_INIT(bare_ready_poll, counting_drop);
  sb_future *children[2] = {&a, &b};
  uint8_t done[2] = {0, 0};
  sb_join_all all;
  sb_cx cx = test_cx();
  drops = 0;
  sb_join_all_init(&all, children, done, 2);
  ASSERT_EQ(sb_join_all_poll(&all, &cx), SB_READY);
  ASSERT_EQ(all.base.out, 2);
  ASSERT(a.out == BARE_OUT && b.out == BARE_OUT);
  sb_future_drop(&all.base, NULL);
  sb_future_drop(&a, NULL);
  sb_future_drop(&b, NULL);
  ASSERT_EQ(drops, 0);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  ASSERT_EQ(sizeof(sb_future), 3 * sizeof(uint64_t));
  poll_marks_ready_done();
  pending_future_is_dropped_once();
  select_keeps_a_bare_winner();
  join_all_keeps_bare_outputs();
  fprintf(stderr, "future: 4 cases passed\n");
  return 0;
}
