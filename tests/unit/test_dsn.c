/* DSN parsing and option validation, no network. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void parse_ok(const char *dsn, influx_options *o, char **st) {
  influx_error err = {0};
  if (influx_dsn_parse(dsn, o, st, &err))
    fail_msg("parse %s: %s", dsn, err.message);
}

static void test_full_dsn(void **state) {
  (void)state;
  influx_options o;
  char *st;
  parse_ok("influxdb://us%40r:p%3Ass%20w@db.example.com:8087/my%2Fdb", &o, &st);
  assert_string_equal(o.host, "db.example.com");
  assert_int_equal(o.port, 8087);
  assert_string_equal(o.username, "us@r");
  assert_string_equal(o.password, "p:ss w");
  assert_string_equal(o.database, "my/db");
  assert_false(o.ssl);
  assert_false(o.use_udp);
  free(st);
}

static void test_schemes(void **state) {
  (void)state;
  influx_options o;
  char *st;
  parse_ok("https+influxdb://h", &o, &st);
  assert_true(o.ssl);
  assert_null(o.username);
  assert_int_equal(o.port, 0);
  assert_null(o.database);
  free(st);
  parse_ok("udp+influxdb://u:p@h:8086/d", &o, &st);
  assert_true(o.use_udp);
  assert_int_equal(o.port, 8086);
  free(st);
  parse_ok("influxdb://[::1]:9000/x", &o, &st);
  assert_string_equal(o.host, "::1");
  assert_int_equal(o.port, 9000);
  free(st);
  parse_ok("influxdb://user@h", &o, &st);
  assert_string_equal(o.username, "user");
  assert_string_equal(o.password, "");
  free(st);
}

static void expect_bad(const char *dsn, const char *needle) {
  influx_options o;
  char *st = NULL;
  influx_error err = {0};
  influx_status s = influx_dsn_parse(dsn, &o, &st, &err);
  assert_int_equal(s, INFLUX_ERR_INVALID_ARG);
  assert_null(st);
  if (!strstr(err.message, needle))
    fail_msg("error for %s was \"%s\", expected to mention \"%s\"", dsn,
             err.message, needle);
  /* Never echo the password back. */
  assert_null(strstr(err.message, "s3cret"));
}

static void test_bad_dsns(void **state) {
  (void)state;
  expect_bad("localhost:8086", "scheme");
  expect_bad("http://h", "scheme \"http\"");
  expect_bad("influxdb://u:s3cret@h:99999/d", "out of range");
  expect_bad("influxdb://u:s3cret@h:80x/d", "port");
  expect_bad("influxdb://u:s3cret@h:/d", "port is empty");
  expect_bad("influxdb://u:s3cr%zzet@h/d", "escape");
  expect_bad("influxdb://h/a/b", "single /database");
  expect_bad("influxdb://h/d?x=1", "query string");
  expect_bad("influxdb://h o/d", "space");
  expect_bad("influxdb://[::1/d", "']'");
  expect_bad("influxdb://u:s3cret@h/d%", "escape");
}

static void test_overrides_win(void **state) {
  (void)state;
  influx_options ov = {.database = "other", .port = 1234, .udp_port = 159};
  influx_client *c = NULL;
  influx_error err = {0};
  assert_ok(
      influx_client_from_dsn("udp+influxdb://u:p@h:8086/d", &ov, &c, &err),
      &err);
  assert_string_equal(influx_client_database(c), "other");
  influx_client_free(c);
  assert_int_equal(influx_client_from_dsn("nope", &ov, &c, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_null(c);
}

static void expect_opt_bad(const influx_options *o, const char *needle) {
  influx_client *c = (influx_client *)1;
  influx_error err = {0};
  assert_int_equal(influx_client_new(o, &c, &err), INFLUX_ERR_INVALID_ARG);
  assert_null(c);
  if (!strstr(err.message, needle))
    fail_msg("error \"%s\" should mention \"%s\"", err.message, needle);
}

/* Several hosts: the DSN keeps the list for the client, which parses it
 * (each host's own port, else the default). */
static void test_host_lists(void **state) {
  (void)state;
  influx_options o;
  char *st;
  parse_ok("influxdb://u:p@h1:8086,h2:8087,h3/db", &o, &st);
  assert_string_equal(o.host, "h1:8086,h2:8087,h3");
  assert_string_equal(o.database, "db");
  influx_client *c = NULL;
  influx_error err = {0};
  assert_int_equal(influx_client_new(&o, &c, &err), INFLUX_OK);
  assert_int_equal(influx_client_host_count(c), 3);
  const int ports[] = {8086, 8087, 8086};
  const char *names[] = {"h1", "h2", "h3"};
  for (size_t i = 0; i < 3; i++) {
    influx_host_status hs;
    assert_int_equal(influx_client_host_status(c, i, &hs, &err), INFLUX_OK);
    assert_string_equal(hs.host, names[i]);
    assert_int_equal(hs.port, ports[i]);
    assert_int_equal(hs.state, INFLUX_HOST_UP);
  }
  influx_host_status hs;
  assert_int_equal(influx_client_host_status(c, 3, &hs, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_client_free(c);
  free(st);

  const char *list[] = {"[::1]:9000", "127.0.0.1", "::2", NULL};
  influx_options a = {.hosts = list, .port = 7000};
  assert_int_equal(influx_client_new(&a, &c, &err), INFLUX_OK);
  assert_int_equal(influx_client_host_count(c), 3);
  assert_int_equal(influx_client_host_status(c, 0, &hs, &err), INFLUX_OK);
  assert_string_equal(hs.host, "::1");
  assert_int_equal(hs.port, 9000);
  assert_int_equal(influx_client_host_status(c, 2, &hs, &err), INFLUX_OK);
  assert_string_equal(hs.host, "::2"); /* a bare IPv6 address has no port */
  assert_int_equal(hs.port, 7000);
  influx_client_free(c);

  influx_options b1 = {.host = "h1,,h2"};
  expect_opt_bad(&b1, "empty host");
  influx_options b2 = {.host = "h1:99999,h2"};
  expect_opt_bad(&b2, "port");
  influx_options b3 = {.host = "h1,h1:8086"};
  expect_opt_bad(&b3, "appears twice");
  influx_options b4 = {.host = "h1,[::1"};
  expect_opt_bad(&b4, "lacks ']'");
  const char *none[] = {NULL};
  influx_options b5 = {.hosts = none};
  expect_opt_bad(&b5, "empty list");
  influx_options b6 = {.spool_dir = "/tmp/x"};
  expect_opt_bad(&b6, "replicate");
  influx_options b7 = {.write_mode = 5};
  expect_opt_bad(&b7, "write_mode");
  influx_options b8 = {.ack = 7};
  expect_opt_bad(&b8, "ack");
  influx_options b9 = {.balance = -1};
  expect_opt_bad(&b9, "balance");
  const char *junk[] = {"h1", "h2:80x", NULL};
  influx_options b10 = {.hosts = junk};
  expect_opt_bad(&b10, "port");
}

static void test_option_validation(void **state) {
  (void)state;
  influx_options o = {.cert = "/tmp/c.pem"};
  expect_opt_bad(&o, "requires ssl");
  influx_options o2 = {.port = 70000};
  expect_opt_bad(&o2, "port 70000");
  influx_options o3 = {.host = "bad host"};
  expect_opt_bad(&o3, "host");
  influx_options o4 = {.host = ""};
  expect_opt_bad(&o4, "host is empty");
  const char *hdr[] = {"X-Bad\r\nInjected: 1", NULL};
  influx_options o5 = {.headers = hdr};
  expect_opt_bad(&o5, "line break");
  const char *hdr2[] = {"NoColon", NULL};
  influx_options o6 = {.headers = hdr2};
  expect_opt_bad(&o6, "Name: value");
  influx_options o7 = {.pool_size = -1};
  expect_opt_bad(&o7, "pool_size");
  influx_options o8 = {.retries = -5};
  expect_opt_bad(&o8, "retries");
  influx_options o9 = {.timeout_ms = -1};
  expect_opt_bad(&o9, "timeout");
  influx_options o10 = {.path = "a?b"};
  expect_opt_bad(&o10, "path");
  influx_options o11 = {.udp_payload_size = 70000};
  expect_opt_bad(&o11, "udp_payload_size");
  assert_int_equal(influx_client_new(NULL, NULL, NULL), INFLUX_ERR_INVALID_ARG);
}

static void test_defaults(void **state) {
  (void)state;
  influx_client *c = NULL;
  assert_int_equal(influx_client_new(NULL, &c, NULL), INFLUX_OK);
  assert_null(influx_client_database(c));
  assert_int_equal(influx_switch_database(c, "x", NULL), INFLUX_OK);
  assert_string_equal(influx_client_database(c), "x");
  assert_int_equal(influx_switch_user(c, "u", "p", NULL), INFLUX_OK);
  assert_int_equal(influx_switch_user(c, NULL, "p", NULL),
                   INFLUX_ERR_INVALID_ARG);
  influx_client_free(c);
  influx_client_free(NULL);
  influx_session_free(NULL);
  assert_string_equal(influx_strerror(INFLUX_ERR_AUTH),
                      "authentication failed");
  assert_string_equal(influx_strerror((influx_status)999), "unknown status");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_dsn),
      cmocka_unit_test(test_host_lists),
      cmocka_unit_test(test_schemes),
      cmocka_unit_test(test_bad_dsns),
      cmocka_unit_test(test_overrides_win),
      cmocka_unit_test(test_option_validation),
      cmocka_unit_test(test_defaults),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
