/* The results schema (RESULTS.md, "Every key"): one table of every key a
 * results file holds, with its JSON type, where it lives, whether it must be
 * there, and what it means. The writer checks what it wrote against it, the
 * reader and the --resume loader read through it, and the tests hold
 * RESULTS.md and every file they see to it. jansson only. */
#ifndef SB_RESULTS_SCHEMA_H
#define SB_RESULTS_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

/* The version in context.switchbench.schema. Keys may be added without
 * changing it (a reader defaults what a file lacks); a key removed or given
 * another meaning changes it. */
#define SB_RESULTS_SCHEMA 1

/* The JSON type of a key. */
typedef enum sb_jtype {
  SB_JT_STRING = 0,
  SB_JT_INTEGER, /* a JSON integer, 0 to 1e9 where the reader keeps it */
  SB_JT_NUMBER,  /* integer or real */
  SB_JT_BOOLEAN,
  SB_JT_OBJECT,
  SB_JT_ARRAY,
  SB_JT_ANY, /* any JSON value (Google Benchmark's context keys) */
} sb_jtype;

/* Where a key lives. */
typedef enum sb_jwhere {
  SB_JW_TOP = 0,   /* the top-level object */
  SB_JW_CONTEXT,   /* "context": Google Benchmark's machine context */
  SB_JW_SUITE,     /* "context.switchbench": the suite's run context */
  SB_JW_CELL,      /* an entry of "switchbench_cells" */
  SB_JW_BENCHMARK, /* an entry of "benchmarks" */
} sb_jwhere;

/* Whether a key must be there. */
typedef enum sb_jneed {
  SB_JN_REQUIRED = 0, /* a file without it is refused */
  SB_JN_RESUME,       /* always written; --resume refuses a file without it,
                         readers default it */
  SB_JN_WRITTEN,      /* always written by this build; readers default it
                         (older files) */
  SB_JN_OPTIONAL,     /* written only where it applies */
} sb_jneed;

/* Where the reader keeps a key in its model (results_read.h): an offset
 * into sb_rcontext, sb_rcell or sb_rentry, or SB_JNOT_KEPT. */
#define SB_JNOT_KEPT ((size_t)-1)

/* One key. */
typedef struct sb_jkey {
  const char *key;     /* the JSON key; "*": any other key of its place */
  sb_jtype type;       /* its JSON type */
  sb_jwhere where;     /* which object holds it */
  sb_jneed need;       /* must it be there */
  size_t at;           /* where the reader keeps it, or SB_JNOT_KEPT */
  double def;          /* a kept number's value when absent */
  int nonneg;          /* 1: a negative value is refused (repetitions) */
  const char *meaning; /* one line, as in RESULTS.md */
} sb_jkey;

/* The table, in RESULTS.md's order, and its length. */
extern const sb_jkey sb_jkeys[];
extern const size_t sb_njkeys;

/* The names of the types, places and needs as RESULTS.md writes them:
 * "string", "context.switchbench", "resume", ... */
const char *sb_jtype_name(sb_jtype t);
const char *sb_jwhere_name(sb_jwhere w);
const char *sb_jneed_name(sb_jneed n);

/* The row for key in where: the key's own, else the "*" row of where, else
 * NULL (not in the schema). */
const sb_jkey *sb_jkey_find(sb_jwhere where, const char *key);
/* 1 when v has type t. */
int sb_jtype_is(const json_t *v, sb_jtype t);
/* What v is, for messages: "an integer", "a string", "null", ... */
const char *sb_json_kind(const json_t *v);

/* How strictly sb_schema_check judges an object. */
typedef enum sb_jstrict {
  SB_JS_READ = 0, /* required keys there; known keys of the right type */
  SB_JS_RESUME,   /* and the resume keys there */
  SB_JS_WRITTEN,  /* and every written key there, no key the table lacks
                     (what this build writes) */
} sb_jstrict;

/* Checks obj (one object of place where, called label in messages; NULL:
 * the place's name) against the table. Returns 0, or -EINVAL with
 * "<label>.<key> ..." (one line) in why. */
int sb_schema_check(const json_t *obj, sb_jwhere where, const char *label,
                    sb_jstrict strict, char *why, size_t len);
/* Checks a whole document: context, context.switchbench, every cell and
 * every benchmark entry. Returns 0, or -EINVAL with the first problem. */
int sb_schema_check_doc(const json_t *doc, sb_jstrict strict, char *why,
                        size_t len);

#endif
