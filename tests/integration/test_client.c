/* The client and its transport against a real influxd (plain, auth) and a
 * fake server for faults. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_ping_version(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  char ver[64];
  influx_error err = {0};
  assert_ok(influx_ping(c, ver, sizeof ver, &err), &err);
  assert_true(strncmp(ver, "1.6", 3) == 0);
  influx_client_free(c);
}

static void test_request_raw(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *params[] = {"q", "SHOW DATABASES", NULL};
  influx_request rq = {.url = "query", .params = params};
  influx_response resp;
  influx_error err = {0};
  assert_ok(influx_request_send(c, &rq, &resp, &err), &err);
  assert_int_equal(resp.status, 200);
  assert_non_null(strstr(resp.body, "\"databases\""));
  assert_non_null(resp.version);
  influx_response_clear(&resp);
  /* A status other than the expected one is an error with the message. */
  const char *bad[] = {"q", "SELEC nonsense", NULL};
  influx_request rq2 = {.url = "query", .params = bad};
  assert_int_equal(influx_request_send(c, &rq2, &resp, &err),
                   INFLUX_ERR_CLIENT);
  assert_int_equal(err.http_status, 400);
  assert_non_null(strstr(err.message, "error parsing query"));
  assert_int_equal(resp.status, 400);
  influx_response_clear(&resp);
  influx_request rq3 = {.url = "ping", .expected_response_code = 204};
  assert_ok(influx_request_send(c, &rq3, NULL, &err), &err);
  influx_request rq4 = {.url = "query?q=x"};
  assert_int_equal(influx_request_send(c, &rq4, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_client_free(c);
}

static void test_keepalive_reuse(void **state) {
  (void)state;
  /* Against the real server: client-side count of new connections. */
  influx_client *c = th_client("plain", NULL);
  for (int i = 0; i < 20; i++)
    assert_int_equal(influx_ping(c, NULL, 0, NULL), INFLUX_OK);
  influx_client_stats st;
  influx_client_get_stats(c, &st);
  assert_int_equal(st.requests, 20);
  assert_int_equal(st.connections, 1);
  influx_client_close(c); /* drops idle connections; client stays usable */
  assert_int_equal(influx_ping(c, NULL, 0, NULL), INFLUX_OK);
  influx_client_get_stats(c, &st);
  assert_int_equal(st.connections, 2);
  influx_client_free(c);
  /* Server-side count on the fake server. */
  influx_client *f = th_client("fake", NULL);
  influx_request reset = {.url = "reset", .expected_response_code = 204};
  assert_int_equal(influx_request_send(f, &reset, NULL, NULL), INFLUX_OK);
  influx_options o = {.path = "ok"};
  influx_client *k = th_client("fake", &o);
  for (int i = 0; i < 15; i++)
    assert_int_equal(influx_ping(k, NULL, 0, NULL), INFLUX_OK);
  influx_client_free(k);
  influx_client_free(f);
  char *stats = th_fake_stats();
  /* reset's connection (1) + one for the 15 pings + one for /stats */
  assert_int_equal(th_json_int(stats, "connections"), 3);
  free(stats);
}

typedef struct pinger {
  influx_client *c;
  influx_status st;
} pinger;

static void *ping_thread(void *u) {
  pinger *p = u;
  p->st = influx_ping(p->c, NULL, 0, NULL);
  return NULL;
}

static void test_pool_limit(void **state) {
  (void)state;
  influx_client *f = th_client("fake", NULL);
  influx_request reset = {.url = "reset", .expected_response_code = 204};
  assert_int_equal(influx_request_send(f, &reset, NULL, NULL), INFLUX_OK);
  influx_client_free(f);
  influx_options o = {.path = "slow150", .pool_size = 2};
  influx_client *c = th_client("fake", &o);
  pthread_t th[6];
  pinger p[6];
  for (int i = 0; i < 6; i++) {
    p[i].c = c;
    pthread_create(&th[i], NULL, ping_thread, &p[i]);
  }
  for (int i = 0; i < 6; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(p[i].st, INFLUX_OK);
  }
  influx_client_stats st;
  influx_client_get_stats(c, &st);
  assert_true(st.connections <= 2);
  influx_client_free(c);
  char *stats = th_fake_stats();
  assert_int_equal(th_json_int(stats, "max_active"), 2);
  free(stats);
}

static void test_timeout(void **state) {
  (void)state;
  influx_options o = {.path = "slow2000", .timeout_ms = 200};
  influx_client *c = th_client("fake", &o);
  influx_error err = {0};
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_TIMEOUT);
  assert_true(strlen(err.message) > 0);
  influx_client_free(c);
}

static void test_retries(void **state) {
  (void)state;
  /* Two 500s then success: retried with backoff (ping is safe). */
  influx_options o = {
      .path = th_scenario("e500x2"), .retries = 3, .retry_base_ms = 5};
  influx_client *c = th_client("fake", &o);
  influx_error err = {0};
  assert_ok(influx_ping(c, NULL, 0, &err), &err);
  influx_client_stats st;
  influx_client_get_stats(c, &st);
  assert_int_equal(st.retries, 2);
  assert_int_equal(st.requests, 3);
  influx_client_free(c);
  /* Not enough attempts: the server error comes back. */
  influx_options o2 = {
      .path = th_scenario("e500x5"), .retries = 2, .retry_base_ms = 5};
  c = th_client("fake", &o2);
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_SERVER);
  assert_int_equal(err.http_status, 500);
  assert_non_null(strstr(err.message, "internal boom"));
  influx_client_free(c);
  /* Dropped connections are retried. */
  influx_options o3 = {
      .path = th_scenario("dropx2"), .retries = 3, .retry_base_ms = 5};
  c = th_client("fake", &o3);
  assert_ok(influx_ping(c, NULL, 0, &err), &err);
  influx_client_free(c);
  /* Until success (the seed's retries=0). */
  influx_options o4 = {.path = th_scenario("e429x4"),
                       .retries = INFLUX_RETRIES_UNTIL_SUCCESS,
                       .retry_base_ms = 2};
  c = th_client("fake", &o4);
  assert_ok(influx_ping(c, NULL, 0, &err), &err);
  influx_client_get_stats(c, &st);
  assert_int_equal(st.retries, 4);
  influx_client_free(c);
  /* Connection refused: network error after the attempts. */
  influx_options o5 = {.port = 1, .retries = 2, .retry_base_ms = 1};
  c = th_client("fake", &o5);
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_NETWORK);
  influx_client_get_stats(c, &st);
  assert_int_equal(st.requests, 2);
  influx_client_free(c);
  /* 4xx are never retried. */
  influx_options o6 = {.path = "e400", .retries = 5};
  c = th_client("fake", &o6);
  assert_int_equal(influx_ping(c, NULL, 0, &err), INFLUX_ERR_CLIENT);
  influx_client_get_stats(c, &st);
  assert_int_equal(st.requests, 1);
  influx_client_free(c);
}

static void test_headers_gzip_path(void **state) {
  (void)state;
  const char *hdrs[] = {"X-Custom: yes", NULL};
  influx_options o = {.path = "/echo/",
                      .headers = hdrs,
                      .gzip = 1,
                      .username = "bob",
                      .password = "pw"};
  influx_client *c = th_client("fake", &o);
  influx_request rq = {.method = "POST", .url = "write", .data = "m v=1"};
  influx_response resp;
  influx_error err = {0};
  assert_ok(influx_request_send(c, &rq, &resp, &err), &err);
  assert_non_null(strstr(resp.body, "\"x-custom\": \"yes\""));
  assert_non_null(strstr(resp.body, "\"content-encoding\": \"gzip\""));
  assert_non_null(strstr(resp.body, "\"accept-encoding\": \"gzip\""));
  assert_non_null(strstr(resp.body, "\"path\": \"/echo/write\""));
  assert_non_null(strstr(resp.body, "\"authorization\": \"Basic"));
  assert_null(strstr(resp.body, "expect"));
  influx_response_clear(&resp);
  influx_client_free(c);
  /* No username: no Authorization header at all. */
  influx_options o2 = {.path = "echo"};
  c = th_client("fake", &o2);
  assert_ok(influx_request_send(c, &rq, &resp, &err), &err);
  assert_null(strstr(resp.body, "authorization"));
  influx_response_clear(&resp);
  influx_client_free(c);
}

static void test_gzip_real_server(void **state) {
  (void)state;
  influx_options o = {.gzip = 1};
  influx_client *c = th_client("plain", &o);
  const char *db = th_new_db(c, "gz");
  influx_write_options wo = {.database = db};
  const char *lines = "m v=1 1\nm v=2 2\n";
  influx_error err = {0};
  assert_ok(influx_write(c, lines, strlen(lines), &wo, &err), &err);
  influx_result *r = th_query(c, db, "SELECT count(v) FROM m");
  int64_t n = 0;
  assert_int_equal(
      influx_series_get_int(influx_result_series(r, 0, 0), 0, 1, &n),
      INFLUX_OK);
  assert_int_equal(n, 2);
  influx_result_free(r);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

static void test_session_shared(void **state) {
  (void)state;
  influx_session *s = NULL;
  assert_int_equal(influx_session_new(&s, NULL), INFLUX_OK);
  influx_options o = {.session = s};
  influx_client *a = th_client("plain", &o);
  influx_client *b = th_client("plain", &o);
  assert_int_equal(influx_ping(a, NULL, 0, NULL), INFLUX_OK);
  assert_int_equal(influx_ping(b, NULL, 0, NULL), INFLUX_OK);
  assert_int_equal(influx_ping(a, NULL, 0, NULL), INFLUX_OK);
  influx_client_stats sa, sb;
  influx_client_get_stats(a, &sa);
  influx_client_get_stats(b, &sb);
  /* One connection serves both clients. */
  assert_int_equal(sa.connections + sb.connections, 1);
  influx_client_free(a);
  influx_client_free(b);
  influx_session_free(s);
}

static void test_auth_errors_hide_password(void **state) {
  (void)state;
  influx_options o = {.username = "admin", .password = "wrong-Pa55word"};
  influx_client *c = th_client("auth", &o);
  influx_name_list l;
  influx_error err = {0};
  influx_status st = influx_get_list_database(c, &l, &err);
  assert_int_equal(st, INFLUX_ERR_AUTH);
  assert_int_equal(err.http_status, 401);
  assert_non_null(strstr(err.message, "authorization failed"));
  assert_null(strstr(err.message, "wrong-Pa55word"));
  /* switch_user to the right credentials. */
  assert_ok(influx_switch_user(c, "admin", "admin-secret", &err), &err);
  assert_ok(influx_get_list_database(c, &l, &err), &err);
  influx_name_list_clear(&l);
  influx_client_free(c);
}

static void test_switch_database(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "sw");
  influx_error err = {0};
  /* No database at all: a clear error before anything is sent. */
  assert_int_equal(influx_write(c, "m v=1", 5, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "database"));
  assert_ok(influx_switch_database(c, db, &err), &err);
  assert_ok(influx_write(c, "m v=1 5", 7, NULL, &err), &err);
  influx_result *r = th_query(c, NULL, "SELECT v FROM m");
  assert_int_equal(influx_result_series_count(r, 0), 1);
  influx_result_free(r);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ping_version),
      cmocka_unit_test(test_request_raw),
      cmocka_unit_test(test_keepalive_reuse),
      cmocka_unit_test(test_pool_limit),
      cmocka_unit_test(test_timeout),
      cmocka_unit_test(test_retries),
      cmocka_unit_test(test_headers_gzip_path),
      cmocka_unit_test(test_gzip_real_server),
      cmocka_unit_test(test_session_shared),
      cmocka_unit_test(test_auth_errors_hide_password),
      cmocka_unit_test(test_switch_database),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
