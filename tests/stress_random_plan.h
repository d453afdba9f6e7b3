/* stress_random's plan: what a node of a random tree does, decided by its
 * seed alone, and the sequential model that predicts a whole tree (how many
 * nodes run, the sum of their values). Header-only; only stress_random.c
 * includes it. */
#ifndef SB_STRESS_RANDOM_PLAN_H
#define SB_STRESS_RANDOM_PLAN_H

#include <stdint.h>

#define MAXP 3 /* join handles a node holds at once */

/* splitmix64: the plan's generator and the value of a node. */
static inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static inline uint64_t next64(uint64_t *s) {
  return mix64(*s += 0x632be59bd9b4e019ull);
}

/* ---- the plan: what a node does, decided by its seed alone --------------- */

enum {
  K_SPAWN,      /* spawn a child node, keep its handle */
  K_JOIN,       /* join handle a; check its value */
  K_SEL_TIMER,  /* select(join a, short sleep): the loser is dropped */
  K_SEL_JOIN,   /* select(join a, join b): the loser is detached */
  K_CHAN,       /* a stream of m messages from a producer task */
  K_SLEEP,      /* a short sleep */
  K_YIELD,      /* give the processor away */
  K_END_JOIN,   /* at the end: join a leftover handle */
  K_END_DETACH, /* at the end: detach a leftover handle */
  K_DONE
};

typedef struct plan {
  uint64_t rng;  /* structural decisions only */
  int depth;     /* of this node */
  int max_depth; /* children only above it */
  int ops_left;  /* steps before the end */
  int npend;     /* handles held */
} plan;

typedef struct step {
  int kind;      /* K_* */
  int a, b;      /* handle indices */
  uint64_t seed; /* the child's or the producer's */
  int m, cap;    /* K_CHAN: messages and capacity */
} step;

static inline void plan_init(plan *p, uint64_t seed, int depth, int max_depth) {
  p->rng = seed;
  p->depth = depth;
  p->max_depth = max_depth;
  p->ops_left = 1 + (int)(next64(&p->rng) % 8);
  p->npend = 0;
}

static inline step plan_next(plan *p) {
  step s = {.kind = K_YIELD};
  if (p->ops_left > 0) {
    p->ops_left--;
    uint32_t r = (uint32_t)(next64(&p->rng) % 100);
    if (r < 40) {
      if (p->depth < p->max_depth && p->npend < MAXP) {
        s.kind = K_SPAWN;
        s.seed = next64(&p->rng);
        p->npend++;
      }
    } else if (r < 52) {
      if (p->npend > 0) {
        s.kind = K_JOIN;
        s.a = (int)(next64(&p->rng) % (uint64_t)p->npend);
        p->npend--;
      }
    } else if (r < 62) {
      if (p->npend > 0) {
        s.kind = K_SEL_TIMER;
        s.a = (int)(next64(&p->rng) % (uint64_t)p->npend);
        p->npend--;
      }
    } else if (r < 70) {
      if (p->npend >= 2) {
        s.kind = K_SEL_JOIN;
        s.a = (int)(next64(&p->rng) % (uint64_t)p->npend);
        s.b = (s.a + 1 + (int)(next64(&p->rng) % (uint64_t)(p->npend - 1))) %
              p->npend;
        p->npend -= 2;
      }
    } else if (r < 84) {
      s.kind = K_CHAN;
      s.seed = next64(&p->rng);
      s.m = 1 + (int)(next64(&p->rng) % 12);
      s.cap = 1 + (int)(next64(&p->rng) % 3);
    } else if (r < 92) {
      s.kind = K_SLEEP;
    }
    return s;
  }
  if (p->npend > 0) {
    s.kind = next64(&p->rng) % 4 == 0 ? K_END_DETACH : K_END_JOIN;
    s.a = p->npend - 1;
    p->npend--;
    return s;
  }
  s.kind = K_DONE;
  return s;
}

/* The model: nodes and value sum of the tree grown from seed. */
static inline void model(uint64_t seed, int depth, int max_depth,
                         uint64_t *nodes, uint64_t *sum) {
  plan p;
  plan_init(&p, seed, depth, max_depth);
  *nodes += 1;
  *sum += mix64(seed);
  for (step s = plan_next(&p); s.kind != K_DONE; s = plan_next(&p))
    if (s.kind == K_SPAWN)
      model(s.seed, depth + 1, max_depth, nodes, sum);
}

#endif
