/* Frames without a server: building from arrays and rows, reading back,
 * refusals, CSV and the Arrow C Data Interface. (Writing to and querying
 * from influxd: tests/integration/test_frame.c.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define T0 1600000000000000123LL /* not a multiple of 256 or 1000 */

static void test_build_and_read(void **state) {
  (void)state;
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[4] = {T0, T0 + 1, T0 + 2, T0 + 3};
  double d[4] = {1.5, 0, -2.25, 1e300};
  uint8_t dvalid[1] = {0x0d}; /* row 1 null */
  int64_t iv[4] = {1, 2, 3, INT64_MIN};
  uint8_t bv[4] = {1, 0, 1, 0};
  const char *sv[4] = {"a,b", NULL, "say \"hi\"", "line\nbreak"};
  const char *tv[4] = {"x", "y", "", NULL};
  assert_ok(influx_frame_set_time(f, t, 4, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "d", d, dvalid, 4, 0, &err), &err);
  assert_ok(influx_frame_add_int(f, "i", iv, NULL, 4, 1, &err), &err);
  assert_ok(influx_frame_add_bool(f, "b", bv, NULL, 4, &err), &err);
  assert_ok(influx_frame_add_strings(f, "s", INFLUX_COL_STRING, sv, 4, &err),
            &err);
  assert_ok(influx_frame_add_strings(f, "host", INFLUX_COL_TAG, tv, 4, &err),
            &err);
  assert_int_equal(influx_frame_row_count(f), 4);
  assert_int_equal(influx_frame_column_count(f), 5);
  assert_string_equal(influx_frame_column_name(f, 4), "host");
  assert_int_equal(influx_frame_column_type(f, 4), INFLUX_COL_TAG);
  assert_int_equal(influx_frame_column_index(f, "b"), 2);
  assert_int_equal(influx_frame_column_index(f, "nope"), -1);
  assert_int_equal(influx_frame_time(f)[3], T0 + 3);
  double x;
  assert_int_equal(influx_frame_get_float(f, 2, 0, &x), INFLUX_OK);
  assert_true(x == -2.25);
  assert_true(influx_frame_is_null(f, 1, 0));
  assert_int_equal(influx_frame_get_float(f, 1, 0, &x), INFLUX_ERR_INVALID_ARG);
  int64_t y;
  assert_int_equal(influx_frame_get_int(f, 3, 1, &y), INFLUX_OK);
  assert_true(y == INT64_MIN);
  /* The borrowed column reads the caller's array itself. */
  iv[0] = 42;
  assert_int_equal(influx_frame_get_int(f, 0, 1, &y), INFLUX_OK);
  assert_int_equal(y, 42);
  int b;
  assert_int_equal(influx_frame_get_bool(f, 0, 2, &b), INFLUX_OK);
  assert_int_equal(b, 1);
  assert_string_equal(influx_frame_get_string(f, 2, 3), "say \"hi\"");
  assert_null(influx_frame_get_string(f, 1, 3));
  assert_null(influx_frame_get_string(f, 0, 0)); /* not a string column */
  /* Mistakes are refused with a reason. */
  assert_int_equal(influx_frame_add_int(f, "i", iv, NULL, 4, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "exists already"));
  assert_int_equal(influx_frame_add_int(f, "j", iv, NULL, 3, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "3 values for a frame of 4 rows"));
  assert_int_equal(influx_frame_add_int(f, "time", iv, NULL, 4, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  uint8_t badb[4] = {0, 2, 0, 0};
  assert_int_equal(influx_frame_add_bool(f, "bb", badb, NULL, 4, &err),
                   INFLUX_ERR_INVALID_ARG);
  const char *badutf[4] = {"ok", "\xff", "ok", "ok"};
  assert_int_equal(
      influx_frame_add_strings(f, "u", INFLUX_COL_STRING, badutf, 4, &err),
      INFLUX_ERR_INVALID_ARG);
  influx_value row[5] = {0};
  assert_int_equal(influx_frame_append_row(f, T0, row, 5, &err),
                   INFLUX_ERR_INVALID_ARG); /* borrowed: fixed size */
  assert_non_null(strstr(err.message, "borrows"));
  influx_frame_free(f);

  /* A frame whose rows never got a time is not written. */
  {
    /* Refused before anything is sent: a client that never connects. */
    influx_options co = {.host = "127.0.0.1", .port = 1};
    influx_client *c = NULL;
    assert_ok(influx_client_new(&co, &c, &err), &err);
    assert_ok(influx_frame_new(&f, &err), &err);
    assert_ok(influx_frame_add_float(f, "d", d, NULL, 4, 0, &err), &err);
    influx_frame_write_options wo = {.measurement = "m", .database = "x"};
    assert_int_equal(influx_frame_write(c, f, &wo, NULL, &err),
                     INFLUX_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "time column was never set"));
    influx_value v[1] = {influx_value_float(1)};
    assert_int_equal(influx_frame_append_row(f, T0, v, 1, &err),
                     INFLUX_ERR_INVALID_ARG);
    assert_int_equal(influx_frame_time(f)[0], 0); /* zeros, not garbage */
    influx_frame_free(f);
    influx_client_free(c);
  }

  /* Columns declared empty, then arrays: the declared ones are null in
   * those rows; a borrowed time replaced by a copy. */
  assert_ok(influx_frame_new(&f, &err), &err);
  assert_ok(influx_frame_add_column(f, "first", INFLUX_COL_INT, &err), &err);
  assert_ok(influx_frame_set_time(f, t, 4, 1, &err), &err);
  assert_ok(influx_frame_add_float(f, "d", d, NULL, 4, 0, &err), &err);
  assert_true(influx_frame_is_null(f, 0, 0));
  assert_true(influx_frame_is_null(f, 3, 0));
  assert_ok(influx_frame_set_time(f, t, 4, 0, &err), &err);
  assert_true(influx_frame_time(f) != t);
  assert_true(influx_frame_time(f)[3] == T0 + 3);
  influx_frame_free(f);

  /* Row by row, with every type and nulls. */
  assert_ok(influx_frame_new(&f, &err), &err);
  assert_ok(influx_frame_add_column(f, "v", INFLUX_COL_FLOAT, &err), &err);
  assert_ok(influx_frame_add_column(f, "tag", INFLUX_COL_TAG, &err), &err);
  for (int r = 0; r < 1000; r++) {
    influx_value vals[2] = {influx_value_float(r * 0.5),
                            influx_value_string(r % 2 ? "odd" : "even")};
    if (r % 7 == 0)
      vals[0].type = INFLUX_VALUE_NULL;
    assert_ok(influx_frame_append_row(f, T0 + r, vals, 2, &err), &err);
  }
  influx_value wrong[2] = {influx_value_string("x"), influx_value_string("y")};
  assert_int_equal(influx_frame_append_row(f, T0, wrong, 2, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_frame_append_row(f, T0, wrong, 1, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_frame_row_count(f), 1000);
  assert_true(influx_frame_is_null(f, 700, 0));
  /* The time can be replaced, copied over a copy. */
  int64_t *tt = malloc(1000 * sizeof *tt);
  for (int r = 0; r < 1000; r++)
    tt[r] = r;
  assert_ok(influx_frame_set_time(f, tt, 1000, 0, &err), &err);
  assert_int_equal(influx_frame_time(f)[999], 999);
  free(tt);
  assert_int_equal(influx_frame_get_float(f, 999, 0, &x), INFLUX_OK);
  assert_true(x == 499.5);
  assert_string_equal(influx_frame_get_string(f, 999, 1), "odd");
  /* A column added later is null in the rows before. */
  assert_ok(influx_frame_add_column(f, "late", INFLUX_COL_INT, &err), &err);
  assert_true(influx_frame_is_null(f, 0, 2));
  assert_true(influx_frame_is_null(f, 999, 2));
  influx_frame_free(f);
}

/* String columns repeat a few pointers (pandas' object columns do): every
 * cell still reads back its own text, with more distinct pointers than
 * the column's cache of recent ones, and a bad pointer is found wherever
 * it first stands. */
static void test_strings_repeated_pointers(void **state) {
  (void)state;
  enum { N = 1000, K = 150 };
  static char texts[K][16];
  for (int k = 0; k < K; k++)
    snprintf(texts[k], sizeof texts[k], "v%03d", k);
  char same[] = "v001"; /* equal text at another address */
  const char *v[N];
  int64_t t[N];
  for (int i = 0; i < N; i++) {
    v[i] = i % 7 == 3 ? NULL : i % 11 == 5 ? same : texts[(i * 37) % K];
    t[i] = i;
  }
  influx_error err = {0};
  influx_frame *f = NULL;
  assert_ok(influx_frame_new(&f, &err), &err);
  assert_ok(influx_frame_set_time(f, t, N, 1, &err), &err);
  assert_ok(influx_frame_add_strings(f, "s", INFLUX_COL_STRING, v, N, &err),
            &err);
  for (int i = 0; i < N; i++) {
    char want[16];
    if (i % 7 == 3) {
      assert_true(influx_frame_is_null(f, (size_t)i, 0));
      continue;
    }
    snprintf(want, sizeof want, "v%03d", i % 11 == 5 ? 1 : (i * 37) % K);
    assert_string_equal(influx_frame_get_string(f, (size_t)i, 0), want);
  }
  char bad[] = "b\xc3";
  v[0] = bad;
  v[600] = bad;
  v[900] = bad;
  assert_int_equal(
      influx_frame_add_strings(f, "u", INFLUX_COL_STRING, v, N, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "row 0 is not valid UTF-8"));
  v[0] = texts[0];
  assert_int_equal(
      influx_frame_add_strings(f, "u", INFLUX_COL_STRING, v, N, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "row 600 is not valid UTF-8"));
  assert_int_equal(influx_frame_column_count(f), 1);
  influx_frame_free(f);
}

static void test_csv(void **state) {
  (void)state;
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[2] = {1000000000, 1500000000};
  double d[2] = {0.1, 2};
  uint8_t dv[1] = {0x01};
  const char *s[2] = {"a,\"b\"", "multi\nline"};
  assert_ok(influx_frame_set_time(f, t, 2, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "x,y", d, dv, 2, 0, &err), &err);
  assert_ok(influx_frame_add_strings(f, "s", INFLUX_COL_STRING, s, 2, &err),
            &err);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  assert_ok(influx_frame_write_csv(f, m, NULL, &err), &err);
  influx_frame_csv_options o = {.epoch = "ms", .no_header = 1};
  assert_ok(influx_frame_write_csv(f, m, &o, &err), &err);
  o = (influx_frame_csv_options){.epoch = "weeks"};
  assert_int_equal(influx_frame_write_csv(f, m, &o, &err),
                   INFLUX_ERR_INVALID_ARG);
  fclose(m);
  assert_string_equal(buf, "time,\"x,y\",s\n"
                           "1970-01-01T00:00:01Z,0.1,\"a,\"\"b\"\"\"\n"
                           "1970-01-01T00:00:01.5Z,,\"multi\nline\"\n"
                           "1000,0.1,\"a,\"\"b\"\"\"\n"
                           "1500,,\"multi\nline\"\n");
  free(buf);
  influx_frame_free(f);
}

static void test_csv_floor_and_cells(void **state) {
  (void)state;
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[2] = {-1500000, -1000000}; /* before 1970 */
  assert_ok(influx_frame_set_time(f, t, 2, 0, &err), &err);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  influx_frame_csv_options o = {.epoch = "ms", .no_header = 1};
  assert_ok(influx_frame_write_csv(f, m, &o, &err), &err);
  /* One quoting for every CSV cell: n bytes, not up to a NUL. */
  influx_csv_field(m, "plain", 5);
  fputc('|', m);
  influx_csv_field(m, "a\"b,cXX", 5);
  fputc('|', m);
  influx_csv_field(m, "cr\r", 3);
  fputc('|', m);
  influx_csv_field(m, NULL, 0);
  influx_csv_field(NULL, "x", 1);
  fclose(m);
  /* Floored like export, not truncated toward zero. */
  assert_string_equal(buf, "-2\n-1\nplain|\"a\"\"b,c\"|\"cr\r\"|");
  free(buf);
  influx_frame_free(f);
}

static void test_encode_without_network(void **state) {
  (void)state;
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[3] = {1000000000, 2500000000, 3000000000};
  double d[3] = {1.5, NAN, 3.25};
  int64_t iv[3] = {7, 8, 9};
  const char *host[3] = {"a b", NULL, "c"};
  const char *note[3] = {"x\"y", "z", NULL};
  assert_ok(influx_frame_set_time(f, t, 3, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "d", d, NULL, 3, 0, &err), &err);
  assert_ok(influx_frame_add_int(f, "i", iv, NULL, 3, 0, &err), &err);
  assert_ok(influx_frame_add_strings(f, "host", INFLUX_COL_TAG, host, 3, &err),
            &err);
  assert_ok(
      influx_frame_add_strings(f, "note", INFLUX_COL_STRING, note, 3, &err),
      &err);
  influx_lines *lb = influx_lines_new();
  influx_tag g[] = {{"dc", "eu"}};
  influx_frame_write_options o = {.measurement = "m",
                                  .tags = g,
                                  .ntags = 1,
                                  .time_precision = "s",
                                  .numeric_precision = INFLUX_NUMERIC_FULL};
  influx_frame_write_report rep;
  assert_ok(influx_frame_encode(f, &o, lb, &rep, &err), &err);
  assert_int_equal(rep.rows_written, 3);
  /* Times floored to seconds; NaN and nulls left out; tags sorted. */
  assert_string_equal(influx_lines_data(lb),
                      "m,dc=eu,host=a\\ b d=1.5,i=7i,note=\"x\\\"y\" 1\n"
                      "m,dc=eu i=8i,note=\"z\" 2\n"
                      "m,dc=eu,host=c d=3.25,i=9i 3\n");
  o.measurement = NULL;
  assert_int_equal(influx_frame_encode(f, &o, lb, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_frame_encode(f, &o, NULL, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_lines_free(lb);
  influx_frame_free(f);
}

/* Stored texts: repeated ones share storage, and every cell still reads
 * back its own text (distinct texts beyond the memo's slots, texts that
 * collide in it, empty ones, prefixes of each other, nulls). */
static void test_stored_texts(void **state) {
  (void)state;
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  assert_ok(influx_frame_add_column(f, "s", INFLUX_COL_STRING, &err), &err);
  char want[3000][16];
  for (int r = 0; r < 3000; r++) {
    switch (r % 5) {
    case 0:
      snprintf(want[r], sizeof want[r], "d%d", r); /* distinct */
      break;
    case 1:
      snprintf(want[r], sizeof want[r], "host%d", r % 3);
      break;
    case 2:
      want[r][0] = 0;
      break;
    case 3:
      snprintf(want[r], sizeof want[r], "host%d%d", r % 3, r % 2);
      break;
    default:
      snprintf(want[r], sizeof want[r], "-"); /* null below */
    }
    influx_value v = influx_value_string(want[r]);
    if (r % 5 == 4)
      v.type = INFLUX_VALUE_NULL;
    assert_ok(influx_frame_append_row(f, r, &v, 1, &err), &err);
  }
  for (int r = 0; r < 3000; r++) {
    if (r % 5 == 4)
      assert_null(influx_frame_get_string(f, (size_t)r, 0));
    else
      assert_string_equal(influx_frame_get_string(f, (size_t)r, 0), want[r]);
  }
  /* Equal repeated texts share one copy. */
  assert_ptr_equal(influx_frame_get_string(f, 1, 0),
                   influx_frame_get_string(f, 16, 0));
  influx_frame_free(f);
}

/* The encoder's pieces add up to influx_frame_encode's text, for every
 * piece size, with rows skipped and the report kept across pieces. */
static void test_encoder_in_pieces(void **state) {
  (void)state;
  enum { N = 23 };
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[N];
  double d[N];
  const char *host[N];
  for (int i = 0; i < N; i++) {
    t[i] = i;
    d[i] = i % 5 == 0 ? NAN : i; /* rows 0, 5, 10, ...: no field, skipped */
    host[i] = i % 3 ? "h" : "k";
  }
  assert_ok(influx_frame_set_time(f, t, N, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "d", d, NULL, N, 0, &err), &err);
  assert_ok(influx_frame_add_strings(f, "host", INFLUX_COL_TAG, host, N, &err),
            &err);
  influx_frame_write_options o = {.measurement = "m"};
  influx_lines *whole = influx_lines_new(), *lb = influx_lines_new();
  assert_ok(influx_frame_encode(f, &o, whole, NULL, &err), &err);
  assert_int_equal(influx_lines_count(whole), N - 5);
  assert_non_null(strstr(influx_lines_data(whole), "m,host=h d=22 22\n"));
  for (size_t piece = 1; piece <= N + 1; piece++) {
    influx_frame_encoder *e;
    assert_ok(influx_frame_encoder_new(f, &o, &e, &err), &err);
    influx_lines_reset(lb);
    int done = 0, calls = 0;
    while (!done) {
      assert_ok(influx_frame_encoder_next(e, lb, piece, &done, &err), &err);
      calls++;
    }
    /* ceil(N / piece) calls, the last one sets done. */
    assert_int_equal(calls, (N + piece - 1) / piece);
    assert_string_equal(influx_lines_data(lb), influx_lines_data(whole));
    influx_frame_write_report rep;
    influx_frame_encoder_report(e, &rep);
    assert_int_equal(rep.rows_written, N - 5);
    assert_int_equal(rep.rows_skipped, 5);
    /* Past the end: nothing more, done again. */
    size_t len = influx_lines_len(lb);
    assert_ok(influx_frame_encoder_next(e, lb, piece, &done, &err), &err);
    assert_int_equal(done, 1);
    assert_int_equal(influx_lines_len(lb), len);
    influx_frame_encoder_free(e);
  }
  influx_frame_encoder *e = (influx_frame_encoder *)1;
  o.measurement = NULL;
  assert_int_equal(influx_frame_encoder_new(f, &o, &e, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_null(e);
  assert_int_equal(influx_frame_encoder_new(f, NULL, &e, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_frame_encoder_new(f, &o, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_frame_encoder_next(NULL, lb, 1, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_frame_encoder_report(NULL, NULL);
  influx_frame_encoder_free(NULL);
  influx_lines_free(lb);
  influx_lines_free(whole);
  influx_frame_free(f);
}

static int bit(const void *p, size_t i) {
  return (((const uint8_t *)p)[i / 8] >> (i % 8)) & 1;
}

static void test_arrow_export(void **state) {
  (void)state;
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[3] = {1, 2, 3};
  double d[3] = {1.5, 2.5, 3.5};
  uint8_t dv[1] = {0x05};
  int64_t iv[3] = {7, 8, 9};
  uint8_t bv[3] = {1, 0, 1};
  const char *s[3] = {"ab", NULL, "ünï"};
  assert_ok(influx_frame_set_time(f, t, 3, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "d", d, dv, 3, 0, &err), &err);
  assert_ok(influx_frame_add_int(f, "i", iv, NULL, 3, 0, &err), &err);
  assert_ok(influx_frame_add_bool(f, "b", bv, NULL, 3, &err), &err);
  assert_ok(influx_frame_add_strings(f, "s", INFLUX_COL_TAG, s, 3, &err), &err);
  struct ArrowSchema sc;
  struct ArrowArray ar;
  assert_ok(influx_frame_export_arrow(f, &sc, &ar, &err), &err);
  assert_string_equal(sc.format, "+s");
  assert_int_equal(sc.n_children, 5);
  assert_string_equal(sc.children[0]->format, "tsn:UTC");
  assert_string_equal(sc.children[0]->name, "time");
  assert_string_equal(sc.children[1]->format, "g");
  assert_string_equal(sc.children[2]->format, "l");
  assert_string_equal(sc.children[3]->format, "b");
  assert_string_equal(sc.children[4]->format, "u");
  assert_string_equal(sc.children[4]->name, "s");
  assert_int_equal(ar.length, 3);
  assert_int_equal(ar.n_children, 5);
  /* Zero-copy: the frame's own arrays. */
  assert_ptr_equal(ar.children[0]->buffers[1], influx_frame_time(f));
  const double *dp = ar.children[1]->buffers[1];
  assert_true(dp[2] == 3.5);
  assert_int_equal(ar.children[1]->null_count, 1);
  assert_int_equal(bit(ar.children[1]->buffers[0], 1), 0);
  assert_int_equal(bit(ar.children[1]->buffers[0], 2), 1);
  assert_null(ar.children[2]->buffers[0]); /* no nulls */
  assert_int_equal(bit(ar.children[3]->buffers[1], 0), 1);
  assert_int_equal(bit(ar.children[3]->buffers[1], 1), 0);
  const int32_t *off = ar.children[4]->buffers[1];
  const char *data = ar.children[4]->buffers[2];
  assert_int_equal(off[0], 0);
  assert_int_equal(off[1], 2);
  assert_int_equal(off[2], 2);
  assert_int_equal(off[3], 2 + (int)strlen("ünï"));
  assert_memory_equal(data + off[2], "ünï", strlen("ünï"));
  assert_int_equal(ar.children[4]->null_count, 1);
  /* The frame can go first: the export keeps its buffers alive. */
  influx_frame_free(f);
  assert_true(((const int64_t *)ar.children[0]->buffers[1])[2] == 3);
  ar.release(&ar);
  sc.release(&sc);
  assert_null(ar.release);
  assert_null(sc.release);
  assert_int_equal(influx_frame_export_arrow(NULL, &sc, &ar, &err),
                   INFLUX_ERR_INVALID_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_build_and_read),
      cmocka_unit_test(test_strings_repeated_pointers),
      cmocka_unit_test(test_csv),
      cmocka_unit_test(test_csv_floor_and_cells),
      cmocka_unit_test(test_encode_without_network),
      cmocka_unit_test(test_encoder_in_pieces),
      cmocka_unit_test(test_stored_texts),
      cmocka_unit_test(test_arrow_export),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
