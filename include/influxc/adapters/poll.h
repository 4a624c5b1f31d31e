/* influxc/adapters/poll.h — drives an influx_async context in pull mode
 * (created with hooks NULL) with poll(2). Header-only; no dependency.
 *
 *   influx_async *a;
 *   influx_async_new(client, NULL, &a, &err);
 *   ... start requests ...
 *   while (influx_async_pending(a))
 *     influx_async_poll_once(a, -1);
 */
#ifndef INFLUXC_ADAPTERS_POLL_H
#define INFLUXC_ADAPTERS_POLL_H

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "../async.h"

/* Waits (at most `max_ms`, -1: as long as the context's timer says) for
 * its sockets, then runs what is ready. Returns poll()'s result (-1 with
 * errno on failure; EINTR is not an error: 0). */
static inline int influx_async_poll_once(influx_async *a, int max_ms) {
  struct pollfd small[32], *fds = small;
  int t;
  size_t n = influx_async_pollfds(a, small, 32, &t);
  if (n > 32) {
    fds = (struct pollfd *)malloc(n * sizeof *fds);
    if (!fds)
      return -1;
    n = influx_async_pollfds(a, fds, n, &t);
  }
  if (max_ms >= 0 && (t < 0 || t > max_ms))
    t = max_ms;
  int rc = poll(fds, (nfds_t)n, t);
  if (rc < 0 && errno == EINTR)
    rc = 0;
  if (rc >= 0)
    influx_async_run(a, fds, rc > 0 ? n : 0);
  if (fds != small)
    free(fds);
  return rc;
}

#endif
