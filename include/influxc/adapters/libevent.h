/* influxc/adapters/libevent.h — runs an influx_async context on a
 * libevent event_base. Header-only; link with libevent (Debian:
 * libevent-dev).
 *
 *   influx_async *a;
 *   influx_async_libevent_new(client, base, &a, &err);
 *   ... start requests; event_base_dispatch(base) ...
 */
#ifndef INFLUXC_ADAPTERS_LIBEVENT_H
#define INFLUXC_ADAPTERS_LIBEVENT_H

#include <event2/event.h>
#include <stdlib.h>

#include "../async.h"

typedef struct influx_libevent {
  struct event_base *base;
  struct event *timer;
  influx_async *a;
} influx_libevent;

static inline void influx_libevent__on_io(evutil_socket_t fd, short what,
                                          void *arg) {
  influx_libevent *ctx = (influx_libevent *)arg;
  influx_async_on_io(ctx->a, (int)fd,
                     ((what & EV_READ) ? INFLUX_ASYNC_READ : 0) |
                         ((what & EV_WRITE) ? INFLUX_ASYNC_WRITE : 0));
}

static inline void influx_libevent__watch(void *data, int fd, int events,
                                          void **sock) {
  influx_libevent *ctx = (influx_libevent *)data;
  struct event *ev = (struct event *)*sock;
  if (ev) {
    event_free(ev);
    *sock = NULL;
  }
  if (!events)
    return;
  ev = event_new(ctx->base, fd,
                 (short)(((events & INFLUX_ASYNC_READ) ? EV_READ : 0) |
                         ((events & INFLUX_ASYNC_WRITE) ? EV_WRITE : 0) |
                         EV_PERSIST),
                 influx_libevent__on_io, ctx);
  if (ev && event_add(ev, NULL) == 0)
    *sock = ev;
  else if (ev)
    event_free(ev);
}

static inline void influx_libevent__on_timer(evutil_socket_t fd, short what,
                                             void *arg) {
  (void)fd;
  (void)what;
  influx_async_on_timeout(((influx_libevent *)arg)->a);
}

static inline void influx_libevent__timer(void *data, long ms) {
  influx_libevent *ctx = (influx_libevent *)data;
  if (ms < 0) {
    evtimer_del(ctx->timer);
    return;
  }
  struct timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  evtimer_add(ctx->timer, &tv);
}

static inline void influx_libevent__cleanup(void *data) {
  influx_libevent *ctx = (influx_libevent *)data;
  event_free(ctx->timer);
  free(ctx);
}

/* A context for client `c` on `base`. */
static inline influx_status influx_async_libevent_new(influx_client *c,
                                                      struct event_base *base,
                                                      influx_async **out,
                                                      influx_error *err) {
  influx_libevent *ctx = (influx_libevent *)calloc(1, sizeof *ctx);
  if (!ctx)
    return INFLUX_ERR_NOMEM;
  ctx->base = base;
  ctx->timer = evtimer_new(base, influx_libevent__on_timer, ctx);
  if (!ctx->timer) {
    free(ctx);
    return INFLUX_ERR_NOMEM;
  }
  influx_async_hooks h = {0};
  h.data = ctx;
  h.watch = influx_libevent__watch;
  h.timer = influx_libevent__timer;
  h.cleanup = influx_libevent__cleanup;
  influx_status st = influx_async_new(c, &h, out, err);
  if (st) {
    influx_libevent__cleanup(ctx);
    return st;
  }
  ctx->a = *out;
  return INFLUX_OK;
}

#endif
