/* Writing: batching, parallel requests over the pool, UDP datagrams. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_impl.h"
#include "influxc/write.h"
#include "lanes.h"
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

/* ---- sending batches, inline or over lanes ---- */

/* Parallel requests never reorder a series: every line goes to a lane
 * (lanes.h), each lane has one worker that sends its batches in order, and
 * a batch is never retried after a newer batch of its lane went out (the
 * transport's retries happen inside one send). With one lane, batches are
 * sent inline on the caller's thread. */
typedef struct job {
  ibuf body;
  size_t first, last, npoints;
  int gaps; /* its points are not one run of the input */
  long index;
  unsigned lane;
  struct job *next;
} job;

typedef struct sender sender;

typedef struct wlane {
  sender *s;
  unsigned id;
  job *open;               /* being filled by the producer */
  job *queue, *queue_tail; /* sealed, in order */
  int sealed_one;          /* a batch of this lane went out already */
  unsigned rank;           /* how many lanes had points before this one */
  pthread_t thread;
} wlane;

struct sender {
  influx_client *c;
  const char *qs;
  long expected;
  unsigned nlanes;
  unsigned lanes_used; /* lanes that got a point so far */
  int nthreads;
  wlane *lane;
  lanes map;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  job *free_list;
  int closing;
  influx_status st;
  influx_error first_err;
  long failed_index;
  long stop_index; /* the first batch refused (not INFLUX_ERR_ACK): none
                      after it is sent; -1: none */
  job failed;      /* a copy of the first failed job's numbers */
  influx_write_report rep;
  ibuf gz;
};

typedef struct one_host {
  influx_client *c;
  http_call call;
  ibuf *gz;
} one_host;

static influx_status post_one_host(void *u, const char *body, size_t len,
                                   http_result *res, influx_error *err) {
  one_host *h = u;
  memset(res, 0, sizeof *res); /* also when nothing is sent */
  influx_status st =
      write_call_body(&h->call, h->c->gzip, body, len, h->gz, err);
  return st ? st : http_perform(h->c, &h->call, res, err);
}

influx_status write_post(influx_client *c, const char *qs, const char *body,
                         size_t len, size_t lines, long expected, int no_retry,
                         long timeout_ms, int go_on, ibuf *gz, size_t *stored,
                         http_result *res, influx_error *err) {
  *stored = 0;
  memset(res, 0, sizeof *res);
  if (!body)
    body = "";
  if (c->nhosts > 1 && c->write_mode == INFLUX_WRITE_REPLICATE)
    return replica_post(c, qs, body, len, lines, timeout_ms, go_on, gz, stored,
                        res, err);
  one_host h = {.c = c,
                .call = {.method = "POST",
                         .path = "write",
                         .qs = qs,
                         .expected = expected,
                         .retry_5xx = 1,
                         .no_retry = no_retry,
                         .timeout_ms = (int)timeout_ms},
                .gz = gz};
  return write_split(post_one_host, &h, body, len, lines, go_on, stored, res,
                     err);
}

/* Sends one batch; *stored gets how many of its points the server kept
 * (all, none, or of a partial write the ones it did not list). */
static influx_status send_one(sender *s, job *j, ibuf *gz, size_t *stored,
                              influx_error *err) {
  http_result res;
  influx_status st = write_post(s->c, s->qs, j->body.p, j->body.len, j->npoints,
                                s->expected, 0, 0, 0, gz, stored, &res, err);
  ibuf_free(&res.body);
  return st;
}

/* Records the outcome of one job; called with s->mu held. */
static void record(sender *s, job *j, influx_status st, size_t stored,
                   const influx_error *e) {
  s->rep.points_written += stored;
  if (st == INFLUX_OK) {
    s->rep.batches_written++;
    return;
  }
  s->rep.batches_failed++;
  /* Too few replicas took it (INFLUX_ERR_ACK): the others have it queued
   * and get it, so the write goes on; it is reported all the same. */
  if (st != INFLUX_ERR_ACK && (s->stop_index < 0 || j->index < s->stop_index))
    s->stop_index = j->index;
  if (s->failed_index < 0 || j->index < s->failed_index) {
    s->failed_index = j->index;
    s->st = st;
    s->first_err = *e;
    s->first_err.code = st;
    s->failed = *j;
  }
}

/* The error of the first failed batch: how much was stored, which batch,
 * then the error itself ("1000 points stored, then batch 3 (points
 * 3000-3999): HTTP 400: ..."). */
static void failure_text(const sender *s, influx_error *out) {
  const job *j = &s->failed;
  *out = s->first_err;
  int k = j->gaps
              ? snprintf(out->message, sizeof out->message,
                         "%zu points stored, then batch %ld (%zu points, "
                         "the first point %zu): ",
                         s->rep.points_written, j->index, j->npoints, j->first)
              : snprintf(out->message, sizeof out->message,
                         "%zu points stored, then batch %ld (points "
                         "%zu-%zu): ",
                         s->rep.points_written, j->index, j->first, j->last);
  if (k > 0 && (size_t)k < sizeof out->message) {
    size_t room = sizeof out->message - (size_t)k - 1;
    size_t ml = strnlen(s->first_err.message, room);
    memcpy(out->message + k, s->first_err.message, ml);
    out->message[(size_t)k + ml] = 0;
  }
}

/* Sends `j` unless a batch before it was refused: batches after a refusal
 * are not sent (those already in flight on other lanes finish); batches
 * before it still are. Called with s->mu held; returns with it held. */
static void run_job(sender *s, job *j, ibuf *gz) {
  int skip = s->stop_index >= 0 && j->index > s->stop_index;
  pthread_mutex_unlock(&s->mu);
  influx_error e = {0};
  size_t stored = 0;
  influx_status st = skip ? INFLUX_OK : send_one(s, j, gz, &stored, &e);
  pthread_mutex_lock(&s->mu);
  if (!skip)
    record(s, j, st, stored, &e);
  lanes_finished(&s->map, j->lane);
  j->body.len = 0;
  j->next = s->free_list;
  s->free_list = j;
  pthread_cond_broadcast(&s->cv);
}

static void *worker(void *u) {
  wlane *l = u;
  sender *s = l->s;
  ibuf gz = {0};
  pthread_mutex_lock(&s->mu);
  for (;;) {
    while (!l->queue && !s->closing)
      pthread_cond_wait(&s->cv, &s->mu);
    job *j = l->queue;
    if (!j)
      break;
    l->queue = j->next;
    if (!l->queue)
      l->queue_tail = NULL;
    run_job(s, j, &gz);
  }
  pthread_mutex_unlock(&s->mu);
  ibuf_free(&gz);
  return NULL;
}

static int sender_init(sender *s, influx_client *c, const char *qs,
                       long expected, unsigned nlanes) {
  memset(s, 0, sizeof *s);
  s->c = c;
  s->qs = qs;
  s->expected = expected;
  s->failed_index = -1;
  s->stop_index = -1;
  s->rep.first_failed_batch = -1;
  s->nlanes = nlanes ? nlanes : 1;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  s->lane = calloc(s->nlanes, sizeof *s->lane);
  if (!s->lane || lanes_init(&s->map, s->nlanes))
    return -1;
  /* Per lane a batch being filled and one being sent: memory stays
   * bounded. */
  for (unsigned i = 0; i < 2 * s->nlanes; i++) {
    job *j = calloc(1, sizeof *j);
    if (!j)
      return -1;
    j->next = s->free_list;
    s->free_list = j;
  }
  for (unsigned i = 0; i < s->nlanes; i++) {
    s->lane[i].s = s;
    s->lane[i].id = i;
  }
  if (s->nlanes > 1)
    for (unsigned i = 0; i < s->nlanes; i++) {
      if (pthread_create(&s->lane[i].thread, NULL, worker, &s->lane[i]))
        return -1;
      s->nthreads = (int)i + 1;
    }
  return 0;
}

/* Takes a free job (blocking while all are in use). */
static job *sender_take(sender *s) {
  pthread_mutex_lock(&s->mu);
  while (!s->free_list)
    pthread_cond_wait(&s->cv, &s->mu);
  job *j = s->free_list;
  s->free_list = j->next;
  j->next = NULL;
  j->body.len = 0;
  j->npoints = 0;
  j->gaps = 0;
  pthread_mutex_unlock(&s->mu);
  return j;
}

static int sender_failed(sender *s) {
  pthread_mutex_lock(&s->mu);
  int f = s->stop_index >= 0;
  pthread_mutex_unlock(&s->mu);
  return f;
}

/* Hands the job over to its lane: inline with one lane, else queued for
 * the lane's worker. */
static void sender_give(sender *s, job *j) {
  pthread_mutex_lock(&s->mu);
  if (s->nthreads == 0) {
    run_job(s, j, &s->gz);
    pthread_mutex_unlock(&s->mu);
    return;
  }
  wlane *l = &s->lane[j->lane];
  if (l->queue_tail)
    l->queue_tail->next = j;
  else
    l->queue = j;
  l->queue_tail = j;
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
  for (int i = 0; i < s->nthreads; i++)
    pthread_join(s->lane[i].thread, NULL);
  for (unsigned i = 0; s->lane && i < s->nlanes; i++)
    if (s->lane[i].open) {
      s->lane[i].open->next = s->free_list;
      s->free_list = s->lane[i].open;
    }
  free(s->lane);
  lanes_free(&s->map);
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
    failure_text(s, err);
  return s->st;
}

/* Seals the open job of lane `li` and hands it over. Returns whether the
 * write has failed (then nothing more is to be sealed). */
static int lane_seal(sender *s, unsigned li, long *index) {
  job *j = s->lane[li].open;
  if (!j)
    return sender_failed(s);
  s->lane[li].open = NULL;
  if (!j->npoints) {
    sender_return(s, j);
    return sender_failed(s);
  }
  j->index = (*index)++;
  lanes_sealed(&s->map, li);
  sender_give(s, j);
  return sender_failed(s);
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

/* Encodes the source point by point and puts each line in its lane's
 * open batch; a batch goes out when it has batch_size points, or when the
 * next line would push it over max_body_size. */
static influx_status send_batches(const influx_write_options *o,
                                  influx_lines *lb, source *src, sender *s,
                                  influx_error *err) {
  size_t bs = o->batch_size ? o->batch_size : (size_t)-1;
  size_t maxb = o->max_body_size ? o->max_body_size : INFLUX_MAX_BODY_BYTES;
  influx_status st = INFLUX_OK;
  long index = 0;
  int failed = 0;
  for (size_t next = 0; !failed; next++) {
    lb->buf.len = 0;
    if (source_next(src, lb, next, &st, err) || st)
      break;
    const char *line = lb->buf.p;
    size_t len = lb->buf.len;
    unsigned li = lanes_pick(&s->map, line, len);
    wlane *l = &s->lane[li];
    if (l->open && l->open->npoints && l->open->body.len + len > maxb &&
        (failed = lane_seal(s, li, &index)))
      break;
    if (!l->open) {
      l->open = sender_take(s);
      l->open->lane = li;
      l->open->first = next;
      if (!l->sealed_one && !l->rank && s->lanes_used < s->nlanes)
        l->rank = s->lanes_used++;
    }
    job *j = l->open;
    if (ibuf_append(&j->body, line, len)) {
      st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
      break;
    }
    lanes_placed(&s->map);
    if (j->npoints && j->last + 1 != next)
      j->gaps = 1;
    j->last = next;
    /* Lanes fed alike fill at the same pace and would send in lockstep,
     * their requests reaching the server all at once: measured 25% slower
     * with two. So the first batch of the k-th lane to get points holds
     * (n-k)/n of batch_size; the first lane's (one series, one lane) is
     * whole, so batches are runs of the input there, as the seed's. */
    size_t cut = bs;
    if (!l->sealed_one && l->rank && bs != (size_t)-1)
      cut = bs - bs / s->nlanes * l->rank;
    if (++j->npoints >= (cut ? cut : 1)) {
      l->sealed_one = 1;
      failed = lane_seal(s, li, &index);
    }
  }
  /* At the end what the lanes hold goes out; after a bad point, the open
   * batches are dropped with it (sender_finish frees them): as with one
   * lane, the batch the bad point would have gone in is not sent. */
  for (unsigned li = 0; !st && !failed && li < s->nlanes; li++)
    failed = lane_seal(s, li, &index);
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
      (st =
           influx_lines_set_style(lb, (influx_line_style)o->line_style, err)) ||
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
  influx_write_report r;
  influx_status sst = sender_finish(&s, &r, &serr);
  if (rep)
    *rep = r;
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
