/* Progress while the matrix runs: the cell, how many are done of how many,
 * the time elapsed and an estimate of what remains. One updating line on a
 * terminal, plain lines otherwise; always on stderr. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"

static struct {
  int tty;                     /* stderr is a terminal: redraw one line */
  size_t total;                /* cells in the matrix */
  size_t done;                 /* cells finished, this run and earlier ones */
  size_t done_at_start;        /* cells finished before this run (resume) */
  int64_t t0;                  /* when this run started, ns */
  char name[SB_CELL_NAME_LEN]; /* the cell running now, "" if none */
} p;

static void format_duration(char *buf, size_t len, double s) {
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* "[12/58] name  0:42 elapsed, ~1:10 left" */
static void status_line(char *buf, size_t len) {
  double elapsed = (double)(sb_now_ns() - p.t0) / 1e9;
  char el[32], left[48] = "";
  format_duration(el, sizeof el, elapsed);
  size_t ran = p.done - p.done_at_start;
  if (ran > 0 && p.total > p.done) {
    char est[32];
    format_duration(est, sizeof est,
                    elapsed / (double)ran * (double)(p.total - p.done));
    snprintf(left, sizeof left, ", ~%s left", est);
  }
  snprintf(buf, len, "[%zu/%zu] %s  %s elapsed%s", p.done + 1, p.total, p.name,
           el, left);
}

static void redraw(void) {
  char line[512];
  status_line(line, sizeof line);
  struct winsize ws;
  size_t cols = 80;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    cols = ws.ws_col;
  /* Never wrap: a wrapped line cannot be redrawn in place. */
  if (strlen(line) >= cols)
    line[cols - 1] = '\0';
  fprintf(stderr, "\r\033[K%s", line);
  fflush(stderr);
}

void sb__progress_start(size_t total, size_t done) {
  memset(&p, 0, sizeof p);
  p.tty = isatty(STDERR_FILENO);
  p.total = total;
  p.done = p.done_at_start = done;
  p.t0 = sb_now_ns();
  if (done > 0)
    fprintf(stderr, "resuming: %zu of %zu cells already done\n", done, total);
}

void sb__progress_cell(const char *name) {
  snprintf(p.name, sizeof p.name, "%s", name);
  if (p.tty) {
    redraw();
  } else {
    char line[512];
    status_line(line, sizeof line);
    fprintf(stderr, "%s\n", line);
  }
}

void sb__progress_tick(void) {
  if (p.tty && p.name[0] != '\0')
    redraw();
}

void sb__progress_done(const char *name, const char *status, double seconds,
                       const char *reason) {
  p.done++;
  int ok = strcmp(status, "ok") == 0;
  if (p.tty) {
    fprintf(stderr, "\r\033[K");
    if (!ok)
      fprintf(stderr, "%s: %s%s%s\n", name, status, reason[0] ? ": " : "",
              reason);
  } else {
    fprintf(stderr, "  %s %s (%.1f s)%s%s\n", name, status, seconds,
            reason[0] ? ": " : "", reason);
  }
  p.name[0] = '\0';
}

void sb__progress_end(void) {
  if (p.tty)
    fprintf(stderr, "\r\033[K");
  fflush(stderr);
}
