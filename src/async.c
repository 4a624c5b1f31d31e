/* Non-blocking requests: curl's multi socket interface, driven by the
 * application's event loop (hooks) or by its own poll() (pull mode). The
 * transfers are set up and judged by the same code as the blocking calls
 * (http_setup, http_outcome, query_start, query_end). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_impl.h"
#include "influxc/async.h"
#include "lanes.h"
#include "lines_impl.h"
#include "query_impl.h"
#include "write_impl.h"

typedef enum { AK_WRITE, AK_QUERY, AK_PING } akind;

typedef struct areq {
  struct areq *prev, *next;
  influx_async_id id;
  akind kind;
  size_t host;
  CURL *h;
  struct curl_slist *hdrs;
  http_call call;
  http_xfer x;
  http_result res;
  char ebuf[CURL_ERROR_SIZE];
  ibuf qs, body;      /* writes: the query string, what is sent */
  ibuf raw;           /* writes: the lines, for cutting on 413 */
  uint64_t mask;      /* writes: the lanes (series hashes) touched */
  int waiting;        /* writes: queued behind one of its lanes */
  int inflight;       /* writes: its lanes are in a->busy */
  struct areq *wnext; /* writes: the queue of waiting ones */
  size_t piece[2];    /* writes: the part of raw being sent */
  size_t todo[64][2]; /* writes: parts left after it, a stack */
  int ntodo;
  query_run q;               /* queries */
  influx_query_options qo;   /* the caller's, kept for the decoder */
  influx_stream_handlers sh; /* the caller's, kept */
  influx_async_cb cb;
  void *user;
  int added;     /* in the multi handle */
  int cancelled; /* complete as cancelled when curl is out of the way */
} areq;

/* A socket of pull mode. */
typedef struct pfd {
  int fd, events;
} pfd;

struct influx_async {
  influx_client *c;
  CURLM *multi;
  influx_async_hooks hooks;
  int pull;
  areq *head;
  size_t npending;
  influx_async_id next_id;
  int depth;        /* inside our own dispatch (callbacks, curl) */
  int free_pending; /* influx_async_free asked from inside */
  int closing;      /* being freed: no new requests */
  pfd *fds;         /* pull mode */
  size_t nfds, capfds;
  int64_t deadline_ms; /* pull mode timer, -1: none */
  CURL *spare[16];     /* easy handles kept for the next requests */
  int nspare;
  /* Writes: two requests in flight never share a lane (bit of a series
   * hash), so one series is stored in the order it was written. */
  uint64_t busy;           /* lanes of the writes in flight */
  areq *wq_head, *wq_tail; /* writes waiting, in the order they came */
};

/* ---- curl's callbacks: sockets and the timer ---- */

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp,
                     void *socketp) {
  (void)e;
  influx_async *a = userp;
  int ev =
      what == CURL_POLL_REMOVE
          ? 0
          : (what == CURL_POLL_IN    ? INFLUX_ASYNC_READ
             : what == CURL_POLL_OUT ? INFLUX_ASYNC_WRITE
                                     : INFLUX_ASYNC_READ | INFLUX_ASYNC_WRITE);
  if (!a->pull) {
    void *slot = socketp;
    a->hooks.watch(a->hooks.data, (int)s, ev, &slot);
    if (ev && slot != socketp)
      curl_multi_assign(a->multi, s, slot);
    return 0;
  }
  size_t i = 0;
  while (i < a->nfds && a->fds[i].fd != (int)s)
    i++;
  if (!ev) {
    if (i < a->nfds)
      a->fds[i] = a->fds[--a->nfds];
    return 0;
  }
  if (i == a->nfds) {
    if (grow_array((void **)&a->fds, &a->capfds, a->nfds + 1, sizeof *a->fds))
      return -1;
    a->nfds++;
  }
  a->fds[i] = (pfd){(int)s, ev};
  return 0;
}

static int on_timer(CURLM *m, long ms, void *userp) {
  (void)m;
  influx_async *a = userp;
  if (!a->pull)
    a->hooks.timer(a->hooks.data, ms);
  else
    a->deadline_ms = ms < 0 ? -1 : mono_ms() + ms;
  return 0;
}

/* ---- requests ---- */

static void req_free(influx_async *a, areq *r) {
  if (r->h) {
    if (r->added)
      curl_multi_remove_handle(a->multi, r->h);
    curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(r->h, CURLOPT_ERRORBUFFER, NULL);
    if (a->nspare < (int)(sizeof a->spare / sizeof *a->spare))
      a->spare[a->nspare++] = r->h;
    else
      curl_easy_cleanup(r->h);
  }
  curl_slist_free_all(r->hdrs);
  ibuf_free(&r->res.body);
  ibuf_free(&r->qs);
  ibuf_free(&r->body);
  ibuf_free(&r->raw);
  free(r);
}

static void unlink_req(influx_async *a, areq *r) {
  if (r->prev)
    r->prev->next = r->next;
  else
    a->head = r->next;
  if (r->next)
    r->next->prev = r->prev;
  r->prev = r->next = NULL;
  a->npending--;
}

static void really_free(influx_async *a);

/* ---- writes: lanes and pieces ---- */

static influx_status req_launch(influx_async *a, areq *r, influx_error *err);
static void pump(influx_async *a);
static void complete(influx_async *a, areq *r, CURLcode rc,
                     influx_status forced, const char *why);

static void wq_remove(influx_async *a, areq *r) {
  areq *prev = NULL;
  for (areq *w = a->wq_head; w; prev = w, w = w->wnext)
    if (w == r) {
      if (prev)
        prev->wnext = r->wnext;
      else
        a->wq_head = r->wnext;
      if (a->wq_tail == r)
        a->wq_tail = prev;
      break;
    }
  r->wnext = NULL;
  r->waiting = 0;
}

/* The lanes of a body: one bit per range of series hashes, OR-ed. */
static uint64_t lanes_mask(const char *p, size_t len) {
  uint64_t m = 0;
  for (size_t off = 0, n; off < len; off += n) {
    influx_line_splitter sp = {0};
    int complete;
    n = influx_line_split(&sp, p + off, len - off, &complete);
    m |= 1ull << (series_hash(p + off, n) >> 58);
  }
  return m;
}

/* r->call for the piece r->piece of r->raw (compressed if need be). */
static influx_status piece_call(influx_async *a, areq *r, influx_error *err) {
  const char *p = r->raw.p ? r->raw.p + r->piece[0] : "";
  return write_call_body(&r->call, a->c->gzip, p, r->piece[1] - r->piece[0],
                         &r->body, err);
}

/* After a piece of a write ended with `st`: whether another piece is to
 * go (r->piece set to it). A 413 cuts the piece in two at a line end,
 * the halves sent in order; one line alone over the limit, or any other
 * failure, ends the write, saying what was stored before it. */
static int next_piece(areq *r, influx_status st, influx_error *err) {
  size_t s = r->piece[0], e = r->piece[1];
  if (st == INFLUX_ERR_CLIENT && r->res.status == 413) {
    size_t cut = write_split_point(r->raw.p + s, e - s);
    int room = r->ntodo < (int)(sizeof r->todo / sizeof *r->todo);
    if (cut && room) {
      r->todo[r->ntodo][0] = s + cut;
      r->todo[r->ntodo++][1] = e;
      r->piece[1] = s + cut;
      return 1;
    }
    if (!cut)
      write_too_large_note(err, e - s);
  } else if (!st && r->ntodo) {
    r->ntodo--;
    r->piece[0] = r->todo[r->ntodo][0];
    r->piece[1] = r->todo[r->ntodo][1];
    return 1;
  }
  if (st && s) {
    char m[INFLUX_ERROR_MSG_SIZE + 48];
    int k = snprintf(m, sizeof m, "%zu lines stored, then %s",
                     lines_count(r->raw.p, s), err->message);
    size_t n = k < 0 ? 0 : (size_t)k;
    if (n >= sizeof err->message)
      n = sizeof err->message - 1;
    memcpy(err->message, m, n);
    err->message[n] = 0;
  }
  return 0;
}

/* Starts the waiting writes whose lanes are free, in order: a write
 * waits for the earlier ones that share a lane with it. */
static void pump(influx_async *a) {
  if (a->closing)
    return;
  uint64_t blocked = a->busy;
  for (areq *r = a->wq_head, *n; r; r = n) {
    n = r->wnext;
    if (r->mask & blocked) {
      blocked |= r->mask;
      continue;
    }
    wq_remove(a, r);
    influx_error e = {0};
    influx_status st = piece_call(a, r, &e);
    if (!st)
      st = req_launch(a, r, &e);
    if (st) {
      complete(a, r, CURLE_OK, st, e.message); /* pumps again itself */
      return;
    }
    r->inflight = 1;
    a->busy |= r->mask;
    blocked |= r->mask;
  }
}

/* Ends a request: its status, its callback, its memory. `rc` is curl's
 * code; `forced` a status that wins (cancelled). */
static void complete(influx_async *a, areq *r, CURLcode rc,
                     influx_status forced, const char *why) {
  if (r->added) {
    curl_multi_remove_handle(a->multi, r->h);
    r->added = 0;
  }
  influx_error err = {0};
  influx_status st;
  host_outcome o = {0};
  if (forced) {
    st = ierr(&err, forced, "%s", why);
  } else {
    st = http_outcome(a->c, r->host, rc, r->ebuf, &r->x, &o, &err);
    if (o.failover)
      host_failed(a->c, r->host, err.message);
    else if (rc == CURLE_OK)
      host_ok(a->c, r->host);
    /* A write goes on with its next piece (after a 413, its halves). */
    if (r->kind == AK_WRITE && !a->closing && next_piece(r, st, &err)) {
      influx_status ls = piece_call(a, r, &err);
      if (!ls)
        ls = req_launch(a, r, &err);
      if (!ls)
        return;
      st = ls;
    }
  }
  unlink_req(a, r);
  akind kind = r->kind;
  if (r->waiting)
    wq_remove(a, r);
  if (r->inflight)
    a->busy &= ~r->mask;
  influx_result *result = NULL;
  if (r->kind == AK_QUERY)
    st = query_end(&r->q, st, r->sh.on_series ? NULL : &result, &err);
  influx_async_reply rep = {.id = r->id,
                            .status = st,
                            .err = &err,
                            .result = result,
                            .version = r->res.version,
                            .http_status = r->res.status};
  a->depth++;
  if (r->cb)
    r->cb(a, &rep, r->user);
  else
    influx_result_free(result);
  a->depth--;
  req_free(a, r);
  if (kind == AK_WRITE)
    pump(a);
}

/* What curl finished; cancellations asked while curl was busy. Then a
 * free asked from inside, once nothing of ours is on the stack. */
static void settle(influx_async *a) {
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(a->multi, &left))) {
    if (m->msg != CURLMSG_DONE)
      continue;
    areq *r = NULL;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    CURLcode rc = m->data.result;
    if (r)
      complete(a, r, rc, r->cancelled ? INFLUX_ERR_ABORTED : INFLUX_OK,
               "cancelled");
  }
  for (areq *r = a->head, *n; r; r = n) {
    n = r->next;
    if (r->cancelled)
      complete(a, r, CURLE_OK, INFLUX_ERR_ABORTED, "cancelled");
  }
  if (a->free_pending && !a->depth)
    really_free(a);
}

static void action(influx_async *a, curl_socket_t s, int flags) {
  int running;
  a->depth++;
  curl_multi_socket_action(a->multi, s, flags, &running);
  a->depth--;
}

void influx_async_on_io(influx_async *a, int fd, int events) {
  if (!a)
    return;
  int flags = (events & INFLUX_ASYNC_READ ? CURL_CSELECT_IN : 0) |
              (events & INFLUX_ASYNC_WRITE ? CURL_CSELECT_OUT : 0);
  a->depth++;
  action(a, (curl_socket_t)fd, flags);
  a->depth--;
  settle(a);
}

void influx_async_on_timeout(influx_async *a) {
  if (!a)
    return;
  a->depth++;
  action(a, CURL_SOCKET_TIMEOUT, 0);
  a->depth--;
  settle(a);
}

size_t influx_async_pollfds(influx_async *a, struct pollfd *fds, size_t n,
                            int *timeout_ms) {
  if (timeout_ms)
    *timeout_ms = -1;
  if (!a || !a->pull)
    return 0;
  for (size_t i = 0; i < a->nfds && i < n && fds; i++)
    fds[i] = (struct pollfd){
        .fd = a->fds[i].fd,
        .events =
            (short)((a->fds[i].events & INFLUX_ASYNC_READ ? POLLIN : 0) |
                    (a->fds[i].events & INFLUX_ASYNC_WRITE ? POLLOUT : 0)),
        .revents = 0};
  if (timeout_ms && a->deadline_ms >= 0) {
    int64_t left = a->deadline_ms - mono_ms();
    *timeout_ms = left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
  }
  return a->nfds;
}

void influx_async_run(influx_async *a, const struct pollfd *fds, size_t n) {
  if (!a || !a->pull)
    return;
  a->depth++;
  for (size_t i = 0; fds && i < n; i++) {
    if (!fds[i].revents)
      continue;
    int flags = (fds[i].revents & (POLLIN | POLLHUP) ? CURL_CSELECT_IN : 0) |
                (fds[i].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
                (fds[i].revents & (POLLERR | POLLNVAL) ? CURL_CSELECT_ERR : 0);
    action(a, (curl_socket_t)fds[i].fd, flags);
  }
  if (a->deadline_ms >= 0 && mono_ms() >= a->deadline_ms) {
    a->deadline_ms = -1;
    action(a, CURL_SOCKET_TIMEOUT, 0);
  }
  a->depth--;
  settle(a);
}

size_t influx_async_pending(const influx_async *a) {
  return a ? a->npending : 0;
}

/* ---- creating and freeing ---- */

influx_status influx_async_new(influx_client *c,
                               const influx_async_hooks *hooks,
                               influx_async **out, influx_error *err) {
  if (out)
    *out = NULL;
  if (!c || !out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "async_new: NULL argument");
  if (hooks && (!hooks->watch || !hooks->timer))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "async_new: hooks need watch and timer");
  if (c->use_udp)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "async_new: UDP clients are not supported");
  influx_async *a = calloc(1, sizeof *a);
  if (!a || !(a->multi = curl_multi_init())) {
    free(a);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  a->c = c;
  a->pull = !hooks;
  if (hooks)
    a->hooks = *hooks;
  a->deadline_ms = -1;
  curl_multi_setopt(a->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(a->multi, CURLMOPT_SOCKETDATA, a);
  curl_multi_setopt(a->multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(a->multi, CURLMOPT_TIMERDATA, a);
  curl_multi_setopt(a->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    (long)(c->pool_size > 0 ? c->pool_size : 10) * 10);
  *out = a;
  return INFLUX_OK;
}

static void really_free(influx_async *a) {
  a->free_pending = 0;
  a->closing = 1;
  a->depth++;
  while (a->head)
    complete(a, a->head, CURLE_OK, INFLUX_ERR_ABORTED,
             "cancelled: the async context was freed");
  a->depth--;
  for (int i = 0; i < a->nspare; i++)
    curl_easy_cleanup(a->spare[i]);
  curl_multi_cleanup(a->multi);
  if (!a->pull && a->hooks.cleanup)
    a->hooks.cleanup(a->hooks.data);
  free(a->fds);
  free(a);
}

void influx_async_free(influx_async *a) {
  if (!a || a->closing)
    return;
  if (a->depth) {
    a->free_pending = 1;
    return;
  }
  really_free(a);
}

influx_status influx_async_cancel(influx_async *a, influx_async_id id) {
  if (!a || a->closing)
    return INFLUX_ERR_INVALID_ARG;
  areq *r = a->head;
  while (r && r->id != id)
    r = r->next;
  if (!r || r->cancelled)
    return INFLUX_ERR_INVALID_ARG;
  r->cancelled = 1;
  if (!a->depth)
    settle(a);
  return INFLUX_OK;
}

/* ---- starting requests ---- */

/* The first host whose breaker is closed (no probing here: that would
 * block), else the first. */
static size_t pick_host(influx_client *c) {
  int64_t now = mono_ms();
  size_t pick = 0;
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; i < c->nhosts; i++)
    if (c->hosts[i].open_until_ms <= now) {
      pick = i;
      break;
    }
  pthread_mutex_unlock(&c->mu);
  return pick;
}

static areq *req_new(influx_async *a, akind kind, influx_async_cb cb,
                     void *user, influx_error *err) {
  if (a->closing) {
    ierr(err, INFLUX_ERR_INVALID_ARG, "async: the context is being freed");
    return NULL;
  }
  areq *r = calloc(1, sizeof *r);
  if (!r) {
    ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    return NULL;
  }
  r->kind = kind;
  r->cb = cb;
  r->user = user;
  return r;
}

/* Sets up r's easy handle for r->call (again, for a write's next piece)
 * and hands it to curl. */
static influx_status req_launch(influx_async *a, areq *r, influx_error *err) {
  if (!r->h && !(r->h = a->nspare ? a->spare[--a->nspare] : curl_easy_init()))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(r->hdrs);
  r->hdrs = NULL;
  ibuf_free(&r->res.body);
  memset(&r->res, 0, sizeof r->res);
  r->ebuf[0] = 0;
  r->host = pick_host(a->c);
  r->x = (http_xfer){.call = &r->call, .res = &r->res, .h = r->h};
  influx_status st = http_setup(a->c, a->c->hosts[r->host].base_url, r->h,
                                &r->call, &r->x, &r->hdrs, err);
  if (st)
    return st;
  curl_easy_setopt(r->h, CURLOPT_ERRORBUFFER, r->ebuf);
  curl_easy_setopt(r->h, CURLOPT_PRIVATE, r);
  if (curl_multi_add_handle(a->multi, r->h) != CURLM_OK)
    return ierr(err, INFLUX_ERR_NOMEM, "async: curl cannot take the request");
  r->added = 1;
  return INFLUX_OK;
}

/* Numbers r and starts it; a write that shares a lane with one in flight
 * or waiting waits for it. */
static influx_status req_start(influx_async *a, areq *r, influx_async_id *id,
                               influx_error *err) {
  int wait = 0;
  influx_status st = INFLUX_OK;
  if (r->kind == AK_WRITE) {
    uint64_t ahead = a->busy;
    for (areq *w = a->wq_head; w; w = w->wnext)
      ahead |= w->mask;
    wait = (r->mask & ahead) != 0;
    if (!wait)
      st = piece_call(a, r, err);
  }
  if (!st && !wait)
    st = req_launch(a, r, err);
  if (st) {
    if (r->kind == AK_QUERY)
      query_end(&r->q, st, NULL, NULL);
    req_free(a, r);
    return st;
  }
  r->id = ++a->next_id;
  r->next = a->head;
  if (a->head)
    a->head->prev = r;
  a->head = r;
  a->npending++;
  if (wait) {
    r->waiting = 1;
    if (a->wq_tail)
      a->wq_tail->wnext = r;
    else
      a->wq_head = r;
    a->wq_tail = r;
  } else if (r->kind == AK_WRITE) {
    r->inflight = 1;
    a->busy |= r->mask;
  }
  if (id)
    *id = r->id;
  return INFLUX_OK;
}

influx_status influx_async_write_lines(influx_async *a, const char *data,
                                       size_t len,
                                       const influx_write_options *o,
                                       influx_async_cb cb, void *user,
                                       influx_async_id *id, influx_error *err) {
  static const influx_write_options none;
  if (id)
    *id = 0;
  if (!a || (!data && len))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "async_write: NULL argument");
  if (!o)
    o = &none;
  influx_status st = write_check_options(a->c, o, err);
  if (st)
    return st;
  areq *r = req_new(a, AK_WRITE, cb, user, err);
  if (!r)
    return err ? err->code : INFLUX_ERR_NOMEM;
  int bad = write_build_qs(a->c, o, &r->qs);
  if (len)
    bad |= ibuf_append(&r->raw, data, len);
  if (bad) {
    req_free(a, r);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  r->mask = lanes_mask(data, len);
  r->piece[1] = len;
  r->call = (http_call){
      .method = "POST",
      .path = "write",
      .qs = r->qs.p,
      .expected = o->expected_response_code ? o->expected_response_code : 204};
  return req_start(a, r, id, err);
}

influx_status
influx_async_write_points(influx_async *a, const influx_point *pts, size_t n,
                          const influx_write_options *o, influx_async_cb cb,
                          void *user, influx_async_id *id, influx_error *err) {
  if (id)
    *id = 0;
  if (!a || (!pts && n))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "async_write: NULL argument");
  influx_lines *lb = influx_lines_new();
  if (!lb)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  influx_status st = INFLUX_OK;
  if (o && ((st = influx_lines_set_precision(lb, o->precision, err)) ||
            (st = influx_lines_set_style(lb, (influx_line_style)o->line_style,
                                         err)) ||
            (st = influx_lines_set_default_tags(lb, o->tags, o->ntags, err)))) {
    influx_lines_free(lb);
    return st;
  }
  for (size_t i = 0; i < n && !st; i++)
    st = influx_lines_append(lb, &pts[i], err);
  if (!st)
    st = influx_async_write_lines(a, influx_lines_data(lb),
                                  influx_lines_len(lb), o, cb, user, id, err);
  influx_lines_free(lb);
  return st;
}

influx_status influx_async_write_frame(influx_async *a, const influx_frame *f,
                                       const influx_frame_write_options *fo,
                                       influx_async_cb cb, void *user,
                                       influx_async_id *id, influx_error *err) {
  if (id)
    *id = 0;
  if (!a || !f || !fo)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "async_write_frame: NULL argument");
  influx_lines *lb = influx_lines_new();
  if (!lb)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  influx_status st = influx_frame_encode(f, fo, lb, NULL, err);
  influx_write_options wo = {.database = fo->database,
                             .retention_policy = fo->retention_policy,
                             .precision = fo->time_precision};
  if (!st)
    st = influx_async_write_lines(a, influx_lines_data(lb),
                                  influx_lines_len(lb), &wo, cb, user, id, err);
  influx_lines_free(lb);
  return st;
}

static influx_status start_query(influx_async *a, const char *query,
                                 const influx_query_options *o,
                                 const influx_stream_handlers *h,
                                 influx_async_cb cb, void *user,
                                 influx_async_id *id, influx_error *err) {
  if (id)
    *id = 0;
  if (!a || !query)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "async_query: NULL argument");
  areq *r = req_new(a, AK_QUERY, cb, user, err);
  if (!r)
    return err ? err->code : INFLUX_ERR_NOMEM;
  if (o)
    r->qo = *o;
  if (h)
    r->sh = *h;
  influx_status st =
      query_start(a->c, query, &r->qo, h ? &r->sh : NULL, &r->q, err);
  if (st) {
    req_free(a, r);
    return st;
  }
  r->call = r->q.call;
  return req_start(a, r, id, err);
}

influx_status influx_async_query(influx_async *a, const char *query,
                                 const influx_query_options *o,
                                 influx_async_cb cb, void *user,
                                 influx_async_id *id, influx_error *err) {
  return start_query(a, query, o, NULL, cb, user, id, err);
}

influx_status influx_async_query_stream(influx_async *a, const char *query,
                                        const influx_query_options *o,
                                        const influx_stream_handlers *h,
                                        influx_async_cb cb, void *user,
                                        influx_async_id *id,
                                        influx_error *err) {
  if (!h || !h->on_series)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "async_query_stream: handlers with on_series are required");
  return start_query(a, query, o, h, cb, user, id, err);
}

influx_status influx_async_ping(influx_async *a, influx_async_cb cb, void *user,
                                influx_async_id *id, influx_error *err) {
  if (id)
    *id = 0;
  if (!a)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "async_ping: NULL argument");
  areq *r = req_new(a, AK_PING, cb, user, err);
  if (!r)
    return err ? err->code : INFLUX_ERR_NOMEM;
  r->call = (http_call){.method = "GET", .path = "ping", .expected = 204};
  return req_start(a, r, id, err);
}
