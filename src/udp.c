/* Writes over UDP: lines packed into datagrams of whole lines, on a
 * socket the client opens on first use. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_impl.h"
#include "influxc/write.h"

/* Opens the client's UDP socket if it is not open; udp_mu held. */
static influx_status udp_open(influx_client *c, influx_error *err) {
  if (c->udp_fd >= 0)
    return INFLUX_OK;
  struct addrinfo hints = {0}, *ai = NULL;
  hints.ai_socktype = SOCK_DGRAM;
  char port[8];
  snprintf(port, sizeof port, "%d", c->udp_port);
  int rc = getaddrinfo(c->host, port, &hints, &ai);
  if (rc)
    return ierr(err, INFLUX_ERR_NETWORK, "cannot resolve UDP host %.100s: %s",
                c->host, gai_strerror(rc));
  int fd = -1;
  for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen)) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(ai);
  if (fd < 0)
    return ierr(err, INFLUX_ERR_NETWORK, "cannot open UDP socket to %.100s:%d",
                c->host, c->udp_port);
  c->udp_fd = fd;
  return INFLUX_OK;
}

influx_status influx_send_packet(influx_client *c, const char *data, size_t len,
                                 influx_error *err) {
  if (!c || (!data && len))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "send_packet: NULL argument");
  size_t max = (size_t)c->udp_payload_size;
  /* Check every line first: nothing is sent if one cannot fit. */
  size_t line_no = 0;
  for (size_t i = 0; i < len;) {
    const char *nl = memchr(data + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - data) : len;
    if (e - i > max)
      return ierr(err, INFLUX_ERR_TOO_LARGE,
                  "line %zu is %zu bytes, more than the UDP payload size %zu",
                  line_no, e - i, max);
    i = e + 1;
    line_no++;
  }
  /* The socket is opened, used and closed (influx_client_close) under
   * udp_mu, so threads sharing a client never race on it. */
  pthread_mutex_lock(&c->udp_mu);
  influx_status st = udp_open(c, err);
  size_t start = 0;
  while (!st && start < len) {
    /* Take as many whole lines as fit. */
    size_t end = start, last = start;
    while (end < len) {
      const char *nl = memchr(data + end, '\n', len - end);
      size_t e = nl ? (size_t)(nl - data) + 1 : len;
      if (e - start > max + (nl ? 1 : 0) && last > start)
        break;
      last = end = e;
      if (e - start >= max)
        break;
    }
    size_t n = end - start;
    /* The trailing newline may be dropped to stay within the limit. */
    if (n > max)
      n = max;
    if (send(c->udp_fd, data + start, n, 0) < 0)
      st =
          ierr(err, INFLUX_ERR_NETWORK, "UDP send failed: %s", strerror(errno));
    start = end;
  }
  pthread_mutex_unlock(&c->udp_mu);
  return st;
}
