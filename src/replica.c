/* Replicate mode: every batch to every host. A host that cannot take a
 * batch keeps it in its own queue (a spool directory of fsynced files, or
 * memory) and gets its queue, in order, before any newer batch. */
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

#include "client_impl.h"
#include "spooldir.h"
#include "write_impl.h"

/* A spool file: magic, flags (1: gzip), points, query-string length, the
 * query string, the body. Written to a .tmp name, fsynced, renamed. */
#define SPOOL_MAGIC "IXQ1"
typedef struct spool_head {
  char magic[4];
  uint32_t flags;
  uint64_t lines;
  uint32_t qslen;
  uint32_t pad;
} spool_head;

static void item_free(rq_item *it) {
  if (!it)
    return;
  free(it->qs);
  free(it->body);
  free(it);
}

/* Appends to the host's queue (qmu held, or the client not shared yet). */
static void append(host_ent *h, rq_item *it) {
  if (h->qtail)
    h->qtail->next = it;
  else
    h->qhead = it;
  h->qtail = it;
  h->nq++;
  h->qbytes += it->len;
}

/* ---- the spool directory of one host ---- */

static influx_status open_host_spool(influx_client *c, host_ent *h,
                                     influx_error *err) {
  char dir[512], sub[300];
  size_t k = 0;
  for (const char *p = h->name; *p && k < 250; p++)
    sub[k++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'
                   ? *p
                   : '_';
  sub[k] = 0;
  snprintf(dir, sizeof dir, "%s/%s_%d", c->spool_dir, sub, h->port);
  if (mkdir(c->spool_dir, 0700) && errno != EEXIST)
    return ierr(err, INFLUX_ERR_IO, "spool: cannot create %s: %s", c->spool_dir,
                strerror(errno));
  influx_status st =
      spooldir_open(dir, "client", &h->spool_fd, &h->lock_fd, err);
  if (st)
    return st;
  /* What a previous client left: its batches, in sequence order. */
  int fd = dup(h->spool_fd);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0)
      close(fd);
    return ierr(err, INFLUX_ERR_IO, "spool: cannot read %s: %s", dir,
                strerror(errno));
  }
  uint64_t *seqs = NULL;
  size_t n = 0, cap = 0;
  for (struct dirent *e; (e = readdir(d));) {
    char *end;
    unsigned long long seq = strtoull(e->d_name, &end, 10);
    if (end == e->d_name)
      continue;
    if (!strcmp(end, ".tmp")) { /* never completed: not acknowledged */
      unlinkat(h->spool_fd, e->d_name, 0);
      continue;
    }
    if (strcmp(end, ".batch"))
      continue;
    if (grow_array((void **)&seqs, &cap, n + 1, sizeof *seqs)) {
      st = ierr(err, INFLUX_ERR_NOMEM, "out of memory reading the spool");
      break;
    }
    seqs[n++] = seq;
  }
  closedir(d);
  spooldir_sort(seqs, n); /* readdir's order is arbitrary */
  for (size_t i = 0; !st && i < n; i++) {
    char name[64];
    spooldir_name(name, sizeof name, seqs[i], "batch");
    struct stat sb;
    rq_item *it = calloc(1, sizeof *it);
    if (!it) {
      st = ierr(err, INFLUX_ERR_NOMEM, "out of memory reading the spool");
      break;
    }
    if (fstatat(h->spool_fd, name, &sb, 0) ||
        sb.st_size < (off_t)sizeof(spool_head)) {
      free(it);
      unlinkat(h->spool_fd, name, 0); /* torn: never acknowledged */
      continue;
    }
    it->seq = seqs[i];
    it->len = (size_t)sb.st_size;
    append(h, it);
    h->next_seq = seqs[i] + 1;
  }
  free(seqs);
  return st;
}

/* Reads a spooled batch's query string and body. */
static int load_item(host_ent *h, rq_item *it) {
  char name[64];
  spooldir_name(name, sizeof name, it->seq, "batch");
  int fd = openat(h->spool_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  spool_head hd;
  int rc = -1;
  if (read(fd, &hd, sizeof hd) == (ssize_t)sizeof hd &&
      !memcmp(hd.magic, SPOOL_MAGIC, 4) && hd.qslen < (1u << 20)) {
    struct stat sb;
    if (!fstat(fd, &sb) && (size_t)sb.st_size >= sizeof hd + (size_t)hd.qslen) {
      size_t blen = (size_t)sb.st_size - sizeof hd - hd.qslen;
      it->qs = malloc((size_t)hd.qslen + 1);
      it->body = malloc(blen + 1);
      if (it->qs && it->body &&
          read(fd, it->qs, hd.qslen) == (ssize_t)hd.qslen &&
          read(fd, it->body, blen) == (ssize_t)blen) {
        it->qs[hd.qslen] = 0;
        it->body[blen] = 0;
        it->len = blen;
        it->lines = (size_t)hd.lines;
        it->gz = hd.flags & 1;
        rc = 0;
      }
    }
  }
  close(fd);
  if (rc) {
    free(it->qs);
    free(it->body);
    it->qs = it->body = NULL;
  }
  return rc;
}

static int write_all(int fd, const void *p, size_t n) {
  const char *s = p;
  while (n) {
    ssize_t k = write(fd, s, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    s += k;
    n -= (size_t)k;
  }
  return 0;
}

static int spool_item(host_ent *h, rq_item *it, const char *qs,
                      const char *body) {
  char tmp[64], name[64];
  spooldir_name(tmp, sizeof tmp, it->seq, "tmp");
  spooldir_name(name, sizeof name, it->seq, "batch");
  int fd =
      openat(h->spool_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  spool_head hd = {.flags = (uint32_t)it->gz,
                   .lines = it->lines,
                   .qslen = (uint32_t)strlen(qs)};
  memcpy(hd.magic, SPOOL_MAGIC, 4);
  int rc = write_all(fd, &hd, sizeof hd) || write_all(fd, qs, hd.qslen) ||
           write_all(fd, body, it->len) || fsync(fd);
  close(fd);
  if (rc || renameat(h->spool_fd, tmp, h->spool_fd, name) ||
      fsync(h->spool_fd)) {
    unlinkat(h->spool_fd, tmp, 0);
    return -1;
  }
  it->len = sizeof hd + hd.qslen + it->len; /* bytes on disk */
  return 0;
}

/* ---- the queue (qmu held) ---- */

static void pop(host_ent *h) {
  rq_item *it = h->qhead;
  h->qhead = it->next;
  if (!h->qhead)
    h->qtail = NULL;
  h->nq--;
  h->qbytes -= it->len;
  if (h->spool_fd >= 0) {
    char name[64];
    spooldir_name(name, sizeof name, it->seq, "batch");
    unlinkat(h->spool_fd, name, 0);
  }
  item_free(it);
}

/* Appends a copy of a batch; -1 if the host cannot keep it (memory
 * limit, or the spool failed: `why` says). */
static int enqueue(influx_client *c, host_ent *h, const char *qs,
                   const char *body, size_t len, int gz, size_t lines,
                   char *why, size_t wn) {
  rq_item *it = calloc(1, sizeof *it);
  if (!it) {
    snprintf(why, wn, "out of memory queueing a batch");
    return -1;
  }
  it->seq = h->next_seq++;
  it->len = len;
  it->lines = lines;
  it->gz = gz;
  if (h->spool_fd >= 0) {
    if (spool_item(h, it, qs, body)) {
      snprintf(why, wn, "spool: cannot write a batch: %s", strerror(errno));
      free(it);
      return -1;
    }
  } else {
    if (h->qbytes + len > c->host_queue_bytes) {
      snprintf(why, wn,
               "its memory queue is full (%zu MB): batch dropped for this "
               "host (use a spool directory)",
               c->host_queue_bytes >> 20);
      free(it);
      return -1;
    }
    it->qs = istrdup(qs);
    it->body = malloc(len + 1);
    if (!it->qs || !it->body) {
      snprintf(why, wn, "out of memory queueing a batch");
      item_free(it);
      return -1;
    }
    memcpy(it->body, body, len);
    it->body[len] = 0;
  }
  append(h, it);
  return 0;
}

/* Sending one batch (or a piece of it, write_split) to one host. */
typedef struct host_send {
  influx_client *c;
  size_t hi;
  const char *qs;
  const char *whole; /* the batch; `zwhole` its gzip form, or NULL */
  size_t whole_len;
  const ibuf *zwhole;
  int gz_body;     /* `whole` is gzip already (an older client's spool file) */
  int go_on;       /* past refused pieces (write_split) */
  long timeout_ms; /* each request's; 0: the client's */
  ibuf *gz;
  size_t done; /* bytes of `whole` stored, from its start */
  host_outcome o;
} host_send;

static influx_status host_piece(void *u, const char *body, size_t len,
                                http_result *res, influx_error *e) {
  host_send *hs = u;
  http_call call = {.method = "POST",
                    .path = "write",
                    .qs = hs->qs,
                    .body = body,
                    .body_len = len,
                    .body_gzip = hs->gz_body,
                    .expected = 204,
                    .retry_5xx = 1,
                    .no_retry = 1,
                    .timeout_ms = (int)hs->timeout_ms};
  memset(res, 0, sizeof *res);
  influx_status st = INFLUX_OK;
  if (hs->gz_body) {
    /* gzip already (an older client's spool file): as it is */
  } else if (hs->zwhole && body == hs->whole && len == hs->whole_len) {
    call.body = hs->zwhole->p; /* the whole batch, compressed once */
    call.body_len = hs->zwhole->len;
    call.body_gzip = 1;
  } else if ((st = write_call_body(&call, hs->c->gzip, body, len, hs->gz, e))) {
    return st;
  }
  st = http_perform_on(hs->c, hs->hi, &call, 1, res, &hs->o, e);
  if (!st)
    hs->done = (size_t)(body + len - hs->whole);
  return st;
}

/* One batch to host hi, one attempt (cut in pieces on 413): 0 stored, 1
 * the host failed (try later: hs->done bytes of it were stored), -1 the
 * host refused it (4xx). *stored gets the points it stored. */
static int post_to(host_send *hs, size_t lines, size_t *stored,
                   http_result *res, influx_error *e) {
  influx_client *c = hs->c;
  size_t hi = hs->hi;
  hs->done = 0;
  memset(&hs->o, 0, sizeof hs->o);
  *stored = 0;
  influx_status st = hs->gz_body
                         ? host_piece(hs, hs->whole, hs->whole_len, res, e)
                         : write_split(host_piece, hs, hs->whole, hs->whole_len,
                                       lines, hs->go_on, stored, res, e);
  if (hs->gz_body && !st)
    *stored = lines;
  pthread_mutex_lock(&c->mu);
  if (!st)
    c->hosts[hi].stored_batches++;
  c->hosts[hi].stored_points += *stored;
  pthread_mutex_unlock(&c->mu);
  if (!st) {
    host_ok(c, hi);
    return 0;
  }
  if (hs->o.failover) {
    host_failed(c, hi, e->message);
    return 1;
  }
  return -1;
}

/* Sends up to `max` queued batches in order (0: all); stops at the first
 * the host does not take. A batch it refuses (4xx) is dropped for it; of
 * one it failed, the part stored is not sent again. */
static void drain(influx_client *c, size_t hi, size_t max, ibuf *gz) {
  host_ent *h = &c->hosts[hi];
  for (size_t k = 0; h->qhead && (!max || k < max); k++) {
    rq_item *it = h->qhead;
    if (!it->body && load_item(h, it)) {
      pop(h); /* unreadable: cannot be sent */
      continue;
    }
    http_result res;
    influx_error e = {0};
    host_send hs = {.c = c,
                    .hi = hi,
                    .qs = it->qs,
                    .whole = it->body + it->skip,
                    .whole_len = it->len - it->skip,
                    .gz_body = it->gz,
                    .gz = gz};
    size_t stored;
    int rc = post_to(&hs, it->lines, &stored, &res, &e);
    ibuf_free(&res.body);
    if (rc > 0) {
      it->skip += hs.done;
      it->lines -= stored < it->lines ? stored : it->lines;
      if (h->spool_fd >= 0) { /* read again when retried */
        free(it->qs);
        free(it->body);
        it->qs = it->body = NULL;
      }
      return;
    }
    pop(h);
  }
}

influx_status replica_post(influx_client *c, const char *qs, const char *body,
                           size_t len, size_t lines, long timeout_ms, int go_on,
                           ibuf *gz, size_t *stored, http_result *res,
                           influx_error *err) {
  size_t n = c->nhosts;
  size_t need = c->ack == INFLUX_ACK_ALL   ? n
                : c->ack == INFLUX_ACK_ANY ? 1
                                           : n / 2 + 1;
  size_t nstored = 0;
  influx_status refused = INFLUX_OK;
  influx_error rerr = {0};
  ibuf behind = {0}, took = {0}, piece = {0};
  int kept = 0;
  *stored = 0;
  memset(res, 0, sizeof *res);
  /* Compressed once for every host; a piece of it (413) on its own. */
  if (c->gzip && len && gzip_compress(body, len, gz))
    return ierr(err, INFLUX_ERR_NOMEM, "gzip compression failed");
  for (size_t i = 0; i < n; i++) {
    host_ent *h = &c->hosts[i];
    char why[INFLUX_ERROR_MSG_SIZE] = "";
    pthread_mutex_lock(&h->qmu);
    int up = host_usable(c, i);
    if (up && h->qhead)
      drain(c, i, 16, &piece); /* catch up first, a part at a time */
    int rc = 1;
    host_send hs = {.c = c,
                    .hi = i,
                    .qs = qs,
                    .whole = body,
                    .whole_len = len,
                    .zwhole = c->gzip && len ? gz : NULL,
                    .go_on = go_on,
                    .timeout_ms = timeout_ms,
                    .gz = &piece};
    size_t hstored = 0;
    if (up && !h->qhead) {
      http_result r;
      influx_error e = {0};
      rc = post_to(&hs, lines, &hstored, &r, &e);
      if (rc < 0 && !refused) {
        /* The first refusal's answer is the one reported (its whole body
         * names the lines). */
        refused = e.code;
        rerr = e;
        *stored = hstored;
        ibuf_free(&res->body);
        *res = r;
        kept = 1;
      } else if (rc == 0 && !kept) {
        *res = r;
        kept = 1;
      } else {
        ibuf_free(&r.body);
      }
      if (rc > 0)
        snprintf(why, sizeof why, "%s", e.message);
    }
    if (rc > 0) {
      if (!why[0]) {
        pthread_mutex_lock(&c->mu);
        snprintf(why, sizeof why, "%s",
                 h->qhead ? "catching up" : h->last_error);
        pthread_mutex_unlock(&c->mu);
      }
      /* What it did not store waits for it (of a batch cut on 413, the
       * pieces after the last it took). */
      char qwhy[200];
      if (enqueue(c, h, qs, body + hs.done, len - hs.done, 0,
                  lines - (hstored < lines ? hstored : lines), qwhy,
                  sizeof qwhy)) {
        pthread_mutex_lock(&c->mu);
        h->dropped++;
        snprintf(h->last_error, sizeof h->last_error, "%s", qwhy);
        pthread_mutex_unlock(&c->mu);
        ibuf_printf(&behind, "%s%s:%d (%s; %s)", behind.len ? ", " : "",
                    h->name, h->port, why, qwhy);
      } else {
        ibuf_printf(&behind, "%s%s:%d (%s)", behind.len ? ", " : "", h->name,
                    h->port, why);
      }
    }
    if (rc == 0) {
      nstored++;
      ibuf_printf(&took, "%s%s:%d", took.len ? ", " : "", h->name, h->port);
    }
    pthread_mutex_unlock(&h->qmu);
  }
  ibuf_free(&piece);
  influx_status st = INFLUX_OK;
  if (refused) {
    /* Bad points: the same answer from every host that was asked, unless
     * the hosts differ (one's body limit is lower): then say who has it. */
    if (err) {
      *err = rerr;
      if (took.len) {
        size_t l = strnlen(err->message, sizeof err->message - 1);
        snprintf(err->message + l, sizeof err->message - l,
                 "; the hosts now differ: %s stored the whole batch", took.p);
      }
    }
    st = refused;
  } else if (nstored < need) {
    ibuf_free(&res->body);
    memset(res, 0, sizeof *res);
    st = ierr(err, INFLUX_ERR_ACK,
              "%zu of %zu hosts stored the batch, %s needs %zu; it waits for "
              "%s",
              nstored, n,
              c->ack == INFLUX_ACK_ALL   ? "ack all"
              : c->ack == INFLUX_ACK_ANY ? "ack any"
                                         : "ack quorum",
              need, behind.p ? behind.p : "");
  } else {
    *stored = lines;
  }
  ibuf_free(&behind);
  ibuf_free(&took);
  return st;
}

/* ---- opening, closing, catching up ---- */

influx_status replica_open(influx_client *c, influx_error *err) {
  if (!c->spool_dir || c->write_mode != INFLUX_WRITE_REPLICATE)
    return INFLUX_OK;
  for (size_t i = 0; i < c->nhosts; i++) {
    influx_status st = open_host_spool(c, &c->hosts[i], err);
    if (st)
      return st;
  }
  return INFLUX_OK;
}

void replica_close(influx_client *c) {
  for (size_t i = 0; i < c->nhosts; i++) {
    host_ent *h = &c->hosts[i];
    while (h->qhead) { /* spooled batches stay on disk */
      rq_item *it = h->qhead;
      h->qhead = it->next;
      item_free(it);
    }
    h->qtail = NULL;
    h->nq = h->qbytes = 0;
    if (h->lock_fd >= 0)
      close(h->lock_fd);
    if (h->spool_fd >= 0)
      close(h->spool_fd);
    h->lock_fd = h->spool_fd = -1;
  }
  free(c->spool_dir);
  c->spool_dir = NULL;
}

influx_status influx_client_catch_up(influx_client *c, int timeout_ms,
                                     influx_error *err) {
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "catch_up: client is NULL");
  if (timeout_ms < 0)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "catch_up: timeout_ms must not be negative");
  int64_t deadline = mono_ms() + timeout_ms;
  ibuf piece = {0}; /* gzip of a queued batch */
  for (;;) {
    ibuf behind = {0};
    for (size_t i = 0; i < c->nhosts; i++) {
      host_ent *h = &c->hosts[i];
      pthread_mutex_lock(&h->qmu);
      if (h->qhead && host_usable(c, i))
        drain(c, i, 0, &piece);
      if (h->qhead)
        ibuf_printf(&behind, "%s%s:%d (%llu batches)", behind.len ? ", " : "",
                    h->name, h->port, (unsigned long long)h->nq);
      pthread_mutex_unlock(&h->qmu);
    }
    if (!behind.len) {
      ibuf_free(&behind);
      ibuf_free(&piece);
      return INFLUX_OK;
    }
    int64_t left = deadline - mono_ms();
    if (left <= 0) {
      influx_status st = ierr(err, INFLUX_ERR_TIMEOUT, "hosts still behind: %s",
                              behind.p ? behind.p : "");
      ibuf_free(&behind);
      ibuf_free(&piece);
      return st;
    }
    ibuf_free(&behind);
    struct timespec ts = {0, (left < 100 ? left : 100) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
  }
}
