/* A plain echo server: one OS thread, one epoll, no runtime. It is the
 * machine's echo capacity that the open-loop sweep's rates are scaled from
 * (PROTOCOL.md 6a), and, told to stall once, the server of the
 * coordinated-omission test. Not a cell: nothing reports its figures. */
#ifndef SB_ECHO_PLAIN_H
#define SB_ECHO_PLAIN_H

#include <stdint.h>

#include "loadgen.h"

typedef struct sb_echo_plain sb_echo_plain;

/* Starts the thread serving every connection accepted on listen_fd (which
 * it does not own); once it has echoed stall_after bytes in all (0: never)
 * it sleeps stall_ns, once, before echoing more. Returns 0 and *out, or
 * -errno. */
int sb_echo_plain_start(int listen_fd, int64_t stall_after, int64_t stall_ns,
                        sb_echo_plain **out);
/* Stops the thread, closes its connections, frees everything. */
void sb_echo_plain_stop(sb_echo_plain *s);

/* The machine's closed-loop echo capacity: round trips per second of conns
 * connections of 64 bytes against the plain server, the generator bound to
 * loadgen_cpu (or unbound, -1), about duration_ns long. Returns the rate
 * (> 0), or -errno. */
int64_t sb_echo_plain_capacity(int conns, int64_t duration_ns,
                               int loadgen_cpu);

#endif /* SB_ECHO_PLAIN_H */
