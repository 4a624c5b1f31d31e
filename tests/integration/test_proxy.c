/* Requests through a real HTTP proxy (tinyproxy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long log_count(const char *needle) {
  char path[1200];
  snprintf(path, sizeof path, "%s/tinyproxy.log", th_dir("proxy"));
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  char line[2048];
  long n = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, needle))
      n++;
  fclose(f);
  return n;
}

static void test_through_proxy(void **state) {
  (void)state;
  char proxy[64], needle[128];
  snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d",
           th_read_int("proxy", "port"));
  int port = th_read_int("plain", "port");
  snprintf(needle, sizeof needle, "GET http://127.0.0.1:%d/ping", port);
  long before = log_count(needle);
  influx_options o = {.http_proxy = proxy};
  influx_client *c = th_client("plain", &o);
  char ver[64];
  influx_error err = {0};
  assert_ok(influx_ping(c, ver, sizeof ver, &err), &err);
  assert_true(strncmp(ver, "1.6", 3) == 0);
  const char *db = th_new_db(c, "px");
  influx_write_options wo = {.database = db};
  assert_ok(influx_write(c, "m v=1 1", 7, &wo, &err), &err);
  influx_result *r = th_query(c, db, "SELECT v FROM m");
  assert_int_equal(influx_result_series_count(r, 0), 1);
  influx_result_free(r);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
  /* The proxy saw the request. */
  assert_int_equal(log_count(needle), before + 1);
  /* A proxy that is down: a network error, not a silent direct connection. */
  influx_options bad = {.http_proxy = "http://127.0.0.1:1", .retries = 1};
  c = th_client("plain", &bad);
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_NETWORK);
  influx_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_through_proxy),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
