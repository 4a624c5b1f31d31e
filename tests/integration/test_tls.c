/* HTTPS with a self-signed CA, and mutual TLS through a verifying stunnel
 * in front of influxd. */
#include <string.h>

#include "harness.h"

static void test_https_verify(void **state) {
  (void)state;
  influx_client *c = th_client("tls", NULL); /* verify_ssl + ca_cert */
  char ver[64];
  influx_error err = {0};
  assert_ok(influx_ping(c, ver, sizeof ver, &err), &err);
  assert_true(strncmp(ver, "1.6", 3) == 0);
  const char *db = th_new_db(c, "tls");
  influx_write_options wo = {.database = db};
  assert_ok(influx_write(c, "m v=1 1", 7, &wo, &err), &err);
  influx_result *r = th_query(c, db, "SELECT v FROM m");
  assert_int_equal(influx_result_series_count(r, 0), 1);
  influx_result_free(r);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

static void test_https_untrusted(void **state) {
  (void)state;
  influx_options o;
  th_options("tls", &o);
  o.ca_cert = NULL; /* system CAs do not know our test CA */
  influx_client *c = NULL;
  influx_error err = {0};
  assert_ok(influx_client_new(&o, &c, &err), &err);
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_TLS);
  assert_true(strlen(err.message) > 0);
  influx_client_free(c);
  /* Verification is the default: without verify_ssl (the seed's default,
   * which skipped it) an untrusted certificate is still refused. */
  o.verify_ssl = 0;
  assert_ok(influx_client_new(&o, &c, &err), &err);
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_TLS);
  influx_client_free(c);
  /* Only insecure_ssl turns it off; asking for both is an error. */
  o.insecure_ssl = 1;
  assert_ok(influx_client_new(&o, &c, &err), &err);
  assert_ok(influx_ping(c, NULL, 0, &err), &err);
  influx_client_free(c);
  o.verify_ssl = 1;
  assert_int_equal(influx_client_new(&o, &c, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "insecure_ssl"));
  o.verify_ssl = 0;
  /* Plain HTTP to an HTTPS port fails cleanly. */
  o.ssl = 0;
  assert_ok(influx_client_new(&o, &c, &err), &err);
  assert_int_not_equal(influx_ping(c, NULL, 0, &err), INFLUX_OK);
  influx_client_free(c);
}

static void test_mtls(void **state) {
  (void)state;
  influx_client *c = th_client("mtls", NULL); /* with client cert + key */
  influx_error err = {0};
  char ver[64];
  assert_ok(influx_ping(c, ver, sizeof ver, &err), &err);
  assert_true(strncmp(ver, "1.6", 3) == 0);
  influx_client_free(c);
  /* Without the client certificate the proxy refuses the handshake. */
  influx_options o;
  th_options("mtls", &o);
  o.cert = NULL;
  o.cert_key = NULL;
  assert_ok(influx_client_new(&o, &c, &err), &err);
  influx_status st = influx_ping(c, NULL, 0, &err);
  assert_true(st == INFLUX_ERR_TLS || st == INFLUX_ERR_NETWORK);
  influx_client_free(c);
  /* A certificate file that does not exist: a TLS error naming it. */
  th_options("mtls", &o);
  o.cert = "/nonexistent/client.pem";
  o.cert_key = NULL;
  assert_ok(influx_client_new(&o, &c, &err), &err);
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_TLS);
  influx_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_https_verify),
      cmocka_unit_test(test_https_untrusted),
      cmocka_unit_test(test_mtls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
