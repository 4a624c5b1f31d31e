/* influxc/adapters/libev.h — runs an influx_async context on a libev
 * loop. Header-only; link with libev (Debian: libev-dev).
 *
 *   influx_async *a;
 *   influx_async_libev_new(client, EV_DEFAULT, &a, &err);
 *   ... start requests; ev_run(loop, 0) ...
 */
#ifndef INFLUXC_ADAPTERS_LIBEV_H
#define INFLUXC_ADAPTERS_LIBEV_H

#include <ev.h>
#include <stdlib.h>

#include "../async.h"

typedef struct influx_libev {
  struct ev_loop *loop;
  ev_timer timer;
  influx_async *a;
} influx_libev;

typedef struct influx_libev_sock {
  ev_io io;
  influx_libev *ctx;
} influx_libev_sock;

static inline void influx_libev__on_io(struct ev_loop *loop, ev_io *w,
                                       int revents) {
  (void)loop;
  influx_libev_sock *s = (influx_libev_sock *)w->data;
  influx_async_on_io(s->ctx->a, w->fd,
                     ((revents & EV_READ) ? INFLUX_ASYNC_READ : 0) |
                         ((revents & EV_WRITE) ? INFLUX_ASYNC_WRITE : 0));
}

static inline void influx_libev__watch(void *data, int fd, int events,
                                       void **sock) {
  influx_libev *ctx = (influx_libev *)data;
  influx_libev_sock *s = (influx_libev_sock *)*sock;
  if (s)
    ev_io_stop(ctx->loop, &s->io);
  if (!events) {
    free(s);
    *sock = NULL;
    return;
  }
  if (!s) {
    s = (influx_libev_sock *)calloc(1, sizeof *s);
    if (!s)
      return;
    s->ctx = ctx;
    *sock = s;
  }
  ev_io_init(&s->io, influx_libev__on_io, fd,
             ((events & INFLUX_ASYNC_READ) ? EV_READ : 0) |
                 ((events & INFLUX_ASYNC_WRITE) ? EV_WRITE : 0));
  s->io.data = s;
  ev_io_start(ctx->loop, &s->io);
}

static inline void influx_libev__on_timer(struct ev_loop *loop, ev_timer *w,
                                          int revents) {
  (void)loop;
  (void)revents;
  influx_async_on_timeout(((influx_libev *)w->data)->a);
}

static inline void influx_libev__timer(void *data, long ms) {
  influx_libev *ctx = (influx_libev *)data;
  ev_timer_stop(ctx->loop, &ctx->timer);
  if (ms < 0)
    return;
  ev_timer_set(&ctx->timer, (double)ms / 1000.0, 0.);
  ev_timer_start(ctx->loop, &ctx->timer);
}

static inline void influx_libev__cleanup(void *data) {
  influx_libev *ctx = (influx_libev *)data;
  ev_timer_stop(ctx->loop, &ctx->timer);
  free(ctx);
}

/* A context for client `c` on `loop`. */
static inline influx_status influx_async_libev_new(influx_client *c,
                                                   struct ev_loop *loop,
                                                   influx_async **out,
                                                   influx_error *err) {
  influx_libev *ctx = (influx_libev *)calloc(1, sizeof *ctx);
  if (!ctx)
    return INFLUX_ERR_NOMEM;
  ctx->loop = loop;
  ev_timer_init(&ctx->timer, influx_libev__on_timer, 0., 0.);
  ctx->timer.data = ctx;
  influx_async_hooks h = {0};
  h.data = ctx;
  h.watch = influx_libev__watch;
  h.timer = influx_libev__timer;
  h.cleanup = influx_libev__cleanup;
  influx_status st = influx_async_new(c, &h, out, err);
  if (st) {
    free(ctx);
    return st;
  }
  ctx->a = *out;
  return INFLUX_OK;
}

#endif
