/* Helpers for the face tests: run a command with stdout and stderr caught
 * in memory, and find things in what it printed. */
#ifndef SB_FACE_TEST_H
#define SB_FACE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

/* What one command printed and returned. */
typedef struct caught {
  int rc;            /* its return value (the exit code) */
  char out[1 << 17]; /* stdout, NUL-terminated, cut at the size */
  char err[4096];    /* stderr, likewise */
} caught;

static inline void slurp(FILE *f, char *buf, size_t len) {
  size_t n;
  rewind(f);
  n = fread(buf, 1, len - 1, f);
  buf[n] = '\0';
  fclose(f);
}

/* Runs cmd(argc, argv) with fds 1 and 2 sent to temporary files. */
static inline void catch_cmd(int (*cmd)(int, char **), int argc, char **argv,
                             caught *c) {
  FILE *o = tmpfile(), *e = tmpfile();
  ASSERT(o != NULL && e != NULL);
  fflush(stdout);
  fflush(stderr);
  int so = dup(1), se = dup(2);
  ASSERT(so >= 0 && se >= 0);
  ASSERT(dup2(fileno(o), 1) >= 0 && dup2(fileno(e), 2) >= 0);
  c->rc = cmd(argc, argv);
  fflush(stdout);
  fflush(stderr);
  ASSERT(dup2(so, 1) >= 0 && dup2(se, 2) >= 0);
  close(so);
  close(se);
  slurp(o, c->out, sizeof c->out);
  slurp(e, c->err, sizeof c->err);
}

/* Lines in s (a last line without '\n' counts). */
static inline int count_lines(const char *s) {
  size_t len = strlen(s);
  int n = 0;
  for (size_t i = 0; i < len; i++)
    n += s[i] == '\n';
  return n + (len > 0 && s[len - 1] != '\n');
}

#define ASSERT_HAS(hay, needle)                                                \
  do {                                                                         \
    if (strstr((hay), (needle)) == NULL) {                                     \
      fprintf(stderr, "%s:%d: expected to find \"%s\" in:\n%s\n", __FILE__,    \
              __LINE__, (needle), (hay));                                      \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#endif
