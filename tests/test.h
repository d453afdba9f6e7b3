/* A tiny test framework in libuv's manner: assertions print both values, a
 * test binary runs every case against the runtime named in argv[1], and exit
 * code 77 means "skipped" (with the reason printed). */
#ifndef SB_TEST_H
#define SB_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/registry/registry.h"
#include "runtimes/core/sb.h"

#define SB_TEST_SKIP 77

#define ASSERT(expr)                                                           \
  do {                                                                         \
    if (!(expr)) {                                                             \
      fprintf(stderr, "%s:%d: ASSERT(%s) failed\n", __FILE__, __LINE__,        \
              #expr);                                                          \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define ASSERT_CMP(a, op, b)                                                   \
  do {                                                                         \
    int64_t sb_a_ = (int64_t)(a), sb_b_ = (int64_t)(b);                        \
    if (!(sb_a_ op sb_b_)) {                                                   \
      fprintf(stderr,                                                          \
              "%s:%d: ASSERT %s %s %s failed: %" PRId64 " vs %" PRId64 "\n",   \
              __FILE__, __LINE__, #a, #op, #b, sb_a_, sb_b_);                  \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define ASSERT_EQ(a, b) ASSERT_CMP(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_CMP(a, !=, b)
#define ASSERT_GE(a, b) ASSERT_CMP(a, >=, b)
#define ASSERT_LE(a, b) ASSERT_CMP(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_CMP(a, >, b)
#define ASSERT_LT(a, b) ASSERT_CMP(a, <, b)

/* One test case: runs against rt and returns nothing (asserts abort). */
typedef struct sb_test_case {
  const char *name;
  void (*fn)(const sb_runtime_ops *ops);
} sb_test_case;

/* Opens the runtime with default config, runs root to READY, closes it, and
 * returns root->out. Asserts that every step succeeds. */
static inline uint64_t sb_test_run(const sb_runtime_ops *ops, sb_future *root) {
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, root), 0);
  ops->close(rt);
  return root->out;
}

/* main() for a test binary: argv[1] names the runtime, argv[2] optionally
 * one case. */
static inline int sb_test_main(int argc, char **argv, const sb_test_case *cases,
                               size_t ncases) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s RUNTIME [CASE]\n", argv[0]);
    return 2;
  }
  const sb_runtime_ops *ops = sb_runtime_find(argv[1]);
  if (ops == NULL) {
    fprintf(stderr, "%s: unknown runtime '%s'\n", argv[0], argv[1]);
    return 2;
  }
  int ran = 0;
  for (size_t i = 0; i < ncases; i++) {
    if (argc > 2 && strcmp(argv[2], cases[i].name) != 0)
      continue;
    fprintf(stderr, "[%s] %s ...\n", ops->name, cases[i].name);
    cases[i].fn(ops);
    ran++;
  }
  if (ran == 0) {
    fprintf(stderr, "%s: no case matched\n", argv[0]);
    return 2;
  }
  fprintf(stderr, "[%s] %d cases passed\n", ops->name, ran);
  return 0;
}

#define SB_TEST_MAIN(cases)                                                    \
  int main(int argc, char **argv) {                                            \
    return sb_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));  \
  }

#endif
