/* The suite's face: reading result files back (jansson), the end-of-run
 * summary, plots (gnuplot), the Markdown report and machine-to-machine
 * compare. Each command returns a process exit code: 0 ok, 1 failure or a
 * tripped regression gate, 2 bad usage or bad input, 3 (compare with
 * --fail-above only) a gate that cannot judge: some cell has too few
 * repetitions for the U test to reach significance. */
#ifndef SB_FACE_H
#define SB_FACE_H

#include <stdio.h>

/* The exit status of a regression gate that cannot judge. */
#define SB_EXIT_CANNOT_JUDGE 3

/* Prints the human summary of a results file, grouped by question, with the
 * headline ratios and noise notes. Returns 0, or 2 with a one-line message
 * on stderr when the file cannot be read. */
int sb_summary_print(const char *results_path, FILE *out);

/* The commands take main's argc/argv shifted to the command: argv[0] is the
 * command's name ("plot"), its arguments follow. */
/* `switchbench plot RESULTS.json [--out DIR]` */
int sb_cmd_plot(int argc, char **argv);
/* `switchbench report RESULTS.json [--out FILE]`: FILE (RESULTS.md) and,
 * beside it, the page FILE.html (html.h). */
int sb_cmd_report(int argc, char **argv);
/* `switchbench compare A.json B.json [--fail-above R]` */
int sb_cmd_compare(int argc, char **argv);
/* `switchbench merge A.json B.json ... [--out NAME]` */
int sb_cmd_merge(int argc, char **argv);

#endif
