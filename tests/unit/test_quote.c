/* InfluxQL quoting. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void check(influx_status (*fn)(const char *, char **, influx_error *),
                  const char *in, const char *want) {
  char *out = NULL;
  influx_error err = {0};
  if (fn(in, &out, &err))
    fail_msg("quote(%s): %s", in, err.message);
  assert_string_equal(out, want);
  free(out);
}

static void test_ident(void **state) {
  (void)state;
  check(influx_quote_ident, "cpu", "\"cpu\"");
  check(influx_quote_ident, "a\"b", "\"a\\\"b\"");
  check(influx_quote_ident, "a\\b", "\"a\\\\b\"");
  check(influx_quote_ident, "it's", "\"it's\"");
  check(influx_quote_ident, "a\nb", "\"a\\nb\"");
  check(influx_quote_ident, "x\"; DROP DATABASE y; --",
        "\"x\\\"; DROP DATABASE y; --\"");
  check(influx_quote_ident, "ünï 🚀", "\"ünï 🚀\"");
}

static void test_literal(void **state) {
  (void)state;
  check(influx_quote_literal, "", "''");
  check(influx_quote_literal, "' OR 1=1 --", "'\\' OR 1=1 --'");
  check(influx_quote_literal, "a\\", "'a\\\\'");
  check(influx_quote_literal, "say \"hi\"", "'say \"hi\"'");
}

static void test_bad(void **state) {
  (void)state;
  char *out = (char *)1;
  influx_error err = {0};
  assert_int_equal(influx_quote_ident("", &out, &err), INFLUX_ERR_INVALID_ARG);
  assert_null(out);
  assert_non_null(strstr(err.message, "empty"));
  assert_int_equal(influx_quote_ident(NULL, &out, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_quote_literal("\xff\xfe", &out, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "UTF-8"));
  assert_int_equal(influx_quote_ident("x", NULL, &err), INFLUX_ERR_INVALID_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ident),
      cmocka_unit_test(test_literal),
      cmocka_unit_test(test_bad),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
