/* Tests: a listening socket on the loopback address, on a free port. */
#ifndef SB_TEST_LOOPBACK_H
#define SB_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"

/* Binds a non-blocking TCP socket to 127.0.0.1 on a port the kernel picks
 * and writes that address into *addr. Returns the fd, not yet listening. */
static inline int sb_test_bind_loopback(struct sockaddr_in *addr) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr->sin_port = 0;
  ASSERT_EQ(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
  socklen_t len = sizeof(*addr);
  ASSERT_EQ(getsockname(fd, (struct sockaddr *)addr, &len), 0);
  return fd;
}

#endif
