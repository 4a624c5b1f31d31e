/* Frames against a real influxd: writing, querying back into frames,
 * numeric and time precision. (Server-free parts: tests/unit/test_frames.c.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define T0 1600000000000000123LL /* not a multiple of 256 or 1000 */

typedef struct stream_count {
  size_t pieces, rows, tagged, stop_after;
} stream_count;

static int count_piece(void *u, size_t stmt, const char *name,
                       const influx_tag *tags, size_t nt,
                       const influx_frame *f) {
  stream_count *sc = u;
  (void)stmt;
  assert_string_equal(name, "fm");
  sc->pieces++;
  sc->rows += influx_frame_row_count(f);
  if (nt == 1 && !strcmp(tags[0].key, "host") && tags[0].value[0])
    sc->tagged += influx_frame_row_count(f);
  return sc->stop_after && sc->pieces >= sc->stop_after;
}

/* Writes a frame and reads it back through influx_query_frames. */
static void test_write_and_query(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "frames");
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  enum { N = 2500 };
  int64_t *t = malloc(N * sizeof *t);
  double *d = malloc(N * sizeof *d);
  int64_t *iv = malloc(N * sizeof *iv);
  uint8_t *bv = malloc(N);
  uint8_t *ivalid = calloc((N + 7) / 8, 1);
  const char **sv = malloc(N * sizeof *sv);
  const char **hv = malloc(N * sizeof *hv);
  char(*text)[32] = malloc(N * sizeof *text);
  for (int r = 0; r < N; r++) {
    t[r] = T0 + (int64_t)r * 1001; /* ns, not multiples of 256 */
    d[r] = r % 10 == 0 ? NAN : r / 3.0;
    iv[r] = (int64_t)r * 1000000007LL;
    if (r % 5)
      ivalid[r / 8] |= (uint8_t)(1u << (r % 8));
    bv[r] = r % 2;
    snprintf(text[r], sizeof text[r], "s,\"%d\"", r);
    sv[r] = r % 3 ? text[r] : NULL;
    hv[r] = r % 4 == 0 ? "h0" : r % 4 == 1 ? "h1" : r % 4 == 2 ? "" : NULL;
  }
  /* Row 0: d NaN, i null, s null -> only b remains: not skipped. Make a
   * row with no field at all: row 30 gets b null below. */
  assert_ok(influx_frame_set_time(f, t, N, 1, &err), &err);
  assert_ok(influx_frame_add_float(f, "d", d, NULL, N, 1, &err), &err);
  assert_ok(influx_frame_add_int(f, "i", iv, ivalid, N, 0, &err), &err);
  uint8_t *bvalid = malloc((N + 7) / 8);
  memset(bvalid, 0xff, (N + 7) / 8);
  bvalid[30 / 8] &= (uint8_t) ~(1u << (30 % 8));
  assert_ok(influx_frame_add_bool(f, "b", bv, bvalid, N, &err), &err);
  assert_ok(influx_frame_add_strings(f, "s", INFLUX_COL_STRING, sv, N, &err),
            &err);
  assert_ok(influx_frame_add_strings(f, "host", INFLUX_COL_TAG, hv, N, &err),
            &err);
  influx_tag global[1] = {{"src", "frame test"}};
  influx_frame_write_options wo = {.measurement = "fm",
                                   .database = db,
                                   .tags = global,
                                   .ntags = 1,
                                   .numeric_precision = INFLUX_NUMERIC_FULL,
                                   .batch_size = 700};
  influx_frame_write_report rep;
  assert_ok(influx_frame_write(c, f, &wo, &rep, &err), &err);
  /* Row 30: d NaN, i null (30 % 5 == 0), s null, b null: skipped. */
  assert_int_equal(rep.rows_skipped, 1);
  assert_int_equal(rep.rows_written, N - 1);
  assert_int_equal(rep.batches, (N - 1 + 699) / 700);

  influx_frame_set *fs;
  influx_frame_query_options qo = {.database = db, .chunk_size = 333};
  assert_ok(
      influx_query_frames(c, "SELECT * FROM fm GROUP BY host", &qo, &fs, &err),
      &err);
  assert_int_equal(influx_frame_set_statements(fs), 1);
  /* host h0, h1, and no host (empty and null both leave the tag out). */
  assert_int_equal(influx_frame_set_count(fs, 0), 3);
  influx_tag k1[1] = {{"host", "h1"}};
  const influx_frame *g = influx_frame_set_find(fs, 0, "fm", k1, 1);
  assert_non_null(g);
  assert_int_equal(influx_frame_row_count(g), N / 4);
  long ci = influx_frame_column_index(g, "i"),
       cd = influx_frame_column_index(g, "d");
  long cs = influx_frame_column_index(g, "s"),
       cb = influx_frame_column_index(g, "b");
  long csrc = influx_frame_column_index(g, "src");
  assert_true(ci >= 0 && cd >= 0 && cs >= 0 && cb >= 0 && csrc >= 0);
  assert_int_equal(influx_frame_column_type(g, ci), INFLUX_COL_INT);
  assert_int_equal(influx_frame_column_type(g, cd), INFLUX_COL_FLOAT);
  assert_int_equal(influx_frame_column_type(g, cb), INFLUX_COL_BOOL);
  /* Every value came back exactly, times to the nanosecond. */
  for (size_t k = 0; k < influx_frame_row_count(g); k++) {
    int r = (int)(k * 4 + 1);
    assert_true(influx_frame_time(g)[k] == t[r]);
    double x;
    if (isnan(d[r]))
      assert_true(influx_frame_is_null(g, k, (size_t)cd));
    else {
      assert_int_equal(influx_frame_get_float(g, k, (size_t)cd, &x), INFLUX_OK);
      assert_true(x == d[r]);
    }
    int64_t y;
    if (r % 5) {
      assert_int_equal(influx_frame_get_int(g, k, (size_t)ci, &y), INFLUX_OK);
      assert_true(y == iv[r]);
    } else {
      assert_true(influx_frame_is_null(g, k, (size_t)ci));
    }
    if (sv[r])
      assert_string_equal(influx_frame_get_string(g, k, (size_t)cs), sv[r]);
    else
      assert_true(influx_frame_is_null(g, k, (size_t)cs));
    assert_string_equal(influx_frame_get_string(g, k, (size_t)csrc),
                        "frame test");
  }
  influx_frame_set_free(fs);

  /* dropna: a column null everywhere in a series is dropped unless asked
   * to keep it; data_frame_index is recorded. */
  const char *index[] = {"host", NULL};
  qo.data_frame_index = index;
  assert_ok(influx_query_frames(c,
                                "SELECT d, i FROM fm WHERE host = 'h0' "
                                "AND time < 1600000000000100000",
                                &qo, &fs, &err),
            &err);
  g = influx_frame_set_frame(fs, 0, 0);
  assert_non_null(g);
  /* rows 0,4,...: i null when r % 5 == 0, so some i remain; d NaN at
   * r % 10 == 0 */
  assert_true(influx_frame_column_index(g, "d") >= 0);
  assert_int_equal(influx_frame_index_count(g), 0); /* host is not a column */
  influx_frame_set_free(fs);
  const char *index2[] = {"i", NULL};
  qo.data_frame_index = index2;
  const char *one = "SELECT d, i, b FROM fm WHERE time = 1600000000000000123";
  assert_ok(influx_query_frames(c, one, &qo, &fs, &err), &err);
  g = influx_frame_set_frame(fs, 0, 0);
  assert_non_null(g);
  /* Row 0: d NaN (not written) and i null: both all-null, both dropped,
   * so the index column is gone too. */
  assert_int_equal(influx_frame_column_count(g), 1);
  assert_string_equal(influx_frame_column_name(g, 0), "b");
  assert_int_equal(influx_frame_index_count(g), 0);
  influx_frame_set_free(fs);
  qo.keep_null_columns = 1;
  assert_ok(influx_query_frames(c, one, &qo, &fs, &err), &err);
  g = influx_frame_set_frame(fs, 0, 0);
  assert_int_equal(influx_frame_column_count(g), 3);
  assert_true(influx_frame_is_null(g, 0, 0));
  assert_true(influx_frame_is_null(g, 0, 1));
  assert_int_equal(influx_frame_index_count(g), 1);
  assert_string_equal(influx_frame_index_column(g, 0), "i");
  influx_frame_set_free(fs);

  /* Streaming: one frame per chunk of each series, rows add up. */
  stream_count sc = {0};
  influx_frame_query_options so = {.database = db, .chunk_size = 333};
  assert_ok(influx_query_frames_stream(c, "SELECT * FROM fm GROUP BY host", &so,
                                       count_piece, &sc, &err),
            &err);
  assert_int_equal(sc.rows, N - 1);
  assert_true(sc.pieces >= 3 * 2); /* >= 2 chunks for each of 3 series */
  assert_int_equal(sc.tagged, 2 * (N / 4)); /* h0 and h1 rows */
  sc.stop_after = 2;
  assert_int_equal(influx_query_frames_stream(c, "SELECT * FROM fm", &so,
                                              count_piece, &sc, &err),
                   INFLUX_ERR_ABORTED);
  assert_int_equal(influx_query_frames_stream(c, "SHOW TAG KEYS ON nodb_x", &so,
                                              count_piece, &sc, &err),
                   INFLUX_ERR_STATEMENT);

  /* Multi-statement: one collection per statement; JSON wire with ints
   * where floats were whole promotes to float. */
  influx_frame_query_options jo = {.database = db,
                                   .format = INFLUX_FORMAT_JSON};
  assert_int_equal(
      influx_query_frames(c,
                          "SELECT count(d) FROM fm; SELECT d FROM fm WHERE "
                          "time <= 1600000000000010133",
                          &jo, &fs, &err),
      INFLUX_OK);
  assert_int_equal(influx_frame_set_statements(fs), 2);
  g = influx_frame_set_frame(fs, 0, 0);
  int64_t cnt;
  assert_int_equal(influx_frame_get_int(g, 0, 0, &cnt), INFLUX_OK);
  assert_int_equal(cnt, N - N / 10);
  g = influx_frame_set_frame(fs, 1, 0);
  assert_int_equal(influx_frame_column_type(g, 0), INFLUX_COL_FLOAT);
  influx_frame_set_free(fs);

  /* A statement error is an error. */
  assert_int_equal(
      influx_query_frames(c, "SELECT * FROM fm WHERE", &qo, &fs, &err),
      INFLUX_ERR_CLIENT);
  assert_null(fs);
  assert_int_equal(influx_query_frames(c,
                                       "SELECT d FROM fm LIMIT 1; SHOW TAG "
                                       "KEYS ON no_such_db_frames",
                                       &qo, &fs, &err),
                   INFLUX_ERR_STATEMENT);
  assert_null(fs);
  assert_non_null(strstr(err.message, "statement 1"));

  influx_frame_free(f);
  free(t);
  free(d);
  free(iv);
  free(bv);
  free(ivalid);
  free(bvalid);
  free(sv);
  free(hv);
  free(text);
  influx_client_free(c);
}

/* numeric_precision and time_precision, checked on the wire values. */
static void test_numeric_and_time_precision(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "framenum");
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[2] = {T0, T0 + 1999999};
  /* 0.1 + 0.2 and 1.2345678901234567 need 17 digits (issue 24: the
   * default once kept 15). */
  double d[2] = {0.1 + 0.2, 1.2345678901234567};
  assert_ok(influx_frame_set_time(f, t, 2, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "v", d, NULL, 2, 0, &err), &err);
  struct {
    influx_numeric_precision np;
    int dec;
    const char *m;
    double want0, want1;
  } cases[] = {
      {INFLUX_NUMERIC_FULL, 0, "full", 0.1 + 0.2, 1.2345678901234567},
      {INFLUX_NUMERIC_DEFAULT, 0, "dflt", 0.1 + 0.2, 1.2345678901234567},
      {INFLUX_NUMERIC_DECIMALS, 2, "dec2", 0.3, 1.23},
      {INFLUX_NUMERIC_DECIMALS, 0, "dec0", 0, 1},
  };
  for (size_t k = 0; k < 4; k++) {
    influx_frame_write_options wo = {.measurement = cases[k].m,
                                     .numeric_precision = cases[k].np,
                                     .decimals = cases[k].dec,
                                     .database = db};
    assert_ok(influx_frame_write(c, f, &wo, NULL, &err), &err);
    influx_frame_set *fs;
    influx_frame_query_options qo = {.database = db};
    char q[64];
    snprintf(q, sizeof q, "SELECT v FROM %s", cases[k].m);
    assert_ok(influx_query_frames(c, q, &qo, &fs, &err), &err);
    const influx_frame *g = influx_frame_set_frame(fs, 0, 0);
    double x;
    assert_int_equal(influx_frame_get_float(g, 0, 0, &x), INFLUX_OK);
    assert_true(x == cases[k].want0);
    assert_int_equal(influx_frame_get_float(g, 1, 0, &x), INFLUX_OK);
    assert_true(x == cases[k].want1);
    /* Times exact to the nanosecond (influxdb-python rounds them). */
    assert_true(influx_frame_time(g)[0] == T0);
    assert_true(influx_frame_time(g)[1] == T0 + 1999999);
    influx_frame_set_free(fs);
  }
  /* time_precision ms: floored exactly. */
  influx_frame_write_options wo = {
      .measurement = "ms", .time_precision = "ms", .database = db};
  assert_ok(influx_frame_write(c, f, &wo, NULL, &err), &err);
  influx_frame_set *fs;
  influx_frame_query_options qo = {.database = db};
  assert_ok(influx_query_frames(c, "SELECT v FROM ms", &qo, &fs, &err), &err);
  const influx_frame *g = influx_frame_set_frame(fs, 0, 0);
  assert_true(influx_frame_time(g)[0] == T0 / 1000000 * 1000000);
  assert_true(influx_frame_time(g)[1] == (T0 + 1999999) / 1000000 * 1000000);
  influx_frame_set_free(fs);
  /* Bad options. */
  wo.time_precision = "fortnight";
  assert_int_equal(influx_frame_write(c, f, &wo, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  wo = (influx_frame_write_options){.database = db};
  assert_int_equal(influx_frame_write(c, f, &wo, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "measurement"));
  const char *nope[] = {"zz", NULL};
  wo = (influx_frame_write_options){
      .measurement = "x", .database = db, .tag_columns = nope};
  assert_int_equal(influx_frame_write(c, f, &wo, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "\"zz\" does not exist"));
  const char *vtag[] = {"v", NULL};
  wo.tag_columns = vtag;
  assert_int_equal(influx_frame_write(c, f, &wo, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "not a string column"));
  influx_frame_free(f);
  influx_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_and_query),
      cmocka_unit_test(test_numeric_and_time_precision),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
