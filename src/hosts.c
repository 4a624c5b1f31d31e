/* Several hosts: the host list, each host's health (a circuit breaker
 * with exponential backoff and a /ping probe), and the failover of reads
 * and failover-mode writes. Replication is in replica.c. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_impl.h"
#include "retry.h"

int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the list ---- */

static char *base_url(int ssl, const char *host, int port, const char *path) {
  ibuf b = {0};
  int v6 = strchr(host, ':') != NULL;
  ibuf_printf(&b, "%s://%s%s%s:%d/", ssl ? "https" : "http", v6 ? "[" : "",
              host, v6 ? "]" : "", port);
  while (*path == '/')
    path++;
  if (*path) {
    ibuf_puts(&b, path);
    if (b.p && b.p[b.len - 1] != '/')
      ibuf_putc(&b, '/');
  }
  return b.p;
}

/* One "host", "host:port", "[v6]" or "[v6]:port" (a bare IPv6 address
 * has no port) into `h`. */
static influx_status parse_one(const char *s, size_t n, int dport, host_ent *h,
                               influx_error *err) {
  const char *port = NULL, *name = s;
  size_t nlen = n;
  if (n && s[0] == '[') {
    const char *rb = memchr(s, ']', n);
    if (!rb)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "host \"%.*s\": IPv6 address lacks ']'", (int)n, s);
    name = s + 1;
    nlen = (size_t)(rb - s - 1);
    if ((size_t)(rb + 1 - s) < n) {
      if (rb[1] != ':')
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "host \"%.*s\": junk after ']'", (int)n, s);
      port = rb + 2;
    }
  } else {
    const char *colon = memchr(s, ':', n);
    if (colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) {
      nlen = (size_t)(colon - s);
      port = colon + 1;
    }
  }
  if (!nlen)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "an empty host in the host list");
  for (size_t i = 0; i < nlen; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' ||
        c == ',' || c == '[' || c == ']' || c >= 127)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "host \"%.*s\" contains an invalid character", (int)n, s);
  }
  h->port = dport;
  if (port) {
    const char *e = s + n;
    if (port == e)
      return ierr(err, INFLUX_ERR_INVALID_ARG, "host \"%.*s\": empty port",
                  (int)n, s);
    long p = port_digits(port, (size_t)(e - port));
    if (p < 1 || p > 65535)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "host \"%.*s\": port is not a number in 1-65535", (int)n, s);
    h->port = (int)p;
  }
  h->name = istrndup(name, nlen);
  return h->name ? INFLUX_OK : ierr(err, INFLUX_ERR_NOMEM, "out of memory");
}

#define MAX_HOSTS 64

influx_status hosts_init(influx_client *c, const influx_options *o,
                         influx_error *err) {
  /* The entries: o->hosts, else the commas of c->host. */
  const char *ent[MAX_HOSTS];
  size_t len[MAX_HOSTS], n = 0;
  if (o->hosts) {
    for (; o->hosts[n]; n++) {
      if (n == MAX_HOSTS)
        return ierr(err, INFLUX_ERR_INVALID_ARG, "more than %d hosts",
                    MAX_HOSTS);
      ent[n] = o->hosts[n];
      len[n] = strlen(o->hosts[n]);
    }
    if (!n)
      return ierr(err, INFLUX_ERR_INVALID_ARG, "hosts is an empty list");
  } else if (strchr(c->host, ',')) {
    for (const char *p = c->host;; n++) {
      if (n == MAX_HOSTS)
        return ierr(err, INFLUX_ERR_INVALID_ARG, "more than %d hosts",
                    MAX_HOSTS);
      const char *e = strchr(p, ',');
      ent[n] = p;
      len[n] = e ? (size_t)(e - p) : strlen(p);
      if (!e) {
        n++;
        break;
      }
      p = e + 1;
    }
  } else {
    ent[0] = c->host;
    len[0] = strlen(c->host);
    n = 1;
  }
  c->hosts = calloc(n, sizeof *c->hosts);
  if (!c->hosts)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  influx_status st = INFLUX_OK;
  for (size_t i = 0; i < n; i++) {
    host_ent *h = &c->hosts[i];
    h->spool_fd = h->lock_fd = -1;
    pthread_mutex_init(&h->qmu, NULL);
    c->nhosts = i + 1;
    if (n == 1 && !o->hosts) {
      /* One host as before: the name as given (a bare IPv6 address). */
      h->name = istrdup(c->host);
      h->port = c->port;
      if (!h->name)
        return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    } else if ((st = parse_one(ent[i], len[i], c->port, h, err))) {
      return st;
    }
    for (size_t j = 0; j < i; j++)
      if (c->hosts[j].port == h->port && !strcmp(c->hosts[j].name, h->name))
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "host %s:%d appears twice in the host list", h->name,
                    h->port);
    if (!(h->base_url = base_url(c->ssl, h->name, h->port, c->path)))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  char *first = istrdup(c->hosts[0].name);
  if (!first)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  free(c->host);
  c->host = first;
  c->port = c->hosts[0].port;
  return INFLUX_OK;
}

void hosts_free(influx_client *c) {
  for (size_t i = 0; i < c->nhosts; i++) {
    free(c->hosts[i].name);
    free(c->hosts[i].base_url);
    pthread_mutex_destroy(&c->hosts[i].qmu);
  }
  free(c->hosts);
  c->hosts = NULL;
  c->nhosts = 0;
}

/* ---- health ---- */

void host_ok(influx_client *c, size_t hi) {
  pthread_mutex_lock(&c->mu);
  c->hosts[hi].fails = 0;
  c->hosts[hi].open_until_ms = 0;
  pthread_mutex_unlock(&c->mu);
}

void host_failed(influx_client *c, size_t hi, const char *why) {
  host_ent *h = &c->hosts[hi];
  pthread_mutex_lock(&c->mu);
  h->fails++;
  retry_policy p = {(double)(c->retry_base_ms > 100 ? c->retry_base_ms : 100),
                    2, (double)c->retry_max_ms};
  long ms =
      retry_delay_ms(&p, h->fails, NULL, (unsigned)rand_r(&c->rand_state));
  h->open_until_ms = mono_ms() + ms;
  snprintf(h->last_error, sizeof h->last_error, "%s", why ? why : "");
  pthread_mutex_unlock(&c->mu);
}

/* A /ping of one host with a short timeout (a stopped server accepts
 * connections and never answers: the probe must not wait long). */
#define PROBE_TIMEOUT_MS 1000
static influx_status ping_on(influx_client *c, size_t hi, int probe,
                             http_result *res, influx_error *err) {
  http_call call = {.method = "GET",
                    .path = "ping",
                    .expected = 204,
                    .timeout_ms =
                        !probe ? 0
                        : c->timeout_ms && c->timeout_ms < PROBE_TIMEOUT_MS
                            ? c->timeout_ms
                            : PROBE_TIMEOUT_MS};
  return http_perform_on(c, hi, &call, 1, res, NULL, err);
}

int host_usable(influx_client *c, size_t hi) {
  pthread_mutex_lock(&c->mu);
  int64_t until = c->hosts[hi].open_until_ms;
  pthread_mutex_unlock(&c->mu);
  if (!until)
    return 1;
  if (mono_ms() < until)
    return 0;
  http_result res;
  influx_error e = {0};
  influx_status st = ping_on(c, hi, 1, &res, &e);
  ibuf_free(&res.body);
  if (st) {
    host_failed(c, hi, e.message);
    return 0;
  }
  host_ok(c, hi);
  return 1;
}

int hinted_handoff(const http_result *res) {
  static const char text[] = "hinted handoff queue not empty";
  if (res->status < 500 || !res->body.p)
    return 0;
  for (size_t i = 0; i + sizeof text - 1 <= res->body.len; i++)
    if (!memcmp(res->body.p + i, text, sizeof text - 1))
      return 1;
  return 0;
}

/* Hosts in the order to try: usable ones first (list order, or from a
 * random one), then the ones still backing off, soonest first. */
static size_t try_order(influx_client *c, size_t *order) {
  size_t n = c->nhosts, k = 0, start = 0;
  int64_t until[MAX_HOSTS];
  pthread_mutex_lock(&c->mu);
  if (c->balance == INFLUX_BALANCE_RANDOM)
    start = (size_t)rand_r(&c->rand_state) % n;
  for (size_t i = 0; i < n; i++)
    until[i] = c->hosts[i].open_until_ms;
  pthread_mutex_unlock(&c->mu);
  int64_t now = mono_ms();
  for (size_t j = 0; j < n; j++) {
    size_t i = (start + j) % n;
    if (until[i] <= now)
      order[k++] = i;
  }
  size_t up = k;
  for (size_t i = 0; i < n; i++)
    if (until[i] > now) {
      size_t j = k++;
      while (j > up && until[order[j - 1]] > until[i]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
  return n;
}

static int is_admin_write(const influx_client *c, const http_call *call) {
  return c->write_mode == INFLUX_WRITE_REPLICATE &&
         !strcmp(call->method, "POST") && !strcmp(call->path, "query");
}

/* Replicate mode's statements: every host, each with its retries. */
static influx_status every_host(influx_client *c, const http_call *call,
                                http_result *res, influx_error *err) {
  influx_status first = INFLUX_OK;
  ibuf failed = {0};
  size_t nfailed = 0, kept = 0;
  /* The caller's body callback gets one host's answer; the others are
   * read here: a statement error in them is that host's failure. */
  http_call quiet = *call;
  quiet.on_body = NULL;
  quiet.on_start = NULL;
  int used_cb = !call->on_body;
  for (size_t i = 0; i < c->nhosts; i++) {
    http_result r;
    influx_error e = {0};
    host_outcome o;
    int read_here = used_cb;
    influx_status st =
        http_perform_on(c, i, read_here ? &quiet : call, 0, &r, &o, &e);
    if (!used_cb && (!st || o.delivered))
      used_cb = 1;
    if (!st && read_here && r.body.p &&
        (memmem(r.body.p, r.body.len, "\"error\"", 7) ||
         memmem(r.body.p, r.body.len,
                "\xa5"
                "error",
                6)))
      st = ierr(&e, INFLUX_ERR_STATEMENT, "a statement failed: %.*s",
                (int)(r.body.len < 300 ? r.body.len : 300), r.body.p);
    if (st) {
      if (o.failover)
        host_failed(c, i, e.message);
      if (!first) {
        first = st;
        if (err)
          err->http_status = e.http_status;
      }
      ibuf_printf(&failed, "%s%s:%d: %s", nfailed ? "; " : "", c->hosts[i].name,
                  c->hosts[i].port, e.message);
      nfailed++;
      ibuf_free(&r.body);
      continue;
    }
    host_ok(c, i);
    if (!kept++)
      *res = r;
    else
      ibuf_free(&r.body);
  }
  if (!first) {
    ibuf_free(&failed);
    return INFLUX_OK;
  }
  if (kept)
    ibuf_free(&res->body);
  memset(res, 0, sizeof *res);
  int http = err ? err->http_status : 0;
  ierr(err, first, "%zu of %zu hosts failed: %s", nfailed, c->nhosts,
       failed.p ? failed.p : "");
  if (err)
    err->http_status = http;
  ibuf_free(&failed);
  return first;
}

influx_status hosts_perform(influx_client *c, const http_call *call,
                            http_result *res, influx_error *err) {
  if (is_admin_write(c, call))
    return every_host(c, call, res, err);
  size_t order[MAX_HOSTS];
  influx_status st = INFLUX_ERR_NETWORK;
  int limit = call->no_retry ? 1 : c->retries;
  for (int round = 1;; round++) {
    size_t n = try_order(c, order);
    for (size_t k = 0; k < n; k++) {
      size_t hi = order[k];
      /* Backing-off hosts only once every usable one failed this round;
       * then probed first. */
      if (!host_usable(c, hi) && k + 1 < n)
        continue;
      host_outcome o;
      st = http_perform_on(c, hi, call, 1, res, &o, err);
      if (!st) {
        host_ok(c, hi);
        return INFLUX_OK;
      }
      if (!o.failover || o.delivered)
        return st;
      host_failed(c, hi, err ? err->message : "");
      if (k + 1 < n)
        ibuf_free(&res->body);
    }
    if (limit != INFLUX_RETRIES_UNTIL_SUCCESS && round >= limit)
      return st;
    ibuf_free(&res->body);
    pthread_mutex_lock(&c->mu);
    c->stats.retries++;
    pthread_mutex_unlock(&c->mu);
    http_backoff(c, round, res->retry_after);
  }
}

/* ---- public ---- */

size_t influx_client_host_count(const influx_client *c) {
  return c ? c->nhosts : 0;
}

influx_status influx_client_host_status(const influx_client *c, size_t i,
                                        influx_host_status *out,
                                        influx_error *err) {
  if (!c || !out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "host_status: NULL argument");
  if (i >= c->nhosts)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "host_status: host %zu of %zu does not exist", i, c->nhosts);
  memset(out, 0, sizeof *out);
  host_ent *h = &c->hosts[i];
  snprintf(out->host, sizeof out->host, "%s", h->name);
  out->port = h->port;
  pthread_mutex_lock((pthread_mutex_t *)&c->mu);
  int64_t now = mono_ms();
  out->state = !h->open_until_ms        ? INFLUX_HOST_UP
               : h->open_until_ms > now ? INFLUX_HOST_DOWN
                                        : INFLUX_HOST_PROBING;
  out->retry_in_ms = h->open_until_ms > now ? h->open_until_ms - now : 0;
  out->failures_in_row = h->fails;
  out->requests = h->requests;
  out->failures = h->failures;
  out->batches_stored = h->stored_batches;
  out->points_stored = h->stored_points;
  out->batches_dropped = h->dropped;
  snprintf(out->last_error, sizeof out->last_error, "%s", h->last_error);
  pthread_mutex_unlock((pthread_mutex_t *)&c->mu);
  pthread_mutex_lock(&h->qmu);
  out->batches_queued = h->nq;
  out->bytes_queued = h->qbytes;
  pthread_mutex_unlock(&h->qmu);
  return INFLUX_OK;
}

influx_status influx_ping_host(influx_client *c, size_t i, char *version,
                               size_t vsz, int64_t *rtt_us, influx_error *err) {
  if (version && vsz)
    version[0] = 0;
  if (rtt_us)
    *rtt_us = 0;
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "ping_host: client is NULL");
  if (i >= c->nhosts)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "ping_host: host %zu of %zu does not exist", i, c->nhosts);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  http_result res;
  influx_status st = ping_on(c, i, 0, &res, err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rtt_us)
    *rtt_us = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
              (t1.tv_nsec - t0.tv_nsec) / 1000;
  if (!st) {
    host_ok(c, i);
    if (version && vsz)
      snprintf(version, vsz, "%s", res.version);
  } else if (err) {
    host_failed(c, i, err->message);
  } else {
    host_failed(c, i, influx_strerror(st));
  }
  ibuf_free(&res.body);
  return st;
}
