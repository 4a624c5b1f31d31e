/* The non-blocking API on one event-loop adapter (built once per adapter:
 * ADAPTER_POLL, ADAPTER_UV, ADAPTER_LIBEVENT, ADAPTER_LIBEV), from one
 * thread, against real influxd: 1,000 concurrent writes and 1,000
 * concurrent queries with correct results, a chunked query of 1M rows in
 * bounded memory, cancelling, freeing the context from inside a callback,
 * and a server SIGKILLed with requests in flight. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#if defined(ADAPTER_UV)
#include "influxc/adapters/libuv.h"
static uv_loop_t *loop;
static void loop_init(void) { loop = uv_default_loop(); }
static influx_status make(influx_client *c, influx_async **a, influx_error *e) {
  return influx_async_uv_new(c, loop, a, e);
}
static void once(influx_async *a) {
  (void)a;
  uv_run(loop, UV_RUN_ONCE);
}
/* Lets the adapter's closed handles go. */
static void drain(void) { uv_run(loop, UV_RUN_NOWAIT); }
#elif defined(ADAPTER_LIBEVENT)
#include "influxc/adapters/libevent.h"
static struct event_base *base;
static void loop_init(void) { base = event_base_new(); }
static influx_status make(influx_client *c, influx_async **a, influx_error *e) {
  return influx_async_libevent_new(c, base, a, e);
}
static void once(influx_async *a) {
  (void)a;
  event_base_loop(base, EVLOOP_ONCE);
}
static void drain(void) {}
#elif defined(ADAPTER_LIBEV)
#include "influxc/adapters/libev.h"
static struct ev_loop *loop;
static void loop_init(void) { loop = EV_DEFAULT; }
static influx_status make(influx_client *c, influx_async **a, influx_error *e) {
  return influx_async_libev_new(c, loop, a, e);
}
static void once(influx_async *a) {
  (void)a;
  ev_run(loop, EVRUN_ONCE);
}
static void drain(void) {}
#else
#include "influxc/adapters/poll.h"
static void loop_init(void) {}
static influx_status make(influx_client *c, influx_async **a, influx_error *e) {
  return influx_async_new(c, NULL, a, e); /* pull mode */
}
static void once(influx_async *a) { influx_async_poll_once(a, 1000); }
static void drain(void) {}
#endif

static void run_until_done(influx_async *a) {
  while (influx_async_pending(a))
    once(a);
}

/* ---- 1,000 concurrent writes, then 1,000 concurrent queries ---- */

enum { NREQ = 1000, PTS = 10 };
static int done_ok, done_err, wrong;
static char last_err[512];

static void on_write(influx_async *a, const influx_async_reply *r, void *u) {
  (void)a;
  (void)u;
  influx_result_free(r->result); /* the callback's (a statement's result) */
  if (r->status) {
    done_err++;
    snprintf(last_err, sizeof last_err, "%s", r->err->message);
  } else {
    done_ok++;
  }
}

static void on_count(influx_async *a, const influx_async_reply *r, void *u) {
  (void)a;
  int64_t want = (int64_t)(intptr_t)u, n = -1;
  if (r->status) {
    done_err++;
    snprintf(last_err, sizeof last_err, "%s", r->err->message);
    return;
  }
  const influx_series *s = influx_result_series(r->result, 0, 0);
  if (s)
    influx_series_get_int(s, 0, 1, &n);
  if (n != want)
    wrong++;
  influx_result_free(r->result);
  done_ok++;
}

static void test_many_concurrent(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "async");
  influx_async *a;
  influx_error err = {0};
  assert_ok(make(c, &a, &err), &err);
  influx_write_options wo = {.database = db};
  done_ok = done_err = wrong = 0;
  for (int i = 0; i < NREQ; i++) {
    char body[PTS * 48];
    size_t n = 0;
    for (int k = 0; k < PTS; k++)
      n += (size_t)snprintf(body + n, sizeof body - n, "m,w=%d v=%di %d\n", i,
                            k, i * PTS + k + 1);
    assert_ok(
        influx_async_write_lines(a, body, n, &wo, on_write, NULL, NULL, &err),
        &err);
  }
  assert_int_equal(influx_async_pending(a), NREQ);
  run_until_done(a);
  if (done_err)
    fail_msg("%d writes failed: %s", done_err, last_err);
  assert_int_equal(done_ok, NREQ);
  /* Half of them answered in JSON, half in msgpack. */
  influx_query_options qo = {.database = db},
                       qj = {.database = db, .format = INFLUX_FORMAT_JSON};
  done_ok = 0;
  for (int i = 0; i < NREQ; i++)
    assert_ok(influx_async_query(a, "SELECT count(v) FROM m", i % 2 ? &qj : &qo,
                                 on_count, (void *)(intptr_t)(NREQ * PTS), NULL,
                                 &err),
              &err);
  run_until_done(a);
  if (done_err)
    fail_msg("%d queries failed: %s", done_err, last_err);
  assert_int_equal(done_ok, NREQ);
  assert_int_equal(wrong, 0);
  /* A frame and an administrative statement, the same way. */
  int64_t t[3] = {1, 2, 3};
  double v[3] = {0.5, 1.5, 2.5};
  influx_frame *f;
  assert_ok(influx_frame_new(&f, &err), &err);
  assert_ok(influx_frame_set_time(f, t, 3, 1, &err), &err);
  assert_ok(influx_frame_add_float(f, "v", v, NULL, 3, 1, &err), &err);
  influx_frame_write_options fo = {.measurement = "fr", .database = db};
  done_ok = 0;
  assert_ok(influx_async_write_frame(a, f, &fo, on_write, NULL, NULL, &err),
            &err);
  influx_frame_free(f); /* encoded already */
  char create[128];
  snprintf(create, sizeof create, "CREATE DATABASE \"%s_admin\"", db);
  assert_ok(influx_async_query(a, create, NULL, on_write, NULL, NULL, &err),
            &err);
  run_until_done(a);
  assert_int_equal(done_ok, 2);
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM fr"), 3);
  char admin[128];
  snprintf(admin, sizeof admin, "%s_admin", db);
  influx_result *dbs = th_query(c, NULL, "SHOW DATABASES");
  const influx_series *s = influx_result_series(dbs, 0, 0);
  int found = 0;
  for (size_t i = 0; s && i < influx_series_row_count(s); i++)
    found |= !strcmp(influx_series_get_string(s, i, 0), admin);
  influx_result_free(dbs);
  assert_true(found);
  assert_ok(influx_drop_database(c, admin, &err), &err);
  influx_async_free(a);
  drain();
  influx_client_free(c);
}

/* ---- several writes of one caller: later values win ---- */

/* 300 writes of the same 20 series and times, all issued at once: each
 * (series, time) keeps the last write's value, as if they had gone one
 * after another (issue 24: requests in flight at once landed in any
 * order). One write waiting behind others is cancelled: the rest go on. */
static void test_later_writes_win(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "asyncorder");
  influx_async *a;
  influx_error err = {0};
  assert_ok(make(c, &a, &err), &err);
  influx_write_options wo = {.database = db};
  enum { NW = 300, NS = 20 };
  done_ok = done_err = 0;
  influx_async_id cancel_me = 0;
  for (int i = 0; i < NW; i++) {
    char body[NS * 48];
    size_t n = 0;
    for (int s = 0; s < NS; s++)
      n += (size_t)snprintf(body + n, sizeof body - n, "m,s=%d v=%di %d\n", s,
                            i == NW - 2 ? -1 : i, s + 1);
    assert_ok(influx_async_write_lines(a, body, n, &wo, on_write, NULL,
                                       i == NW - 2 ? &cancel_me : NULL, &err),
              &err);
  }
  assert_int_equal(influx_async_cancel(a, cancel_me), INFLUX_OK);
  run_until_done(a);
  assert_int_equal(done_ok, NW - 1);
  assert_int_equal(done_err, 1); /* the cancelled one */
  influx_result *r = th_query(c, db, "SELECT v FROM m GROUP BY s");
  size_t nser = influx_result_series_count(r, 0);
  assert_int_equal(nser, NS);
  for (size_t k = 0; k < nser; k++) {
    const influx_series *s = influx_result_series(r, 0, k);
    int64_t v = -2;
    assert_int_equal(influx_series_row_count(s), 1);
    influx_series_get_int(s, 0, 1, &v);
    assert_int_equal(v, NW - 1);
  }
  influx_result_free(r);
  influx_drop_database(c, db, NULL);
  influx_async_free(a);
  drain();
  influx_client_free(c);
}

/* A body over influxd's max-body-size (the "small" server: 4096 bytes)
 * is cut in halves at line ends and sent in order; one line alone over
 * the limit is refused, saying so and what was stored before it. */
static void test_too_large_is_split(void **state) {
  (void)state;
  influx_client *c = th_client("small", NULL);
  const char *db = th_new_db(c, "async413");
  influx_async *a;
  influx_error err = {0};
  assert_ok(make(c, &a, &err), &err);
  influx_write_options wo = {.database = db};
  enum { NL = 2000 };
  static char body[NL * 40 + 8192];
  size_t n = 0;
  for (int i = 0; i < NL; i++) /* the same series: order matters */
    n += (size_t)snprintf(body + n, sizeof body - n, "m v=%di %d\n", i,
                          i / 2 + 1);
  done_ok = done_err = 0;
  assert_ok(
      influx_async_write_lines(a, body, n, &wo, on_write, NULL, NULL, &err),
      &err);
  run_until_done(a);
  if (done_err)
    fail_msg("the write failed: %s", last_err);
  assert_int_equal(done_ok, 1);
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM m"), NL / 2);
  /* each time written twice: the later value is stored */
  assert_int_equal(th_count(c, db, "SELECT sum(v) FROM m"),
                   (int64_t)(NL / 2) * (NL / 2)); /* the sum of 2t-1 */
  /* 10 short lines, then one of 6000 bytes */
  n = 0;
  for (int i = 0; i < 10; i++)
    n +=
        (size_t)snprintf(body + n, sizeof body - n, "big v=%di %d\n", i, i + 1);
  n += (size_t)snprintf(body + n, sizeof body - n, "big s=\"");
  memset(body + n, 'x', 6000);
  n += 6000;
  n += (size_t)snprintf(body + n, sizeof body - n, "\" 99\n");
  assert_ok(
      influx_async_write_lines(a, body, n, &wo, on_write, NULL, NULL, &err),
      &err);
  run_until_done(a);
  assert_int_equal(done_err, 1);
  assert_non_null(strstr(last_err, "10 lines stored, then"));
  assert_non_null(strstr(last_err, "alone over the server's limit"));
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM big"), 10);
  influx_drop_database(c, db, NULL);
  influx_async_free(a);
  drain();
  influx_client_free(c);
}

/* ---- a chunked query of 1M rows through callbacks ---- */

static size_t rows;
static int on_piece(void *u, int stmt, const influx_series *s) {
  (void)u;
  (void)stmt;
  rows += influx_series_row_count(s);
  return 0;
}

static long max_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static void test_stream_1m_rows_bounded(void **state) {
  (void)state;
  enum { N = 1000000 };
  influx_client *c = th_client("plain", NULL);
  const char *db = "async_stream_1m"; /* shared by the adapters' tests */
  influx_error err = {0};
  assert_ok(influx_create_database(c, db, &err), &err);
  if (th_count(c, db, "SELECT count(v) FROM s") != N) {
    /* Written once, with the blocking API, by a child (whose memory does
     * not count in ours). */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      static char lines[N / 10][40];
      static const char *lp[N / 10];
      influx_write_options wo = {.database = db, .batch_size = 10000};
      for (int part = 0; part < 10; part++) {
        for (int i = 0; i < N / 10; i++) {
          int k = part * (N / 10) + i;
          snprintf(lines[i], sizeof lines[i], "s,h=%d v=%di %d", k % 4, k,
                   k + 1);
          lp[i] = lines[i];
        }
        if (influx_write_lines(c, lp, N / 10, &wo, NULL))
          _exit(1);
      }
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  long before = max_rss_kb();
  influx_async *a;
  assert_ok(make(c, &a, &err), &err);
  influx_query_options qo = {.database = db, .chunk_size = 10000};
  influx_stream_handlers h = {.on_series = on_piece};
  rows = 0;
  done_ok = done_err = 0;
  assert_ok(influx_async_query_stream(a, "SELECT v FROM s", &qo, &h, on_write,
                                      NULL, NULL, &err),
            &err);
  run_until_done(a);
  if (done_err)
    fail_msg("stream failed: %s", last_err);
  assert_int_equal(rows, N);
  long grew_mb = (max_rss_kb() - before) / 1024;
  printf("# 1M rows streamed; peak RSS grew %ld MB\n", grew_mb);
  assert_true(grew_mb < 48); /* the whole result would take ~100 MB */
  influx_async_free(a);
  drain();
  influx_client_free(c);
}

/* ---- cancel, and free from inside a callback ---- */

enum { NCF = 20 };
static int calls[NCF + 1], aborted, freed_returned, after_free;
static influx_async *ctx;

static void on_any(influx_async *a, const influx_async_reply *r, void *u) {
  (void)a;
  int i = (int)(intptr_t)u;
  calls[i]++;
  if (freed_returned)
    after_free++;
  if (r->status == INFLUX_ERR_ABORTED)
    aborted++;
  influx_result_free(r->result);
  if (i != 5 && r->status == INFLUX_OK && ctx) {
    influx_async_free(ctx); /* inside a callback: deferred */
    ctx = NULL;
  }
}

static void test_cancel_and_free_inside_a_callback(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  influx_async *a;
  influx_error err = {0};
  assert_ok(make(c, &a, &err), &err);
  memset(calls, 0, sizeof calls);
  aborted = freed_returned = after_free = 0;
  influx_async_id ids[NCF];
  for (int i = 0; i < NCF; i++)
    assert_ok(influx_async_ping(a, on_any, (void *)(intptr_t)i, &ids[i], &err),
              &err);
  /* Cancelled outside any callback: its callback runs now. */
  assert_int_equal(influx_async_cancel(a, ids[5]), INFLUX_OK);
  assert_int_equal(calls[5], 1);
  assert_int_equal(aborted, 1);
  assert_int_equal(influx_async_cancel(a, ids[5]), INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_async_pending(a), NCF - 1);
  ctx = a;
  while (ctx)
    once(ctx);
  freed_returned = 1;
  drain();
  for (int i = 0; i < NCF; i++)
    assert_int_equal(calls[i], 1); /* each exactly once */
  assert_int_equal(after_free, 0);
  assert_true(aborted >= 1);
  influx_client_free(c);
}

/* ---- a server SIGKILLed with requests in flight ---- */

static char root[128], dir[200];

static int completed, completed_err;
static void on_count_any(influx_async *a, const influx_async_reply *r,
                         void *u) {
  (void)a;
  (void)u;
  completed++;
  completed_err += r->status != INFLUX_OK;
  influx_result_free(r->result);
}

static void test_server_killed_mid_flight(void **state) {
  (void)state;
  snprintf(root, sizeof root, "/tmp/influxc-async-XXXXXX");
  assert_non_null(mkdtemp(root));
  snprintf(dir, sizeof dir, "%s/srv", root);
  th_influxd("start", dir);
  int port = th_dir_int(dir, "port");
  influx_options o = {
      .host = "127.0.0.1", .port = port, .timeout_ms = 5000, .retries = 1};
  influx_client *c;
  influx_error err = {0};
  assert_ok(influx_client_new(&o, &c, &err), &err);
  assert_ok(influx_create_database(c, "k", &err), &err);
  influx_async *a;
  assert_ok(make(c, &a, &err), &err);
  enum { N = 400 };
  static char body[2000 * 32];
  size_t n = 0;
  for (int k = 0; k < 2000; k++)
    n += (size_t)snprintf(body + n, sizeof body - n, "x v=%di %d\n", k, k + 1);
  influx_write_options wo = {.database = "k"};
  influx_query_options qo = {.database = "k"};
  completed = completed_err = 0;
  for (int i = 0; i < N; i++) {
    if (i % 2)
      assert_ok(influx_async_write_lines(a, body, n, &wo, on_count_any, NULL,
                                         NULL, &err),
                &err);
    else
      assert_ok(influx_async_query(a, "SELECT count(v) FROM x", &qo,
                                   on_count_any, NULL, NULL, &err),
                &err);
  }
  while (completed < 20 && influx_async_pending(a))
    once(a);
  kill(th_dir_int(dir, "pid"), SIGKILL);
  run_until_done(a);
  printf("# server killed: %d of %d requests completed, %d with an error\n",
         completed, N, completed_err);
  assert_int_equal(completed, N); /* every one, exactly once */
  assert_true(completed_err > 0);
  influx_async_free(a);
  drain();
  influx_client_free(c);
  th_influxd("stop", dir);
  char line[300];
  snprintf(line, sizeof line, "rm -rf %s", root);
  assert_int_equal(system(line), 0);
}

int main(void) {
  loop_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_many_concurrent),
      cmocka_unit_test(test_later_writes_win),
      cmocka_unit_test(test_too_large_is_split),
      cmocka_unit_test(test_cancel_and_free_inside_a_callback),
      cmocka_unit_test(test_stream_1m_rows_bounded),
      cmocka_unit_test(test_server_killed_mid_flight),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
