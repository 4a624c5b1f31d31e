/* Writing: batching, parallel requests over the pool, UDP datagrams. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_impl.h"
#include "influxc/write.h"
#include "lines_impl.h"
#include "write_impl.h"

influx_status write_check_options(const influx_client *c,
                                  const influx_write_options *o,
                                  influx_error *err) {
  if (o->precision && !precision_canon(o->precision))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "precision \"%.20s\" is not one of n, u, ms, s, m, h",
                o->precision);
  if (o->consistency && strcmp(o->consistency, "any") &&
      strcmp(o->consistency, "one") && strcmp(o->consistency, "quorum") &&
      strcmp(o->consistency, "all"))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "consistency \"%.20s\" is not one of any, one, quorum, all",
                o->consistency);
  if (o->parallel < 0)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "parallel must not be negative");
  if (o->ntags && !o->tags)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "tags is NULL with ntags > 0");
  const char *db = o->database ? o->database : c->database;
  if (!c->use_udp && (!db || !*db))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "no database: set one in the options or on the client");
  for (const char *const *p = o->params; p && *p; p += 2)
    if (!p[1])
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "parameter \"%.60s\" has no value", p[0]);
  return INFLUX_OK;
}

int write_build_qs(const influx_client *c, const influx_write_options *o,
                   ibuf *qs) {
  const char *db = o->database ? o->database : c->database;
  int bad = qs_add(qs, "db", db);
  if (o->retention_policy)
    bad |= qs_add(qs, "rp", o->retention_policy);
  if (o->precision)
    bad |= qs_add(qs, "precision", precision_canon(o->precision));
  if (o->consistency)
    bad |= qs_add(qs, "consistency", o->consistency);
  for (const char *const *p = o->params; p && *p; p += 2)
    bad |= qs_add(qs, p[0], p[1]);
  return bad;
}

/* ---- sending batches, inline or over worker threads ---- */

typedef struct job {
  ibuf body;
  size_t first, npoints;
  long index;
  struct job *next;
} job;

typedef struct sender {
  influx_client *c;
  const char *qs;
  long expected;
  int nworkers;
  pthread_t *threads;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  job *queue, *queue_tail, *free_list;
  int closing;
  influx_status st;
  influx_error first_err;
  long failed_index;
  influx_write_report rep;
  ibuf gz;
} sender;

influx_status write_post(influx_client *c, const char *qs, const char *body,
                         size_t len, long expected, int no_retry, ibuf *gz,
                         http_result *res, influx_error *err) {
  http_call call = {.method = "POST",
                    .path = "write",
                    .qs = qs,
                    .body = body ? body : "",
                    .body_len = len,
                    .expected = expected,
                    .retry_5xx = 1,
                    .no_retry = no_retry};
  memset(res, 0, sizeof *res); /* also when nothing is sent */
  size_t lines = 0;
  int replicate = c->nhosts > 1 && c->write_mode == INFLUX_WRITE_REPLICATE;
  if (replicate) { /* each host counts the points it stored */
    for (const char *p = body, *e = body + len; p < e; lines++) {
      const char *nl = memchr(p, '\n', (size_t)(e - p));
      p = nl ? nl + 1 : e;
    }
  }
  if (c->gzip && len) {
    if (gzip_compress(body, len, gz))
      return ierr(err, INFLUX_ERR_NOMEM, "gzip compression failed");
    call.body = gz->p;
    call.body_len = gz->len;
    call.body_gzip = 1;
  }
  if (replicate)
    return replica_post(c, qs, call.body, call.body_len, call.body_gzip, lines,
                        res, err);
  return http_perform(c, &call, res, err);
}

static influx_status send_one(sender *s, job *j, ibuf *gz, influx_error *err) {
  http_result res;
  influx_status st = write_post(s->c, s->qs, j->body.p, j->body.len,
                                s->expected, 0, gz, &res, err);
  ibuf_free(&res.body);
  return st;
}

/* Records the outcome of one job; called with s->mu held. */
static void record(sender *s, job *j, influx_status st, const influx_error *e) {
  if (st == INFLUX_OK) {
    s->rep.points_written += j->npoints;
    s->rep.batches_written++;
    return;
  }
  s->rep.batches_failed++;
  if (s->failed_index < 0 || j->index < s->failed_index) {
    s->failed_index = j->index;
    s->st = st;
    s->first_err.code = st;
    s->first_err.http_status = e->http_status;
    int k = snprintf(s->first_err.message, sizeof s->first_err.message,
                     "batch %ld (points %zu-%zu): ", j->index, j->first,
                     j->first + j->npoints - 1);
    if (k > 0 && (size_t)k < sizeof s->first_err.message) {
      size_t room = sizeof s->first_err.message - (size_t)k - 1;
      size_t ml = strnlen(e->message, room);
      memcpy(s->first_err.message + k, e->message, ml);
      s->first_err.message[(size_t)k + ml] = 0;
    }
  }
}

static void *worker(void *u) {
  sender *s = u;
  ibuf gz = {0};
  pthread_mutex_lock(&s->mu);
  for (;;) {
    while (!s->queue && !s->closing)
      pthread_cond_wait(&s->cv, &s->mu);
    job *j = s->queue;
    if (!j)
      break;
    s->queue = j->next;
    if (!s->queue)
      s->queue_tail = NULL;
    int skip = s->st != INFLUX_OK;
    pthread_mutex_unlock(&s->mu);
    influx_error e = {0};
    influx_status st = INFLUX_OK;
    if (!skip)
      st = send_one(s, j, &gz, &e);
    pthread_mutex_lock(&s->mu);
    if (!skip)
      record(s, j, st, &e);
    j->body.len = 0;
    j->next = s->free_list;
    s->free_list = j;
    pthread_cond_broadcast(&s->cv);
  }
  pthread_mutex_unlock(&s->mu);
  ibuf_free(&gz);
  return NULL;
}

static int sender_init(sender *s, influx_client *c, const char *qs,
                       long expected, int nworkers) {
  memset(s, 0, sizeof *s);
  s->c = c;
  s->qs = qs;
  s->expected = expected;
  s->failed_index = -1;
  s->rep.first_failed_batch = -1;
  s->nworkers = nworkers;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  /* One buffer per worker plus one being filled: memory stays bounded. */
  for (int i = 0; i < nworkers + 1; i++) {
    job *j = calloc(1, sizeof *j);
    if (!j)
      return -1;
    j->next = s->free_list;
    s->free_list = j;
  }
  if (nworkers > 1) {
    s->threads = calloc((size_t)nworkers, sizeof *s->threads);
    if (!s->threads)
      return -1;
    for (int i = 0; i < nworkers; i++)
      if (pthread_create(&s->threads[i], NULL, worker, s)) {
        s->nworkers = i;
        return -1;
      }
  }
  return 0;
}

/* Takes a free job (blocking while all are in flight). */
static job *sender_take(sender *s) {
  pthread_mutex_lock(&s->mu);
  while (!s->free_list)
    pthread_cond_wait(&s->cv, &s->mu);
  job *j = s->free_list;
  s->free_list = j->next;
  j->next = NULL;
  j->body.len = 0;
  pthread_mutex_unlock(&s->mu);
  return j;
}

static int sender_failed(sender *s) {
  pthread_mutex_lock(&s->mu);
  int f = s->st != INFLUX_OK;
  pthread_mutex_unlock(&s->mu);
  return f;
}

static void sender_give(sender *s, job *j) {
  if (s->nworkers <= 1) {
    influx_error e = {0};
    influx_status st =
        sender_failed(s) ? INFLUX_OK : send_one(s, j, &s->gz, &e);
    pthread_mutex_lock(&s->mu);
    record(s, j, st, &e);
    j->next = s->free_list;
    s->free_list = j;
    pthread_mutex_unlock(&s->mu);
    return;
  }
  pthread_mutex_lock(&s->mu);
  if (s->queue_tail)
    s->queue_tail->next = j;
  else
    s->queue = j;
  s->queue_tail = j;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

static void sender_return(sender *s, job *j) {
  pthread_mutex_lock(&s->mu);
  j->next = s->free_list;
  s->free_list = j;
  pthread_mutex_unlock(&s->mu);
}

static influx_status sender_finish(sender *s, influx_write_report *rep,
                                   influx_error *err) {
  pthread_mutex_lock(&s->mu);
  s->closing = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  for (int i = 0; s->threads && i < s->nworkers; i++)
    pthread_join(s->threads[i], NULL);
  free(s->threads);
  while (s->free_list) {
    job *j = s->free_list;
    s->free_list = j->next;
    ibuf_free(&j->body);
    free(j);
  }
  ibuf_free(&s->gz);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  s->rep.first_failed_batch = s->failed_index;
  if (rep)
    *rep = s->rep;
  if (s->st && err)
    *err = s->first_err;
  return s->st;
}

/* ---- write paths ---- */

static int effective_parallel(const influx_client *c,
                              const influx_write_options *o) {
  int p = o->parallel ? o->parallel : c->pool_size;
  return p < 1 ? 1 : p;
}

/* Where the points of a write come from: an array of points, an array of
 * line-protocol strings, or a caller's source function. */
typedef struct source {
  const influx_point *pts;
  const char *const *lines;
  size_t n; /* array length */
  influx_point_source cb;
  void *user;
  influx_point buf[256]; /* points handed over by cb */
  size_t bn, bi;
  int eof;
} source;

/* Encodes point `i` into lb. Returns 1 at the end of the source. */
static int source_next(source *src, influx_lines *lb, size_t i,
                       influx_status *st, influx_error *err) {
  lb->index = i;
  if (src->cb) {
    if (src->bi == src->bn) {
      if (src->eof)
        return 1;
      long k = src->cb(src->user, src->buf, sizeof src->buf / sizeof *src->buf);
      if (k < 0) {
        *st = ierr(err, INFLUX_ERR_ABORTED,
                   "the point source stopped the write at point %zu", i);
        return 0;
      }
      if (k == 0 || (size_t)k > sizeof src->buf / sizeof *src->buf) {
        src->eof = 1;
        return 1;
      }
      src->bn = (size_t)k;
      src->bi = 0;
    }
    *st = lines_encode(lb, &src->buf[src->bi++], err);
    return 0;
  }
  if (i >= src->n)
    return 1;
  if (src->pts)
    *st = lines_encode(lb, &src->pts[i], err);
  else
    *st = src->lines[i]
              ? influx_lines_append_raw(lb, src->lines[i],
                                        strlen(src->lines[i]), err)
              : ierr(err, INFLUX_ERR_INVALID_ARG, "line %zu is NULL", i);
  return 0;
}

/* Encodes the source batch by batch straight into the sender's buffers;
 * a point that would push a batch over max_body_size opens the next. */
static influx_status send_batches(const influx_write_options *o,
                                  influx_lines *lb, source *src, sender *s,
                                  influx_error *err) {
  size_t bs = o->batch_size ? o->batch_size : (size_t)-1;
  size_t maxb = o->max_body_size ? o->max_body_size : INFLUX_MAX_BODY_BYTES;
  influx_status st = INFLUX_OK;
  ibuf pending = {0};
  int have_pending = 0, end = 0;
  long index = 0;
  size_t next = 0; /* index of the next point to pull */
  while ((!end || have_pending) && !sender_failed(s)) {
    job *j = sender_take(s);
    ibuf keep = lb->buf;
    lb->buf = j->body;
    lb->buf.len = 0;
    j->first = next - (size_t)have_pending;
    size_t cnt = 0;
    if (have_pending) {
      if (ibuf_append(&lb->buf, pending.p, pending.len))
        st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
      cnt = 1;
      have_pending = 0;
    }
    while (!st && cnt < bs && !end) {
      size_t before = lb->buf.len;
      if ((end = source_next(src, lb, next, &st, err)) || st)
        break;
      next++;
      if (lb->buf.len > maxb && cnt > 0) {
        pending.len = 0;
        if (ibuf_append(&pending, lb->buf.p + before, lb->buf.len - before))
          st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
        lb->buf.len = before;
        lb->buf.p[before] = 0;
        have_pending = 1;
        break;
      }
      cnt++;
    }
    j->body = lb->buf;
    lb->buf = keep;
    if (st || !cnt) {
      sender_return(s, j);
      break;
    }
    j->npoints = cnt;
    j->index = index++;
    sender_give(s, j);
  }
  ibuf_free(&pending);
  return st;
}

/* Sends every point of `src`. Arrays are validated first, so a bad point
 * means nothing is sent; a source function can only be checked as it
 * goes, and the report says how far it got. */
static influx_status write_source(influx_client *c, source *src,
                                  const influx_write_options *o,
                                  influx_write_report *rep, influx_error *err) {
  static const influx_write_options none;
  if (!o)
    o = &none;
  if (rep) {
    memset(rep, 0, sizeof *rep);
    rep->first_failed_batch = -1;
  }
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "write: client is NULL");
  influx_status st = write_check_options(c, o, err);
  if (st)
    return st;
  influx_lines *lb = influx_lines_new();
  if (!lb)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  /* Over UDP the server reads times in its own precision (ns by default):
   * convert instead of sending a precision parameter. */
  const char *prec = c->use_udp ? "n" : o->precision;
  if ((st = influx_lines_set_precision(lb, prec, err)) ||
      (st = influx_lines_set_default_tags(lb, o->tags, o->ntags, err))) {
    influx_lines_free(lb);
    return st;
  }
  for (size_t i = 0; !src->cb && i < src->n && !st; i++) {
    source_next(src, lb, i, &st, err);
    lb->buf.len = 0;
  }
  if (st) {
    influx_lines_free(lb);
    return st;
  }
  if (c->use_udp) {
    size_t i = 0;
    while (!st && !source_next(src, lb, i, &st, err))
      i++;
    if (!st)
      st = influx_send_packet(c, lb->buf.p, lb->buf.len, err);
    if (!st && rep) {
      rep->points_written = i;
      rep->batches_written = 1;
    }
    influx_lines_free(lb);
    return st;
  }
  ibuf qs = {0};
  if (write_build_qs(c, o, &qs)) {
    influx_lines_free(lb);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  int par = effective_parallel(c, o);
  if (!src->cb) {
    size_t nb =
        o->batch_size ? (src->n + o->batch_size - 1) / o->batch_size : 1;
    if ((size_t)par > nb)
      par = (int)(nb ? nb : 1);
  }
  sender s;
  if (sender_init(&s, c, qs.p,
                  o->expected_response_code ? o->expected_response_code : 204,
                  par)) {
    sender_finish(&s, NULL, NULL);
    ibuf_free(&qs);
    influx_lines_free(lb);
    return ierr(err, INFLUX_ERR_NOMEM, "cannot start write workers");
  }
  st = send_batches(o, lb, src, &s, err);
  influx_error serr = {0};
  influx_status sst = sender_finish(&s, rep, &serr);
  if (!st && sst) {
    st = sst;
    if (err)
      *err = serr;
  }
  ibuf_free(&qs);
  influx_lines_free(lb);
  return st;
}

static influx_status write_stream(influx_client *c, const influx_point *pts,
                                  const char *const *lines, size_t n,
                                  const influx_write_options *o,
                                  influx_write_report *rep, influx_error *err) {
  if (n && !pts && !lines)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "write: points are NULL");
  source *src = calloc(1, sizeof *src);
  if (!src)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  src->pts = pts;
  src->lines = lines;
  src->n = n;
  influx_status st = write_source(c, src, o, rep, err);
  free(src);
  return st;
}

influx_status influx_write_from(influx_client *c, influx_point_source fn,
                                void *user, const influx_write_options *o,
                                influx_write_report *rep, influx_error *err) {
  if (!fn)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "write_from: source is NULL");
  source *src = calloc(1, sizeof *src);
  if (!src)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  src->cb = fn;
  src->user = user;
  influx_status st = write_source(c, src, o, rep, err);
  free(src);
  return st;
}

influx_status influx_write_points_ex(influx_client *c, const influx_point *pts,
                                     size_t n, const influx_write_options *o,
                                     influx_write_report *rep,
                                     influx_error *err) {
  return write_stream(c, pts, NULL, n, o, rep, err);
}

influx_status influx_write_points(influx_client *c, const influx_point *pts,
                                  size_t n, const influx_write_options *o,
                                  influx_error *err) {
  return write_stream(c, pts, NULL, n, o, NULL, err);
}

influx_status influx_write_lines(influx_client *c, const char *const *lines,
                                 size_t n, const influx_write_options *o,
                                 influx_error *err) {
  if (n && !lines)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "write_lines: lines is NULL");
  return write_stream(c, NULL, lines, n, o, NULL, err);
}

influx_status influx_write_buffer(influx_client *c, const influx_lines *lb,
                                  const influx_write_options *o,
                                  influx_write_report *rep, influx_error *err) {
  if (!c || !lb)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "write_buffer: NULL argument");
  static const influx_write_options none;
  if (!o)
    o = &none;
  if (c->use_udp)
    return influx_send_packet(c, lb->buf.p, lb->buf.len, err);
  /* Split the buffer at line boundaries without copying lines. */
  size_t n = lb->count;
  const char **lines = malloc((n ? n : 1) * sizeof *lines);
  char *copy = istrndup(lb->buf.p ? lb->buf.p : "", lb->buf.len);
  if (!lines || !copy) {
    free(lines);
    free(copy);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  size_t k = 0, off = 0;
  while (off < lb->buf.len && k < n) {
    influx_line_splitter sp = {0};
    int complete;
    size_t used =
        influx_line_split(&sp, copy + off, lb->buf.len - off, &complete);
    if (complete)
      copy[off + used - 1] = 0;
    lines[k++] = copy + off;
    off += used;
  }
  influx_status st = write_stream(c, NULL, lines, k, o, rep, err);
  free(lines);
  free(copy);
  return st;
}

influx_status influx_write(influx_client *c, const char *data, size_t len,
                           const influx_write_options *o, influx_error *err) {
  static const influx_write_options none;
  if (!o)
    o = &none;
  if (!c || (!data && len))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "write: NULL argument");
  influx_status st = write_check_options(c, o, err);
  if (st)
    return st;
  if (c->use_udp)
    return influx_send_packet(c, data, len, err);
  ibuf qs = {0};
  if (write_build_qs(c, o, &qs))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  sender s;
  if (sender_init(&s, c, qs.p,
                  o->expected_response_code ? o->expected_response_code : 204,
                  1)) {
    sender_finish(&s, NULL, NULL);
    ibuf_free(&qs);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  job *j = sender_take(&s);
  j->npoints = 1;
  if (ibuf_append(&j->body, data ? data : "", len)) {
    sender_return(&s, j);
    sender_finish(&s, NULL, NULL);
    ibuf_free(&qs);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  sender_give(&s, j);
  influx_error e = {0};
  st = sender_finish(&s, NULL, &e);
  if (st && err) {
    /* One request: report the server's message without batch framing. */
    const char *m = strstr(e.message, "): ");
    *err = e;
    if (m)
      memmove(err->message, m + 3, strlen(m + 3) + 1);
  }
  ibuf_free(&qs);
  return st;
}

size_t influx_write_not_stored(const char *msg, size_t npoints) {
  if (!msg || !strstr(msg, "partial write"))
    return npoints;
  size_t n = 0;
  for (const char *p = msg; (p = strstr(p, "unable to parse '")); p++)
    n++;
  const char *d = strstr(msg, "dropped=");
  if (d)
    n += strtoull(d + 8, NULL, 10);
  return n > npoints ? npoints : n;
}
