/* The client's logic without a server: http_fake answers each request as
 * influxd would, and everything after the transport (statement building,
 * status handling, retries, result building, the writer's batching and
 * spool) runs as it does over the network. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_impl.h"
#include "harness.h"
#include "lanes.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char stmts[64][512]; /* the q parameter of each /query, decoded */
static int nstmts;
static const char *answer_body = "{\"results\":[{\"statement_id\":0}]}";
static int fail_writes; /* answer this many /write calls with 503 */
static int hinted;      /* answer /write with Enterprise's hinted handoff */
static long write_calls, lines_seen, max_lines;
static char *all_lines; /* every line written, in order */
static size_t all_len;

static int hexval(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* The value of `name` in an x-www-form-urlencoded text, decoded. */
static void form_value(const char *qs, size_t n, const char *name, char *out,
                       size_t size) {
  size_t k = strlen(name), o = 0;
  out[0] = 0;
  for (size_t i = 0; i < n;) {
    size_t end = i;
    while (end < n && qs[end] != '&')
      end++;
    if (end - i > k && !memcmp(qs + i, name, k) && qs[i + k] == '=') {
      for (size_t j = i + k + 1; j < end && o + 1 < size; j++) {
        if (qs[j] == '+')
          out[o++] = ' ';
        else if (qs[j] == '%' && j + 2 < end) {
          out[o++] = (char)(hexval(qs[j + 1]) * 16 + hexval(qs[j + 2]));
          j += 2;
        } else
          out[o++] = qs[j];
      }
      out[o] = 0;
      return;
    }
    i = end + 1;
  }
}

static void fake(const http_call *call, http_canned *out) {
  pthread_mutex_lock(&mu);
  if (!strcmp(call->path, "query")) {
    char q[512] = "";
    if (call->qs)
      form_value(call->qs, strlen(call->qs), "q", q, sizeof q);
    if (!q[0] && call->body)
      form_value(call->body, call->body_len, "q", q, sizeof q);
    if (nstmts < 64)
      snprintf(stmts[nstmts++], sizeof stmts[0], "%s", q);
    out->status = 200;
    out->headers = "Content-Type: application/json\r\n";
    out->body = answer_body;
    out->body_len = strlen(answer_body);
  } else if (!strcmp(call->path, "write")) {
    write_calls++;
    if (hinted) {
      out->status = 500;
      out->headers = "Content-Type: application/json\r\n";
      out->body = "{\"error\":\"write failed: hinted handoff queue not "
                  "empty\"}";
      out->body_len = strlen(out->body);
    } else if (fail_writes > 0) {
      fail_writes--;
      out->status = 503;
      out->headers = "Content-Type: application/json\r\n";
      out->body = "{\"error\":\"busy\"}";
      out->body_len = strlen(out->body);
    } else {
      long n = 0;
      for (size_t i = 0; i < call->body_len; i++)
        n += call->body[i] == '\n';
      if (call->body_len && call->body[call->body_len - 1] != '\n')
        n++;
      lines_seen += n;
      if (n > max_lines)
        max_lines = n;
      all_lines = realloc(all_lines, all_len + call->body_len + 1);
      memcpy(all_lines + all_len, call->body, call->body_len);
      all_len += call->body_len;
      all_lines[all_len] = 0;
      out->status = 204;
    }
  } else {
    out->status = 204;
  }
  pthread_mutex_unlock(&mu);
}

static influx_client *client(void) {
  influx_options o = {.host = "127.0.0.1", .port = 1, .database = "d"};
  influx_client *c;
  influx_error err = {0};
  assert_ok(influx_client_new(&o, &c, &err), &err);
  return c;
}

static int setup(void **state) {
  (void)state;
  http_fake = fake;
  nstmts = 0;
  fail_writes = 0;
  hinted = 0;
  write_calls = lines_seen = max_lines = 0;
  free(all_lines);
  all_lines = NULL;
  all_len = 0;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  http_fake = NULL;
  free(all_lines);
  all_lines = NULL;
  return 0;
}

/* Every admin call sends one InfluxQL statement with every identifier
 * double-quoted and every string single-quoted, escaped (InfluxQL's
 * grammar), whatever the names hold. */
static void test_admin_statements(void **state) {
  (void)state;
  influx_client *c = client();
  influx_error err = {0};
  assert_ok(influx_create_database(c, "my\"db", &err), &err);
  assert_ok(influx_drop_database(c, "x\\y", &err), &err);
  assert_ok(influx_drop_measurement(c, "cpu load", &err), &err);
  influx_tag t[] = {{"host", "a'b"}};
  assert_ok(influx_delete_series(c, NULL, "m", t, 1, &err), &err);
  assert_ok(
      influx_create_retention_policy(c, "rp", "1d", 2, "d2", 1, "1h", &err),
      &err);
  assert_ok(
      influx_alter_retention_policy(c, "rp", NULL, "2w", 0, 0, NULL, &err),
      &err);
  assert_ok(influx_drop_retention_policy(c, "rp", NULL, &err), &err);
  assert_ok(influx_create_user(c, "u\"1", "p'w\\", 1, &err), &err);
  assert_ok(influx_set_user_password(c, "u", "new'", &err), &err);
  assert_ok(influx_grant_privilege(c, "read", "d", "u", &err), &err);
  assert_ok(influx_revoke_admin_privileges(c, "u", &err), &err);
  assert_ok(influx_create_continuous_query(c, "cq",
                                           "SELECT mean(v) INTO m2 "
                                           "FROM m GROUP BY time(1m)",
                                           NULL, "EVERY 1m FOR 5m", &err),
            &err);
  assert_ok(influx_drop_user(c, "u", &err), &err);
  const char *want[] = {
      "CREATE DATABASE \"my\\\"db\"",
      "DROP DATABASE \"x\\\\y\"",
      "DROP MEASUREMENT \"cpu load\"",
      "DROP SERIES FROM \"m\" WHERE \"host\" = 'a\\'b'",
      "CREATE RETENTION POLICY \"rp\" ON \"d2\" DURATION 1d REPLICATION 2 "
      "SHARD DURATION 1h DEFAULT",
      "ALTER RETENTION POLICY \"rp\" ON \"d\" DURATION 2w",
      "DROP RETENTION POLICY \"rp\" ON \"d\"",
      "CREATE USER \"u\\\"1\" WITH PASSWORD 'p\\'w\\\\' WITH ALL PRIVILEGES",
      "SET PASSWORD FOR \"u\" = 'new\\''",
      "GRANT READ ON \"d\" TO \"u\"",
      "REVOKE ALL PRIVILEGES FROM \"u\"",
      "CREATE CONTINUOUS QUERY \"cq\" ON \"d\" RESAMPLE EVERY 1m FOR 5m "
      "BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1m) END",
      "DROP USER \"u\"",
  };
  size_t n = sizeof want / sizeof *want;
  assert_int_equal(nstmts, n);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(stmts[i], want[i]);
  /* Refused before anything is sent. */
  assert_int_equal(influx_create_retention_policy(c, "rp", "1d; DROP", 1, NULL,
                                                  0, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_grant_privilege(c, "everything", "d", "u", &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(nstmts, n);
  influx_client_free(c);
}

/* Result building from an answer: statements, an error kept in its
 * statement, series with tags, typed values, exact ns times. */
static void test_result_building(void **state) {
  (void)state;
  answer_body =
      "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\","
      "\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"v\",\"s\"],"
      "\"values\":[[1500000000000000001,1.5,\"x\"],[1500000000000000002,"
      "null,\"y\"]]}]},{\"statement_id\":1,\"error\":\"boom\"}]}";
  influx_client *c = client();
  influx_error err = {0};
  influx_result *r = NULL;
  influx_query_options qo = {.epoch = "ns", .keep_statement_errors = 1};
  assert_ok(influx_query(c, "SELECT v, s FROM cpu; SELECT bad", &qo, &r, &err),
            &err);
  assert_int_equal(influx_result_count(r), 2);
  assert_null(influx_result_error(r, 0));
  assert_string_equal(influx_result_error(r, 1), "boom");
  assert_int_equal(influx_result_series_count(r, 0), 1);
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_string_equal(influx_series_name(s), "cpu");
  assert_string_equal(influx_series_tag(s, "host"), "a");
  assert_int_equal(influx_series_row_count(s), 2);
  int64_t t;
  double v;
  assert_int_equal(influx_series_get_int(s, 1, 0, &t), INFLUX_OK);
  assert_true(t == 1500000000000000002LL);
  assert_int_equal(influx_series_get_float(s, 0, 1, &v), INFLUX_OK);
  assert_true(v == 1.5);
  assert_true(influx_series_is_null(s, 1, 1));
  assert_string_equal(influx_series_get_string(s, 1, 2), "y");
  influx_result_free(r);
  /* Without keep_statement_errors the error is the call's. */
  r = NULL;
  assert_int_equal(influx_query(c, "SELECT 1", NULL, &r, &err),
                   INFLUX_ERR_STATEMENT);
  assert_non_null(strstr(err.message, "boom"));
  influx_result_free(r);
  answer_body = "{\"results\":[{\"statement_id\":0}]}";
  influx_client_free(c);
}

static void fill_points(influx_point *p, influx_field *f, size_t n) {
  for (size_t i = 0; i < n; i++) {
    f[i] = (influx_field)INFLUX_F_INT("v", (int64_t)i);
    p[i] = (influx_point){.measurement = "m",
                          .fields = &f[i],
                          .nfields = 1,
                          .time = (int64_t)i + 1,
                          .has_time = 1};
  }
}

/* Every line of what was written, once each, in order. */
static void expect_lines_in_order(size_t n) {
  size_t k = 0;
  char want[64];
  const char *p = all_lines ? all_lines : "";
  for (size_t i = 0; i < n; i++) {
    int len = snprintf(want, sizeof want, "m v=%zui %zu\n", i, i + 1);
    if (strncmp(p + k, want, (size_t)len))
      fail_msg("line %zu: want %s got %.40s", i, want, p + k);
    k += (size_t)len;
  }
  assert_int_equal(k, all_len);
}

/* The writer's batching: batches of at most batch_size points, every point
 * once, in order (one request at a time). */
static void test_writer_batches(void **state) {
  (void)state;
  enum { N = 10000 };
  static influx_point p[N];
  static influx_field f[N];
  fill_points(p, f, N);
  influx_client *c = client();
  influx_writer_options wo = {.batch_size = 700, .parallel = 1};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &wo, &w, &err), &err);
  for (size_t i = 0; i < N; i += 250)
    assert_ok(influx_writer_write(w, p + i, 250, &err), &err);
  influx_writer_stats st;
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(st.written, N);
  assert_int_equal(lines_seen, N);
  assert_true(max_lines <= 700);
  assert_true(write_calls >= N / 700);
  expect_lines_in_order(N);
  influx_client_free(c);
}

/* Spooled batches left in `dir` (its lock file stays). */
static size_t files_in(const char *dir) {
  DIR *d = opendir(dir);
  size_t n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    n += e->d_name[0] != '.' && strcmp(e->d_name, "lock");
  if (d)
    closedir(d);
  return n;
}

/* The spool: 503s are retried from the spooled batches, every point is
 * delivered once and in order, and the spool is empty afterwards. */
static void test_writer_spool_retries(void **state) {
  (void)state;
  enum { N = 3000 };
  static influx_point p[N];
  static influx_field f[N];
  fill_points(p, f, N);
  char dir[] = "/tmp/influxc-spool-XXXXXX";
  assert_non_null(mkdtemp(dir));
  fail_writes = 3;
  influx_client *c = client();
  influx_writer_options wo = {.batch_size = 1000,
                              .parallel = 1,
                              .spool_dir = dir,
                              .retry_interval_ms = 1,
                              .max_retry_delay_ms = 2,
                              .max_retries = 10};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &wo, &w, &err), &err);
  assert_ok(influx_writer_write(w, p, N, &err), &err);
  influx_writer_stats st;
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(st.written, N);
  assert_int_equal(st.rejected, 0);
  assert_int_equal(write_calls, 3 + 3); /* 3 refused, 3 batches stored */
  expect_lines_in_order(N);
  assert_int_equal(files_in(dir), 0);
  char lock[64];
  snprintf(lock, sizeof lock, "%s/lock", dir);
  unlink(lock);
  rmdir(dir);
  influx_client_free(c);
}

/* InfluxDB Enterprise answers 500 "hinted handoff queue not empty" when
 * the write is stored and only its copy to another data node waits: that
 * is success, at once (not retried), for every host of a replicated
 * write, for failover and for one host. */
static void test_hinted_handoff_is_stored(void **state) {
  (void)state;
  hinted = 1;
  for (int mode = 0; mode < 3; mode++) {
    influx_options o = {.host = mode == 2 ? "127.0.0.1:1"
                                          : "127.0.0.1:1,127.0.0.1:2",
                        .database = "d",
                        .write_mode = mode == 1 ? INFLUX_WRITE_REPLICATE
                                                : INFLUX_WRITE_FAILOVER,
                        .ack = INFLUX_ACK_ALL};
    influx_client *c;
    influx_error err = {0};
    assert_ok(influx_client_new(&o, &c, &err), &err);
    const char *lines[] = {"m v=1i 1", "m v=2i 2"};
    write_calls = 0;
    assert_ok(influx_write_lines(c, lines, 2, NULL, &err), &err);
    assert_int_equal(write_calls, mode == INFLUX_WRITE_REPLICATE ? 2 : 1);
    for (size_t i = 0; mode == INFLUX_WRITE_REPLICATE && i < 2; i++) {
      influx_host_status hs;
      assert_ok(influx_client_host_status(c, i, &hs, &err), &err);
      assert_int_equal(hs.points_stored, 2);
      assert_int_equal(hs.batches_queued, 0);
    }
    influx_client_free(c);
  }
}

/* influx_write_from's promise: the source is called on the calling
 * thread only, one call at a time, while batches are sent by workers (the
 * Python package's write_points relies on it for its thread state). */
typedef struct thread_source {
  pthread_t caller;
  int inside, calls, wrong_thread, overlapped;
  long next, n;
  influx_field f;
} thread_source;

static long from_caller(void *u, influx_point *buf, size_t cap) {
  thread_source *s = u;
  if (!pthread_equal(pthread_self(), s->caller))
    s->wrong_thread++;
  if (s->inside++)
    s->overlapped++;
  s->calls++;
  long k = 0;
  s->f = (influx_field){.key = "v", .type = INFLUX_FIELD_INT, .v.i = 1};
  for (; (size_t)k < cap && s->next < s->n; k++, s->next++)
    buf[k] = (influx_point){.measurement = "m",
                            .fields = &s->f,
                            .nfields = 1,
                            .time = s->next,
                            .has_time = 1};
  usleep(100); /* give the senders time to call back if they would */
  s->inside--;
  return k;
}

static void test_write_from_calls_on_caller(void **state) {
  (void)state;
  for (int mode = 0; mode < 2; mode++) {
    influx_options o = {.host = "127.0.0.1:1,127.0.0.1:2",
                        .database = "d",
                        .pool_size = 2,
                        .write_mode = mode ? INFLUX_WRITE_REPLICATE
                                           : INFLUX_WRITE_FAILOVER};
    influx_client *c;
    influx_error err = {0};
    assert_ok(influx_client_new(&o, &c, &err), &err);
    thread_source s = {.caller = pthread_self(), .n = 3000};
    influx_write_options wo = {.batch_size = 100, .parallel = 2};
    influx_write_report rep;
    lines_seen = 0;
    assert_ok(influx_write_from(c, from_caller, &s, &wo, &rep, &err), &err);
    assert_int_equal(rep.points_written, 3000);
    assert_int_equal(lines_seen, mode ? 6000 : 3000);
    assert_true(s.calls > 10);
    assert_int_equal(s.wrong_thread, 0);
    assert_int_equal(s.overlapped, 0);
    influx_client_free(c);
  }
}

/* One series, however its line spells it, hashes alike; other series do
 * not; and a series stays in its lane while a batch of it is unfinished. */
static void test_series_lanes(void **state) {
  (void)state;
#define H(x) series_hash(x, strlen(x))
  assert_true(H("cpu,a=1,b=2 v=1 5") == H("cpu,b=2,a=1 v=2 6"));
  assert_true(H("cpu,a=1,b=2 v=1") == H("  cpu,a=1,b=2 x=\"y\""));
  assert_true(H("cpu,a=1,b=2") == H("cpu,a=1,b=2 v=1"));
  assert_true(H("c\\pu,a=x\\ y v=1") == H("c\\pu,a=x\\ y w=2"));
  assert_true(H("cpu,a=1,b=2 v=1") != H("cpu,a=2,b=1 v=1"));
  assert_true(H("cpu,a=1 v=1") != H("cpu v=1"));
  assert_true(H("cpu,a=1 v=1") != H("cpu,a=1,a=1 v=1"));
  assert_true(H("cpu v=1") != H("mem v=1"));
  assert_true(H("a\\,b v=1") != H("a,b v=1"));
  assert_true(H("m,k=a\\ b v=1") != H("m,k=a b v=1"));
#undef H
  lanes l;
  assert_int_equal(lanes_init(&l, 3), 0);
  const char *a = "cpu,h=a v=1", *b = "cpu,h=b v=1";
  unsigned la = lanes_pick(&l, a, strlen(a));
  lanes_placed(&l);
  unsigned lb = lanes_pick(&l, b, strlen(b));
  lanes_placed(&l);
  assert_int_not_equal(la, lb); /* new series spread over the lanes */
  /* While a's batch is open, sealed or in flight, a keeps its lane. */
  for (int i = 0; i < 5; i++) {
    assert_int_equal(lanes_pick(&l, a, strlen(a)), la);
    lanes_placed(&l);
  }
  lanes_sealed(&l, la);
  assert_int_equal(lanes_pick(&l, a, strlen(a)), la);
  lanes_placed(&l); /* now in la's second batch */
  lanes_finished(&l, la);
  assert_int_equal(lanes_pick(&l, a, strlen(a)), la);
  lanes_placed(&l);
  lanes_sealed(&l, la);
  lanes_finished(&l, la);
  /* Every batch holding a is finished: it may move. */
  (void)lanes_pick(&l, a, strlen(a));
  assert_int_equal(lanes_pick(&l, b, strlen(b)), lb);
  lanes_free(&l);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_series_lanes),
      cmocka_unit_test_setup_teardown(test_admin_statements, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hinted_handoff_is_stored, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_result_building, setup, teardown),
      cmocka_unit_test_setup_teardown(test_write_from_calls_on_caller, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_writer_batches, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_spool_retries, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
