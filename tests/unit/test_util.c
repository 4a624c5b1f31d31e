/* Time parsing/formatting and number formatting helpers. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "harness.h"
#include "internal.h"
#include "retry.h"

static void test_rfc3339(void **state) {
  (void)state;
  int64_t ns;
  assert_int_equal(influx_time_parse("1970-01-01T00:00:00Z", &ns), INFLUX_OK);
  assert_int_equal(ns, 0);
  assert_int_equal(influx_time_parse("2001-09-09T01:46:40.123456789Z", &ns),
                   INFLUX_OK);
  assert_int_equal(ns, 1000000000123456789LL);
  assert_int_equal(influx_time_parse("2001-09-09T02:46:40.5+01:00", &ns),
                   INFLUX_OK);
  assert_int_equal(ns, 1000000000500000000LL);
  assert_int_equal(influx_time_parse("1969-12-31T23:59:59.999999999Z", &ns),
                   INFLUX_OK);
  assert_int_equal(ns, -1);
  assert_int_equal(influx_time_parse("2262-04-11T23:47:16.854775807Z", &ns),
                   INFLUX_OK);
  assert_int_equal(ns, INT64_MAX);
  assert_int_equal(influx_time_parse("1677-09-21T00:12:43.145224192Z", &ns),
                   INFLUX_OK);
  assert_int_equal(ns, INT64_MIN);
  assert_int_equal(influx_time_parse("2262-04-11T23:47:16.854775808Z", &ns),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_time_parse("2001-13-09T01:46:40Z", &ns),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_time_parse("2001-09-09 01:46:40", &ns),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_time_parse("2001-09-09T01:46:40.Z", &ns),
                   INFLUX_ERR_INVALID_ARG);
  char buf[48];
  influx_time_format(1000000000123456789LL, buf, sizeof buf);
  assert_string_equal(buf, "2001-09-09T01:46:40.123456789Z");
  influx_time_format(-1, buf, sizeof buf);
  assert_string_equal(buf, "1969-12-31T23:59:59.999999999Z");
  influx_time_format(1000000000100000000LL, buf, sizeof buf);
  assert_string_equal(buf, "2001-09-09T01:46:40.1Z");
  /* Round trip over a spread of times. */
  for (int64_t t = INT64_MIN; t < INT64_MAX - 7777777777777777LL;
       t += 7777777777777777LL) {
    influx_time_format(t, buf, sizeof buf);
    assert_int_equal(influx_time_parse(buf, &ns), INFLUX_OK);
    assert_int_equal(ns, t);
  }
}

static void test_doubles(void **state) {
  (void)state;
  const double vals[] = {0.1,
                         1.0 / 3,
                         1e300,
                         -1e-300,
                         5e-324,
                         2.5e-308,
                         123456789012345678.0,
                         0.64,
                         -0.0,
                         1.7976931348623157e308,
                         42,
                         1e15,
                         1e16,
                         1e-7};
  /* Comma-decimal locale if available: output must not change. */
  const char *got = setlocale(LC_NUMERIC, "de_DE.UTF-8");
  if (!got)
    got = setlocale(LC_NUMERIC, "fr_FR.UTF-8");
  /* setlocale's string dies at the next call: keep a copy. */
  char loc_buf[64] = "";
  const char *loc = got ? strncpy(loc_buf, got, sizeof loc_buf - 1) : NULL;
  if (!loc)
    fail_msg("no comma-decimal locale (generate de_DE.UTF-8 with locale-gen)");
  assert_string_equal(localeconv()->decimal_point, ",");
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
    char out[40];
    fmt_double(vals[i], out);
    assert_null(strchr(out, ','));
    setlocale(LC_NUMERIC, "C");
    double back = strtod(out, NULL);
    if (loc)
      setlocale(LC_NUMERIC, loc);
    if (back != vals[i] || signbit(back) != signbit(vals[i]))
      fail_msg("%.17g formatted as %s", vals[i], out);
  }
  char out[40];
  fmt_double(0.1, out);
  assert_string_equal(out, "0.1");
  fmt_double(0.64, out);
  assert_string_equal(out, "0.64");
  fmt_double(42, out);
  assert_string_equal(out, "42");
  fmt_double(5e-324, out);
  assert_string_equal(out, "5e-324");
  fmt_double(1e300, out);
  assert_string_equal(out, "1e+300");
  setlocale(LC_NUMERIC, "C");
}

/* Integers at every digit-count boundary, against printf. */
static void test_integers(void **state) {
  (void)state;
  char got[32], want[32];
  uint64_t p = 1;
  for (int d = 0; d < 20; d++) {
    uint64_t cands[] = {p - 1, p, p + 1, p * 9 / 10 * 10 / 9};
    for (size_t i = 0; i < 4; i++) {
      int n = fmt_u64(cands[i], got);
      snprintf(want, sizeof want, "%llu", (unsigned long long)cands[i]);
      assert_string_equal(got, want);
      assert_int_equal(n, (int)strlen(want));
    }
    p *= 10;
  }
  const uint64_t edge[] = {0, UINT64_MAX, UINT64_MAX - 1,
                           10000000000000000000ull, 9999999999999999999ull};
  for (size_t i = 0; i < 5; i++) {
    fmt_u64(edge[i], got);
    snprintf(want, sizeof want, "%llu", (unsigned long long)edge[i]);
    assert_string_equal(got, want);
  }
  const int64_t sedge[] = {0, -1, INT64_MIN, INT64_MAX, -1000000000};
  for (size_t i = 0; i < 5; i++) {
    fmt_i64(sedge[i], got);
    snprintf(want, sizeof want, "%lld", (long long)sedge[i]);
    assert_string_equal(got, want);
  }
}

/* The timestamp cache gives what fmt_i64 gives, whatever the order:
 * runs sharing their high digits, jumps, small and negative values. */
static void test_cached_times(void **state) {
  (void)state;
  fmt_cache c = {0};
  char got[40], want[32];
  unsigned seed = 7;
  int64_t t = 1600000000000000000LL;
  for (int i = 0; i < 300000; i++) {
    /* mostly the same high digits; sometimes crossing 10^8 steps (the
     * additions wrap around in unsigned arithmetic, on purpose) */
    int r = rand_r(&seed) % 100;
    if (r < 80)
      t = (int64_t)((uint64_t)t + (uint64_t)(rand_r(&seed) % 5000));
    else if (r < 90)
      t = (int64_t)((uint64_t)t + (uint64_t)rand_r(&seed) * 1000000);
    else if (r < 94)
      t = rand_r(&seed) % 200000000 - 100000000; /* small, either sign */
    else if (r < 97)
      t = INT64_MAX - rand_r(&seed) % 1000;
    else if (r < 98)
      t = INT64_MIN + rand_r(&seed) % 1000;
    else
      t = (int64_t)(((uint64_t)rand_r(&seed) << 33) ^
                    ((uint64_t)rand_r(&seed) << 11));
    int n = fmt_i64_cached(t, got, &c);
    snprintf(want, sizeof want, "%lld", (long long)t);
    assert_string_equal(got, want);
    assert_int_equal(n, (int)strlen(want));
  }
}

/* Random doubles of every kind read back exactly, and no shorter text
 * would (%.{n}g for fewer digits does not round-trip). */
static void test_doubles_random(void **state) {
  (void)state;
  unsigned seed = 99;
  for (int i = 0; i < 200000; i++) {
    double v;
    if (i % 2) {
      uint64_t bits = ((uint64_t)rand_r(&seed) << 33) ^
                      ((uint64_t)rand_r(&seed) << 11) ^ (uint64_t)rand_r(&seed);
      memcpy(&v, &bits, sizeof v);
      if (!isfinite(v))
        continue;
    } else if (i % 4 == 0) {
      /* Short decimals, the common case in metrics. */
      v = (double)(rand_r(&seed) % 1000000) /
          (double)(1 + rand_r(&seed) % 1000);
    } else {
      /* m / 10^d for every d: each count of fraction digits, leading
       * zeros after the point included. */
      int64_t m =
          (int64_t)(((uint64_t)rand_r(&seed) << 31) ^ (uint64_t)rand_r(&seed)) %
          (int64_t)1e15 / (int64_t)pow(10, rand_r(&seed) % 15);
      v = (double)m / pow(10, rand_r(&seed) % 18) * (i % 3 ? 1 : -1);
    }
    char out[40], *end;
    int len = fmt_double(v, out);
    if (strtod(out, &end) != v || *end || len != (int)strlen(out))
      fail_msg("%.17g formatted as %s", v, out);
    /* Shortest: no more significant digits than the fewest %g needs.
     * (Leading zeros, and an integer's trailing zeros, do not count.) */
    char digs[40];
    int nd = 0, in_exp = 0, dot = strchr(out, '.') != NULL;
    for (const char *c = out; *c; c++) {
      in_exp |= *c == 'e';
      if (!in_exp && *c >= '0' && *c <= '9' && (nd || *c != '0'))
        digs[nd++] = *c;
    }
    if (!dot && !strchr(out, 'e'))
      while (nd > 1 && digs[nd - 1] == '0')
        nd--;
    for (int prec = 1; prec < 17; prec++) {
      char alt[40];
      snprintf(alt, sizeof alt, "%.*g", prec, v);
      if (strtod(alt, NULL) == v) {
        if (nd > prec)
          fail_msg("%.17g formatted as %s, but %s is shorter", v, out, alt);
        break;
      }
    }
  }
}

/* The one retry policy (client and writer): exponential with jitter in
 * [d/2, d], capped; Retry-After raises the delay but never past the cap,
 * whatever a server sends. */
static void test_retry_policy(void **state) {
  (void)state;
  retry_policy p = {100, 2, 1000};
  for (unsigned r = 0; r < 2000; r += 7) {
    long d1 = retry_delay_ms(&p, 1, NULL, r);
    long d3 = retry_delay_ms(&p, 3, NULL, r);
    long d9 = retry_delay_ms(&p, 9, NULL, r);
    assert_true(d1 >= 50 && d1 <= 100);
    assert_true(d3 >= 200 && d3 <= 400);
    assert_true(d9 >= 500 && d9 <= 1000);
  }
  assert_int_equal(retry_delay_ms(&p, 1, "0", 0), 50);
  assert_int_equal(retry_delay_ms(&p, 1, "abc", 0), 50);
  assert_int_equal(retry_delay_ms(&p, 1, "-5", 0), 50);
  retry_policy slow = {100, 2, 30000};
  assert_int_equal(retry_delay_ms(&slow, 1, "2", 0), 2000);
  /* A server asking for an hour (or for ever) waits the cap. */
  assert_int_equal(retry_delay_ms(&slow, 1, "3600", 0), 30000);
  assert_int_equal(retry_delay_ms(&slow, 1, "99999999999999999999", 0), 50);
  assert_true(retry_http_status(500) && retry_http_status(503) &&
              retry_http_status(429));
  assert_false(retry_http_status(501) || retry_http_status(400) ||
               retry_http_status(404) || retry_http_status(200));
}

/* influx_format_double: shortest round-trip digits, plain notation in
 * [1e-6, 1e21) as influxd's JSON, exponent form outside it. */
static void test_format_double(void **state) {
  (void)state;
  static const struct {
    double v;
    const char *want;
  } cases[] = {{10, "10"},
               {630, "630"},
               {0.1, "0.1"},
               {-0.000001, "-0.000001"},
               {1e20, "100000000000000000000"},
               {1.2345678901234568e20, "123456789012345680000"},
               {1e21, "1e+21"},
               {1e-7, "1e-7"},
               {-1.5e-7, "-1.5e-7"},
               {1.2345678901234568e-5, "0.000012345678901234568"},
               {0, "0"},
               {5e-324, "5e-324"},
               {1.7976931348623157e308, "1.7976931348623157e+308"},
               /* the shortest text: 16 digits, not %.17g's */
               {-5.9604644775390625e-08, "-5.960464477539063e-8"},
               /* of two 16-digit texts that read back, the nearest */
               {8.643556373590595, "8.643556373590595"}};
  char buf[48];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    influx_format_double(cases[i].v, buf, sizeof buf);
    assert_string_equal(buf, cases[i].want);
  }
  /* Random bit patterns: always the same double back, plain or not as the
   * magnitude says. */
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 200000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double v;
    memcpy(&v, &x, sizeof v);
    if (!isfinite(v))
      continue;
    int n = influx_format_double(v, buf, sizeof buf);
    assert_int_equal((size_t)n, strlen(buf));
    char *end;
    double back = strtod(buf, &end);
    assert_true(*end == 0);
    assert_memory_equal(&back, &v, sizeof v);
    double a = fabs(v);
    assert_true((strchr(buf, 'e') != NULL) ==
                (a != 0 && (a < 1e-6 || a >= 1e21)));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc3339),
      cmocka_unit_test(test_doubles),
      cmocka_unit_test(test_integers),
      cmocka_unit_test(test_cached_times),
      cmocka_unit_test(test_doubles_random),
      cmocka_unit_test(test_retry_policy),
      cmocka_unit_test(test_format_double),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
