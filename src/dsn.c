/* Data source names: influxdb://user:pass@host:port/db and its https+ and
 * udp+ forms, parsed into options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_impl.h"

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decodes s[0..n) into out; returns -1 on a bad escape. */
static int pct_decode(const char *s, size_t n, ibuf *out) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '%') {
      if (n - i < 3)
        return -1;
      int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
      if (hi < 0 || lo < 0)
        return -1;
      c = (char)(hi * 16 + lo);
      i += 2;
    }
    if (ibuf_putc(out, c))
      return -1;
  }
  return ibuf_reserve(out, 0);
}

influx_status influx_dsn_parse(const char *dsn, influx_options *o,
                               char **storage, influx_error *err) {
  if (!dsn || !o || !storage)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "dsn_parse: NULL argument");
  *storage = NULL;
  memset(o, 0, sizeof *o);
  const char *sep = strstr(dsn, "://");
  if (!sep)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN has no scheme (expected influxdb://, https+influxdb:// "
                "or udp+influxdb://)");
  size_t sl = (size_t)(sep - dsn);
  char scheme[32];
  if (sl == 0 || sl >= sizeof scheme)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "DSN scheme is invalid");
  memcpy(scheme, dsn, sl);
  scheme[sl] = 0;
  if (!strcmp(scheme, "influxdb")) {
  } else if (!strcmp(scheme, "https+influxdb")) {
    o->ssl = 1;
  } else if (!strcmp(scheme, "udp+influxdb")) {
    o->use_udp = 1;
  } else {
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN scheme \"%s\" is not one of influxdb, https+influxdb, "
                "udp+influxdb",
                scheme);
  }
  const char *rest = sep + 3;
  for (const char *p = rest; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == 127)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "DSN contains a space or control character");
  const char *end = rest + strcspn(rest, "?#");
  if (*end)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN has a query string or fragment, which is not supported");
  const char *slash = memchr(rest, '/', (size_t)(end - rest));
  const char *auth_end = slash ? slash : end;
  const char *at = NULL;
  for (const char *p = rest; p < auth_end; p++)
    if (*p == '@')
      at = p;
  ibuf user = {0}, pass = {0}, host = {0}, db = {0};
  influx_status st = INFLUX_OK;
  const char *hp = rest;
  if (at) {
    const char *colon = memchr(rest, ':', (size_t)(at - rest));
    const char *ue = colon ? colon : at;
    if (pct_decode(rest, (size_t)(ue - rest), &user) ||
        (colon && pct_decode(colon + 1, (size_t)(at - colon - 1), &pass))) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN user or password has an invalid %%-escape");
      goto fail;
    }
    hp = at + 1;
  }
  /* host[:port] or [v6]:port, or a list "h1:8086,h2,[v6]:8087" that the
   * client parses (each host with its own port) */
  const char *port_s = NULL;
  const char *he;
  if (memchr(hp, ',', (size_t)(auth_end - hp))) {
    ibuf_append(&host, hp, (size_t)(auth_end - hp));
  } else if (*hp == '[') {
    const char *rb = memchr(hp, ']', (size_t)(auth_end - hp));
    if (!rb) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG, "DSN IPv6 host lacks ']'");
      goto fail;
    }
    ibuf_append(&host, hp + 1, (size_t)(rb - hp - 1));
    he = rb + 1;
    if (he < auth_end) {
      if (*he != ':') {
        st = ierr(err, INFLUX_ERR_INVALID_ARG, "DSN has junk after ']'");
        goto fail;
      }
      port_s = he + 1;
    }
  } else {
    const char *colon = memchr(hp, ':', (size_t)(auth_end - hp));
    he = colon ? colon : auth_end;
    ibuf_append(&host, hp, (size_t)(he - hp));
    if (colon)
      port_s = colon + 1;
  }
  if (port_s) {
    if (port_s == auth_end) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG, "DSN port is empty");
      goto fail;
    }
    long port = port_digits(port_s, (size_t)(auth_end - port_s));
    if (port < 0) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN port \"%.*s\" is not a number in 1-65535",
                (int)(auth_end - port_s), port_s);
      goto fail;
    }
    if (port < 1 || port > 65535) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN port %ld is out of range 1-65535", port);
      goto fail;
    }
    o->port = (int)port;
  }
  if (slash && slash + 1 < end) {
    if (memchr(slash + 1, '/', (size_t)(end - slash - 1))) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN path must be a single /database");
      goto fail;
    }
    if (pct_decode(slash + 1, (size_t)(end - slash - 1), &db)) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "DSN database has an invalid %%-escape");
      goto fail;
    }
  }
  /* One allocation holds all strings: host \0 user \0 pass \0 db \0 */
  ibuf all = {0};
  size_t off_user = 0, off_pass = 0, off_db = 0;
  ibuf_append(&all, host.p ? host.p : "", host.len);
  ibuf_putc(&all, 0);
  off_user = all.len;
  ibuf_append(&all, user.p ? user.p : "", user.len);
  ibuf_putc(&all, 0);
  off_pass = all.len;
  ibuf_append(&all, pass.p ? pass.p : "", pass.len);
  ibuf_putc(&all, 0);
  off_db = all.len;
  ibuf_append(&all, db.p ? db.p : "", db.len);
  if (!all.p || ibuf_putc(&all, 0)) {
    ibuf_free(&all);
    st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  *storage = all.p;
  if (host.len)
    o->host = all.p;
  if (at) {
    o->username = all.p + off_user;
    o->password = all.p + off_pass;
  }
  if (db.len)
    o->database = all.p + off_db;
fail:
  ibuf_free(&user);
  if (pass.p)
    memset(pass.p, 0, pass.len);
  ibuf_free(&pass);
  ibuf_free(&host);
  ibuf_free(&db);
  return st;
}

#define OVR(f)                                                                 \
  if (ov->f)                                                                   \
  o.f = ov->f
influx_status influx_client_from_dsn(const char *dsn, const influx_options *ov,
                                     influx_client **out, influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "from_dsn: out is NULL");
  *out = NULL;
  influx_options o;
  char *storage = NULL;
  influx_status st = influx_dsn_parse(dsn, &o, &storage, err);
  if (st)
    return st;
  if (ov) {
    OVR(host);
    OVR(port);
    OVR(username);
    OVR(password);
    OVR(database);
    OVR(ssl);
    OVR(verify_ssl);
    OVR(insecure_ssl);
    OVR(ca_cert);
    OVR(timeout_ms);
    OVR(connect_timeout_ms);
    OVR(stall_timeout_ms);
    OVR(retries);
    OVR(retry_base_ms);
    OVR(retry_max_ms);
    OVR(use_udp);
    OVR(udp_port);
    OVR(udp_payload_size);
    OVR(http_proxy);
    OVR(https_proxy);
    OVR(pool_size);
    OVR(path);
    OVR(cert);
    OVR(cert_key);
    OVR(gzip);
    OVR(session);
    OVR(headers);
    o.socket_options = ov->socket_options;
  }
  st = influx_client_new(&o, out, err);
  free(storage);
  return st;
}
#undef OVR
