/* Test support: reach the servers ctest fixtures started. */
#ifndef INFLUXC_TEST_HARNESS_H
#define INFLUXC_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "influxc.h"

/* One test case alone, by name (a cmocka glob: "test_flush*"):
 *   INFLUXC_TEST=test_flush_interval ctest -R integration.test_writer
 * or the test binary run directly with the variable set. (Here, not in
 * harness.c: every test program gets it, whether it uses th_* or not.) */
char *getenv(const char *name);
__attribute__((constructor)) static void th_filter(void) {
  const char *only = getenv("INFLUXC_TEST");
  if (only && *only)
    cmocka_set_test_filter(only);
}

/* Directory of a running server variant ("plain", "auth", "tls", "mtls",
 * "udp", "limited", "fake", "proxy"); fails the test if absent. */
const char *th_dir(const char *variant);
/* Reads DIR/<name> as an integer (ports). */
int th_read_int(const char *variant, const char *name);
/* Servers a test starts, kills and restarts itself: runs
 * tests/support/influxd-ctl CMD DIR ("start" starts a plain server). */
void th_influxd(const char *cmd, const char *dir);
/* DIR/<name> as an integer (a port, a pid). */
int th_dir_int(const char *dir, const char *name);
/* Client options pointing at a variant (host, port, ssl, certs, auth). */
void th_options(const char *variant, influx_options *o);
/* A client for a variant; `extra` fields (non-zero) override. */
influx_client *th_client(const char *variant, const influx_options *extra);
/* A fresh database name unique to this process, and created on `c`. */
const char *th_new_db(influx_client *c, const char *prefix);
/* Runs a query that must succeed; returns the result (free it). */
influx_result *th_query(influx_client *c, const char *db, const char *q);
/* Runs a query whose first row's column 1 is an integer (a count); 0 when
 * there is no series. */
int64_t th_count(influx_client *c, const char *db, const char *q);
/* Later values won: on `db`, measurement m holds, for each of `ns` hosts
 * h0.. and `nt` times 1.., the value base + (time-1)*ns + host (the last
 * one written for it) and no other point; else fails naming `who`. */
void th_check_last_values(influx_client *c, const char *db, int ns, int nt,
                          int64_t base, const char *who);
/* A fake-server scenario name with a counter of its own ("e500x2" ->
 * "e500x2-<pid>-<n>"). Valid until 16 more calls. */
const char *th_scenario(const char *base);
/* Fetches the fake server's /stats as a string (free it). */
char *th_fake_stats(void);
/* Extracts an integer field from a flat JSON text ("name": N). */
long th_json_int(const char *json, const char *name);

static inline const char *th_err_text(const influx_error *e) {
  return e ? e->message : "";
}
/* Asserts that a call returned INFLUX_OK; on failure the message says
 * which call, the status and the error's message (from errp). */
#define assert_ok(expr, errp)                                                  \
  do {                                                                         \
    influx_status th_st_ = (expr);                                             \
    if (th_st_ != INFLUX_OK)                                                   \
      fail_msg("%s: %s: %s", #expr, influx_strerror(th_st_),                   \
               th_err_text(errp));                                             \
  } while (0)

#endif
