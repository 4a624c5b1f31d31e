/* Test support: reach the servers ctest fixtures started. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *th_dir(const char *variant) {
  static char path[8][1024];
  static int next;
  const char *root = getenv("INFLUXC_SRV_DIR");
  if (!root)
    fail_msg("INFLUXC_SRV_DIR is not set: run the test through ctest");
  char *p = path[next++ % 8];
  snprintf(p, 1024, "%s/%s", root, variant);
  char probe[1100];
  snprintf(probe, sizeof probe, "%s/port", p);
  if (access(probe, R_OK))
    fail_msg("server variant %s is not running (%s missing)", variant, probe);
  return p;
}

int th_read_int(const char *variant, const char *name) {
  char f[1200];
  snprintf(f, sizeof f, "%s/%s", th_dir(variant), name);
  FILE *fp = fopen(f, "r");
  if (!fp)
    fail_msg("cannot read %s", f);
  int v = 0;
  if (fscanf(fp, "%d", &v) != 1)
    fail_msg("bad number in %s", f);
  fclose(fp);
  return v;
}

void th_options(const char *variant, influx_options *o) {
  static char ca[8][1200], cert[8][1200], key[8][1200];
  static int next;
  int k = next++ % 8;
  memset(o, 0, sizeof *o);
  o->host = "127.0.0.1";
  o->port = th_read_int(variant, "port");
  o->retries = 1;
  o->username = "";
  if (!strcmp(variant, "tls") || !strcmp(variant, "mtls")) {
    o->host = "localhost";
    o->ssl = 1;
    o->verify_ssl = 1;
    snprintf(ca[k], sizeof ca[k], "%s/ca.pem", th_dir(variant));
    o->ca_cert = ca[k];
    if (!strcmp(variant, "mtls")) {
      snprintf(cert[k], sizeof cert[k], "%s/client.pem", th_dir(variant));
      snprintf(key[k], sizeof key[k], "%s/client.key", th_dir(variant));
      o->cert = cert[k];
      o->cert_key = key[k];
    }
  }
  if (!strcmp(variant, "auth")) {
    o->username = "admin";
    o->password = "admin-secret";
  }
  if (!strcmp(variant, "udp"))
    o->udp_port = th_read_int(variant, "udp_port");
}

#define OV(f)                                                                  \
  if (extra->f)                                                                \
  o.f = extra->f
influx_client *th_client(const char *variant, const influx_options *extra) {
  influx_options o;
  th_options(variant, &o);
  if (extra) {
    OV(host);
    OV(port);
    OV(username);
    OV(password);
    OV(database);
    OV(ssl);
    OV(verify_ssl);
    OV(ca_cert);
    OV(timeout_ms);
    OV(connect_timeout_ms);
    OV(stall_timeout_ms);
    OV(retries);
    OV(retry_base_ms);
    OV(retry_max_ms);
    OV(use_udp);
    OV(udp_port);
    OV(udp_payload_size);
    OV(http_proxy);
    OV(https_proxy);
    OV(pool_size);
    OV(path);
    OV(cert);
    OV(cert_key);
    OV(gzip);
    OV(session);
    OV(headers);
    OV(write_mode);
    OV(ack);
  }
  influx_client *c = NULL;
  influx_error err = {0};
  if (influx_client_new(&o, &c, &err))
    fail_msg("client for %s: %s", variant, err.message);
  return c;
}
#undef OV

const char *th_new_db(influx_client *c, const char *prefix) {
  static char names[16][128];
  static int next;
  char *n = names[next++ % 16];
  snprintf(n, 128, "%s_%d_%d", prefix, (int)getpid(), next);
  influx_error err = {0};
  if (influx_create_database(c, n, &err))
    fail_msg("create database %s: %s", n, err.message);
  return n;
}

influx_result *th_query(influx_client *c, const char *db, const char *q) {
  influx_query_options o = {.database = db};
  influx_result *r = NULL;
  influx_error err = {0};
  if (influx_query(c, q, &o, &r, &err))
    fail_msg("query \"%s\": %s", q, err.message);
  return r;
}

int64_t th_count(influx_client *c, const char *db, const char *q) {
  influx_result *r = th_query(c, db, q);
  int64_t n = 0;
  const influx_series *s = influx_result_series(r, 0, 0);
  if (s && influx_series_get_int(s, 0, 1, &n))
    fail_msg("query \"%s\": no integer in row 0, column 1", q);
  influx_result_free(r);
  return n;
}

char *th_fake_stats(void) {
  influx_client *c = th_client("fake", NULL);
  influx_request rq = {.url = "stats"};
  influx_response resp;
  influx_error err = {0};
  if (influx_request_send(c, &rq, &resp, &err))
    fail_msg("fake /stats: %s", err.message);
  influx_client_free(c);
  char *s = resp.body;
  resp.body = NULL;
  influx_response_clear(&resp);
  return s;
}

long th_json_int(const char *json, const char *name) {
  char key[128];
  snprintf(key, sizeof key, "\"%s\": ", name);
  const char *p = strstr(json, key);
  if (!p) {
    snprintf(key, sizeof key, "\"%s\":", name);
    p = strstr(json, key);
  }
  if (!p)
    return -1;
  return strtol(p + strlen(key), NULL, 10);
}

const char *th_scenario(const char *base) {
  static char names[16][96];
  static int next;
  char *n = names[next % 16];
  snprintf(n, 96, "%s-%d-%d", base, (int)getpid(), next);
  next++;
  return n;
}

void th_influxd(const char *cmd, const char *dir) {
  char line[1024];
  const char *src = getenv("INFLUXC_SOURCE_DIR");
  snprintf(line, sizeof line,
           "%s/tests/support/influxd-ctl %s %s%s >/dev/null 2>&1",
           src ? src : ".", cmd, dir, strcmp(cmd, "start") ? "" : " plain");
  if (system(line) != 0)
    fail_msg("%s failed", line);
}

int th_dir_int(const char *dir, const char *name) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "r");
  int v = 0;
  if (!f || fscanf(f, "%d", &v) != 1)
    fail_msg("cannot read %s", p);
  fclose(f);
  return v;
}

void th_check_last_values(influx_client *c, const char *db, int ns, int nt,
                          int64_t base, const char *who) {
  influx_result *r =
      th_query(c, db, "SELECT v FROM m GROUP BY host ORDER BY time");
  int seen = 0;
  for (size_t k = 0; k < influx_result_series_count(r, 0); k++) {
    const influx_series *se = influx_result_series(r, 0, k);
    for (size_t row = 0; row < influx_series_row_count(se); row++, seen++) {
      int s = atoi(influx_series_tag(se, "host") + 1);
      int64_t tm = influx_series_value(se, row, 0)->v.i;
      int64_t v = influx_series_value(se, row, 1)->v.i;
      int64_t want = base + (tm - 1) * ns + s;
      if (v != want)
        fail_msg("%s: host h%d time %lld kept %lld, last written %lld", who, s,
                 (long long)tm, (long long)v, (long long)want);
    }
  }
  if (seen != ns * nt)
    fail_msg("%s: %d points, not %d", who, seen, ns * nt);
  influx_result_free(r);
}
