/* The non-blocking API on an event loop: 100 writes and a query in flight
 * at once from one thread, then the count read back. Built once per
 * adapter (example_async_poll, _uv, _libevent, _libev); the lines between
 * #if and #endif are all an adapter needs.
 * usage: example_async_X [DSN]   (default influxdb://127.0.0.1:8086/tour) */
#include <stdio.h>
#include <stdlib.h>

#include <influxc.h>

#if defined(ADAPTER_UV)
#include <influxc/adapters/libuv.h>
#define LOOP_SETUP uv_loop_t *loop = uv_default_loop()
#define NEW_ASYNC(c, a, e) influx_async_uv_new(c, loop, a, e)
#define RUN_LOOP(a) uv_run(loop, UV_RUN_ONCE)
#elif defined(ADAPTER_LIBEVENT)
#include <influxc/adapters/libevent.h>
#define LOOP_SETUP struct event_base *base = event_base_new()
#define NEW_ASYNC(c, a, e) influx_async_libevent_new(c, base, a, e)
#define RUN_LOOP(a) event_base_loop(base, EVLOOP_ONCE)
#elif defined(ADAPTER_LIBEV)
#include <influxc/adapters/libev.h>
#define LOOP_SETUP struct ev_loop *loop = EV_DEFAULT
#define NEW_ASYNC(c, a, e) influx_async_libev_new(c, loop, a, e)
#define RUN_LOOP(a) ev_run(loop, EVRUN_ONCE)
#else /* the program's own poll(): pull mode, no hooks */
#include <influxc/adapters/poll.h>
#define LOOP_SETUP
#define NEW_ASYNC(c, a, e) influx_async_new(c, NULL, a, e)
#define RUN_LOOP(a) influx_async_poll_once(a, -1)
#endif

static int failed;

static void on_write(influx_async *a, const influx_async_reply *r, void *u) {
  (void)a;
  (void)u;
  if (r->status) {
    fprintf(stderr, "write: %s\n", r->err->message);
    failed = 1;
  }
}

static void on_count(influx_async *a, const influx_async_reply *r, void *u) {
  (void)a;
  (void)u;
  int64_t n = 0;
  const influx_series *s = influx_result_series(r->result, 0, 0);
  if (r->status) {
    fprintf(stderr, "query: %s\n", r->err->message);
    failed = 1;
  } else if (s && !influx_series_get_int(s, 0, 1, &n)) {
    printf("the server holds %lld points of async_example\n", (long long)n);
  }
  influx_result_free(r->result); /* the result is the callback's */
}

int main(int argc, char **argv) {
  const char *dsn = argc > 1 ? argv[1] : "influxdb://127.0.0.1:8086/tour";
  influx_error err;
  influx_client *c;
  if (influx_client_from_dsn(dsn, NULL, &c, &err) ||
      influx_create_database(c, influx_client_database(c), &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  LOOP_SETUP;
  influx_async *a;
  if (NEW_ASYNC(c, &a, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  for (int i = 0; i < 100; i++) { /* 100 requests at once */
    char line[64];
    int n = snprintf(line, sizeof line, "async_example v=%di %d\n", i, i + 1);
    influx_async_write_lines(a, line, (size_t)n, NULL, on_write, NULL, NULL,
                             &err);
  }
  while (influx_async_pending(a))
    RUN_LOOP(a);
  influx_async_query(a, "SELECT count(v) FROM async_example", NULL, on_count,
                     NULL, NULL, &err);
  while (influx_async_pending(a))
    RUN_LOOP(a);
  influx_async_free(a);
  influx_client_free(c);
  return failed;
}
