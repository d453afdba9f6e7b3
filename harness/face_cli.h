/* How every subcommand reads its command line: getopt_long over one
 * option table per command, and bad input said in one line naming the
 * problem, exit 2. */
#ifndef SB_FACE_CLI_H
#define SB_FACE_CLI_H

#include <getopt.h>

/* The optstring every command passes: no short options, and ':' back for
 * an option missing its value (so that it is told from an unknown one). */
#define SB_CLI_SHORT ":"

/* Makes getopt_long start afresh on a new argv and stay quiet (the
 * commands say what went wrong themselves). */
void sb__cli_start(void);
/* Says, in one line on stderr, what getopt_long's ch ('?' or ':') means
 * for command cmd: an unknown option, or one missing its value. Returns 2
 * (the exit code for bad input). */
int sb__cli_bad(const char *cmd, int ch, char **argv);
/* The command line plot and report share: `CMD RESULTS.json [--out X]`
 * (out_what names X in the usage line: "DIR", "FILE"), and, where
 * objective_ns is not NULL, `[--p99-objective US]` (the open-loop p99
 * objective in µs, > 0; *objective_ns is left alone when not given).
 * Returns 0 with *path and *out (NULL when not given), or 2 after one line
 * on stderr. */
int sb__cli_results_out(const char *cmd, const char *out_what, int argc,
                        char **argv, const char **path, const char **out,
                        double *objective_ns);

#endif
