/* The server's HTTP connection (server.h): a minimal HTTP/1.1 keep-alive
 * server, GET / answers "Hello, World!", pipelined requests are answered in
 * order, in batches. */
#include <string.h>
#include <strings.h>

#include "server.h"
#include "server_internal.h"

const char sb_http_ok_response[] = "HTTP/1.1 200 OK\r\n"
                                  "Content-Type: text/plain\r\n"
                                  "Content-Length: 13\r\n"
                                  "\r\n"
                                  "Hello, World!";
const size_t sb_http_ok_response_len = sizeof(sb_http_ok_response) - 1;
static const char not_found_response[] = "HTTP/1.1 404 Not Found\r\n"
                                         "Content-Type: text/plain\r\n"
                                         "Content-Length: 10\r\n"
                                         "\r\n"
                                         "Not Found\n";
static const char bad_method_response[] = "HTTP/1.1 405 Method Not Allowed\r\n"
                                          "Allow: GET\r\n"
                                          "Connection: close\r\n"
                                          "Content-Length: 0\r\n"
                                          "\r\n";
static const char too_large_response[] =
    "HTTP/1.1 431 Request Header Fields Too Large\r\n"
    "Connection: close\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
static const char bad_request_response[] = "HTTP/1.1 400 Bad Request\r\n"
                                           "Connection: close\r\n"
                                           "Content-Length: 0\r\n"
                                           "\r\n";

/* Length of the request head at p (through the blank line), or 0 if it is
 * not all there yet. */
static size_t head_length(const char *p, size_t n) {
  for (size_t i = 3; i < n; i++)
    if (p[i] == '\n' && p[i - 1] == '\r' && p[i - 2] == '\n' &&
        p[i - 3] == '\r')
      return i + 1;
  return 0;
}

/* 1 if the head holds a header `name: value` whose value contains token,
 * ignoring case (enough for "Connection: close" / "keep-alive"). */
static int has_header_token(const char *head, size_t n, const char *name,
                            const char *token) {
  size_t nl = strlen(name), tl = strlen(token);
  for (size_t i = 0; i + nl + 1 < n; i++) {
    if ((i == 0 || head[i - 1] != '\n') ||
        strncasecmp(head + i, name, nl) != 0 || head[i + nl] != ':')
      continue;
    for (size_t j = i + nl + 1; j + tl <= n && head[j] != '\r'; j++)
      if (strncasecmp(head + j, token, tl) == 0)
        return 1;
  }
  return 0;
}

/* Decides the response to one request head: returns it and sets *close
 * when the connection ends after it. */
static const char *respond(const char *head, size_t n, int *close,
                           size_t *len) {
  const char *r;
  const char *sp = memchr(head, ' ', n);
  const char *sp2 =
      sp ? memchr(sp + 1, ' ', n - (size_t)(sp + 1 - head)) : NULL;
  if (sp == NULL || sp2 == NULL) {
    r = bad_request_response;
    *len = sizeof(bad_request_response) - 1;
    *close = 1;
    return r;
  }
  int http10 =
      (size_t)(head + n - sp2) > 9 && memcmp(sp2 + 1, "HTTP/1.0", 8) == 0;
  if ((size_t)(sp - head) != 3 || memcmp(head, "GET", 3) != 0) {
    *len = sizeof(bad_method_response) - 1;
    *close = 1;
    return bad_method_response;
  }
  size_t plen = (size_t)(sp2 - sp - 1);
  if (plen == 1 && sp[1] == '/') {
    r = sb_http_ok_response;
    *len = sb_http_ok_response_len;
  } else {
    r = not_found_response;
    *len = sizeof(not_found_response) - 1;
  }
  if (has_header_token(head, n, "connection", "close") ||
      (http10 && !has_header_token(head, n, "connection", "keep-alive")))
    *close = 1;
  return r;
}

/* Queues responses for the complete requests held in c->in, while they fit
 * in c->out. */
static void parse_requests(sb_http_conn *c) {
  while (!c->closing) {
    size_t n = head_length(c->in + c->in_start, c->in_len - c->in_start);
    if (n == 0)
      break;
    int close = 0;
    size_t rlen;
    const char *r = respond(c->in + c->in_start, n, &close, &rlen);
    if (c->out_len + rlen > sizeof(c->out))
      break; /* flush first; this request is parsed again afterwards */
    memcpy(c->out + c->out_len, r, rlen);
    c->out_len += rlen;
    c->in_start += n;
    c->responses++;
    c->closing = close;
  }
}

static sb_poll http_poll(sb_future *f, sb_cx *cx) {
  sb_http_conn *h = (sb_http_conn *)f;
  sb_conn *c = &h->conn;
  SB_BEGIN(c);
  if (sb__conn_begin(c, cx) < 0)
    SB_RETURN(c, 0);
  for (;;) {
    parse_requests(h);
    if (h->out_len > 0) {
      sb_write_all_init(&c->op, c->fd, h->out, h->out_len);
      SB_AWAIT(c, sb_fdop_poll(&c->op, cx));
      if (c->op.base.out != c->op.len)
        break;
      c->bytes += h->out_len;
      h->out_len = 0;
      continue; /* more complete requests may be waiting in in[] */
    }
    if (h->closing)
      break;
    /* Keep the unparsed tail at the front, then read more after it. */
    memmove(h->in, h->in + h->in_start, h->in_len - h->in_start);
    h->in_len -= h->in_start;
    h->in_start = 0;
    if (h->in_len == sizeof(h->in)) {
      memcpy(h->out, too_large_response, sizeof(too_large_response) - 1);
      h->out_len = sizeof(too_large_response) - 1;
      h->closing = 1;
      continue;
    }
    sb_recv_init(&c->op, c->fd, h->in + h->in_len, sizeof(h->in) - h->in_len,
                 c->drained);
    SB_AWAIT(c, sb_fdop_poll(&c->op, cx));
    c->drained = sb_recv_drained(&c->op);
    if ((int64_t)c->op.base.out <= 0)
      break; /* EOF, or the peer reset */
    h->in_len += (size_t)c->op.base.out;
  }
  /* A read's 0 is EOF; a write that ends the loop moved all or failed. */
  sb__conn_end(c, cx->rt, c->op.base.out == 0);
  SB_END(c, h->responses);
}

void sb_http_conn_init(sb_http_conn *c, int fd, sb_conn_set *set) {
  sb__conn_init(&c->conn, http_poll, fd, set);
  c->responses = 0;
  c->in_len = 0;
  c->in_start = 0;
  c->out_len = 0;
  c->closing = 0;
}
