/* Time parsing/formatting and number formatting helpers. */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc3339),
      cmocka_unit_test(test_doubles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
