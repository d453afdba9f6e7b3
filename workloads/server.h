/* The server module shared by the echo workload, `switchbench serve` and
 * the fault tests: a listening socket, accept with back-off, the registry
 * of live connections, the connection futures (echo, HTTP) over one
 * connection base, and one accept loop configured by the connection kind
 * and the stop rule. Parts: server_accept.c (listen, accept, the loop),
 * server_conn.c (the registry, the base, echo), server_http.c (HTTP). */
#ifndef SB_SERVER_H
#define SB_SERVER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "runtimes/core/sb.h"
#include "runtimes/primitives/fdio.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"

/* Opens a non-blocking listening TCP socket on addr (port 0 = any free
 * port) and writes the bound address back into *addr. Returns the fd, or
 * -errno. */
int sb_listen_tcp(struct sockaddr_in *addr, int backlog);

/* ---- accept with back-off ---------------------------------------------- */

#define SB_ACCEPT_BACKOFF_MIN_NS 1000000LL   /* first pause: 1 ms */
#define SB_ACCEPT_BACKOFF_MAX_NS 100000000LL /* pauses double up to 100 ms */

/* READY with base.out = the accepted fd (non-blocking, close-on-exec,
 * TCP_NODELAY), or a negative errno for errors that say the listener itself
 * is unusable (EINVAL after a shutdown, EBADF, ...). When the process or
 * system is out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM)
 * it sleeps through the runtime and retries, so that live connections keep
 * being served meanwhile. */
typedef struct sb_accept_retry {
  sb_future base;
  int listen_fd;      /* the listening socket */
  int64_t backoff_ns; /* the next pause; 0 until the first failure */
  uint64_t *backoffs; /* if not NULL, incremented on every pause */
  sb_fdop op;         /* the accept in flight */
  sb_sleep pause;     /* the pause in flight */
} sb_accept_retry;
void sb_accept_retry_init(sb_accept_retry *a, int listen_fd,
                          uint64_t *backoffs);
sb_poll sb_accept_retry_poll(sb_accept_retry *a, sb_cx *cx);

/* ---- live connections ---------------------------------------------------- */

/* The connections a server holds open, so that a stop can shut every one
 * down (each connection task then sees EOF and ends) and then learn, through
 * an eventfd, that the last one has gone. */
typedef struct sb_conn_set {
  pthread_mutex_t lock; /* protects every field below except idle_fd */
  uint8_t *live;        /* live[fd] = 1 while fd is a registered connection */
  size_t cap;           /* entries in live: the descriptor limit */
  size_t count;         /* registered connections */
  int stopping;         /* 1 once sb_conn_set_stop ran: no new entries */
  uint64_t accepted;    /* connections ever registered */
  uint64_t bytes;       /* bytes echoed or served by finished connections */
  int idle_fd;          /* eventfd: readable once stopping and count == 0 */
} sb_conn_set;

/* Returns 0, or -errno (nothing to release on failure). */
int sb_conn_set_init(sb_conn_set *s);
void sb_conn_set_destroy(sb_conn_set *s);
/* Registers fd. Returns 0, or -ESHUTDOWN once stopping (the caller closes
 * fd), or -EMFILE when fd is beyond the table. */
int sb_conn_set_add(sb_conn_set *s, int fd);
/* Unregisters fd before it is closed and adds its byte tally. */
void sb_conn_set_remove(sb_conn_set *s, int fd, uint64_t bytes);
/* Refuses new entries and shuts down every registered fd (SHUT_RDWR). */
void sb_conn_set_stop(sb_conn_set *s);

/* ---- connections -----------------------------------------------------------
 */

/* What every connection future holds, embedded first in each kind: its fd,
 * owned and closed when it ends; its registration in a set; the read or
 * write in flight; its byte tally; and a count of connections served to
 * EOF. A connection's buffers live inside it, so it must be spawned
 * (copied) before its first poll and never moved afterwards. */
typedef struct sb_conn {
  sb_future base;           /* the connection's future */
  int fd;                   /* the connection, owned */
  sb_conn_set *set;         /* where fd is registered while live, or NULL */
  _Atomic uint64_t *served; /* if not NULL, incremented (relaxed: a tally
                               read after the task is joined) when the
                               connection ends at EOF */
  uint64_t bytes;           /* bytes written back so far */
  int drained;              /* the last recv left nothing queued */
  sb_fdop op;               /* the read or write in flight */
} sb_conn;

/* Bytes read at once: the echo task's only buffer (PROTOCOL.md 6). */
#define SB_ECHO_BUF 4096

/* Echoes whatever arrives on fd until EOF or an error, then closes fd: read
 * up to SB_ECHO_BUF bytes; on EOF the connection was served; otherwise add
 * every byte read to the sum, write them all back, read again. READY with
 * base.out = the sum of every byte read (mod 2^64). */
typedef struct sb_echo_conn {
  sb_conn conn;             /* the base: fd, set, served, tally, op */
  uint64_t sum;             /* sum of bytes read so far */
  uint8_t buf[SB_ECHO_BUF]; /* bytes read, written back */
} sb_echo_conn;
/* Makes c for fd, registered in set (may be NULL), counting nothing served
 * (set c->conn.served after). */
void sb_echo_conn_init(sb_echo_conn *c, int fd, sb_conn_set *set);

#define SB_HTTP_IN 4096  /* request bytes held: the largest request head */
#define SB_HTTP_OUT 4096 /* responses batched before one write */

/* Serves HTTP/1.1 keep-alive on fd until the client closes, asks to close,
 * or sends something unparsable: GET / answers 200 "Hello, World!", other
 * GET paths 404, other methods 405 then close. READY with base.out = the
 * number of responses sent. */
typedef struct sb_http_conn {
  sb_conn conn;          /* the base: fd, set, served, tally, op */
  uint64_t responses;    /* responses sent so far */
  size_t in_len;         /* bytes held in in[] */
  size_t in_start;       /* first byte of in[] not yet parsed */
  size_t out_len;        /* bytes waiting in out[] */
  int closing;           /* 1 once the last response to send is queued */
  char in[SB_HTTP_IN];   /* request bytes */
  char out[SB_HTTP_OUT]; /* responses not yet written */
} sb_http_conn;
void sb_http_conn_init(sb_http_conn *c, int fd, sb_conn_set *set);
/* The answer to `GET /` ("Hello, World!"), and its length: what the load
 * generator's HTTP mode expects back. */
extern const char sb_http_ok_response[];
extern const size_t sb_http_ok_response_len;

/* ---- the accept loop
 * --------------------------------------------------------- */

/* What connections a server makes. */
typedef enum sb_conn_kind { SB_CONN_ECHO, SB_CONN_HTTP } sb_conn_kind;

/* An accept loop's configuration: the connection kind and the stop rule. */
typedef struct sb_server_cfg {
  sb_conn_kind kind;        /* what each accepted connection runs */
  int listen_fd;            /* the listener (not owned) */
  int count;                /* > 0: accept exactly count connections, then
                               join them all; 0: serve, connection tasks
                               detached, until sb_server_stop */
  sb_join *joins;           /* count > 0: count handles, the caller's */
  sb_conn_set *set;         /* where connections register, or NULL (count
                               0 needs one: the stop waits for its last) */
  _Atomic uint64_t *served; /* handed to every connection, or NULL */
} sb_server_cfg;

/* The accept loop: a future. Accepting goes on through descriptor
 * shortages (sb_accept_retry); a connection whose task cannot be spawned is
 * closed and counted, and the loop goes on; an accept error that is not a
 * shortage (or a stop) ends accepting, and the connections already running
 * are still joined (count > 0) or waited for (count 0). READY with
 * base.out = the sum of the joined connections' outputs (0 when count is
 * 0). */
typedef struct sb_server {
  sb_future base;
  sb_server_cfg cfg;    /* as given to init */
  int accepted;         /* connections accepted */
  int spawned;          /* connection tasks spawned (count > 0: handles
                           joins[0..spawned)) */
  int joined;           /* handles joined (count > 0) */
  uint64_t sum;         /* outputs of the handles joined so far */
  uint64_t backoffs;    /* accept pauses for lack of descriptors */
  int64_t accept_err;   /* the error that ended accepting (not a stop), or 0 */
  int64_t spawn_failed; /* connections closed for want of a task */
  int spawn_err;        /* the first spawn error, or 0 */
  atomic_int stop;      /* 1 once sb_server_stop was called */
  sb_accept_retry acc;  /* private: the accept in flight */
  sb_fdop idle;         /* private: the wait for the set's last connection */
  uint64_t idle_buf;    /* private: what that read returns */
} sb_server;

void sb_server_init(sb_server *s, const sb_server_cfg *cfg);
sb_poll sb_server_poll(sb_server *s, sb_cx *cx);
/* Any thread: makes a server stop accepting (its listener is shut down, so
 * the accept in flight fails); with count 0 it then shuts every live
 * connection down and becomes READY once the last has ended. */
void sb_server_stop(sb_server *s);

#endif /* SB_SERVER_H */
