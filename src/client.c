/* The client: options, DSN parsing, the connection pool and the HTTP
 * transport (libcurl) with retries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "influxc/query.h"

#include "client_impl.h"
#include "influxc/version.h"
#include "retry.h"

const char *influx_version(void) { return INFLUXC_VERSION_STRING; }

const char *influx_strerror(influx_status code) {
  switch (code) {
  case INFLUX_OK:
    return "success";
  case INFLUX_ERR_INVALID_ARG:
    return "invalid argument";
  case INFLUX_ERR_NOMEM:
    return "out of memory";
  case INFLUX_ERR_NETWORK:
    return "network error";
  case INFLUX_ERR_TIMEOUT:
    return "timed out";
  case INFLUX_ERR_TLS:
    return "TLS error";
  case INFLUX_ERR_CLIENT:
    return "client error (HTTP 4xx)";
  case INFLUX_ERR_SERVER:
    return "server error (HTTP 5xx)";
  case INFLUX_ERR_AUTH:
    return "authentication failed";
  case INFLUX_ERR_PARSE:
    return "malformed response";
  case INFLUX_ERR_STATEMENT:
    return "statement failed";
  case INFLUX_ERR_PARTIAL:
    return "partial result";
  case INFLUX_ERR_IO:
    return "I/O error";
  case INFLUX_ERR_ABORTED:
    return "aborted by callback";
  case INFLUX_ERR_TOO_LARGE:
    return "too large";
  case INFLUX_ERR_UNEXPECTED:
    return "unexpected HTTP status";
  }
  return "unknown status";
}

void influx_error_clear(influx_error *err) {
  if (err) {
    err->code = INFLUX_OK;
    err->http_status = 0;
    err->message[0] = 0;
  }
}

/* ---- curl global init, once ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static void curl_init(void) {
  curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

static influx_status ensure_curl(influx_error *err) {
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK)
    return ierr(err, INFLUX_ERR_NOMEM, "libcurl initialisation failed: %s",
                curl_easy_strerror(curl_init_rc));
  return INFLUX_OK;
}

/* ---- sessions: a connection cache shared by clients ---- */

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *u) {
  (void)h;
  (void)a;
  pthread_mutex_lock(&((influx_session *)u)->locks[d]);
}

static void share_unlock(CURL *h, curl_lock_data d, void *u) {
  (void)h;
  pthread_mutex_unlock(&((influx_session *)u)->locks[d]);
}

influx_status influx_session_new(influx_session **out, influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "influx_session_new: out is NULL");
  *out = NULL;
  influx_status st = ensure_curl(err);
  if (st)
    return st;
  influx_session *s = calloc(1, sizeof *s);
  if (!s || !(s->share = curl_share_init())) {
    free(s);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory creating a session");
  }
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_init(&s->locks[i], NULL);
  curl_share_setopt(s->share, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt(s->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt(s->share, CURLSHOPT_USERDATA, s);
  curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  *out = s;
  return INFLUX_OK;
}

void influx_session_free(influx_session *s) {
  if (!s)
    return;
  curl_share_cleanup(s->share);
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_destroy(&s->locks[i]);
  free(s);
}

/* ---- options ---- */

static int has_header(const char *const *h, const char *name) {
  size_t n = strlen(name);
  for (; h && *h; h++) {
    const char *colon = strchr(*h, ':');
    if (colon && (size_t)(colon - *h) == n) {
      char tmp[64];
      if (n >= sizeof tmp)
        continue;
      memcpy(tmp, *h, n);
      tmp[n] = 0;
      if (istrcaseeq(tmp, name))
        return 1;
    }
  }
  return 0;
}

static influx_status validate_header(const char *h, influx_error *err) {
  const char *colon = strchr(h, ':');
  if (!colon || colon == h)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "header \"%.60s\" is not of the form \"Name: value\"", h);
  for (const char *p = h; *p; p++)
    if (*p == '\r' || *p == '\n')
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "header \"%.*s\" contains a line break", (int)(colon - h), h);
  for (const char *p = h; p < colon; p++)
    if (*p <= ' ' || *p >= 127)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "header name \"%.*s\" contains an invalid character",
                  (int)(colon - h), h);
  return INFLUX_OK;
}

static influx_status check_host(const char *h, influx_error *err) {
  if (!*h)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "host is empty");
  for (const char *p = h; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' ||
        c >= 127)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "host \"%.100s\" contains an invalid character", h);
  }
  return INFLUX_OK;
}

static char *build_base_url(influx_client *c) {
  ibuf b = {0};
  int v6 = strchr(c->host, ':') != NULL && c->host[0] != '[';
  ibuf_printf(&b, "%s://%s%s%s:%d/", c->ssl ? "https" : "http", v6 ? "[" : "",
              c->host, v6 ? "]" : "", c->port);
  const char *p = c->path;
  while (*p == '/')
    p++;
  if (*p) {
    ibuf_puts(&b, p);
    if (b.p && b.p[b.len - 1] != '/')
      ibuf_putc(&b, '/');
  }
  return b.p;
}

influx_status influx_client_new(const influx_options *opts, influx_client **out,
                                influx_error *err) {
  static const influx_options defaults;
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "influx_client_new: out is NULL");
  *out = NULL;
  if (!opts)
    opts = &defaults;
  influx_status st = ensure_curl(err);
  if (st)
    return st;
  const char *host = opts->host ? opts->host : "localhost";
  if ((st = check_host(host, err)))
    return st;
  if (opts->port < 0 || opts->port > 65535)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "port %d is out of range 1-65535",
                opts->port);
  if (opts->udp_port < 0 || opts->udp_port > 65535)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "udp_port %d is out of range 1-65535", opts->udp_port);
  if (opts->timeout_ms < 0 || opts->connect_timeout_ms < 0)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "timeout must not be negative");
  if (opts->retries < INFLUX_RETRIES_UNTIL_SUCCESS)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "retries %d is invalid (use >= 1, 0 for the default or "
                "INFLUX_RETRIES_UNTIL_SUCCESS)",
                opts->retries);
  if (opts->pool_size < 0 || opts->pool_size > 1024)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "pool_size %d is out of range 1-1024", opts->pool_size);
  if (opts->udp_payload_size < 0 || opts->udp_payload_size > 65507)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "udp_payload_size %d is out of range 1-65507",
                opts->udp_payload_size);
  if (opts->retry_base_ms < 0 || opts->retry_max_ms < 0)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "retry delays must not be negative");
  if (opts->verify_ssl && opts->insecure_ssl)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "verify_ssl and insecure_ssl contradict each other");
  if ((opts->cert || opts->cert_key) && !opts->ssl)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "a client certificate (cert) requires ssl to be enabled");
  if (opts->cert_key && !opts->cert)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "cert_key given without cert");
  for (const char *const *h = opts->headers; h && *h; h++)
    if ((st = validate_header(*h, err)))
      return st;
  const char *strs[] = {opts->username, opts->password, opts->database,
                        opts->path};
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
    if (strs[i] && (strchr(strs[i], '\r') || strchr(strs[i], '\n')) && i != 1 &&
        i != 2)
      return ierr(err, INFLUX_ERR_INVALID_ARG, "%s contains a line break",
                  i == 0 ? "username" : "path");
  if (opts->path && (strchr(opts->path, '?') || strchr(opts->path, '#') ||
                     strchr(opts->path, ' ')))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "path \"%.100s\" contains '?', '#' or a space", opts->path);

  influx_client *c = calloc(1, sizeof *c);
  if (!c)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory creating a client");
  c->udp_fd = -1;
  pthread_mutex_init(&c->mu, NULL);
  pthread_mutex_init(&c->udp_mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  c->host = istrdup(host);
  c->username = istrdup(opts->username ? opts->username : "root");
  c->password = istrdup(opts->password ? opts->password : "root");
  c->database = opts->database ? istrdup(opts->database) : NULL;
  c->path = istrdup(opts->path ? opts->path : "");
  c->ca_cert = opts->ca_cert ? istrdup(opts->ca_cert) : NULL;
  c->http_proxy = opts->http_proxy ? istrdup(opts->http_proxy) : NULL;
  c->https_proxy = opts->https_proxy ? istrdup(opts->https_proxy) : NULL;
  c->cert = opts->cert ? istrdup(opts->cert) : NULL;
  c->cert_key = opts->cert_key ? istrdup(opts->cert_key) : NULL;
  c->port = opts->port ? opts->port : 8086;
  c->ssl = !!opts->ssl;
  c->verify_ssl = !opts->insecure_ssl;
  c->timeout_ms = opts->timeout_ms;
  c->connect_timeout_ms = opts->connect_timeout_ms;
  c->retries = opts->retries ? opts->retries : 3;
  c->retry_base_ms = opts->retry_base_ms ? opts->retry_base_ms : 50;
  c->retry_max_ms = opts->retry_max_ms ? opts->retry_max_ms : 5000;
  c->use_udp = !!opts->use_udp;
  c->udp_port = opts->udp_port ? opts->udp_port : 4444;
  c->udp_payload_size = opts->udp_payload_size ? opts->udp_payload_size : 1400;
  c->pool_size = opts->pool_size ? opts->pool_size : 10;
  c->gzip = !!opts->gzip;
  c->sockopt = opts->socket_options;
  c->session = opts->session;
  c->rand_state = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)c;
  int oom = !c->host || !c->username || !c->password || !c->path ||
            (opts->database && !c->database) ||
            (opts->ca_cert && !c->ca_cert) ||
            (opts->http_proxy && !c->http_proxy) ||
            (opts->https_proxy && !c->https_proxy) ||
            (opts->cert && !c->cert) || (opts->cert_key && !c->cert_key);
  c->idle = calloc((size_t)c->pool_size, sizeof *c->idle);
  oom = oom || !c->idle;
  for (const char *const *h = opts->headers; !oom && h && *h; h++) {
    struct curl_slist *n = curl_slist_append(c->headers, *h);
    if (!n)
      oom = 1;
    else
      c->headers = n;
  }
  c->user_accept = has_header(opts->headers, "Accept");
  c->user_ctype = has_header(opts->headers, "Content-Type");
  if (!oom)
    c->base_url = build_base_url(c);
  if (oom || !c->base_url) {
    influx_client_free(c);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory creating a client");
  }
  *out = c;
  return INFLUX_OK;
}

void influx_client_close(influx_client *c) {
  if (!c)
    return;
  pthread_mutex_lock(&c->mu);
  for (int i = 0; i < c->nidle; i++)
    curl_easy_cleanup(c->idle[i]);
  c->nhandles -= c->nidle;
  c->nidle = 0;
  pthread_mutex_unlock(&c->mu);
  /* Another thread may be sending on the socket: wait for it. */
  pthread_mutex_lock(&c->udp_mu);
  if (c->udp_fd >= 0) {
    close(c->udp_fd);
    c->udp_fd = -1;
  }
  pthread_mutex_unlock(&c->udp_mu);
}

void influx_client_free(influx_client *c) {
  if (!c)
    return;
  influx_client_close(c);
  free(c->idle);
  curl_slist_free_all(c->headers);
  free(c->host);
  free(c->username);
  if (c->password) {
    /* Don't leave the secret in freed memory. */
    volatile char *p = c->password;
    while (*p)
      *p++ = 0;
  }
  free(c->password);
  free(c->database);
  free(c->path);
  free(c->ca_cert);
  free(c->http_proxy);
  free(c->https_proxy);
  free(c->cert);
  free(c->cert_key);
  free(c->base_url);
  pthread_mutex_destroy(&c->mu);
  pthread_mutex_destroy(&c->udp_mu);
  pthread_cond_destroy(&c->cv);
  free(c);
}

const char *influx_client_database(const influx_client *c) {
  return c ? c->database : NULL;
}

influx_status influx_switch_database(influx_client *c, const char *database,
                                     influx_error *err) {
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "switch_database: client is NULL");
  char *d = NULL;
  if (database && !(d = istrdup(database)))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  free(c->database);
  c->database = d;
  return INFLUX_OK;
}

influx_status influx_switch_user(influx_client *c, const char *username,
                                 const char *password, influx_error *err) {
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "switch_user: client is NULL");
  if (!username)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "switch_user: username is NULL");
  char *u = istrdup(username), *p = istrdup(password ? password : "");
  if (!u || !p) {
    free(u);
    free(p);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  free(c->username);
  free(c->password);
  c->username = u;
  c->password = p;
  return INFLUX_OK;
}

void influx_client_get_stats(const influx_client *c, influx_client_stats *out) {
  if (!c || !out)
    return;
  pthread_mutex_lock((pthread_mutex_t *)&c->mu);
  *out = c->stats;
  pthread_mutex_unlock((pthread_mutex_t *)&c->mu);
}

/* ---- DSN ---- */

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
  /* host[:port] or [v6]:port */
  const char *port_s = NULL;
  const char *he;
  if (*hp == '[') {
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
    long port = 0;
    const char *p = port_s;
    if (p == auth_end) {
      st = ierr(err, INFLUX_ERR_INVALID_ARG, "DSN port is empty");
      goto fail;
    }
    for (; p < auth_end; p++) {
      if (*p < '0' || *p > '9' || port > 65535) {
        st = ierr(err, INFLUX_ERR_INVALID_ARG,
                  "DSN port \"%.*s\" is not a number in 1-65535",
                  (int)(auth_end - port_s), port_s);
        goto fail;
      }
      port = port * 10 + (*p - '0');
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

/* ---- the pool ---- */

static CURL *pool_get(influx_client *c) {
  pthread_mutex_lock(&c->mu);
  while (c->nidle == 0 && c->nhandles >= c->pool_size)
    pthread_cond_wait(&c->cv, &c->mu);
  CURL *h = NULL;
  if (c->nidle > 0) {
    h = c->idle[--c->nidle];
  } else {
    h = curl_easy_init();
    if (h)
      c->nhandles++;
  }
  pthread_mutex_unlock(&c->mu);
  return h;
}

static void pool_put(influx_client *c, CURL *h) {
  pthread_mutex_lock(&c->mu);
  c->idle[c->nidle++] = h;
  pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

/* ---- one transfer ---- */

typedef struct xfer {
  const http_call *call;
  http_result *res;
  CURL *h;
  int checked, streaming, aborted;
  size_t delivered;
} xfer;

static size_t on_write(char *data, size_t sz, size_t nm, void *u) {
  xfer *x = u;
  size_t n = sz * nm;
  if (!x->checked) {
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    long want = x->call->expected ? x->call->expected : 200;
    x->streaming = x->call->on_body && code == want;
    x->checked = 1;
    if (x->streaming && x->call->on_start &&
        x->call->on_start(x->call->user, x->res->ctype)) {
      x->aborted = 1;
      return 0;
    }
  }
  if (x->streaming) {
    x->delivered += n;
    if (x->call->on_body(x->call->user, data, n)) {
      x->aborted = 1;
      return 0;
    }
    return n;
  }
  /* Cap kept error bodies: they are only used for messages. */
  if (x->call->on_body && x->res->body.len > (1u << 20))
    return n;
  if (ibuf_append(&x->res->body, data, n))
    return 0;
  return n;
}

static void copy_header_value(char *dst, size_t dn, const char *v, size_t n) {
  while (n && (*v == ' ' || *v == '\t')) {
    v++;
    n--;
  }
  while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
    n--;
  if (n >= dn)
    n = dn - 1;
  memcpy(dst, v, n);
  dst[n] = 0;
}

static int header_is(const char *line, size_t n, const char *name) {
  size_t k = strlen(name);
  if (n <= k || line[k] != ':')
    return 0;
  for (size_t i = 0; i < k; i++) {
    char a = line[i], b = name[i];
    if (a >= 'A' && a <= 'Z')
      a = (char)(a + 32);
    if (a != b)
      return 0;
  }
  return 1;
}

static size_t on_header(char *line, size_t sz, size_t nm, void *u) {
  xfer *x = u;
  size_t n = sz * nm;
  http_result *r = x->res;
  if (n > 5 && !memcmp(line, "HTTP/", 5)) {
    r->ctype[0] = r->version[0] = r->request_id[0] = r->retry_after[0] = 0;
  } else if (header_is(line, n, "content-type")) {
    copy_header_value(r->ctype, sizeof r->ctype, line + 13, n - 13);
  } else if (header_is(line, n, "x-influxdb-version")) {
    copy_header_value(r->version, sizeof r->version, line + 19, n - 19);
  } else if (header_is(line, n, "request-id")) {
    copy_header_value(r->request_id, sizeof r->request_id, line + 11, n - 11);
  } else if (header_is(line, n, "retry-after")) {
    copy_header_value(r->retry_after, sizeof r->retry_after, line + 12, n - 12);
  }
  return n;
}

static int on_sockopt(void *u, curl_socket_t fd, curlsocktype purpose) {
  influx_client *c = u;
  if (purpose != CURLSOCKTYPE_IPCXN)
    return CURL_SOCKOPT_OK;
  if (c->sockopt.sndbuf > 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &c->sockopt.sndbuf,
               sizeof c->sockopt.sndbuf);
  if (c->sockopt.rcvbuf > 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &c->sockopt.rcvbuf,
               sizeof c->sockopt.rcvbuf);
  return CURL_SOCKOPT_OK;
}

int qs_add(ibuf *qs, const char *name, const char *value) {
  if (qs->len && ibuf_putc(qs, '&'))
    return -1;
  if (url_encode(qs, name, strlen(name)) || ibuf_putc(qs, '='))
    return -1;
  return url_encode(qs, value, strlen(value));
}

static influx_status setup(influx_client *c, CURL *h, const http_call *call,
                           xfer *x, struct curl_slist **hdrs,
                           influx_error *err) {
  ibuf url = {0};
  ibuf_puts(&url, c->base_url);
  ibuf_puts(&url, call->path);
  if (call->qs && *call->qs) {
    ibuf_putc(&url, '?');
    ibuf_puts(&url, call->qs);
  }
  struct curl_slist *l = NULL;
  int oom = !url.p;
  for (struct curl_slist *s = c->headers; s && !oom; s = s->next)
    if (!(l = curl_slist_append(l, s->data)))
      oom = 1;
  const char *const *extra = call->headers;
  for (; extra && *extra && !oom; extra++)
    if (!(l = curl_slist_append(l, *extra)))
      oom = 1;
  if (!oom && call->accept && !c->user_accept) {
    char a[96];
    snprintf(a, sizeof a, "Accept: %s", call->accept);
    oom = !(l = curl_slist_append(l, a));
  }
  if (!oom && !c->user_ctype && (call->body || call->content_type)) {
    char ct[128];
    snprintf(ct, sizeof ct, "Content-Type: %s",
             call->content_type ? call->content_type
                                : "application/octet-stream");
    oom = !(l = curl_slist_append(l, ct));
  }
  if (!oom && call->body_gzip)
    oom = !(l = curl_slist_append(l, "Content-Encoding: gzip"));
  /* No "Expect: 100-continue" round trip before each body. */
  if (!oom)
    oom = !(l = curl_slist_append(l, "Expect:"));
  if (oom) {
    curl_slist_free_all(l);
    ibuf_free(&url);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory building a request");
  }
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, url.p);
  ibuf_free(&url); /* curl copies the URL */
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
  *hdrs = l;
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
  const char *method = call->method ? call->method : "GET";
  if (call->body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)call->body_len);
    if (strcmp(method, "POST"))
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  } else if (!strcmp(method, "POST")) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
  } else if (!strcmp(method, "HEAD")) {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (strcmp(method, "GET")) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  }
  if (c->username[0]) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
  }
  if (c->gzip)
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
  long ct = c->connect_timeout_ms ? c->connect_timeout_ms : c->timeout_ms;
  if (ct)
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ct);
  if (c->timeout_ms) {
    if (call->on_body) {
      /* Streams may run long: time out on silence, not on total time. */
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                       (long)((c->timeout_ms + 999) / 1000));
    } else {
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    }
  }
  if (c->ssl) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->verify_ssl ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->verify_ssl ? 2L : 0L);
    if (c->ca_cert)
      curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_cert);
    if (c->cert) {
      curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert);
      curl_easy_setopt(h, CURLOPT_SSLKEY, c->cert_key ? c->cert_key : c->cert);
    }
  }
  const char *proxy = c->ssl ? c->https_proxy : c->http_proxy;
  /* An explicit proxy option wins; without one, no proxy from the
   * environment either, as with an empty seed `proxies`. */
  curl_easy_setopt(h, CURLOPT_PROXY, proxy ? proxy : "");
  if (c->sockopt.keepalive) {
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (c->sockopt.keepidle_s)
      curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, (long)c->sockopt.keepidle_s);
    if (c->sockopt.keepintvl_s)
      curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, (long)c->sockopt.keepintvl_s);
  }
  if (c->sockopt.nodelay)
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, c->sockopt.nodelay > 0 ? 1L : 0L);
  if (c->sockopt.sndbuf > 0 || c->sockopt.rcvbuf > 0) {
    curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
    curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, c);
  }
  if (c->session)
    curl_easy_setopt(h, CURLOPT_SHARE, c->session->share);
  return INFLUX_OK;
}

/* Reads {"error": "..."} from a msgpack body; 0 if it is not that. */
static int msgpack_error(const unsigned char *b, size_t len, char *out,
                         size_t outsz) {
  if (len <= 8 || b[0] != 0x81 || b[1] != 0xa5 || memcmp(b + 2, "error", 5))
    return 0;
  size_t n = 0, off = 0;
  unsigned t = b[7];
  if ((t & 0xe0) == 0xa0) {
    n = t & 31;
    off = 8;
  } else if (t == 0xd9 && len > 8) {
    n = b[8];
    off = 9;
  } else if (t == 0xda && len > 9) {
    n = (size_t)b[8] << 8 | b[9];
    off = 10;
  }
  if (!off || off + n > len)
    return 0;
  if (n >= outsz)
    n = outsz - 1;
  memcpy(out, b + off, n);
  out[n] = 0;
  return 1;
}

/* Reads {"error": "..."} from JSON text; 0 if it is not that. */
static int json_error(const char *body, size_t len, char *out, size_t outsz) {
  /* yajl's tree recurses: a hostile body nested 500k deep must not reach
   * it. influxd's error bodies are one level deep. */
  if (json_nesting(body, len, JSON_MAX_NESTING) > JSON_MAX_NESTING)
    return 0;
  char *tmp = istrndup(body, len);
  if (!tmp)
    return 0;
  yajl_val v = yajl_tree_parse(tmp, NULL, 0);
  const char *path[] = {"error", NULL};
  yajl_val e = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;
  if (e)
    snprintf(out, outsz, "%s", YAJL_GET_STRING(e));
  yajl_tree_free(v);
  free(tmp);
  return e != NULL;
}

/* Extracts the server's "error" message from a body, read as what its
 * Content-Type says (without one: msgpack or JSON by their first bytes);
 * else the first line of the text. */
void error_message(const char *ctype, const char *body, size_t len, char *out,
                   size_t outsz) {
  out[0] = 0;
  if (!body || !len)
    return;
  int kind = media_type_format(ctype);
  const unsigned char *b = (const unsigned char *)body;
  if ((kind == INFLUX_FORMAT_MSGPACK || kind < 0) &&
      msgpack_error(b, len, out, outsz))
    return;
  if ((kind == INFLUX_FORMAT_JSON || kind < 0) &&
      json_error(body, len, out, outsz))
    return;
  if (kind == INFLUX_FORMAT_MSGPACK) {
    snprintf(out, outsz, "(a msgpack body without an error message)");
    return;
  }
  /* Not a known error shape: the first line of the text, trimmed. */
  size_t n = 0;
  while (n < len && n < 300 && body[n] != '\r' && body[n] != '\n' && body[n])
    n++;
  if (n >= outsz)
    n = outsz - 1;
  memcpy(out, body, n);
  out[n] = 0;
}

influx_status http_status_error(long status, const char *ctype,
                                const char *body, size_t len,
                                influx_error *err) {
  char msg[INFLUX_ERROR_MSG_SIZE - 40];
  error_message(ctype, body, len, msg, sizeof msg);
  influx_status code = status == 401 || status == 403 ? INFLUX_ERR_AUTH
                       : status >= 500                ? INFLUX_ERR_SERVER
                       : status >= 400                ? INFLUX_ERR_CLIENT
                                                      : INFLUX_ERR_UNEXPECTED;
  return ierr_http(err, code, status, "HTTP %ld: %s", status,
                   msg[0] ? msg : "(no message)");
}

static influx_status curl_error(CURLcode rc, const char *detail,
                                influx_error *err) {
  influx_status st;
  switch (rc) {
  case CURLE_OPERATION_TIMEDOUT:
    st = INFLUX_ERR_TIMEOUT;
    break;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_USE_SSL_FAILED:
    st = INFLUX_ERR_TLS;
    break;
  case CURLE_OUT_OF_MEMORY:
    st = INFLUX_ERR_NOMEM;
    break;
  default:
    st = INFLUX_ERR_NETWORK;
  }
  return ierr(err, st, "%s%s%s", curl_easy_strerror(rc),
              detail && *detail ? ": " : "", detail ? detail : "");
}

static int retryable_curl(CURLcode rc) {
  switch (rc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_SSL_CONNECT_ERROR:
    return 1;
  default:
    return 0;
  }
}

static void backoff_sleep(influx_client *c, int attempt, const char *ra) {
  retry_policy p = {(double)c->retry_base_ms, 2, (double)c->retry_max_ms};
  pthread_mutex_lock(&c->mu);
  unsigned r = (unsigned)rand_r(&c->rand_state);
  pthread_mutex_unlock(&c->mu);
  long ms = retry_delay_ms(&p, attempt, ra, r);
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) && errno == EINTR) {
  }
}

influx_status http_perform(influx_client *c, const http_call *call,
                           http_result *res, influx_error *err) {
  memset(res, 0, sizeof *res);
  CURL *h = pool_get(c);
  if (!h)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory creating a connection");
  influx_status st = INFLUX_OK;
  long want = call->expected ? call->expected : 200;
  for (int attempt = 1;; attempt++) {
    xfer x = {.call = call, .res = res, .h = h};
    struct curl_slist *hdrs = NULL;
    ibuf_free(&res->body);
    res->status = 0;
    if ((st = setup(c, h, call, &x, &hdrs, err)))
      break;
    char ebuf[CURL_ERROR_SIZE];
    ebuf[0] = 0;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    long nconn = 0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nconn);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
    pthread_mutex_lock(&c->mu);
    c->stats.requests++;
    c->stats.connections += (uint64_t)nconn;
    pthread_mutex_unlock(&c->mu);
    int can_retry =
        x.delivered == 0 && !call->no_retry &&
        (c->retries == INFLUX_RETRIES_UNTIL_SUCCESS || attempt < c->retries);
    if (x.aborted) {
      st = ierr(err, INFLUX_ERR_ABORTED, "aborted by the body callback");
      break;
    }
    if (rc != CURLE_OK) {
      st = curl_error(rc, ebuf, err);
      if (can_retry && retryable_curl(rc))
        goto retry;
      break;
    }
    if (res->status == want) {
      st = INFLUX_OK;
      break;
    }
    st = http_status_error(res->status, res->ctype, res->body.p, res->body.len,
                           err);
    if (can_retry && call->retry_5xx && retry_http_status(res->status))
      goto retry;
    break;
  retry:
    pthread_mutex_lock(&c->mu);
    c->stats.retries++;
    pthread_mutex_unlock(&c->mu);
    backoff_sleep(c, attempt, res->retry_after);
  }
  pool_put(c, h);
  return st;
}

/* ---- ping and raw requests ---- */

influx_status influx_ping(influx_client *c, char *version, size_t vsz,
                          influx_error *err) {
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "ping: client is NULL");
  if (version && vsz)
    version[0] = 0;
  http_call call = {
      .method = "GET", .path = "ping", .expected = 204, .retry_5xx = 1};
  http_result res;
  influx_status st = http_perform(c, &call, &res, err);
  if (st == INFLUX_OK && version && vsz)
    snprintf(version, vsz, "%s", res.version);
  ibuf_free(&res.body);
  return st;
}

influx_status influx_request_send(influx_client *c, const influx_request *req,
                                  influx_response *resp, influx_error *err) {
  if (resp)
    memset(resp, 0, sizeof *resp);
  if (!c || !req)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "request: client or req is NULL");
  if (!req->url)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "request: url is NULL");
  for (const char *p = req->url; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#')
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "request: url \"%.100s\" must be a plain path (pass query "
                  "parameters in params)",
                  req->url);
  if (req->method)
    for (const char *p = req->method; *p; p++)
      if (*p < 'A' || *p > 'Z')
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "request: method \"%.20s\" is not an HTTP method",
                    req->method);
  influx_status st;
  for (const char *const *h = req->headers; h && *h; h++)
    if ((st = validate_header(*h, err)))
      return st;
  ibuf qs = {0};
  const char *const *p = req->params;
  for (; p && p[0]; p += 2) {
    if (!p[1]) {
      ibuf_free(&qs);
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "request: parameter \"%.60s\" has no value", p[0]);
    }
    if (qs_add(&qs, p[0], p[1])) {
      ibuf_free(&qs);
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    }
  }
  const char *url = req->url;
  while (*url == '/')
    url++;
  http_call call = {.method = req->method ? req->method : "GET",
                    .path = url,
                    .qs = qs.p,
                    .body = req->data,
                    .body_len = req->data && !req->data_len ? strlen(req->data)
                                                            : req->data_len,
                    .headers = req->headers,
                    .expected = req->expected_response_code,
                    .on_body = req->on_body,
                    .user = req->user};
  ibuf gz = {0};
  if (c->gzip && call.body && call.body_len) {
    if (gzip_compress(call.body, call.body_len, &gz)) {
      ibuf_free(&qs);
      return ierr(err, INFLUX_ERR_NOMEM, "gzip compression failed");
    }
    call.body = gz.p;
    call.body_len = gz.len;
    call.body_gzip = 1;
  }
  http_result res;
  st = http_perform(c, &call, &res, err);
  ibuf_free(&qs);
  ibuf_free(&gz);
  if (resp && (st == INFLUX_OK || res.status)) {
    resp->status = res.status;
    resp->body_len = res.body.len;
    resp->body = ibuf_take(&res.body);
    resp->content_type = res.ctype[0] ? istrdup(res.ctype) : NULL;
    resp->version = res.version[0] ? istrdup(res.version) : NULL;
    resp->request_id = res.request_id[0] ? istrdup(res.request_id) : NULL;
  }
  ibuf_free(&res.body);
  return st;
}

void influx_response_free(influx_response *r) {
  if (!r)
    return;
  free(r->body);
  free(r->content_type);
  free(r->version);
  free(r->request_id);
  memset(r, 0, sizeof *r);
}
