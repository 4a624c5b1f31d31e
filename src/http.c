/* The HTTP transport (libcurl): global init, sessions, the connection
 * pool, one request with retries, ping and raw requests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client_impl.h"
#include "retry.h"

/* ---- curl global init, once ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static void curl_init(void) {
  curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

influx_status http_global_init(influx_error *err) {
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
  influx_status st = http_global_init(err);
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

influx_status http_validate_header(const char *h, influx_error *err) {
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

typedef http_xfer xfer;

void (*http_fake)(const http_call *call, http_canned *out);

static size_t on_write(char *data, size_t sz, size_t nm, void *u) {
  xfer *x = u;
  size_t n = sz * nm;
  if (!x->checked) {
    long code = x->fake_status;
    if (!code)
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

/* Called each time the request is about to go out on a connection. */
static int on_prereq(void *u, char *conn_primary_ip, char *conn_local_ip,
                     int conn_primary_port, int conn_local_port) {
  (void)conn_primary_ip;
  (void)conn_local_ip;
  (void)conn_primary_port;
  (void)conn_local_port;
  ((xfer *)u)->sends++;
  return CURL_PREREQFUNC_OK;
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

influx_status http_setup(influx_client *c, const char *base_url, CURL *h,
                         const http_call *call, xfer *x,
                         struct curl_slist **hdrs, influx_error *err) {
  ibuf url = {0};
  ibuf_puts(&url, base_url);
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
  curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
  curl_easy_setopt(h, CURLOPT_PREREQDATA, x);
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
  /* Set every time: handles are reused by calls with other timeouts. */
  long t = call->timeout_ms ? call->timeout_ms : c->timeout_ms;
  long ct = c->connect_timeout_ms ? c->connect_timeout_ms : t;
  if (call->timeout_ms && (!ct || ct > call->timeout_ms))
    ct = call->timeout_ms;
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ct);
  /* Streams may run long: time out on silence, not on total time. A
   * write without the client's timeout still ends when nothing moves
   * for stall_timeout_ms (curl counts in whole seconds). */
  int stream = t && call->on_body;
  long silence = stream ? t
                 : !c->timeout_ms && !strcmp(call->path, "write")
                     ? c->stall_timeout_ms
                     : 0;
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, silence ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (silence + 999) / 1000);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, stream ? 0L : t);
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
  /* Several hosts: names are looked up again at least every 5 s, so a
   * host that moved is found where it is now. */
  if (c->nhosts > 1)
    curl_easy_setopt(h, CURLOPT_DNS_CACHE_TIMEOUT, 5L);
  if (c->session)
    curl_easy_setopt(h, CURLOPT_SHARE, c->session->share);
  return INFLUX_OK;
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

void http_backoff(influx_client *c, int attempt, const char *ra) {
  retry_policy p = {(double)c->retry_base_ms, 2, (double)c->retry_max_ms};
  pthread_mutex_lock(&c->mu);
  unsigned r = (unsigned)rand_r(&c->rand_state);
  pthread_mutex_unlock(&c->mu);
  long ms = retry_delay_ms(&p, attempt, ra, r);
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) && errno == EINTR) {
  }
}

/* A canned answer through the same header and body callbacks curl uses. */
static CURLcode canned(const http_call *call, xfer *x) {
  http_canned a = {0};
  http_fake(call, &a);
  if (a.curl_code)
    return (CURLcode)a.curl_code;
  x->fake_status = a.status;
  char status_line[32];
  snprintf(status_line, sizeof status_line, "HTTP/1.1 %ld\r\n", a.status);
  on_header(status_line, 1, strlen(status_line), x);
  for (const char *p = a.headers; p && *p;) {
    const char *e = strstr(p, "\r\n");
    size_t n = e ? (size_t)(e - p) + 2 : strlen(p);
    on_header((char *)p, 1, n, x);
    p += n;
  }
  if (a.body_len && on_write((char *)a.body, 1, a.body_len, x) != a.body_len)
    return CURLE_WRITE_ERROR;
  return CURLE_OK;
}

influx_status http_outcome(influx_client *c, size_t hi, CURLcode rc,
                           const char *ebuf, xfer *x, host_outcome *o,
                           influx_error *err) {
  http_result *res = x->res;
  CURL *h = x->h;
  long nconn = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nconn);
  /* Every send counted, libcurl's own resend included. */
  uint64_t sends = x->sends > 1 ? (uint64_t)x->sends : 1;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
  if (http_fake)
    res->status = x->fake_status;
  o->delivered = x->delivered != 0;
  o->failover = 0;
  res->unanswered = 0;
  pthread_mutex_lock(&c->mu);
  c->stats.requests += sends;
  c->stats.retries += sends - 1;
  c->stats.connections += (uint64_t)nconn;
  c->hosts[hi].requests += sends;
  pthread_mutex_unlock(&c->mu);
  if (x->aborted)
    return ierr(err, INFLUX_ERR_ABORTED, "aborted by the body callback");
  if (rc != CURLE_OK) {
    o->failover = retryable_curl(rc);
    curl_off_t up = 0;
    curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &up);
    res->unanswered =
        !http_fake && !res->status && (size_t)up >= x->call->body_len &&
        rc != CURLE_COULDNT_CONNECT && rc != CURLE_COULDNT_RESOLVE_HOST &&
        rc != CURLE_COULDNT_RESOLVE_PROXY;
    return curl_error(rc, ebuf, err);
  }
  long want = x->call->expected ? x->call->expected : 200;
  if (res->status == want)
    return INFLUX_OK;
  /* InfluxDB Enterprise: stored here, its copy to another node waits. */
  if (!strcmp(x->call->path, "write") && hinted_handoff(res))
    return INFLUX_OK;
  o->failover = x->call->retry_5xx && retry_http_status(res->status);
  return http_status_error(res->status, res->ctype, res->body.p, res->body.len,
                           err);
}

influx_status http_perform_on(influx_client *c, size_t hi,
                              const http_call *call, int attempts,
                              http_result *res, host_outcome *out,
                              influx_error *err) {
  memset(res, 0, sizeof *res);
  host_outcome o = {0};
  CURL *h = pool_get(c);
  if (!h)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory creating a connection");
  influx_status st = INFLUX_OK;
  int limit = attempts ? attempts : c->retries;
  for (int attempt = 1;; attempt++) {
    xfer x = {.call = call, .res = res, .h = h};
    struct curl_slist *hdrs = NULL;
    ibuf_free(&res->body);
    res->status = 0;
    o.failover = 0;
    if ((st = http_setup(c, c->hosts[hi].base_url, h, call, &x, &hdrs, err)))
      break;
    char ebuf[CURL_ERROR_SIZE];
    ebuf[0] = 0;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode rc = http_fake ? canned(call, &x) : curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    st = http_outcome(c, hi, rc, ebuf, &x, &o, err);
    int can_retry = x.delivered == 0 && !call->no_retry &&
                    (limit == INFLUX_RETRIES_UNTIL_SUCCESS || attempt < limit);
    if (!st || !can_retry || !o.failover || x.aborted)
      break;
    pthread_mutex_lock(&c->mu);
    c->stats.retries++;
    pthread_mutex_unlock(&c->mu);
    http_backoff(c, attempt, res->retry_after);
  }
  pool_put(c, h);
  if (o.failover) {
    pthread_mutex_lock(&c->mu);
    c->hosts[hi].failures++;
    pthread_mutex_unlock(&c->mu);
  }
  if (out)
    *out = o;
  return st;
}

influx_status http_perform(influx_client *c, const http_call *call,
                           http_result *res, influx_error *err) {
  if (c->nhosts > 1)
    return hosts_perform(c, call, res, err);
  return http_perform_on(c, 0, call, 0, res, NULL, err);
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
    if ((st = http_validate_header(*h, err)))
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

void influx_response_clear(influx_response *r) {
  if (!r)
    return;
  free(r->body);
  free(r->content_type);
  free(r->version);
  free(r->request_id);
  memset(r, 0, sizeof *r);
}
