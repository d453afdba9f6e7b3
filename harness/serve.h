/* `switchbench serve`: a workload's server side alone on a runtime, until
 * interrupted, so that standard load generators (wrk, ...) can drive it. */
#ifndef SB_SERVE_H
#define SB_SERVE_H

/* `switchbench serve echo|http --runtime R [--port P] [--bind ADDR]
 * [--workers N]`; argv[0] is "serve". Prints "listening on ADDR:PORT" on
 * stdout once it accepts, serves until SIGINT or SIGTERM, then shuts every
 * connection down and returns 0. Returns 2 after a one-line message for bad
 * arguments, 1 when the server cannot start or fails. */
int sb_cmd_serve(int argc, char **argv);

#endif
