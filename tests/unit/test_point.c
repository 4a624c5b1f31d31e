/* The line-protocol encoder: escaping, types, validation, builder. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char *enc(const influx_point *p, const char *prec) {
  char *out = NULL;
  influx_error err = {0};
  if (influx_make_lines(p, 1, prec, &out, NULL, &err))
    fail_msg("encode: %s", err.message);
  return out;
}

static void expect_line(const influx_point *p, const char *want) {
  char *got = enc(p, NULL);
  assert_string_equal(got, want);
  free(got);
}

static void test_basic(void **state) {
  (void)state;
  influx_tag tags[] = {{"region", "us west"}, {"host", "a,b=c"}};
  influx_field f[] = {INFLUX_F_FLOAT("v", 0.5), INFLUX_F_INT("i", -3),
                      INFLUX_F_UINT("u", UINT64_MAX), INFLUX_F_BOOL("b", 1),
                      INFLUX_F_STRING("s", "say \"hi\" \\ \n")};
  influx_point p = {"c p,u", tags, 2, f, 5, 1234, 1, NULL};
  expect_line(&p, "c\\ p\\,u,host=a\\,b\\=c,region=us\\ west "
                  "v=0.5,i=-3i,u=18446744073709551615u,b=true,"
                  "s=\"say \\\"hi\\\" \\\\ \n\" 1234\n");
}

/* INFLUX_LINES_SEED writes the seed's make_lines text: Python's repr() of
 * floats (the expected texts below are CPython 3.11's repr of each value),
 * True/False, fields sorted by key; INFLUX_LINES_EXACT the shortest text. */
static void test_seed_style(void **state) {
  (void)state;
  static const struct {
    double v;
    const char *repr;
  } cases[] = {
      {12.0, "12.0"},
      {0.1, "0.1"},
      {1e+16, "1e+16"},
      {1000000000000000.0, "1000000000000000.0"},
      {9500000000000000.0, "9500000000000000.0"},
      {9007199254740992.0, "9007199254740992.0"},
      {1e-05, "1e-05"},
      {1.5e-05, "1.5e-05"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {123456789.123, "123456789.123"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {5e-324, "5e-324"},
      {1.7976931348623157e+308, "1.7976931348623157e+308"},
      {2.5e-07, "2.5e-07"},
      {0.3, "0.3"},
      {0.3333333333333333, "0.3333333333333333"},
      {6666666666.666666, "6666666666.666666"},
      {1e+22, "1e+22"},
      {1.23e-18, "1.23e-18"},
      {-42.0, "-42.0"},
      {1e+21, "1e+21"},
      {1.2345678901234567, "1.2345678901234567"},
      {100.0, "100.0"},
      {9.223372036854776e+18, "9.223372036854776e+18"},
      {-1e-300, "-1e-300"},
      {999999999999999.9, "999999999999999.9"},
      {9999999999999998.0, "9999999999999998.0"},
      /* next to a power of two (2^-24, 2^60): %.16g's nearest text does
       * not read back, the one above does */
      {-5.960464477539063e-08, "-5.960464477539063e-08"},
      {1.152921504606847e+18, "1.152921504606847e+18"},
      /* 16 digits where two texts read back: the nearest one */
      {8.643556373590595, "8.643556373590595"},
      {8891486077459.537, "8891486077459.537"},
      {693081037.9075603, "693081037.9075603"},
      {1.5e-323, "1.5e-323"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
  };
  influx_error err = {0};
  influx_lines *lb = influx_lines_new();
  assert_ok(influx_lines_set_style(lb, INFLUX_LINES_SEED, &err), &err);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    influx_field f[] = {INFLUX_F_FLOAT("v", cases[i].v)};
    influx_point p = {"m", NULL, 0, f, 1, 0, 0, NULL};
    influx_lines_reset(lb);
    assert_ok(influx_lines_append(lb, &p, &err), &err);
    char want[64];
    snprintf(want, sizeof want, "m v=%s\n", cases[i].repr);
    assert_string_equal(influx_lines_data(lb), want);
  }
  /* fields sorted by key (bytes: as Python sorts str), True/False */
  influx_field f[] = {INFLUX_F_BOOL("z", 1), INFLUX_F_INT("a", 3),
                      INFLUX_F_BOOL("\xc3\xa9", 0), INFLUX_F_FLOAT("B", 2),
                      INFLUX_F_STRING("m", "s")};
  influx_point p = {"m", NULL, 0, f, 5, 7, 1, NULL};
  influx_lines_reset(lb);
  assert_ok(influx_lines_append(lb, &p, &err), &err);
  assert_string_equal(influx_lines_data(lb),
                      "m B=2.0,a=3i,m=\"s\",z=True,\xc3\xa9=False 7\n");
  /* a key twice is refused in either style */
  influx_field twice[] = {INFLUX_F_INT("b", 1), INFLUX_F_INT("a", 1),
                          INFLUX_F_INT("b", 2)};
  influx_point pt = {"m", NULL, 0, twice, 3, 0, 0, NULL};
  assert_int_equal(influx_lines_append(lb, &pt, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "appears twice"));
  /* back to the exact style: given order, shortest text, true/false */
  assert_ok(influx_lines_set_style(lb, INFLUX_LINES_EXACT, &err), &err);
  influx_lines_reset(lb);
  assert_ok(influx_lines_append(lb, &p, &err), &err);
  assert_string_equal(influx_lines_data(lb),
                      "m z=true,a=3i,\xc3\xa9=false,B=2,m=\"s\" 7\n");
  assert_int_equal(influx_lines_set_style(lb, (influx_line_style)7, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_lines_set_style(NULL, INFLUX_LINES_SEED, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_lines_free(lb);
}

static void test_escaping_positions(void **state) {
  (void)state;
  /* Measurement: '=' is not special; tag/field keys escape it. */
  influx_tag t[] = {{"k=ey", "x\\\\ y"}, {"path", "c:\\p"}};
  influx_field f[] = {INFLUX_F_STRING("f k=", "v")};
  influx_point p = {"m=1", t, 2, f, 1, 0, 0, NULL};
  expect_line(&p, "m=1,k\\=ey=x\\\\\\ y,path=c:\\p f\\ k\\==\"v\"\n");
  /* An odd backslash run before a special character is written when
   * influxd's line splitter still ends the line at its newline... */
  t[0].value = "x\\ y";
  expect_line(&p, "m=1,k\\=ey=x\\\\ y,path=c:\\p f\\ k\\==\"v\"\n");
  /* ...and refused when it would not: a second run before a comma makes
   * the splitter miss the string's opening quote, so the newline in it
   * would end the line. */
  influx_tag t2[] = {{"a", "x\\ y"}, {"b", "p\\,q"}};
  influx_field f2[] = {INFLUX_F_STRING("s", "one\ntwo")};
  influx_point p2 = {"m", t2, 2, f2, 1, 0, 0, NULL};
  char *out = NULL;
  influx_error err = {0};
  assert_int_equal(influx_make_lines(&p2, 1, NULL, &out, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "line splitter"));
  /* Without the newline the line still ends in the right place. */
  f2[0].v.s = "one two";
  assert_ok(influx_make_lines(&p2, 1, NULL, &out, NULL, &err), &err);
  free(out);
}

static void test_tags_sorted_and_defaults(void **state) {
  (void)state;
  influx_lines *lb = influx_lines_new();
  influx_tag dt[] = {{"zone", "z1"}, {"host", "default"}};
  assert_int_equal(influx_lines_set_default_tags(lb, dt, 2, NULL), INFLUX_OK);
  influx_tag t[] = {{"host", "mine"}, {"app", "x"}, {"empty", ""}};
  influx_field f[] = {INFLUX_F_INT("n", 1)};
  influx_point p = {"m", t, 3, f, 1, 0, 0, NULL};
  assert_int_equal(influx_lines_append(lb, &p, NULL), INFLUX_OK);
  assert_string_equal(influx_lines_data(lb),
                      "m,app=x,host=mine,zone=z1 n=1i\n");
  influx_lines_free(lb);
}

static void expect_err(const influx_point *p, const char *prec,
                       const char *needle) {
  char *out = (char *)1;
  influx_error err = {0};
  influx_status st = influx_make_lines(p, 1, prec, &out, NULL, &err);
  assert_int_equal(st, INFLUX_ERR_INVALID_ARG);
  assert_null(out);
  if (!strstr(err.message, needle))
    fail_msg("error \"%s\" should mention \"%s\"", err.message, needle);
  /* The message names the point. */
  assert_non_null(strstr(err.message, "point 0"));
}

static void test_errors(void **state) {
  (void)state;
  influx_field f[] = {INFLUX_F_FLOAT("v", NAN)};
  influx_point p = {"m", NULL, 0, f, 1, 0, 0, NULL};
  expect_err(&p, NULL, "NaN");
  f[0].v.f = INFINITY;
  expect_err(&p, NULL, "infinite");
  f[0].v.f = 1;
  p.measurement = "";
  expect_err(&p, NULL, "measurement is empty");
  p.measurement = "#comment";
  expect_err(&p, NULL, "comment");
  p.measurement = "\tlead";
  expect_err(&p, NULL, "tab");
  p.measurement = "c:\\ x";
  expect_err(&p, NULL, "never query");
  p.measurement = "c:\\\"x";
  expect_err(&p, NULL, "never query");
  p.measurement = "a\nb";
  expect_err(&p, NULL, "line break");
  p.measurement = "trail\\";
  expect_err(&p, NULL, "backslash");
  p.measurement = "bad\xff";
  expect_err(&p, NULL, "UTF-8");
  p.measurement = "m";
  p.nfields = 0;
  expect_err(&p, NULL, "no fields");
  p.nfields = 1;
  influx_tag t[] = {{"k", "ends\\"}};
  p.tags = t;
  p.ntags = 1;
  expect_err(&p, NULL, "ends with a backslash");
  t[0].value = "ok";
  t[0].key = "";
  expect_err(&p, NULL, "tag key");
  p.ntags = 0;
  influx_field f2[] = {INFLUX_F_STRING("x\\ y", "v")};
  p.fields = f2;
  expect_err(&p, NULL, "field key");
  influx_field ft[] = {INFLUX_F_STRING("time", "v")};
  p.fields = ft;
  expect_err(&p, NULL, "\"time\"");
  influx_field fl[] = {INFLUX_F_STRING("\tk", "v")};
  p.fields = fl;
  expect_err(&p, NULL, "tab");
  influx_field f3[] = {INFLUX_F_STRING("s", "\xc3\x28")};
  p.fields = f3;
  expect_err(&p, NULL, "UTF-8");
  influx_field f4[] = {INFLUX_F_INT("a", 1), INFLUX_F_INT("a", 2)};
  p.fields = f4;
  p.nfields = 2;
  expect_err(&p, NULL, "twice");
  influx_tag t2[] = {{"k", "1"}, {"k", "2"}};
  p.tags = t2;
  p.ntags = 2;
  p.nfields = 1;
  expect_err(&p, NULL, "twice");
}

static void test_precision(void **state) {
  (void)state;
  influx_field f[] = {INFLUX_F_INT("n", 1)};
  influx_point p = {"m", NULL, 0, f, 1, 5, 1, "s"};
  char *s = enc(&p, "ms");
  assert_string_equal(s, "m n=1i 5000\n");
  free(s);
  s = enc(&p, NULL);
  assert_string_equal(s, "m n=1i 5000000000\n");
  free(s);
  p.time = INT64_MAX / 1000;
  expect_err(&p, NULL, "overflows");
  p.time = 1500;
  p.precision = "ms";
  expect_err(&p, "s", "whole number");
  p.time = 3000;
  s = enc(&p, "s");
  assert_string_equal(s, "m n=1i 3\n");
  free(s);
  p.precision = "parsec";
  expect_err(&p, NULL, "precision");
  p.precision = NULL;
  p.time = INT64_MIN;
  s = enc(&p, "h");
  assert_string_equal(s, "m n=1i -9223372036854775808\n");
  free(s);
}

static void test_builder(void **state) {
  (void)state;
  influx_lines *lb = influx_lines_new();
  influx_error err = {0};
  assert_int_equal(influx_lines_tag(lb, "a", "b", &err),
                   INFLUX_ERR_INVALID_ARG);
  for (int i = 0; i < 3; i++) {
    assert_ok(influx_lines_begin(lb, "cpu", &err), &err);
    assert_ok(influx_lines_tag(lb, "z", "1", &err), &err);
    assert_ok(influx_lines_tag(lb, "a", "2", &err), &err);
    assert_ok(influx_lines_float(lb, "f", 1.5, &err), &err);
    assert_ok(influx_lines_int(lb, "i", i, &err), &err);
    assert_ok(influx_lines_bool(lb, "b", 0, &err), &err);
    assert_ok(influx_lines_string(lb, "s", "x", &err), &err);
    assert_ok(influx_lines_time(lb, i, "s", &err), &err);
    assert_ok(influx_lines_end(lb, &err), &err);
  }
  assert_int_equal(influx_lines_count(lb), 3);
  assert_string_equal(influx_lines_data(lb),
                      "cpu,a=2,z=1 f=1.5,i=0i,b=false,s=\"x\" 0\n"
                      "cpu,a=2,z=1 f=1.5,i=1i,b=false,s=\"x\" 1000000000\n"
                      "cpu,a=2,z=1 f=1.5,i=2i,b=false,s=\"x\" 2000000000\n");
  /* A bad point leaves the buffer untouched. */
  size_t len = influx_lines_len(lb);
  assert_ok(influx_lines_begin(lb, "cpu", &err), &err);
  assert_ok(influx_lines_float(lb, "f", NAN, &err), &err);
  assert_int_equal(influx_lines_end(lb, &err), INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_lines_len(lb), len);
  assert_int_equal(influx_lines_end(lb, &err), INFLUX_ERR_INVALID_ARG);
  influx_lines_reset(lb);
  assert_int_equal(influx_lines_len(lb), 0);
  assert_ok(influx_lines_append_raw(lb, "m v=1\n", 6, &err), &err);
  assert_ok(influx_lines_append_raw(lb, "m v=\"a\nb\"", 9, &err), &err);
  assert_int_equal(influx_lines_append_raw(lb, "m v=1\nm v=2", 11, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_lines_append_raw(lb, "\n", 1, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_string_equal(influx_lines_data(lb), "m v=1\nm v=\"a\nb\"\n");
  influx_lines_free(lb);
  influx_lines_free(NULL);
}

/* influxd's scanLine rule, written the plain way (one byte at a time, no
 * tables): the optimised splitter must agree with it everywhere. */
static size_t reference_split(const char *b, size_t n, int *complete) {
  int quoted = 0, fields = 0, esc = 0;
  long eq = 0, commas = 0;
  *complete = 0;
  for (size_t i = 0; i < n; i++) {
    char c = b[i];
    if (esc) {
      esc = 0;
      continue;
    }
    if (c == '\\') {
      esc = 1;
      continue;
    }
    if (c == ' ')
      fields = 1;
    if (fields && !quoted && c == '=') {
      eq++;
      continue;
    }
    if (fields && !quoted && c == ',') {
      commas++;
      continue;
    }
    if (fields && c == '"' && eq > commas) {
      quoted = !quoted;
      continue;
    }
    if (c == '\n' && !quoted) {
      *complete = 1;
      return i + 1;
    }
  }
  return n;
}

/* A plain reference for names made of letters, digits, ',', '=', ' ' and
 * '"' (no backslash, so no special rules): measurement escapes ',' and
 * ' ', keys and tag values also '='. */
static void ref_name(char *o, const char *s, int meas) {
  for (; *s; s++) {
    if (*s == ',' || *s == ' ' || (*s == '=' && !meas))
      *o++ = '\\';
    *o++ = *s;
  }
  *o = 0;
}

static void rand_name(char *o, unsigned *seed, size_t len) {
  static const char plain[] = "abcdefghijklmnopqrstuvwxyz0123456789_-.";
  static const char special[] = ",= \"";
  int escapes = rand_r(seed) % 4 == 0; /* most names take the fast path */
  for (size_t i = 0; i < len; i++)
    o[i] = escapes && rand_r(seed) % 8 == 0
               ? special[rand_r(seed) % 4]
               : plain[rand_r(seed) % (sizeof plain - 1)];
  o[0] = 'm'; /* no leading '#' or tab, never "time" or "n" */
  o[len] = 0;
}

/* Names of every length land at every offset of a growing buffer: each
 * line must be what a plain reference makes, whichever path (copy while
 * scanning, or validate and escape) the encoder took and wherever the
 * buffer had to grow. */
static void test_offsets_against_reference(void **state) {
  (void)state;
  unsigned seed = 5;
  influx_lines *lb = influx_lines_new();
  assert_non_null(lb);
  char *want = NULL;
  size_t want_len = 0, want_cap = 0;
  char meas[400], tk[400], tv[400], fk[400], sv[400];
  char e1[800], e2[800], e3[800], e4[800], line[4200];
  for (int i = 0; i < 20000; i++) {
    rand_name(meas, &seed, 1 + (size_t)rand_r(&seed) % 300);
    rand_name(tk, &seed, 1 + (size_t)rand_r(&seed) % 80);
    rand_name(tv, &seed, 1 + (size_t)rand_r(&seed) % 150);
    rand_name(fk, &seed, 1 + (size_t)rand_r(&seed) % 80);
    rand_name(sv, &seed, (size_t)rand_r(&seed) % 300 + 1);
    int64_t iv = (int64_t)rand_r(&seed) - RAND_MAX / 2;
    influx_tag tags[] = {{tk, tv}};
    influx_field f[] = {INFLUX_F_STRING(fk, sv), INFLUX_F_INT("n", iv)};
    influx_point p = {meas, tags, 1, f, 2, (int64_t)i * 1000003, 1, NULL};
    assert_int_equal(influx_lines_append(lb, &p, NULL), INFLUX_OK);
    ref_name(e1, meas, 1);
    ref_name(e2, tk, 0);
    ref_name(e3, tv, 0);
    ref_name(e4, fk, 0);
    char *o = line + sprintf(line, "%s,%s=%s %s=\"", e1, e2, e3, e4);
    for (const char *c = sv; *c; c++) {
      if (*c == '"' || *c == '\\')
        *o++ = '\\';
      *o++ = *c;
    }
    o += sprintf(o, "\",n=%lldi %lld\n", (long long)iv, (long long)i * 1000003);
    size_t n = (size_t)(o - line);
    if (want_len + n + 1 > want_cap) {
      want_cap = (want_len + n + 1) * 2;
      want = realloc(want, want_cap);
      assert_non_null(want);
    }
    memcpy(want + want_len, line, n + 1);
    want_len += n;
    if (i % 997 == 0) { /* sometimes start over: small buffers again */
      assert_int_equal(influx_lines_len(lb), want_len);
      assert_memory_equal(influx_lines_data(lb), want, want_len);
      influx_lines_free(lb);
      lb = influx_lines_new();
      want_len = 0;
    }
  }
  assert_int_equal(influx_lines_len(lb), want_len);
  assert_memory_equal(influx_lines_data(lb), want, want_len);
  assert_int_equal(influx_lines_data(lb)[want_len], 0);
  influx_lines_free(lb);
  free(want);
}

/* A point that fails after part of it was written leaves the buffer as it
 * was, NUL-terminated. */
static void test_failed_point_leaves_buffer(void **state) {
  (void)state;
  influx_lines *lb = influx_lines_new();
  influx_field ok[] = {INFLUX_F_INT("a", 1)};
  influx_point good = {"m", NULL, 0, ok, 1, 0, 0, NULL};
  assert_int_equal(influx_lines_append(lb, &good, NULL), INFLUX_OK);
  influx_field badf[] = {INFLUX_F_STRING("long_field_name_written_first", "x"),
                         INFLUX_F_FLOAT("nan", NAN)};
  influx_point bad = {"measurement_written", NULL, 0, badf, 2, 0, 0, NULL};
  influx_error err;
  assert_int_equal(influx_lines_append(lb, &bad, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "NaN"));
  assert_string_equal(influx_lines_data(lb), "m a=1i\n");
  assert_int_equal(influx_lines_count(lb), 1);
  influx_lines_free(lb);
}

static void test_line_split_matches_reference(void **state) {
  (void)state;
  static const char alphabet[] = "ab =,\"\\\n x1";
  unsigned seed = 12345;
  char buf[64];
  for (int round = 0; round < 200000; round++) {
    size_t n = (size_t)(rand_r(&seed) % sizeof buf);
    for (size_t i = 0; i < n; i++)
      buf[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
    int want_c, got_c;
    size_t want = reference_split(buf, n, &want_c);
    influx_line_splitter sp = {0};
    size_t got = influx_line_split(&sp, buf, n, &got_c);
    if (got != want || got_c != want_c)
      fail_msg("round %d: split at %zu/%d, reference %zu/%d", round, got, got_c,
               want, want_c);
    /* Fed in two pieces, the state carries over. */
    if (n > 1) {
      size_t cut = (size_t)(rand_r(&seed) % n);
      influx_line_splitter sp2 = {0};
      size_t a = influx_line_split(&sp2, buf, cut, &got_c);
      if (!got_c)
        a += influx_line_split(&sp2, buf + cut, n - cut, &got_c);
      assert_int_equal(a, want);
      assert_int_equal(got_c, want_c);
    }
  }
}

/* A points file nested 500000 deep is a clear error, not a crash (yajl's
 * tree recursed on it and exhausted the stack). */
static void test_json_points_deep(void **state) {
  (void)state;
  size_t depth = 500000;
  char *text = malloc(2 * depth);
  assert_non_null(text);
  memset(text, '[', depth);
  memset(text + depth, ']', depth);
  influx_point_set *set = NULL;
  influx_error err = {0};
  assert_int_equal(influx_point_set_parse_json(text, 2 * depth, &set, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "nested deeper"));
  assert_null(set);
  /* Brackets inside strings do not count. */
  const char *ok = "[{\"measurement\":\"m[[[[\",\"fields\":{\"v\":1}}]";
  assert_ok(influx_point_set_parse_json(ok, strlen(ok), &set, &err), &err);
  assert_int_equal(influx_point_set_count(set), 1);
  influx_point_set_free(set);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_basic),
      cmocka_unit_test(test_seed_style),
      cmocka_unit_test(test_escaping_positions),
      cmocka_unit_test(test_tags_sorted_and_defaults),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_precision),
      cmocka_unit_test(test_builder),
      cmocka_unit_test(test_line_split_matches_reference),
      cmocka_unit_test(test_offsets_against_reference),
      cmocka_unit_test(test_failed_point_leaves_buffer),
      cmocka_unit_test(test_json_points_deep),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
