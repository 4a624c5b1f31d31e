/* The background batching writer: producers encode outside the lock and
 * append whole lines to the open batch of their series' lane (lanes.h);
 * each lane has one sender thread that delivers its sealed batches oldest
 * first, retrying what can succeed later, so no series is ever reordered.
 * With a spool directory every batch is also a file (NNN.open while it
 * fills, NNN.ready once sealed and fsynced) that is removed only when the
 * batch is settled, so a crash loses nothing that write() accepted;
 * batches recovered from it go out one at a time before any newer one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "influxc/writer.h"
#include "lanes.h"
#include "lines_impl.h"
#include "retry.h"
#include "spooldir.h"
#include "write_impl.h"

typedef struct wbatch {
  ibuf data;
  uint64_t first_seq;
  size_t npoints;
  uint64_t *seqs; /* with lanes: each point's seq (they have gaps) */
  size_t seqs_cap;
  size_t spooled; /* bytes of data already in its spool file */
  unsigned lane;
  int recovered;    /* read back from the spool: in no lane */
  uint64_t file_id; /* spool file number; 0: none */
  struct wbatch *next;
} wbatch;

typedef struct wlane {
  wbatch *cur;         /* open batch (NULL: none yet) */
  double cur_deadline; /* when the open batch goes out anyway */
  int cur_fd;          /* its spool file */
  wbatch *head, *tail; /* sealed, waiting */
  int busy;            /* a batch of the lane is being sent */
  unsigned credit;     /* batches dropped while it was: they finish with it */
} wlane;

struct influx_writer {
  influx_client *c;
  influx_writer_options o;
  char *db, *rp, *prec, *cons, *spool;
  char *qs;
  int64_t prec_factor;

  pthread_mutex_t mu;
  pthread_mutex_t cb_mu; /* one callback at a time, from any thread */
  pthread_cond_t work;   /* senders wait for batches */
  pthread_cond_t space;  /* producers wait for buffer room */
  pthread_cond_t done;   /* flush waits for settlement */

  wlane *lane; /* one per sender */
  unsigned nlanes;
  lanes map;
  wbatch *rhead, *rtail;   /* recovered from the spool, waiting */
  int r_inflight;          /* a recovered batch is being sent */
  uint64_t *inflight;      /* first_seq of batches being sent, or ~0 */
  size_t bytes;            /* cur + waiting + in flight */
  uint64_t next_seq;       /* seq of the next accepted point */
  uint64_t flush_rejected; /* counters at the last flush */
  uint64_t flush_unconfirmed;
  uint64_t flush_dropped;
  influx_writer_stats st;
  int closing;
  int closed; /* influx_writer_close has run: only _free is left */

  pthread_t *threads;
  int nthreads;
  unsigned rnd;

  int dir_fd, lock_fd; /* spool */
  uint64_t next_file;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) && errno == EINTR) {
  }
}

static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu,
                       double until_mono) {
  /* Condition variables wait on CLOCK_REALTIME: convert the deadline. */
  double left = until_mono - now_s();
  if (left <= 0)
    return;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + left;
  ts.tv_sec = (time_t)t;
  ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
  pthread_cond_timedwait(cv, mu, &ts);
}

static void batch_free(wbatch *b) {
  if (b) {
    ibuf_free(&b->data);
    free(b->seqs);
    free(b);
  }
}

/* ---- spool files ---- */

static void spool_remove(influx_writer *w, uint64_t id) {
  if (w->dir_fd < 0 || !id)
    return;
  char name[40];
  spooldir_name(name, sizeof name, id, "ready");
  unlinkat(w->dir_fd, name, 0);
}

/* Writes what `b`, the open batch of lane `ln`, holds beyond its spool file's
 * end; on failure the file is cut back to whole lines already there.
 * Lock held. */
static int spool_flush(wlane *ln, wbatch *b, int *eno) {
  if (ln->cur_fd < 0 || !b)
    return 0;
  while (b->spooled < b->data.len) {
    ssize_t k =
        write(ln->cur_fd, b->data.p + b->spooled, b->data.len - b->spooled);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      *eno = k < 0 ? errno : ENOSPC;
      if (ftruncate(ln->cur_fd, (off_t)b->spooled))
        *eno = errno;
      return -1;
    }
    b->spooled += (size_t)k;
  }
  return 0;
}

/* Seals the open spool file: fsync, rename to .ready, fsync the directory.
 * Called with the lock held. */
static int spool_seal(influx_writer *w, wlane *ln, wbatch *b) {
  if (ln->cur_fd < 0)
    return 0;
  int eno = 0;
  int bad = spool_flush(ln, b, &eno);
  bad |= fsync(ln->cur_fd);
  close(ln->cur_fd);
  ln->cur_fd = -1;
  char from[40], to[40];
  spooldir_name(from, sizeof from, b->file_id, "open");
  spooldir_name(to, sizeof to, b->file_id, "ready");
  bad |= renameat(w->dir_fd, from, w->dir_fd, to);
  bad |= fsync(w->dir_fd);
  return bad;
}

/* Reads batches left by an earlier run; an .open file may end in a torn
 * line (its write() never returned), which is cut off. */
static influx_status spool_recover(influx_writer *w, influx_error *err) {
  DIR *d = fdopendir(dup(w->dir_fd));
  if (!d)
    return ierr(err, INFLUX_ERR_IO, "spool: cannot read %s: %s", w->spool,
                strerror(errno));
  uint64_t *ids = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    char *end;
    unsigned long long id = strtoull(e->d_name, &end, 10);
    if (end == e->d_name || (strcmp(end, ".open") && strcmp(end, ".ready")))
      continue;
    if (!strcmp(end, ".open")) {
      char to[40];
      spooldir_name(to, sizeof to, id, "ready");
      int fd = openat(w->dir_fd, e->d_name, O_RDWR);
      if (fd >= 0) {
        struct stat sb;
        if (!fstat(fd, &sb) && sb.st_size > 0) {
          /* Keep whole lines only. */
          off_t keep = sb.st_size;
          char c;
          while (keep > 0 && pread(fd, &c, 1, keep - 1) == 1 && c != '\n')
            keep--;
          if (ftruncate(fd, keep) == 0)
            fsync(fd);
        }
        close(fd);
      }
      renameat(w->dir_fd, e->d_name, w->dir_fd, to);
    }
    if (grow_array((void **)&ids, &cap, n + 1, sizeof *ids)) {
      free(ids);
      closedir(d);
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    }
    ids[n++] = id;
  }
  closedir(d);
  fsync(w->dir_fd);
  spooldir_sort(ids, n);
  influx_status st = INFLUX_OK;
  for (size_t i = 0; i < n && !st; i++) {
    if (i && ids[i] == ids[i - 1])
      continue;
    if (ids[i] >= w->next_file)
      w->next_file = ids[i] + 1;
    char name[40];
    spooldir_name(name, sizeof name, ids[i], "ready");
    int fd = openat(w->dir_fd, name, O_RDONLY);
    if (fd < 0)
      continue;
    wbatch *b = calloc(1, sizeof *b);
    char buf[65536];
    ssize_t k;
    while (b && (k = read(fd, buf, sizeof buf)) > 0)
      if (ibuf_append(&b->data, buf, (size_t)k)) {
        batch_free(b);
        b = NULL;
      }
    close(fd);
    if (!b) {
      st = ierr(err, INFLUX_ERR_NOMEM, "out of memory reading the spool");
      break;
    }
    if (!b->data.len) {
      unlinkat(w->dir_fd, name, 0);
      batch_free(b);
      continue;
    }
    b->file_id = ids[i];
    b->recovered = 1;
    b->npoints = lines_count(b->data.p, b->data.len);
    b->first_seq = w->next_seq;
    w->next_seq += b->npoints;
    w->st.accepted += b->npoints;
    w->st.recovered += b->npoints;
    w->bytes += b->data.len;
    if (w->rtail)
      w->rtail->next = b;
    else
      w->rhead = b;
    w->rtail = b;
  }
  free(ids);
  return st;
}

/* ---- batches ---- */

/* Moves the open batch of lane `li` to its queue. Lock held. */
static void seal(influx_writer *w, unsigned li) {
  wlane *ln = &w->lane[li];
  wbatch *b = ln->cur;
  if (!b || !b->npoints)
    return;
  ln->cur = NULL;
  if (spool_seal(w, ln, b)) {
    /* The batch still goes out from memory; only its crash safety is
     * lost, and the next write will report the disk problem. */
  }
  if (ln->tail)
    ln->tail->next = b;
  else
    ln->head = b;
  ln->tail = b;
  lanes_sealed(&w->map, li);
  pthread_cond_broadcast(&w->work);
}

/* Seals every open batch whose lane has nothing waiting. Lock held. */
static void seal_idle(influx_writer *w) {
  for (unsigned i = 0; i < w->nlanes; i++)
    if (!w->lane[i].head)
      seal(w, i);
}

static double next_deadline(influx_writer *w) {
  double ms = w->o.flush_interval_ms;
  if (w->o.jitter_ms > 0)
    ms += (double)(rand_r(&w->rnd) % (unsigned)(w->o.jitter_ms + 1));
  return now_s() + ms / 1000.0;
}

/* Opens a new batch (and its spool file) in lane `li`. Lock held. */
static influx_status open_batch(influx_writer *w, unsigned li,
                                influx_error *err) {
  wlane *ln = &w->lane[li];
  wbatch *b = calloc(1, sizeof *b);
  if (!b)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  b->first_seq = w->next_seq;
  b->lane = li;
  if (w->dir_fd >= 0) {
    b->file_id = w->next_file++;
    char name[40];
    spooldir_name(name, sizeof name, b->file_id, "open");
    ln->cur_fd =
        openat(w->dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (ln->cur_fd < 0) {
      free(b);
      return ierr(err, INFLUX_ERR_IO, "spool: cannot create %s/%s: %s",
                  w->spool, name, strerror(errno));
    }
  }
  ln->cur = b;
  ln->cur_deadline = next_deadline(w);
  return INFLUX_OK;
}

/* The oldest unsettled seq. Lock held. */
static uint64_t settled_through(const influx_writer *w) {
  uint64_t m = w->next_seq;
  if (w->rhead && w->rhead->first_seq < m)
    m = w->rhead->first_seq;
  for (unsigned i = 0; i < w->nlanes; i++) {
    const wlane *ln = &w->lane[i];
    if (ln->head && ln->head->first_seq < m)
      m = ln->head->first_seq;
    if (ln->cur && ln->cur->npoints && ln->cur->first_seq < m)
      m = ln->cur->first_seq;
  }
  for (int i = 0; i < w->nthreads; i++)
    if (w->inflight[i] < m)
      m = w->inflight[i];
  return m;
}

/* A batch of lane `li` is settled (sent or dropped). Batches of a lane
 * settle in order, except that a waiting one may be dropped while an
 * older one is being sent: it then counts when that one does. Lock held. */
static void lane_settled(influx_writer *w, unsigned li, int was_sent) {
  wlane *ln = &w->lane[li];
  if (!was_sent && ln->busy) {
    ln->credit++;
    return;
  }
  for (unsigned k = 0; k <= (was_sent ? ln->credit : 0); k++)
    lanes_finished(&w->map, li);
  if (was_sent)
    ln->credit = 0;
}

/* ---- delivery ---- */

static int retryable(influx_status st, long http) {
  return st == INFLUX_ERR_NETWORK || st == INFLUX_ERR_TIMEOUT ||
         st == INFLUX_ERR_ACK || retry_http_status(http);
}

static long retry_delay(influx_writer *w, int attempt, const char *ra) {
  retry_policy p = {(double)w->o.retry_interval_ms,
                    (double)w->o.exponential_base,
                    (double)w->o.max_retry_delay_ms};
  pthread_mutex_lock(&w->mu);
  unsigned r = (unsigned)rand_r(&w->rnd);
  pthread_mutex_unlock(&w->mu);
  return retry_delay_ms(&p, attempt, ra, r);
}

/* Sends one batch until it is written, refused for good or out of
 * retries. Returns INFLUX_OK or the final error in `e`; *server gets the
 * server's whole error text (free it), *stored how many points were
 * stored (a batch cut in pieces on 413 may be stored in part).
 *
 * In replicate mode a batch too few hosts took (INFLUX_ERR_ACK) is queued
 * for the others already: it is not posted again (which would store it
 * twice where it is), the retries wait for those hosts to catch up. */
static influx_status deliver(influx_writer *w, wbatch *b, ibuf *gz,
                             influx_error *e, char **server, size_t *stored,
                             int *unanswered) {
  double start = now_s();
  *server = NULL;
  *unanswered = 0;
  int queued = 0; /* INFLUX_ERR_ACK: the lagging hosts have it queued */
  for (int attempt = 1;; attempt++) {
    http_result res = {0};
    influx_status st;
    if (queued) {
      st = influx_client_catch_up(w->c, 0, e);
      if (st == INFLUX_ERR_TIMEOUT)
        st = INFLUX_ERR_ACK;
      *stored = st ? 0 : b->npoints;
    } else {
      /* A request that hangs must not outlast max_retry_time either. */
      long left = 0;
      if (w->o.max_retry_time_ms >= 0) {
        left = w->o.max_retry_time_ms - (long)((now_s() - start) * 1000);
        if (left < 1)
          left = 1;
        if (w->c->timeout_ms && w->c->timeout_ms < left)
          left = 0; /* the client's own timeout is shorter */
      }
      st = write_post(w->c, w->qs, b->data.p, b->data.len, b->npoints, 204, 1,
                      left, 1, gz, stored, &res, e);
    }
    queued |= st == INFLUX_ERR_ACK;
    *unanswered = st && res.unanswered;
    long http = res.status;
    char ra[32];
    memcpy(ra, res.retry_after, sizeof ra);
    free(*server);
    *server = NULL;
    if (st && res.body.len && (*server = malloc(res.body.len + 1)))
      error_message(res.ctype, res.body.p, res.body.len, *server,
                    res.body.len + 1);
    ibuf_free(&res.body);
    if (!st || !retryable(st, http))
      return st;
    const char *maybe = *unanswered ? "; the last was sent whole and not "
                                      "answered: the server may have stored it"
                                    : "";
    if (w->o.max_retries != INFLUX_RETRIES_UNTIL_SUCCESS &&
        attempt > w->o.max_retries) {
      size_t l = strlen(e->message);
      snprintf(e->message + l, sizeof e->message - l,
               " (gave up after %d retries%s)", w->o.max_retries, maybe);
      return st;
    }
    long ms = retry_delay(w, attempt, ra);
    if (w->o.max_retry_time_ms >= 0 &&
        (now_s() - start) * 1000 + (double)ms > w->o.max_retry_time_ms) {
      size_t l = strlen(e->message);
      snprintf(e->message + l, sizeof e->message - l,
               " (gave up: retries would pass max_retry_time %d ms%s)",
               w->o.max_retry_time_ms, maybe);
      return st;
    }
    pthread_mutex_lock(&w->mu);
    w->st.retries++;
    pthread_mutex_unlock(&w->mu);
    sleep_ms(ms);
  }
}

typedef struct sender_arg {
  influx_writer *w;
  int slot;
} sender_arg;

static void *sender_main(void *u) {
  sender_arg *a = u;
  influx_writer *w = a->w;
  int slot = a->slot;
  free(a);
  wlane *ln = &w->lane[slot];
  ibuf gz = {0};
  pthread_mutex_lock(&w->mu);
  for (;;) {
    wbatch *b = NULL;
    if (w->rhead || w->r_inflight) {
      /* Recovered batches first, one at a time, by the first sender; the
       * others wait for them all. */
      if (slot != 0 || !w->rhead) {
        pthread_cond_wait(&w->work, &w->mu);
        continue;
      }
      b = w->rhead;
      w->rhead = b->next;
      if (!w->rhead)
        w->rtail = NULL;
      w->r_inflight = 1;
    } else {
      if (!ln->head && ln->cur && ln->cur->npoints &&
          (w->closing || now_s() >= ln->cur_deadline))
        seal(w, (unsigned)slot);
      b = ln->head;
      if (!b) {
        if (w->closing)
          break;
        if (ln->cur && ln->cur->npoints)
          timed_wait(&w->work, &w->mu, ln->cur_deadline);
        else
          pthread_cond_wait(&w->work, &w->mu);
        continue;
      }
      ln->head = b->next;
      if (!ln->head)
        ln->tail = NULL;
      ln->busy = 1;
    }
    b->next = NULL;
    w->inflight[slot] = b->first_seq;
    pthread_mutex_unlock(&w->mu);

    influx_error e = {0};
    char *server = NULL;
    size_t stored = 0;
    int unanswered = 0;
    influx_status st = deliver(w, b, &gz, &e, &server, &stored, &unanswered);
    size_t lost = 0;
    if (st) {
      lost = b->npoints - (stored < b->npoints ? stored : b->npoints);
      if (w->o.on_error) {
        influx_writer_batch info = {b->first_seq, b->npoints, b->data.p,
                                    b->data.len,  lost,       server,
                                    b->seqs};
        pthread_mutex_lock(&w->cb_mu);
        w->o.on_error(w->o.user, &info, st, &e);
        pthread_mutex_unlock(&w->cb_mu);
      }
    }
    free(server);
    pthread_mutex_lock(&w->mu);
    spool_remove(w, b->file_id);
    w->st.rejected += lost;
    if (unanswered)
      w->st.unconfirmed += lost;
    w->st.written += b->npoints - lost;
    if (!st)
      w->st.batches++;
    w->bytes -= b->data.len;
    w->inflight[slot] = UINT64_MAX;
    if (b->recovered) {
      w->r_inflight = 0;
      pthread_cond_broadcast(&w->work);
    } else {
      ln->busy = 0;
      lane_settled(w, b->lane, 1);
    }
    batch_free(b);
    pthread_cond_broadcast(&w->space);
    pthread_cond_broadcast(&w->done);
  }
  pthread_mutex_unlock(&w->mu);
  ibuf_free(&gz);
  return NULL;
}

/* ---- life cycle ---- */

static void writer_free(influx_writer *w) {
  while (w->rhead) {
    wbatch *b = w->rhead;
    w->rhead = b->next;
    batch_free(b);
  }
  for (unsigned i = 0; w->lane && i < w->nlanes; i++) {
    wlane *ln = &w->lane[i];
    while (ln->head) {
      wbatch *b = ln->head;
      ln->head = b->next;
      batch_free(b);
    }
    batch_free(ln->cur);
    if (ln->cur_fd >= 0)
      close(ln->cur_fd);
  }
  free(w->lane);
  lanes_free(&w->map);
  if (w->dir_fd >= 0)
    close(w->dir_fd);
  if (w->lock_fd >= 0)
    close(w->lock_fd);
  pthread_mutex_destroy(&w->mu);
  pthread_mutex_destroy(&w->cb_mu);
  pthread_cond_destroy(&w->work);
  pthread_cond_destroy(&w->space);
  pthread_cond_destroy(&w->done);
  free(w->threads);
  free(w->inflight);
  free(w->db);
  free(w->rp);
  free(w->prec);
  free(w->cons);
  free(w->spool);
  free(w->qs);
  free(w);
}

static influx_status open_spool(influx_writer *w, influx_error *err) {
  influx_status st =
      spooldir_open(w->spool, "writer", &w->dir_fd, &w->lock_fd, err);
  if (st)
    return st;
  w->next_file = 1;
  return spool_recover(w, err);
}

influx_status influx_writer_new(influx_client *c,
                                const influx_writer_options *o,
                                influx_writer **out, influx_error *err) {
  static const influx_writer_options none;
  if (out)
    *out = NULL;
  if (!c || !out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "writer_new: NULL argument");
  if (!o)
    o = &none;
  if (o->overflow != INFLUX_OVERFLOW_BLOCK &&
      o->overflow != INFLUX_OVERFLOW_DROP_OLDEST)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "writer: overflow policy %d is not BLOCK or DROP_OLDEST",
                (int)o->overflow);
  if (o->flush_interval_ms < 0 || o->jitter_ms < 0 ||
      o->retry_interval_ms < 0 || o->max_retry_delay_ms < 0 ||
      o->exponential_base < 0 || o->parallel < 0 || o->parallel > 64 ||
      o->max_retries < INFLUX_RETRIES_UNTIL_SUCCESS ||
      o->max_retry_time_ms < -1)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "writer: negative interval, delay, base or retry count, or "
                "parallel over 64");
  if (o->batch_bytes > INFLUX_MAX_BODY_BYTES)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "writer: batch_bytes %zu is over %u (influxd refuses bodies "
                "over its max-body-size, 25 MB by default)",
                o->batch_bytes, INFLUX_MAX_BODY_BYTES);
  influx_write_options wo = {.database = o->database,
                             .retention_policy = o->retention_policy,
                             .precision = o->precision,
                             .consistency = o->consistency};
  influx_status st = write_check_options(c, &wo, err);
  if (st)
    return st;
  if (c->use_udp)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "writer: UDP clients cannot confirm delivery; use "
                "influx_write_points");
  influx_writer *w = calloc(1, sizeof *w);
  if (!w)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  w->c = c;
  w->o = *o;
  w->dir_fd = w->lock_fd = -1;
  pthread_mutex_init(&w->mu, NULL);
  pthread_mutex_init(&w->cb_mu, NULL);
  pthread_cond_init(&w->work, NULL);
  pthread_cond_init(&w->space, NULL);
  pthread_cond_init(&w->done, NULL);
  w->rnd = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)w;
  influx_writer_options *d = &w->o;
  if (!d->batch_size)
    d->batch_size = INFLUX_DEFAULT_BATCH_SIZE;
  if (!d->batch_bytes)
    d->batch_bytes = INFLUX_DEFAULT_BATCH_BYTES;
  if (!d->flush_interval_ms)
    d->flush_interval_ms = 1000;
  if (!d->retry_interval_ms)
    d->retry_interval_ms = 1000;
  if (!d->max_retries)
    d->max_retries = 5;
  if (!d->max_retry_delay_ms)
    d->max_retry_delay_ms = 30000;
  if (!d->max_retry_time_ms)
    d->max_retry_time_ms = 180000;
  if (!d->exponential_base)
    d->exponential_base = 2;
  if (!d->buffer_limit)
    d->buffer_limit = (size_t)64 << 20;
  if (!d->parallel)
    d->parallel = 1;
  if (d->buffer_limit < 2 * d->batch_bytes) {
    writer_free(w);
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "writer: buffer_limit must be at least 2 * batch_bytes");
  }
  w->prec_factor = precision_factor(o->precision);
  ibuf qs = {0};
  int bad = write_build_qs(c, &wo, &qs);
  w->qs = ibuf_take(&qs);
  d->database = w->db = o->database ? istrdup(o->database) : NULL;
  d->retention_policy = w->rp =
      o->retention_policy ? istrdup(o->retention_policy) : NULL;
  d->precision = w->prec = o->precision ? istrdup(o->precision) : NULL;
  d->consistency = w->cons = o->consistency ? istrdup(o->consistency) : NULL;
  d->spool_dir = w->spool = o->spool_dir ? istrdup(o->spool_dir) : NULL;
  w->threads = calloc((size_t)d->parallel, sizeof *w->threads);
  w->inflight = calloc((size_t)d->parallel, sizeof *w->inflight);
  w->lane = calloc((size_t)d->parallel, sizeof *w->lane);
  if (w->lane) {
    w->nlanes = (unsigned)d->parallel;
    for (unsigned i = 0; i < w->nlanes; i++)
      w->lane[i].cur_fd = -1;
    if (lanes_init(&w->map, w->nlanes))
      bad = 1;
  }
  if (bad || !w->qs || !w->threads || !w->inflight || !w->lane ||
      (o->database && !w->db) || (o->retention_policy && !w->rp) ||
      (o->precision && !w->prec) || (o->consistency && !w->cons) ||
      (o->spool_dir && !w->spool)) {
    writer_free(w);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < d->parallel; i++)
    w->inflight[i] = UINT64_MAX;
  if (w->spool && (st = open_spool(w, err))) {
    writer_free(w);
    return st;
  }
  for (int i = 0; i < d->parallel; i++) {
    sender_arg *a = malloc(sizeof *a);
    if (a) {
      a->w = w;
      a->slot = i;
    }
    if (!a || pthread_create(&w->threads[i], NULL, sender_main, a)) {
      free(a);
      influx_writer_free(w);
      return ierr(err, INFLUX_ERR_NOMEM, "writer: cannot start a thread");
    }
    w->nthreads = i + 1;
  }
  *out = w;
  return INFLUX_OK;
}

/* The oldest waiting batch, to drop: recovered ones first, then the lane
 * head with the lowest seq. Unlinks it. Lock held. */
static wbatch *take_oldest(influx_writer *w) {
  wbatch *b = w->rhead;
  if (b) {
    w->rhead = b->next;
    if (!w->rhead)
      w->rtail = NULL;
    return b;
  }
  wlane *best = NULL;
  for (unsigned i = 0; i < w->nlanes; i++)
    if (w->lane[i].head &&
        (!best || w->lane[i].head->first_seq < best->head->first_seq))
      best = &w->lane[i];
  if (!best)
    return NULL;
  b = best->head;
  best->head = b->next;
  if (!best->head)
    best->tail = NULL;
  lane_settled(w, b->lane, 0);
  return b;
}

/* Makes room for `len` more bytes; drops or waits per policy. Lock held.
 * Dropped batches are chained on *dropped for the caller to report. */
static void make_room(influx_writer *w, size_t len, wbatch **dropped) {
  while (w->bytes + len > w->o.buffer_limit) {
    wbatch *b =
        w->o.overflow == INFLUX_OVERFLOW_DROP_OLDEST ? take_oldest(w) : NULL;
    if (b) {
      w->bytes -= b->data.len;
      w->st.dropped += b->npoints;
      spool_remove(w, b->file_id);
      b->next = *dropped;
      *dropped = b;
      continue;
    }
    /* Let the open batches go so the senders can make progress. */
    seal_idle(w);
    pthread_cond_wait(&w->space, &w->mu);
  }
}

/* The lines of this call appended to lane `li`'s open batch and not on
 * disk are taken back (the spool could not hold them). Returns how many.
 * Lock held. */
static size_t unaccept(influx_writer *w, wlane *ln) {
  wbatch *b = ln->cur;
  size_t k = lines_count(b->data.p + b->spooled, b->data.len - b->spooled);
  w->bytes -= b->data.len - b->spooled;
  b->data.len = b->spooled;
  if (b->data.p)
    b->data.p[b->data.len] = 0;
  b->npoints -= k;
  w->st.accepted -= k;
  return k;
}

/* Appends `n` encoded lines (offsets off[0..n], data in buf) to the open
 * batches of their lanes, sealing full batches; with a spool they are on
 * disk before this returns. Lock held. Returns how many were taken. */
static size_t take_lines(influx_writer *w, const char *buf, const size_t *off,
                         size_t n, wbatch **dropped, influx_status *st,
                         influx_error *err) {
  size_t i = 0;
  for (; i < n; i++) {
    const char *line = buf + off[i];
    size_t l = off[i + 1] - off[i];
    make_room(w, l, dropped);
    /* After the wait: the lane is picked with the lock held to the end. */
    unsigned li = lanes_pick(&w->map, line, l);
    wlane *ln = &w->lane[li];
    if (ln->cur && ln->cur->npoints && ln->cur->data.len + l > w->o.batch_bytes)
      seal(w, li);
    if (!ln->cur && (*st = open_batch(w, li, err)))
      break;
    wbatch *b = ln->cur;
    if (w->nlanes > 1 && grow_array((void **)&b->seqs, &b->seqs_cap,
                                    b->npoints + 1, sizeof *b->seqs)) {
      *st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
      break;
    }
    if (ibuf_append(&b->data, line, l)) {
      *st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
      break;
    }
    lanes_placed(&w->map);
    if (b->seqs)
      b->seqs[b->npoints] = w->next_seq;
    if (!b->npoints) { /* the sender now has a deadline to wait for */
      b->first_seq = w->next_seq;
      pthread_cond_broadcast(&w->work);
    }
    b->npoints++;
    w->bytes += l;
    w->next_seq++;
    w->st.accepted++;
    if (b->npoints >= w->o.batch_size || b->data.len >= w->o.batch_bytes)
      seal(w, li);
  }
  /* With a spool: the lines still in open batches go to disk now. */
  size_t lost = 0;
  int eno = 0;
  for (unsigned k = 0; k < w->nlanes; k++)
    if (w->lane[k].cur && spool_flush(&w->lane[k], w->lane[k].cur, &eno))
      lost += unaccept(w, &w->lane[k]);
  if (eno && !*st)
    *st = ierr(err, INFLUX_ERR_IO, "spool: cannot write to %s: %s", w->spool,
               strerror(eno));
  return i - lost;
}

static void report_drops(influx_writer *w, wbatch *dropped) {
  while (dropped) {
    wbatch *b = dropped;
    dropped = b->next;
    if (w->o.on_drop) {
      influx_writer_batch info = {b->first_seq, b->npoints, b->data.p,
                                  b->data.len,  b->npoints, NULL,
                                  b->seqs};
      pthread_mutex_lock(&w->cb_mu);
      w->o.on_drop(w->o.user, &info);
      pthread_mutex_unlock(&w->cb_mu);
    }
    batch_free(b);
  }
}

/* Encoded lines of one write() call, with their offsets. */
typedef struct staged {
  influx_lines *lb;
  size_t *off;
  size_t n, cap;
} staged;

static int stage_mark(staged *s) {
  if (grow_array((void **)&s->off, &s->cap, s->n + 2, sizeof *s->off))
    return -1;
  s->off[++s->n] = s->lb->buf.len;
  return 0;
}

/* Marks the end of the line just encoded; refuses a line no batch can
 * carry. */
static influx_status stage_line(influx_writer *w, staged *s,
                                influx_error *err) {
  size_t l = s->lb->buf.len - s->off[s->n];
  if (l > w->o.batch_bytes)
    return ierr(err, INFLUX_ERR_TOO_LARGE,
                "a line of %zu bytes is longer than batch_bytes (%zu)", l,
                w->o.batch_bytes);
  if (stage_mark(s))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  return INFLUX_OK;
}

static influx_status commit_staged(influx_writer *w, staged *s,
                                   const char *what, influx_error *err) {
  influx_status st = INFLUX_OK;
  wbatch *dropped = NULL;
  pthread_mutex_lock(&w->mu);
  size_t took = 0;
  if (w->closing)
    st = ierr(err, INFLUX_ERR_INVALID_ARG, "writer: write after close");
  else
    took = take_lines(w, s->lb->buf.p, s->off, s->n, &dropped, &st, err);
  pthread_mutex_unlock(&w->mu);
  report_drops(w, dropped);
  if (st && took && err) {
    size_t l = strlen(err->message);
    snprintf(err->message + l, sizeof err->message - l,
             "; %zu of the %zu %s were accepted before the failure", took, s->n,
             what);
  }
  return st;
}

static void staged_free(staged *s) {
  influx_lines_free(s->lb);
  free(s->off);
}

influx_status influx_writer_write(influx_writer *w, const influx_point *pts,
                                  size_t n, influx_error *err) {
  if (!w || (!pts && n))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "writer_write: NULL argument");
  if (!n)
    return INFLUX_OK;
  staged s = {influx_lines_new(), NULL, 0, 0};
  influx_status st = INFLUX_OK;
  if (!s.lb || stage_mark(&s) ||
      (st = influx_lines_set_precision(s.lb, w->o.precision, err))) {
    staged_free(&s);
    return st ? st : ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  s.n = 0;
  s.off[0] = 0;
  /* Points without a time get one now, so a retry cannot duplicate them. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t now = ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec) /
                (w->prec_factor ? w->prec_factor : 1);
  for (size_t i = 0; i < n && !st; i++) {
    influx_point p = pts[i];
    if (!p.has_time) {
      p.has_time = 1;
      p.time = now;
      p.precision = NULL;
    }
    s.lb->index = i;
    st = lines_encode(s.lb, &p, err);
    if (!st)
      st = stage_line(w, &s, err);
  }
  if (!st)
    st = commit_staged(w, &s, "points", err);
  staged_free(&s);
  return st;
}

influx_status influx_writer_write_lines(influx_writer *w, const char *data,
                                        size_t len, influx_error *err) {
  if (!w || (!data && len))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "writer_write_lines: NULL argument");
  staged s = {influx_lines_new(), NULL, 0, 0};
  if (!s.lb || stage_mark(&s)) {
    staged_free(&s);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  s.n = 0;
  s.off[0] = 0;
  influx_status st = INFLUX_OK;
  size_t off = 0, lineno = 0;
  while (off < len && !st) {
    influx_line_splitter sp = {0};
    int complete;
    size_t used = influx_line_split(&sp, data + off, len - off, &complete);
    size_t l = used;
    lineno++;
    while (l && (data[off + l - 1] == '\n' || data[off + l - 1] == '\r'))
      l--;
    size_t s0 = 0;
    while (s0 < l && (data[off + s0] == ' ' || data[off + s0] == '\t'))
      s0++;
    if (l > s0 && data[off + s0] != '#') {
      /* Split already: only UTF-8 is left to check. Errors name the
       * line, counted from 1. */
      st = lines_append_split(s.lb, data + off + s0, l - s0, lineno, err);
      if (!st)
        st = stage_line(w, &s, err);
    }
    off += used;
  }
  if (!st && s.n)
    st = commit_staged(w, &s, "lines", err);
  staged_free(&s);
  return st;
}

void influx_writer_get_stats(influx_writer *w, influx_writer_stats *s) {
  if (!s)
    return;
  memset(s, 0, sizeof *s);
  if (!w)
    return;
  pthread_mutex_lock(&w->mu);
  *s = w->st;
  s->pending = w->st.accepted - w->st.written - w->st.rejected - w->st.dropped;
  s->pending_bytes = w->bytes;
  s->settled_through = settled_through(w);
  pthread_mutex_unlock(&w->mu);
}

influx_status influx_writer_flush(influx_writer *w, influx_error *err) {
  if (!w)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "writer_flush: writer is NULL");
  pthread_mutex_lock(&w->mu);
  uint64_t target = w->next_seq;
  for (unsigned i = 0; i < w->nlanes; i++)
    seal(w, i);
  while (settled_through(w) < target) {
    seal_idle(w);
    pthread_cond_wait(&w->done, &w->mu);
  }
  uint64_t rej = w->st.rejected - w->flush_rejected;
  uint64_t drop = w->st.dropped - w->flush_dropped;
  uint64_t unc = w->st.unconfirmed - w->flush_unconfirmed;
  w->flush_rejected = w->st.rejected;
  w->flush_dropped = w->st.dropped;
  w->flush_unconfirmed = w->st.unconfirmed;
  pthread_mutex_unlock(&w->mu);
  if (rej || drop) {
    char maybe[160] = "";
    if (unc)
      snprintf(maybe, sizeof maybe,
               " (%llu of them sent whole with no answer: the server may "
               "have stored those)",
               (unsigned long long)unc);
    return ierr(err, INFLUX_ERR_PARTIAL,
                "%llu points not delivered since the last flush: %llu "
                "rejected or given up%s, %llu dropped on overflow",
                (unsigned long long)(rej + drop), (unsigned long long)rej,
                maybe, (unsigned long long)drop);
  }
  return INFLUX_OK;
}

influx_status influx_writer_close(influx_writer *w, influx_writer_stats *final,
                                  influx_error *err) {
  if (!w)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "writer_close: writer is NULL");
  influx_status st =
      w->nthreads && !w->closed ? influx_writer_flush(w, err) : INFLUX_OK;
  pthread_mutex_lock(&w->mu);
  w->closing = 1;
  pthread_cond_broadcast(&w->work);
  pthread_mutex_unlock(&w->mu);
  for (int i = 0; i < w->nthreads; i++)
    pthread_join(w->threads[i], NULL);
  w->nthreads = 0;
  w->closed = 1;
  influx_writer_get_stats(w, final);
  /* An empty open spool file is not worth keeping. */
  for (unsigned i = 0; i < w->nlanes; i++) {
    wlane *ln = &w->lane[i];
    if (ln->cur && ln->cur_fd >= 0 && !ln->cur->npoints) {
      char name[40];
      spooldir_name(name, sizeof name, ln->cur->file_id, "open");
      unlinkat(w->dir_fd, name, 0);
    }
  }
  return st;
}

void influx_writer_free(influx_writer *w) {
  if (!w)
    return;
  if (!w->closed)
    influx_writer_close(w, NULL, NULL);
  writer_free(w);
}
