/* The client: options, creation, switching database or user, closing
 * and statistics. The transport is in http.c, DSNs in dsn.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_impl.h"
#include "influxc/version.h"

const char *influx_version(void) { return INFLUXC_VERSION_STRING; }

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

influx_status influx_client_new(const influx_options *opts, influx_client **out,
                                influx_error *err) {
  static const influx_options defaults;
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "influx_client_new: out is NULL");
  *out = NULL;
  if (!opts)
    opts = &defaults;
  influx_status st = http_global_init(err);
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
  if (opts->stall_timeout_ms < -1)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "stall_timeout_ms %d is invalid (use > 0, 0 for the default "
                "or -1 for never)",
                opts->stall_timeout_ms);
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
  if (opts->write_mode < INFLUX_WRITE_FAILOVER ||
      opts->write_mode > INFLUX_WRITE_REPLICATE)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "write_mode %d is not failover (0) or replicate (1)",
                opts->write_mode);
  if (opts->ack < INFLUX_ACK_QUORUM || opts->ack > INFLUX_ACK_ALL)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "ack %d is not quorum (0), any (1) or all (2)", opts->ack);
  if (opts->balance < INFLUX_BALANCE_FIRST ||
      opts->balance > INFLUX_BALANCE_RANDOM)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "balance %d is not first (0) or random (1)", opts->balance);
  if (opts->host_queue_mb < 0 || opts->host_queue_mb > 1 << 20)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "host_queue_mb %d is out of range 1-1048576",
                opts->host_queue_mb);
  if (opts->spool_dir && opts->write_mode != INFLUX_WRITE_REPLICATE)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "spool_dir is for write_mode replicate");
  if (opts->verify_ssl && opts->insecure_ssl)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "verify_ssl and insecure_ssl contradict each other");
  if ((opts->cert || opts->cert_key) && !opts->ssl)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "a client certificate (cert) requires ssl to be enabled");
  if (opts->cert_key && !opts->cert)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "cert_key given without cert");
  for (const char *const *h = opts->headers; h && *h; h++)
    if ((st = http_validate_header(*h, err)))
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
  c->stall_timeout_ms = opts->stall_timeout_ms < 0 ? 0
                        : opts->stall_timeout_ms   ? opts->stall_timeout_ms
                                                   : INFLUX_STALL_TIMEOUT_MS;
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
  if (oom) {
    influx_client_free(c);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory creating a client");
  }
  c->write_mode = opts->write_mode;
  if (opts->spool_dir && !(c->spool_dir = istrdup(opts->spool_dir))) {
    influx_client_free(c);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory creating a client");
  }
  c->ack = opts->ack;
  c->balance = opts->balance;
  c->host_queue_bytes =
      (size_t)(opts->host_queue_mb ? opts->host_queue_mb : 256) << 20;
  if ((st = hosts_init(c, opts, err)) || (st = replica_open(c, err))) {
    influx_client_free(c);
    return st;
  }
  /* Failing over needs failures to end: a server that stopped answering
   * would otherwise hold a request forever. */
  if (c->nhosts > 1 && !c->timeout_ms)
    c->timeout_ms = INFLUX_SEVERAL_HOSTS_TIMEOUT_MS;
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
  replica_close(c);
  hosts_free(c);
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
