/* influxc/adapters/libuv.h — runs an influx_async context on a libuv
 * loop. Header-only; link with libuv (Debian: libuv1-dev).
 *
 *   influx_async *a;
 *   influx_async_uv_new(client, uv_default_loop(), &a, &err);
 *   ... start requests; uv_run(loop, UV_RUN_DEFAULT) ...
 *   influx_async_free(a);   (the adapter's handles close on the loop)
 */
#ifndef INFLUXC_ADAPTERS_LIBUV_H
#define INFLUXC_ADAPTERS_LIBUV_H

#include <stdlib.h>
#include <uv.h>

#include "../async.h"

typedef struct influx_uv {
  uv_loop_t *loop;
  uv_timer_t timer;
  influx_async *a;
} influx_uv;

typedef struct influx_uv_sock {
  uv_poll_t poll;
  influx_uv *ctx;
  int fd;
} influx_uv_sock;

static inline void influx_uv__on_poll(uv_poll_t *p, int status, int events) {
  influx_uv_sock *s = (influx_uv_sock *)p->data;
  int ev = status < 0 ? INFLUX_ASYNC_READ | INFLUX_ASYNC_WRITE
                      : ((events & UV_READABLE) ? INFLUX_ASYNC_READ : 0) |
                            ((events & UV_WRITABLE) ? INFLUX_ASYNC_WRITE : 0);
  influx_async_on_io(s->ctx->a, s->fd, ev);
}

static inline void influx_uv__free_handle(uv_handle_t *h) { free(h->data); }

static inline void influx_uv__watch(void *data, int fd, int events,
                                    void **sock) {
  influx_uv *ctx = (influx_uv *)data;
  influx_uv_sock *s = (influx_uv_sock *)*sock;
  if (!events) {
    if (s) {
      uv_poll_stop(&s->poll);
      uv_close((uv_handle_t *)&s->poll, influx_uv__free_handle);
      *sock = NULL;
    }
    return;
  }
  if (!s) {
    s = (influx_uv_sock *)calloc(1, sizeof *s);
    if (!s)
      return;
    s->ctx = ctx;
    s->fd = fd;
    if (uv_poll_init_socket(ctx->loop, &s->poll, fd)) {
      free(s);
      return;
    }
    s->poll.data = s;
    *sock = s;
  }
  uv_poll_start(&s->poll,
                ((events & INFLUX_ASYNC_READ) ? UV_READABLE : 0) |
                    ((events & INFLUX_ASYNC_WRITE) ? UV_WRITABLE : 0),
                influx_uv__on_poll);
}

static inline void influx_uv__on_timer(uv_timer_t *t) {
  influx_async_on_timeout(((influx_uv *)t->data)->a);
}

static inline void influx_uv__timer(void *data, long ms) {
  influx_uv *ctx = (influx_uv *)data;
  if (ms < 0)
    uv_timer_stop(&ctx->timer);
  else
    uv_timer_start(&ctx->timer, influx_uv__on_timer, (uint64_t)ms, 0);
}

static inline void influx_uv__free_ctx(uv_handle_t *h) { free(h->data); }

static inline void influx_uv__cleanup(void *data) {
  influx_uv *ctx = (influx_uv *)data;
  uv_timer_stop(&ctx->timer);
  uv_close((uv_handle_t *)&ctx->timer, influx_uv__free_ctx);
}

/* A context for client `c` on `loop`. */
static inline influx_status influx_async_uv_new(influx_client *c,
                                                uv_loop_t *loop,
                                                influx_async **out,
                                                influx_error *err) {
  influx_uv *ctx = (influx_uv *)calloc(1, sizeof *ctx);
  if (!ctx)
    return INFLUX_ERR_NOMEM;
  ctx->loop = loop;
  uv_timer_init(loop, &ctx->timer);
  ctx->timer.data = ctx;
  influx_async_hooks h = {0};
  h.data = ctx;
  h.watch = influx_uv__watch;
  h.timer = influx_uv__timer;
  h.cleanup = influx_uv__cleanup;
  influx_status st = influx_async_new(c, &h, out, err);
  if (st) {
    uv_close((uv_handle_t *)&ctx->timer, influx_uv__free_ctx);
    return st;
  }
  ctx->a = *out;
  return INFLUX_OK;
}

#endif
