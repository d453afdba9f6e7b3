/* The connection base's shared prologue and epilogue, private to the server
 * module (server_conn.c defines them, every connection kind uses them). */
#ifndef SB_SERVER_INTERNAL_H
#define SB_SERVER_INTERNAL_H

#include "server.h"

/* Makes the base of a connection on fd whose poll is poll; its drop is the
 * base's (the op in flight dropped, unregistered, closed, not served). */
void sb__conn_init(sb_conn *c, sb_poll_fn poll, int fd, sb_conn_set *set);
/* A connection's first poll: registers it in its set. Returns 0, or -1
 * after closing the connection (the set is stopping, or fd is beyond it). */
int sb__conn_begin(sb_conn *c, sb_cx *cx);
/* A connection's end: counted served when it ended at EOF, unregistered
 * with its byte tally, closed. */
void sb__conn_end(sb_conn *c, sb_runtime *rt, int at_eof);

#endif /* SB_SERVER_INTERNAL_H */
