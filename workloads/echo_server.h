/* The server side shared by the echo workload and `switchbench serve`: an
 * accept that backs off on EMFILE, a registry of live connections that a
 * stop can shut down, and the per-connection futures (echo, HTTP). */
#ifndef SB_ECHO_SERVER_H
#define SB_ECHO_SERVER_H

#include <netinet/in.h>
#include <pthread.h>

#include "runtimes/core/sb.h"
#include "runtimes/primitives/fdio.h"
#include "runtimes/primitives/sleep.h"

/* Opens a non-blocking listening TCP socket on addr (port 0 = any free
 * port) and writes the bound address back into *addr. Returns the fd, or
 * -errno. */
int sb_listen_tcp(struct sockaddr_in *addr, int backlog);

/* ---- accept with back-off ---------------------------------------------- */

#define SB_ACCEPT_BACKOFF_MIN_NS 1000000LL   /* first pause: 1 ms */
#define SB_ACCEPT_BACKOFF_MAX_NS 100000000LL /* pauses double up to 100 ms */

/* READY with base.out = the accepted fd (non-blocking, close-on-exec), or a
 * negative errno for errors that say the listener itself is unusable
 * (EINVAL after a shutdown, EBADF, ...). When the process or system is out
 * of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) it sleeps
 * through the runtime and retries, so that live connections keep being
 * served meanwhile. */
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

/* ---- connection futures -------------------------------------------------- */

/* Bytes read at once: the task's only buffer (PROTOCOL.md section 6). */
#define SB_ECHO_BUF 4096

/* Echoes whatever arrives on fd until EOF or an error, then closes fd: read
 * up to SB_ECHO_BUF bytes; on EOF the connection was served; otherwise add
 * every byte read to the sum, write them all back, read again. READY with
 * base.out = the sum of every byte read (mod 2^64). set may be NULL. Its
 * buffer lives inside it, so it must be spawned (copied) before the first
 * poll and not moved afterwards. */
typedef struct sb_echo_conn {
  sb_future base;
  int fd;                   /* the connection, owned */
  sb_conn_set *set;         /* where fd is registered, or NULL */
  _Atomic uint64_t *served; /* if not NULL, incremented (relaxed: a tally
                               read after the task is joined) once the
                               connection ends at EOF; set after init */
  uint64_t sum;             /* sum of bytes read so far */
  uint64_t bytes;           /* bytes echoed so far */
  sb_fdop op;               /* the read or write in flight */
  uint8_t buf[SB_ECHO_BUF]; /* bytes read, written back */
} sb_echo_conn;
/* Makes c with no served counter. */
void sb_echo_conn_init(sb_echo_conn *c, int fd, sb_conn_set *set);

#define SB_HTTP_IN 4096  /* request bytes held: the largest request head */
#define SB_HTTP_OUT 4096 /* responses batched before one write */

/* Serves HTTP/1.1 keep-alive on fd until the client closes, asks to close,
 * or sends something unparsable: GET / answers 200 "Hello, World!", other
 * GET paths 404, other methods 405 then close. READY with base.out = the
 * number of responses sent. Same spawning rule as sb_echo_conn. */
typedef struct sb_http_conn {
  sb_future base;
  int fd;                /* the connection, owned */
  sb_conn_set *set;      /* where fd is registered, or NULL */
  uint64_t responses;    /* responses sent so far */
  uint64_t bytes;        /* response bytes written so far */
  size_t in_len;         /* bytes held in in[] */
  size_t in_start;       /* first byte of in[] not yet parsed */
  size_t out_len;        /* bytes waiting in out[] */
  int closing;           /* 1 once the last response to send is queued */
  sb_fdop op;            /* the read or write in flight */
  char in[SB_HTTP_IN];   /* request bytes */
  char out[SB_HTTP_OUT]; /* responses not yet written */
} sb_http_conn;
void sb_http_conn_init(sb_http_conn *c, int fd, sb_conn_set *set);

#endif
