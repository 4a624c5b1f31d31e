/* Queries and result sets against a real influxd: both wire formats,
 * chunked streams, statement errors, partial results, bind params, epochs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static influx_client *cli;
static const char *db;
static const int64_t T0 = 1599998400000000000LL; /* ns, a whole hour */

static int setup(void **state) {
  (void)state;
  cli = th_client("plain", NULL);
  db = th_new_db(cli, "q");
  static influx_point pts[40];
  static influx_tag tags[40][2];
  static influx_field f[40][4];
  static const char *hosts[] = {"a", "b", "' OR 1=1 --", "x\"y\\z"};
  for (int i = 0; i < 40; i++) {
    tags[i][0] = (influx_tag){"host", hosts[i % 4]};
    tags[i][1] = (influx_tag){"region", i < 20 ? "eu" : "us"};
    f[i][0] = (influx_field)INFLUX_F_FLOAT("value", i + 0.5);
    f[i][1] = (influx_field)INFLUX_F_INT("count", i);
    f[i][2] = (influx_field)INFLUX_F_BOOL("flag", i % 2);
    f[i][3] =
        (influx_field)INFLUX_F_STRING("msg", i % 3 ? "ok" : "it's \"odd\"");
    pts[i] = (influx_point){
        "cpu", tags[i], 2, f[i], 4, T0 + (int64_t)i * 3600000000000LL, 1, NULL};
  }
  influx_error err = {0};
  if (influx_write_points(cli, pts, 40, &(influx_write_options){.database = db},
                          &err))
    fail_msg("setup write: %s", err.message);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  influx_drop_database(cli, db, NULL);
  influx_client_free(cli);
  return 0;
}

static influx_status q(const char *text, influx_query_options *o,
                       influx_result **r, influx_error *err) {
  if (!o->database)
    o->database = db;
  return influx_query(cli, text, o, r, err);
}

static void test_groups_keys_and_find(void **state) {
  (void)state;
  for (int fmt = 1; fmt <= 2; fmt++) {
    influx_query_options o = {.format = (influx_format)fmt};
    influx_result *r = NULL;
    influx_error err = {0};
    assert_int_equal(q("SELECT value, count, flag, msg FROM cpu GROUP BY host",
                       &o, &r, &err),
                     INFLUX_OK);
    assert_int_equal(influx_result_count(r), 1);
    assert_int_equal(influx_result_series_count(r, 0), 4);
    size_t cur = 0;
    influx_tag want[] = {{"host", "' OR 1=1 --"}};
    const influx_series *s = influx_result_find(r, 0, "cpu", want, 1, &cur);
    assert_non_null(s);
    assert_string_equal(influx_series_tag(s, "host"), "' OR 1=1 --");
    assert_int_equal(influx_series_row_count(s), 10);
    assert_null(influx_result_find(r, 0, "cpu", want, 1, &cur));
    cur = 0;
    size_t n = 0;
    while (influx_result_find(r, 0, "cpu", NULL, 0, &cur))
      n++;
    assert_int_equal(n, 4);
    cur = 0;
    assert_null(influx_result_find(r, 0, "mem", NULL, 0, &cur));
    /* Typed values, exact on both wire formats. */
    for (size_t row = 0; row < 10; row++) {
      int i = 2 + 4 * (int)row;
      const influx_value *t = influx_series_get(s, row, "time");
      assert_int_equal(t->type, INFLUX_VALUE_TIME);
      assert_int_equal(t->v.i, T0 + (int64_t)i * 3600000000000LL);
      double v;
      assert_int_equal(
          influx_series_get_float(
              s, row, (size_t)influx_series_column_index(s, "value"), &v),
          INFLUX_OK);
      assert_true(v == i + 0.5);
      assert_int_equal(influx_series_get(s, row, "count")->v.i, i);
      assert_int_equal(influx_series_get(s, row, "flag")->type,
                       INFLUX_VALUE_BOOL);
      assert_string_equal(influx_series_get(s, row, "msg")->v.s,
                          i % 3 ? "ok" : "it's \"odd\"");
    }
    influx_result_free(r);
  }
}

static void test_multi_statement_and_errors(void **state) {
  (void)state;
  /* influxd 1.6 stops at the first failing statement; what it reports for
   * it ("database not found" or "not executed") varies, so the tests
   * check that an error is there, on the right statement. */
  const char *text = "SELECT count(value) FROM cpu WHERE region = 'us'; "
                     "SELECT * FROM \"nope_db\"..cpu";
  influx_query_options o = {0};
  influx_result *r = NULL;
  influx_error err = {0};
  /* Raised: the failing statement is named; the result is still there. */
  assert_int_equal(q(text, &o, &r, &err), INFLUX_ERR_STATEMENT);
  assert_non_null(strstr(err.message, "statement 1: "));
  assert_int_equal(influx_result_count(r), 2);
  influx_result_free(r);
  /* Kept (raise_errors=False). */
  o.keep_statement_errors = 1;
  assert_int_equal(q(text, &o, &r, &err), INFLUX_OK);
  assert_null(influx_result_error(r, 0));
  assert_non_null(influx_result_error(r, 1));
  int64_t n;
  assert_int_equal(
      influx_series_get_int(influx_result_series(r, 0, 0), 0, 1, &n),
      INFLUX_OK);
  assert_int_equal(n, 20);
  influx_result_free(r);
  /* Three good statements give three results. */
  assert_int_equal(q("SELECT count(value) FROM cpu; SHOW MEASUREMENTS; "
                     "SELECT count(flag) FROM cpu",
                     &o, &r, &err),
                   INFLUX_OK);
  assert_int_equal(influx_result_count(r), 3);
  assert_int_equal(influx_result_statement_id(r, 2), 2);
  influx_result_free(r);
  /* A query the server cannot parse: a client error with its message. */
  o.keep_statement_errors = 0;
  assert_int_equal(q("SELEC nonsense", &o, &r, &err), INFLUX_ERR_CLIENT);
  assert_non_null(strstr(err.message, "error parsing query"));
  influx_result_free(r);
}

typedef struct sink {
  size_t calls, rows, max_rows, errors;
  int stmt_seen[4];
  int abort_after;
} sink;

static int on_series(void *u, int stmt, const influx_series *s) {
  sink *k = u;
  k->calls++;
  k->rows += influx_series_row_count(s);
  if (influx_series_row_count(s) > k->max_rows)
    k->max_rows = influx_series_row_count(s);
  if (stmt >= 0 && stmt < 4)
    k->stmt_seen[stmt]++;
  return k->abort_after && (int)k->calls >= k->abort_after;
}

static int on_err(void *u, int stmt, const char *msg) {
  sink *k = u;
  (void)stmt;
  assert_true(strlen(msg) > 0);
  k->errors++;
  return 0;
}

static void test_chunked(void **state) {
  (void)state;
  for (int fmt = 1; fmt <= 2; fmt++) {
    /* Merged into whole series. */
    influx_query_options o = {
        .chunked = 1, .chunk_size = 3, .format = (influx_format)fmt};
    influx_result *r = NULL;
    influx_error err = {0};
    assert_int_equal(q("SELECT * FROM cpu GROUP BY region", &o, &r, &err),
                     INFLUX_OK);
    assert_int_equal(influx_result_series_count(r, 0), 2);
    assert_int_equal(influx_series_row_count(influx_result_series(r, 0, 0)),
                     20);
    assert_int_equal(influx_series_row_count(influx_result_series(r, 0, 1)),
                     20);
    assert_false(influx_result_partial(r, 0));
    influx_result_free(r);
    /* Streamed: at most chunk_size rows per call; errors reported. */
    sink k = {0};
    influx_stream_handlers h = {
        .on_series = on_series, .on_error = on_err, .user = &k};
    assert_int_equal(
        influx_query_stream(cli,
                            "SELECT * FROM cpu; SELECT count(value) FROM cpu;"
                            " SELECT * FROM \"nope_db\"..cpu",
                            &o, &h, &err),
        INFLUX_OK);
    assert_int_equal(k.rows, 41);
    assert_true(k.max_rows <= 3);
    assert_true(k.calls >= 14);
    assert_int_equal(k.errors, 1);
    assert_int_equal(k.stmt_seen[1], 1);
    /* Without an error handler a statement error stops the stream. */
    sink k2 = {0};
    influx_stream_handlers h2 = {
        .on_series = on_series, .on_error = NULL, .user = &k2};
    assert_int_equal(influx_query_stream(cli, "SELECT * FROM \"nope_db\"..cpu",
                                         &o, &h2, &err),
                     INFLUX_ERR_STATEMENT);
    assert_non_null(strstr(err.message, "database not found"));
    /* The callback can stop the stream. */
    sink k3 = {.abort_after = 2};
    influx_stream_handlers h3 = {
        .on_series = on_series, .on_error = NULL, .user = &k3};
    assert_int_equal(
        influx_query_stream(cli, "SELECT * FROM cpu", &o, &h3, &err),
        INFLUX_ERR_ABORTED);
    assert_int_equal(k3.calls, 2);
  }
}

static void test_partial_results(void **state) {
  (void)state;
  influx_client *c = th_client("limited", NULL);
  const char *ldb = th_new_db(c, "lim");
  char lines[512] = "";
  for (int i = 0; i < 12; i++)
    snprintf(lines + strlen(lines), sizeof lines - strlen(lines),
             "m v=%di %d\n", i, i + 1);
  influx_error err = {0};
  assert_ok(influx_write(c, lines, strlen(lines),
                         &(influx_write_options){.database = ldb}, &err),
            &err);
  for (int fmt = 1; fmt <= 2; fmt++) {
    /* Default (chunked) responses are not cut at max-row-limit. */
    influx_query_options o = {.database = ldb, .format = (influx_format)fmt};
    influx_result *r = NULL;
    assert_ok(influx_query(c, "SELECT v FROM m", &o, &r, &err), &err);
    assert_false(influx_result_partial(r, 0));
    assert_int_equal(influx_series_row_count(influx_result_series(r, 0, 0)),
                     12);
    influx_result_free(r);
    /* A classic response is truncated, and that is reported. */
    o.unchunked = 1;
    assert_int_equal(influx_query(c, "SELECT v FROM m", &o, &r, &err),
                     INFLUX_ERR_PARTIAL);
    assert_non_null(strstr(err.message, "partial"));
    assert_non_null(r);
    assert_true(influx_result_partial(r, 0));
    assert_int_equal(influx_series_row_count(influx_result_series(r, 0, 0)), 5);
    influx_result_free(r);
    o.allow_partial = 1;
    assert_ok(influx_query(c, "SELECT v FROM m", &o, &r, &err), &err);
    assert_true(influx_result_partial(r, 0));
    influx_result_free(r);
  }
  influx_drop_database(c, ldb, NULL);
  influx_client_free(c);
}

static size_t rows_for(influx_param *p, size_t np, const char *where) {
  char text[256];
  snprintf(text, sizeof text, "SELECT count(value) FROM cpu WHERE %s", where);
  influx_query_options o = {.bind_params = p, .nbind_params = np};
  influx_result *r = NULL;
  influx_error err = {0};
  if (q(text, &o, &r, &err))
    fail_msg("%s: %s", text, err.message);
  int64_t n = 0;
  const influx_series *s = influx_result_series(r, 0, 0);
  if (s)
    influx_series_get_int(s, 0, 1, &n);
  influx_result_free(r);
  return (size_t)n;
}

static void test_bind_params(void **state) {
  (void)state;
  influx_param p[] = {{"h", influx_value_string("' OR 1=1 --")}};
  assert_int_equal(rows_for(p, 1, "host = $h"), 10);
  p[0].value = influx_value_string("x\"y\\z");
  assert_int_equal(rows_for(p, 1, "host = $h"), 10);
  p[0].value = influx_value_string("a' OR host = 'b");
  assert_int_equal(rows_for(p, 1, "host = $h"), 0);
  p[0].value = influx_value_int(7);
  assert_int_equal(rows_for(p, 1, "\"count\" = $h"), 1);
  p[0].value = influx_value_float(30.0);
  assert_int_equal(rows_for(p, 1, "value > $h"), 10);
  p[0].value = influx_value_bool(1);
  assert_int_equal(rows_for(p, 1, "flag = $h"), 20);
  influx_param two[] = {{"r", influx_value_string("eu")},
                        {"n", influx_value_int(10)}};
  assert_int_equal(rows_for(two, 2, "region = $r AND \"count\" < $n"), 10);
  /* Bad params are refused before sending. */
  influx_query_options o = {.bind_params = p, .nbind_params = 1};
  p[0].value = influx_value_float(1.0 / 0.0);
  influx_result *r = NULL;
  influx_error err = {0};
  assert_int_equal(q("SELECT * FROM cpu WHERE value > $h", &o, &r, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_null(r);
  p[0].name = "";
  p[0].value = influx_value_int(1);
  assert_int_equal(q("SELECT * FROM cpu", &o, &r, &err),
                   INFLUX_ERR_INVALID_ARG);
}

static void test_epochs(void **state) {
  (void)state;
  static const struct {
    const char *e;
    int64_t unit;
  } ep[] = {{"h", 3600000000000LL}, {"m", 60000000000LL}, {"s", 1000000000LL},
            {"ms", 1000000LL},      {"u", 1000LL},        {"ns", 1}};
  for (size_t k = 0; k < 6; k++)
    for (int fmt = 1; fmt <= 2; fmt++) {
      influx_query_options o = {.epoch = ep[k].e, .format = (influx_format)fmt};
      influx_result *r = NULL;
      influx_error err = {0};
      assert_int_equal(q("SELECT value FROM cpu LIMIT 3", &o, &r, &err),
                       INFLUX_OK);
      const influx_series *s = influx_result_series(r, 0, 0);
      const influx_value *t = influx_series_value(s, 2, 0);
      assert_int_equal(t->type, INFLUX_VALUE_TIME);
      assert_int_equal(t->v.i, T0 + 2 * 3600000000000LL);
      influx_result_free(r);
      o.raw_time = 1;
      assert_int_equal(q("SELECT value FROM cpu LIMIT 3", &o, &r, &err),
                       INFLUX_OK);
      t = influx_series_value(influx_result_series(r, 0, 0), 2, 0);
      assert_int_equal(t->type, INFLUX_VALUE_INT);
      assert_int_equal(t->v.i, (T0 + 2 * 3600000000000LL) / ep[k].unit);
      influx_result_free(r);
    }
  /* RFC3339 with raw_time keeps the text; nanoseconds survive. */
  influx_error err = {0};
  influx_write_options wo = {.database = db};
  assert_ok(influx_write(cli, "ns v=1 1600000000123456789", 26, &wo, &err),
            &err);
  influx_query_options o = {.raw_time = 1, .format = INFLUX_FORMAT_JSON};
  influx_result *r = NULL;
  assert_int_equal(q("SELECT v FROM ns", &o, &r, &err), INFLUX_OK);
  assert_string_equal(
      influx_series_get_string(influx_result_series(r, 0, 0), 0, 0),
      "2020-09-13T12:26:40.123456789Z");
  influx_result_free(r);
  o.raw_time = 0;
  o.format = INFLUX_FORMAT_MSGPACK;
  assert_int_equal(q("SELECT v FROM ns", &o, &r, &err), INFLUX_OK);
  assert_int_equal(
      influx_series_value(influx_result_series(r, 0, 0), 0, 0)->v.i,
      1600000000123456789LL);
  influx_result_free(r);
  o.epoch = "fortnight";
  assert_int_equal(q("SELECT v FROM ns", &o, &r, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "fortnight"));
}

static void test_method_show_empty_raw(void **state) {
  (void)state;
  influx_query_options o = {0};
  influx_result *r = NULL;
  influx_error err = {0};
  /* Statements that change things go as POST, reads as GET (seen by the
   * echoing fake server). */
  influx_options eo = {.path = "echo"};
  influx_client *echo = th_client("fake2", &eo);
  static const struct {
    const char *q;
    const char *method;
  } cases[] = {{"SELECT value INTO cpu_copy FROM cpu", "POST"},
               {"select * from cpu", "GET"},
               {"SELECT \"into\" FROM cpu WHERE x = 'drop'", "GET"},
               {"create database x", "POST"},
               {"SHOW DATABASES; DROP MEASUREMENT m", "POST"},
               {"SET PASSWORD FOR u = 'p'", "POST"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    influx_query_options eq = {
        .keep_raw = 1, .format = INFLUX_FORMAT_JSON, .database = "d"};
    assert_ok(influx_query(echo, cases[i].q, &eq, &r, &err), &err);
    char want[64];
    snprintf(want, sizeof want, "\"method\": \"%s\"", cases[i].method);
    if (!strstr(influx_result_raw(r, NULL), want))
      fail_msg("%s: sent %s", cases[i].q, influx_result_raw(r, NULL));
    influx_result_free(r);
  }
  influx_client_free(echo);
  assert_int_equal(q("SELECT value INTO cpu_copy FROM cpu", &o, &r, &err),
                   INFLUX_OK);
  influx_result_free(r);
  o.method = "PATCH";
  assert_int_equal(q("SELECT 1", &o, &r, &err), INFLUX_ERR_INVALID_ARG);
  o.method = NULL;
  /* SHOW SERIES: a series without a name. */
  assert_int_equal(q("SHOW SERIES", &o, &r, &err), INFLUX_OK);
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_string_equal(influx_series_name(s), "");
  assert_string_equal(influx_series_column(s, 0), "key");
  assert_true(influx_series_row_count(s) >= 8);
  influx_result_free(r);
  assert_int_equal(q("SHOW MEASUREMENTS", &o, &r, &err), INFLUX_OK);
  assert_string_equal(influx_series_name(influx_result_series(r, 0, 0)),
                      "measurements");
  influx_result_free(r);
  /* Empty result: a statement with no series. */
  assert_int_equal(q("SELECT * FROM cpu WHERE host = 'nobody'", &o, &r, &err),
                   INFLUX_OK);
  assert_int_equal(influx_result_count(r), 1);
  assert_int_equal(influx_result_series_count(r, 0), 0);
  influx_result_free(r);
  /* raw response kept on request. */
  o.keep_raw = 1;
  o.format = INFLUX_FORMAT_JSON;
  assert_int_equal(q("SELECT count(value) FROM cpu", &o, &r, &err), INFLUX_OK);
  size_t len;
  const char *raw = influx_result_raw(r, &len);
  assert_non_null(raw);
  assert_non_null(strstr(raw, "\"results\""));
  influx_result_free(r);
  /* Bad calls. */
  assert_int_equal(q("", &o, &r, &err), INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_query(cli, "SELECT 1", NULL, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_query_stream(cli, "SELECT 1", NULL, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
}

/* Answers are decoded by what their Content-Type says, and hostile ones
 * (deep nesting, other types) are clear errors, never a crash. */
static void test_hostile_answers(void **state) {
  (void)state;
  static const char *const paths[] = {"jsonq",  "noctype", "garbage",
                                      "nested", "deepok",  "mpdeep"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    influx_options eo = {.path = paths[i], .retries = 1};
    influx_client *c = th_client("fake2", &eo);
    for (int wire = 0; wire < 2; wire++) {
      influx_query_options o = {.format = wire ? INFLUX_FORMAT_JSON
                                               : INFLUX_FORMAT_MSGPACK};
      influx_result *r = NULL;
      influx_error err = {0};
      influx_status st = influx_query(c, "SELECT * FROM cpu", &o, &r, &err);
      if (i < 2) { /* JSON, labelled or not, whatever was asked for */
        if (st)
          fail_msg("%s: %s", paths[i], err.message);
        const influx_series *s = influx_result_series(r, 0, 0);
        assert_non_null(s);
        assert_int_equal(influx_series_row_count(s), 2);
        double v = 0;
        assert_int_equal(influx_series_get_float(s, 0, 1, &v), INFLUX_OK);
        assert_true(v == 1.5);
      } else if (i == 2) {
        assert_int_equal(st, INFLUX_ERR_PARSE);
        assert_non_null(strstr(err.message, "text/html"));
      } else if (i == 3) { /* a 400 whose body nests 500000 deep */
        assert_int_equal(st, INFLUX_ERR_CLIENT);
        assert_int_equal(err.http_status, 400);
      } else {
        if (st != INFLUX_ERR_PARSE || !strstr(err.message, "too deep"))
          fail_msg("%s (%s): %d %s", paths[i], wire ? "json" : "msgpack",
                   (int)st, err.message);
      }
      influx_result_free(r);
      /* Streams and frames take the same way. */
      influx_frame_set *fs = NULL;
      influx_frame_query_options fo = {.format = o.format};
      st = influx_query_frames(c, "SELECT * FROM cpu", &fo, &fs, &err);
      if (i < 2) {
        if (st)
          fail_msg("frames %s: %s", paths[i], err.message);
        assert_int_equal(
            influx_frame_row_count(influx_frame_set_frame(fs, 0, 0)), 2);
      } else {
        assert_int_not_equal(st, INFLUX_OK);
      }
      influx_frame_set_free(fs);
    }
    /* A write refused with a deeply nested body is a clean error too. */
    influx_error err = {0};
    influx_write_options wo = {.database = "d"};
    influx_status st = influx_write(c, "m v=1", 5, &wo, &err);
    if (i == 3)
      assert_int_equal(st, INFLUX_ERR_CLIENT);
    influx_client_free(c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_groups_keys_and_find),
      cmocka_unit_test(test_multi_statement_and_errors),
      cmocka_unit_test(test_chunked),
      cmocka_unit_test(test_partial_results),
      cmocka_unit_test(test_bind_params),
      cmocka_unit_test(test_epochs),
      cmocka_unit_test(test_method_show_empty_raw),
      cmocka_unit_test(test_hostile_answers),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
