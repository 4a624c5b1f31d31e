/* JSON and msgpack push decoders on byte buffers: every split point,
 * malformed and truncated input, chunk merging, errors, times. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static influx_status decode(influx_format f, const char *data, size_t n,
                            size_t step, const influx_query_options *o,
                            influx_result **out, influx_error *err) {
  influx_decoder *d = NULL;
  influx_status st = influx_decoder_new(f, o, NULL, &d, err);
  if (st)
    return st;
  for (size_t i = 0; i < n && !st; i += step)
    st = influx_decoder_feed(d, data + i, n - i < step ? n - i : step, err);
  if (!st)
    st = influx_decoder_finish(d, out, err);
  influx_decoder_free(d);
  return st;
}

static const char json_doc[] =
    "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\","
    "\"tags\":{\"host\":\"a\\\"b\"},\"columns\":[\"time\",\"v\",\"i\",\"s\","
    "\"b\"],\"values\":[[\"2001-09-09T01:46:40.123456789Z\",1.5,-"
    "9223372036854775808,"
    "\"x\\u00e9\\n\",true],[\"2001-09-09T01:46:41Z\",null,9223372036854775807,"
    "\"\",false]]}]},{\"statement_id\":1,\"error\":\"database not found: "
    "nope\"}]}";

static void check_doc(const influx_result *r) {
  assert_int_equal(influx_result_count(r), 2);
  assert_int_equal(influx_result_statement_id(r, 1), 1);
  assert_null(influx_result_error(r, 0));
  assert_string_equal(influx_result_error(r, 1), "database not found: nope");
  assert_int_equal(influx_result_series_count(r, 0), 1);
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_string_equal(influx_series_name(s), "cpu");
  assert_string_equal(influx_series_tag(s, "host"), "a\"b");
  assert_int_equal(influx_series_column_count(s), 5);
  assert_int_equal(influx_series_row_count(s), 2);
  const influx_value *t = influx_series_value(s, 0, 0);
  assert_int_equal(t->type, INFLUX_VALUE_TIME);
  assert_int_equal(t->v.i, 1000000000123456789LL);
  double f;
  assert_int_equal(influx_series_get_float(s, 0, 1, &f), INFLUX_OK);
  assert_true(f == 1.5);
  int64_t i;
  assert_int_equal(influx_series_get_int(s, 0, 2, &i), INFLUX_OK);
  assert_int_equal(i, INT64_MIN);
  assert_int_equal(influx_series_get_int(s, 1, 2, &i), INFLUX_OK);
  assert_int_equal(i, INT64_MAX);
  assert_string_equal(influx_series_get_string(s, 0, 3), "x\xc3\xa9\n");
  assert_true(influx_series_is_null(s, 1, 1));
  int b;
  assert_int_equal(influx_series_get_bool(s, 1, 4, &b), INFLUX_OK);
  assert_false(b);
  assert_int_equal(influx_series_get_bool(s, 1, 3, &b), INFLUX_ERR_INVALID_ARG);
  const influx_value *v = influx_series_get(s, 0, "s");
  assert_non_null(v);
  assert_int_equal(v->len, 4);
  assert_null(influx_series_get(s, 0, "nope"));
  assert_true(influx_series_is_null(s, 99, 0));
}

static void test_json_every_split(void **state) {
  (void)state;
  size_t n = strlen(json_doc);
  for (size_t step = 1; step <= n; step += (step < 40 ? 1 : 37)) {
    influx_result *r = NULL;
    influx_error err = {0};
    if (decode(INFLUX_FORMAT_JSON, json_doc, n, step, NULL, &r, &err))
      fail_msg("step %zu: %s", step, err.message);
    check_doc(r);
    influx_result_free(r);
  }
}

/* JSON objects are unordered and proxies reorder keys: the same series
 * with its keys in every order (values before columns, tags and name
 * last), at every split, decodes to the same result (issue 24). */
static void test_json_any_key_order(void **state) {
  (void)state;
  const char *part[4] = {
      "\"name\":\"cpu\"", "\"tags\":{\"host\":\"a\\\"b\"}",
      "\"columns\":[\"time\",\"v\",\"i\",\"s\",\"b\"]",
      "\"values\":[[\"2001-09-09T01:46:40.123456789Z\",1.5,-"
      "9223372036854775808,\"x\\u00e9\\n\",true],[\"2001-09-09T01:46:41Z\","
      "null,9223372036854775807,\"\",false]]"};
  int perm[24][4], np = 0;
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      for (int c = 0; c < 4; c++)
        for (int d = 0; d < 4; d++)
          if (a != b && a != c && a != d && b != c && b != d && c != d) {
            perm[np][0] = a, perm[np][1] = b, perm[np][2] = c, perm[np][3] = d;
            np++;
          }
  for (int k = 0; k < np; k++) {
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"results\":[{\"series\":[{%s,%s,%s,%s}],\"statement_id\":0},"
             "{\"error\":\"database not found: nope\",\"statement_id\":1}]}",
             part[perm[k][0]], part[perm[k][1]], part[perm[k][2]],
             part[perm[k][3]]);
    size_t n = strlen(doc);
    for (size_t step = 1; step <= n; step += (step < 8 ? 1 : 29)) {
      influx_result *r = NULL;
      influx_error err = {0};
      if (decode(INFLUX_FORMAT_JSON, doc, n, step, NULL, &r, &err))
        fail_msg("order %d, step %zu: %s\n%s", k, step, err.message, doc);
      check_doc(r);
      influx_result_free(r);
    }
  }
  /* Values and no columns at all: an error, not a crash. */
  const char *bad = "{\"results\":[{\"statement_id\":0,\"series\":[{"
                    "\"values\":[[1,2]],\"name\":\"m\"}]}]}";
  influx_result *r = NULL;
  influx_error err = {0};
  assert_int_equal(
      decode(INFLUX_FORMAT_JSON, bad, strlen(bad), 3, NULL, &r, &err),
      INFLUX_ERR_PARSE);
  assert_non_null(strstr(err.message, "columns"));
  influx_result_free(r);
}

/* A tiny msgpack writer to build test inputs. */
typedef struct mp {
  unsigned char b[4096];
  size_t n;
} mp;
static void mp_raw(mp *m, const void *p, size_t n) {
  memcpy(m->b + m->n, p, n);
  m->n += n;
}
static void mp_u8(mp *m, unsigned v) { m->b[m->n++] = (unsigned char)v; }
static void mp_be(mp *m, uint64_t v, int k) {
  for (int i = k - 1; i >= 0; i--)
    mp_u8(m, (unsigned)(v >> (8 * i)) & 0xff);
}
static void mp_map(mp *m, unsigned n) { mp_u8(m, 0x80 | n); }
static void mp_arr(mp *m, unsigned n) { mp_u8(m, 0x90 | n); }
static void mp_str(mp *m, const char *s) {
  size_t l = strlen(s);
  if (l < 32) {
    mp_u8(m, 0xa0 | (unsigned)l);
  } else {
    mp_u8(m, 0xd9);
    mp_u8(m, (unsigned)l);
  }
  mp_raw(m, s, l);
}
static void mp_int(mp *m, int64_t v) {
  mp_u8(m, 0xd3);
  mp_be(m, (uint64_t)v, 8);
}
static void mp_f64(mp *m, double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  mp_u8(m, 0xcb);
  mp_be(m, u, 8);
}
static void mp_time(mp *m, int64_t secs, uint32_t ns) {
  mp_u8(m, 0xc7);
  mp_u8(m, 12);
  mp_u8(m, 5);
  mp_be(m, (uint64_t)secs, 8);
  mp_be(m, ns, 4);
}

static void build_mp_doc(mp *m) {
  mp_map(m, 1);
  mp_str(m, "results");
  mp_arr(m, 2);
  mp_map(m, 2);
  mp_str(m, "statement_id");
  mp_u8(m, 0);
  mp_str(m, "series");
  mp_arr(m, 1);
  mp_map(m, 4);
  mp_str(m, "name");
  mp_str(m, "cpu");
  mp_str(m, "tags");
  mp_map(m, 1);
  mp_str(m, "host");
  mp_str(m, "a\"b");
  mp_str(m, "columns");
  mp_arr(m, 5);
  mp_str(m, "time");
  mp_str(m, "v");
  mp_str(m, "i");
  mp_str(m, "s");
  mp_str(m, "b");
  mp_str(m, "values");
  mp_arr(m, 2);
  mp_arr(m, 5);
  mp_time(m, 1000000000, 123456789);
  mp_f64(m, 1.5);
  mp_int(m, INT64_MIN);
  mp_str(m, "x\xc3\xa9\n");
  mp_u8(m, 0xc3);
  mp_arr(m, 5);
  mp_time(m, 1000000001, 0);
  mp_u8(m, 0xc0);
  mp_u8(m, 0xcf);
  mp_be(m, (uint64_t)INT64_MAX, 8);
  mp_str(m, "");
  mp_u8(m, 0xc2);
  mp_map(m, 2);
  mp_str(m, "statement_id");
  mp_u8(m, 1);
  mp_str(m, "error");
  mp_str(m, "database not found: nope");
}

static void test_msgpack_every_split(void **state) {
  (void)state;
  mp m = {0};
  build_mp_doc(&m);
  for (size_t step = 1; step <= m.n; step++) {
    influx_result *r = NULL;
    influx_error err = {0};
    if (decode(INFLUX_FORMAT_MSGPACK, (const char *)m.b, m.n, step, NULL, &r,
               &err))
      fail_msg("step %zu: %s", step, err.message);
    check_doc(r);
    influx_result_free(r);
  }
  /* Every truncation is an error, never a crash or a silent success. */
  for (size_t cut = 0; cut < m.n; cut++) {
    influx_result *r = NULL;
    influx_error err = {0};
    influx_status st = decode(INFLUX_FORMAT_MSGPACK, (const char *)m.b, cut, 7,
                              NULL, &r, &err);
    assert_int_not_equal(st, INFLUX_OK);
    assert_null(r);
  }
}

static void test_json_truncations(void **state) {
  (void)state;
  size_t n = strlen(json_doc);
  for (size_t cut = 0; cut < n; cut++) {
    influx_result *r = NULL;
    influx_error err = {0};
    influx_status st =
        decode(INFLUX_FORMAT_JSON, json_doc, cut, 5, NULL, &r, &err);
    if (st == INFLUX_OK)
      fail_msg("truncated at %zu decoded fine", cut);
    assert_int_equal(st, INFLUX_ERR_PARSE);
    assert_true(strlen(err.message) > 0);
    assert_null(r);
  }
}

static void expect_parse_error(influx_format f, const char *doc, size_t n) {
  influx_result *r = NULL;
  influx_error err = {0};
  influx_status st = decode(f, doc, n, n ? n : 1, NULL, &r, &err);
  if (st != INFLUX_ERR_PARSE)
    fail_msg("%.*s: status %d (%s)", (int)n, doc, st, err.message);
  assert_null(r);
  assert_true(strlen(err.message) > 0);
}

static void test_malformed(void **state) {
  (void)state;
  const char *bad[] = {
      "",
      "[]",
      "{\"results\":{}}",
      "{\"results\":[{\"series\":[{\"values\":[[1]]}]}]}",
      "{\"results\":[{\"series\":[{\"columns\":[\"a\"],\"values\":[[1,2]]}]}]}",
      "{\"results\":[{\"series\":[{\"columns\":[1]}]}]}",
      "{\"results\":[{\"series\":[{\"columns\":[\"a\"],\"values\":[[{}]]}]}]}",
      "{\"results\":[{\"statement_id\":\"x\"}]}",
      "{\"results\":[{\"statement_id\":-1}]}",
      /* ids count up from 0: one that skips ahead (fuzz_frames: a frame
       * set held a slot for each of 577777777 ids, 13.8 GB) */
      ("{\"results\":[{\"statement_id\":577777777,\"series\":[{\"name\":"
       "\"m\",\"columns\":[\"time\",\"v\"],\"values\":[[1,2]]}]}]}"),
      "{\"results\":[{\"statement_id\":0},{\"statement_id\":2}]}",
      "{\"results\":[1]}",
      "{\"results\":[{\"series\":[{\"name\":5}]}]}",
      "\"str\"",
      "{\"results\":[]}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    expect_parse_error(INFLUX_FORMAT_JSON, bad[i], strlen(bad[i]));
  const char mbad[][4] = {
      {(char)0xc1}, {(char)0x91, 0x01}, {0x01}, {(char)0x81, 0x01, 0x01}};
  const size_t mlen[] = {1, 2, 1, 3};
  for (size_t i = 0; i < 4; i++)
    expect_parse_error(INFLUX_FORMAT_MSGPACK, mbad[i], mlen[i]);
  /* Unknown keys and nested junk are ignored, not errors. */
  const char *ok = "{\"results\":[{\"statement_id\":0,\"messages\":[{\"level\":"
                   "\"warning\",\"text\":\"x\"}],\"extra\":{\"a\":[1,{}]}}],"
                   "\"future\":[[{}]]}";
  influx_result *r = NULL;
  assert_int_equal(
      decode(INFLUX_FORMAT_JSON, ok, strlen(ok), 3, NULL, &r, NULL), INFLUX_OK);
  assert_int_equal(influx_result_count(r), 1);
  influx_result_free(r);
}

static void test_chunk_merge_and_partial(void **state) {
  (void)state;
  const char *chunks =
      "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\","
      "\"columns\":[\"time\",\"v\"],\"values\":[[1,1],[2,2]],\"partial\":true}]"
      ","
      "\"partial\":true}]}\n"
      "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\","
      "\"columns\":[\"time\",\"v\"],\"values\":[[3,3]]}]}]}\n"
      "{\"results\":[{\"statement_id\":1,\"series\":[{\"name\":\"mem\","
      "\"columns\":[\"time\",\"v\"],\"values\":[[4,4]],\"partial\":true}]}]}\n";
  influx_query_options o = {.chunked = 1, .epoch = "s"};
  influx_result *r = NULL;
  influx_error err = {0};
  assert_int_equal(
      decode(INFLUX_FORMAT_JSON, chunks, strlen(chunks), 11, &o, &r, &err),
      INFLUX_OK);
  assert_int_equal(influx_result_count(r), 2);
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_int_equal(influx_series_row_count(s), 3);
  assert_false(influx_result_partial(r, 0));
  /* epoch=s times become exact nanoseconds. */
  const influx_value *t = influx_series_value(s, 2, 0);
  assert_int_equal(t->type, INFLUX_VALUE_TIME);
  assert_int_equal(t->v.i, 3000000000LL);
  /* The last statement ended partial: truncated, and reported. */
  assert_true(influx_result_partial(r, 1));
  influx_result_free(r);
  /* raw_time keeps the server's value. */
  o.raw_time = 1;
  assert_int_equal(
      decode(INFLUX_FORMAT_JSON, chunks, strlen(chunks), 1000, &o, &r, &err),
      INFLUX_OK);
  assert_int_equal(
      influx_series_value(influx_result_series(r, 0, 0), 2, 0)->type,
      INFLUX_VALUE_INT);
  influx_result_free(r);
}

static void test_top_error_and_stream(void **state) {
  (void)state;
  const char *doc = "{\"error\":\"error parsing query: found X\"}";
  influx_result *r = NULL;
  assert_int_equal(
      decode(INFLUX_FORMAT_JSON, doc, strlen(doc), 4, NULL, &r, NULL),
      INFLUX_OK);
  assert_int_equal(influx_result_count(r), 0);
  influx_result_free(r);
  assert_int_equal(influx_decoder_new((influx_format)9, NULL, NULL, NULL, NULL),
                   INFLUX_ERR_INVALID_ARG);
  influx_query_options bad = {.epoch = "fortnight"};
  influx_decoder *d = NULL;
  influx_error err = {0};
  assert_int_equal(influx_decoder_new(INFLUX_FORMAT_JSON, &bad, NULL, &d, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "fortnight"));
  influx_decoder_free(NULL);
  influx_result_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_every_split),
      cmocka_unit_test(test_json_any_key_order),
      cmocka_unit_test(test_msgpack_every_split),
      cmocka_unit_test(test_json_truncations),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_chunk_merge_and_partial),
      cmocka_unit_test(test_top_error_and_stream),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
