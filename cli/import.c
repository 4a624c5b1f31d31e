/* `influxc import`: large line-protocol or CSV files (gzip or not),
 * streamed through the batching writer over pool_size connections, with
 * progress, a summary, rejected lines reported by number, and a clean stop
 * on Ctrl-C that says where to resume (--skip). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"
#include "csv.h"

/* ---- where each accepted point came from ---- */

/* Points are numbered by the writer in acceptance order (seq). A run of
 * consecutive input lines is one entry: seq -> global line number. */
typedef struct span {
  uint64_t seq, gline;
} span;

typedef struct source_file {
  const char *name;
  uint64_t first_gline; /* global line number of its line 1 */
  off_t size;
} source_file;

/* Where points go: the influx_inspect export format switches it with
 * "# CONTEXT-DATABASE:" and "# CONTEXT-RETENTION-POLICY:" lines. */
typedef struct context {
  char *db, *rp; /* NULL: the client's database / the default RP */
  uint64_t written, rejected;
} context;

typedef struct importer {
  pthread_mutex_t mu;
  span *spans;
  size_t nspans, cap;
  uint64_t accepted; /* lines handed to the writer */
  int unreachable;   /* a batch failed for want of a server (exit 3) */
  source_file *files;
  int nfiles;
  uint64_t rejected_lines; /* refused here or by the server */
  uint64_t unconfirmed;    /* of those: sent whole, never answered */
  uint64_t reported;
  int quiet, tty, progress_shown;
  double interval; /* seconds between plain progress lines */
  double t0;
  uint64_t bytes_done, bytes_total, bytes_base;
  influx_writer *w;
  /* CSV */
  int csv;
  const char *measurement, *time_col, *precision;
  char **tag_cols;
  size_t ntag_cols;
  char **type_spec; /* name=type pairs */
  size_t ntypes;
  /* Targets: the writer's options, the explicit --database/--rp, the
   * contexts seen (the last is current) and the file's section. */
  influx_client *c;
  influx_writer_options wo;
  const char *flag_db, *flag_rp;
  context *ctx;
  size_t nctx, ctx_cap;
  char *want_db, *want_rp; /* from the file, applied at the next point */
  int want_switch, file_has_context;
  int section; /* 0 none, 1 # DDL, 2 # DML */
  uint64_t ddl_run, ddl_failed;
  uint64_t written_total;
  influx_status close_status;
} importer;

static void where(importer *im, uint64_t gline, char *out, size_t n) {
  int f = 0;
  while (f + 1 < im->nfiles && im->files[f + 1].first_gline <= gline)
    f++;
  snprintf(out, n, "%s:%llu", im->files[f].name,
           (unsigned long long)(gline - im->files[f].first_gline + 1));
}

/* Makes room for `need` elements of `elt` bytes in *arr. */
static int grow(void **arr, size_t *cap, size_t need, size_t elt) {
  if (need <= *cap)
    return 0;
  size_t nc = *cap ? *cap * 2 : 256;
  while (nc < need)
    nc *= 2;
  void *p = realloc(*arr, nc * elt);
  if (!p)
    return -1;
  *arr = p;
  *cap = nc;
  return 0;
}

/* Global line of point `seq`. Lock held. */
static uint64_t gline_of(const importer *im, uint64_t seq) {
  size_t lo = 0, hi = im->nspans;
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (im->spans[mid].seq <= seq)
      lo = mid;
    else
      hi = mid;
  }
  return im->spans[lo].gline + (seq - im->spans[lo].seq);
}

static int note_line(importer *im, uint64_t gline) {
  uint64_t seq = im->accepted++;
  if (im->nspans) {
    const span *l = &im->spans[im->nspans - 1];
    if (l->gline + (seq - l->seq) == gline)
      return 0;
  }
  if (grow((void **)&im->spans, &im->cap, im->nspans + 1, sizeof *im->spans))
    return -1;
  im->spans[im->nspans++] = (span){seq, gline};
  return 0;
}

static void clear_progress(importer *im) {
  if (im->tty && im->progress_shown) {
    fputs("\r\033[K", stderr);
    im->progress_shown = 0;
  }
}

/* ---- reports from the writer ---- */

/* A reason from the server, on one line and terminal-safe. */
static void put_reason(const char *why, size_t wl) {
  char *one = strndup(why, wl);
  for (char *p = one; p && *p; p++)
    if (*p == '\n')
      *p = ' ';
  if (one)
    term_fputs(stderr, one);
  free(one);
  fputc('\n', stderr);
}

static void report_line(importer *im, uint64_t gline, const char *why,
                        size_t wl) {
  char at[600];
  where(im, gline, at, sizeof at);
  clear_progress(im);
  fprintf(stderr, "influxc: %s: rejected: ", at);
  put_reason(why, wl);
}

/* influxd lists each line it could not parse as
 * "unable to parse '<line>': <reason>", separated by newlines; the rest of
 * a partial write was stored. */
static void on_error(void *u, const influx_writer_batch *b, influx_status st,
                     const influx_error *e) {
  importer *im = u;
  pthread_mutex_lock(&im->mu);
  if (cli_exit_code(st) == EXIT_CONNECT) /* unreachable, or too few hosts */
    im->unreachable = 1;
  const char *m = b->server_message ? b->server_message : e->message;
  const char *p = strstr(m, "unable to parse '");
  size_t found = 0;
  while (p) {
    const char *ls = p + 17;
    const char *le = strstr(ls, "': ");
    if (!le)
      break;
    const char *reason = le + 3;
    const char *next = strstr(reason, "unable to parse '");
    size_t rl = next ? (size_t)(next - reason) : strlen(reason);
    const char *dropped = strstr(reason, " dropped=");
    if (dropped && (size_t)(dropped - reason) < rl)
      rl = (size_t)(dropped - reason);
    while (rl && (reason[rl - 1] == '\n' || reason[rl - 1] == ' '))
      rl--;
    /* Find the line in the batch. */
    size_t ll = (size_t)(le - ls), off = 0, k = 0;
    long hit = -1;
    while (off < b->len) {
      const char *nl = memchr(b->lines + off, '\n', b->len - off);
      size_t end = nl ? (size_t)(nl - b->lines) : b->len;
      if (end - off == ll && !memcmp(b->lines + off, ls, ll)) {
        hit = (long)k;
        break;
      }
      off = end + 1;
      k++;
    }
    uint64_t k0 = hit >= 0 ? (uint64_t)hit : 0;
    report_line(im, gline_of(im, b->seqs ? b->seqs[k0] : b->first_seq + k0),
                reason, rl);
    found++;
    p = next;
  }
  if (found < b->rejected) {
    /* Not attributable to single lines (type conflicts, a missing
     * database, a server that stayed away): the batch's range. */
    char a[600], z[600];
    where(im, gline_of(im, b->first_seq), a, sizeof a);
    where(im,
          gline_of(im, b->seqs ? b->seqs[b->npoints - 1]
                               : b->first_seq + b->npoints - 1),
          z, sizeof z);
    clear_progress(im);
    fprintf(stderr, "influxc: %s to %s (%zu of %zu points not stored): ", a, z,
            b->rejected - found, b->npoints);
    put_reason(e->message, strlen(e->message));
  }
  im->rejected_lines += b->rejected;
  pthread_mutex_unlock(&im->mu);
}

/* ---- progress ---- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(importer *im, int final) {
  if (im->quiet)
    return;
  influx_writer_stats st = {0};
  if (im->w)
    influx_writer_get_stats(im->w, &st);
  st.written += im->written_total; /* of the targets settled before */
  double dt = now_s() - im->t0;
  double rate = dt > 0 ? (double)st.written / dt : 0;
  double mb = (double)im->bytes_done / 1e6;
  pthread_mutex_lock(&im->mu);
  if (im->tty && !final) {
    char bar[32];
    double frac =
        im->bytes_total ? (double)im->bytes_done / (double)im->bytes_total : 0;
    if (frac > 1)
      frac = 1;
    int fill = (int)(frac * 24);
    for (int i = 0; i < 24; i++)
      bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
    bar[24] = 0;
    char eta[32] = "--:--";
    if (frac > 0.01 && im->bytes_total) {
      long s = (long)(dt / frac - dt);
      snprintf(eta, sizeof eta, "%ld:%02ld", s / 60, s % 60);
    }
    fprintf(stderr,
            "\r\033[K[%s] %3.0f%% %llu points %.1f MB %.0f points/s ETA %s",
            bar, frac * 100, (unsigned long long)st.written, mb, rate, eta);
    im->progress_shown = 1;
  } else if (!final) {
    fprintf(stderr,
            "influxc: import: %llu points written, %.1f MB read, "
            "%.0f points/s\n",
            (unsigned long long)st.written, mb, rate);
  }
  pthread_mutex_unlock(&im->mu);
}

/* ---- input ---- */

typedef struct chunk {
  char *data;
  size_t len, cap;
  uint64_t *glines;
  size_t n, ncap;
} chunk;

static int chunk_add(chunk *c, const char *s, size_t n, uint64_t gline) {
  if (c->len + n + 1 > c->cap) {
    size_t nc = (c->len + n + 1) * 2;
    char *p = realloc(c->data, nc);
    if (!p)
      return -1;
    c->data = p;
    c->cap = nc;
  }
  if (grow((void **)&c->glines, &c->ncap, c->n + 1, sizeof *c->glines))
    return -1;
  memcpy(c->data + c->len, s, n);
  c->len += n;
  c->data[c->len++] = '\n';
  c->glines[c->n++] = gline;
  return 0;
}

/* Hands a chunk of lines to the writer. A line the writer refuses is
 * reported with its number and the others still go. */
static influx_status writer_start(importer *im, influx_error *err);

static int chunk_flush(importer *im, chunk *c) {
  if (!c->n)
    return 0;
  influx_error err = {0};
  influx_status st;
  /* The writer starts with the first points, so a file that names its
   * databases needs none on the command line. */
  if (!im->w && (st = writer_start(im, &err)))
    return cli_fail("import", st, &err);
  pthread_mutex_lock(&im->mu);
  uint64_t acc0 = im->accepted;
  size_t ns0 = im->nspans;
  for (size_t i = 0; i < c->n; i++)
    if (note_line(im, c->glines[i])) {
      pthread_mutex_unlock(&im->mu);
      return cli_fail("import", INFLUX_ERR_NOMEM, NULL);
    }
  pthread_mutex_unlock(&im->mu);
  st = influx_writer_write_lines(im->w, c->data, c->len, &err);
  if (st == INFLUX_ERR_INVALID_ARG || st == INFLUX_ERR_TOO_LARGE) {
    /* Undo the numbering and go line by line. */
    pthread_mutex_lock(&im->mu);
    im->accepted = acc0;
    im->nspans = ns0;
    pthread_mutex_unlock(&im->mu);
    size_t off = 0;
    for (size_t i = 0; i < c->n; i++) {
      /* Split as influxd does: a string field may hold a newline. */
      influx_line_splitter sp = {0};
      int complete;
      size_t end =
          off + influx_line_split(&sp, c->data + off, c->len - off, &complete);
      pthread_mutex_lock(&im->mu);
      note_line(im, c->glines[i]);
      pthread_mutex_unlock(&im->mu);
      st = influx_writer_write_lines(im->w, c->data + off, end - off, &err);
      if (st == INFLUX_ERR_INVALID_ARG || st == INFLUX_ERR_TOO_LARGE) {
        pthread_mutex_lock(&im->mu);
        im->accepted--;
        if (im->nspans && im->spans[im->nspans - 1].seq == im->accepted)
          im->nspans--;
        const char *m = err.message;
        if (!strncmp(m, "line 1 ", 7))
          m += 7;
        report_line(im, c->glines[i], m, strlen(m));
        im->rejected_lines++;
        pthread_mutex_unlock(&im->mu);
        st = INFLUX_OK;
      } else if (st) {
        break;
      }
      off = end;
    }
  }
  c->len = c->n = 0;
  return st ? cli_fail("import", st, &err) : 0;
}

/* Reads line protocol from `in`, split as influxd splits it. Each line
 * (line ends and leading blanks trimmed; blank lines and, unless
 * `comments`, comment lines skipped but counted) goes to fn with its number;
 * `tick` (may be NULL) runs after each block read. Stops on a non-zero return
 * of fn, on Ctrl-C, or at the end. Returns 0 or an exit code. */
int cli_read_lines(gzFile in, uint64_t *lineno, line_fn fn, void *user,
                   void (*tick)(void *user, gzFile in, size_t n),
                   int comments) {
  influx_line_splitter sp = {0};
  char *line = NULL;
  size_t len = 0, cap = 0;
  char buf[65536];
  int n = 0, rc = 0, last = 0;
  while (!rc && !interrupted) {
    if (!last && (n = gzread(in, buf, sizeof buf)) <= 0) {
      if (n < 0 || !len)
        break;
      /* A last line without a newline. */
      last = 1;
      n = 0;
    }
    size_t pos = 0;
    while ((pos < (size_t)n || last) && !rc) {
      int complete = last;
      size_t end = last ? pos
                        : pos + influx_line_split(&sp, buf + pos,
                                                  (size_t)n - pos, &complete);
      size_t add = end - pos;
      if (len + add + 1 > cap) {
        cap = (len + add + 1) * 2;
        char *p = realloc(line, cap);
        if (!p) {
          rc = cli_fail("read", INFLUX_ERR_NOMEM, NULL);
          break;
        }
        line = p;
      }
      memcpy(line + len, buf + pos, add);
      len += add;
      pos = end;
      if (!complete)
        break;
      /* Numbers are physical lines (where an editor shows them): a
       * point with a newline in a string spans several. */
      uint64_t start = ++*lineno;
      size_t l = len, s0 = 0;
      while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
        l--;
      for (const char *q = line; (q = memchr(q, '\n', (size_t)(line + l - q)));
           q++)
        ++*lineno;
      while (s0 < l && (line[s0] == ' ' || line[s0] == '\t'))
        s0++;
      if (l > s0 && (line[s0] != '#' || comments))
        rc = fn(user, line + s0, l - s0, start);
      len = 0;
      if (last)
        break;
    }
    if (tick && n > 0)
      tick(user, in, (size_t)n);
    if (last)
      break;
  }
  if (!rc && n < 0) {
    int e;
    fprintf(stderr, "influxc: read error: %s\n", gzerror(in, &e));
    rc = EXIT_INPUT;
  }
  free(line);
  return rc;
}

/* ---- targets: the influx_inspect export format ----
 *
 * "# DDL" starts statements, "# DML" points; "# CONTEXT-DATABASE:name" and
 * "# CONTEXT-RETENTION-POLICY:name" say where the points that follow go.
 * Each target has a writer of its own: a switch settles the current
 * writer's points first, so none can land in the wrong place. */

static int same(const char *a, const char *b) {
  return a == b || (a && b && !strcmp(a, b));
}

static int ctx_push(importer *im, const char *db, const char *rp) {
  if (grow((void **)&im->ctx, &im->ctx_cap, im->nctx + 1, sizeof *im->ctx))
    return -1;
  context *cx = &im->ctx[im->nctx];
  memset(cx, 0, sizeof *cx);
  cx->db = db ? strdup(db) : NULL;
  cx->rp = rp ? strdup(rp) : NULL;
  if ((db && !cx->db) || (rp && !cx->rp)) {
    free(cx->db);
    free(cx->rp);
    return -1;
  }
  cx->rejected = im->rejected_lines; /* until settled: the count at start */
  im->nctx++;
  return 0;
}

static influx_status writer_start(importer *im, influx_error *err) {
  influx_writer_options wo = im->wo;
  const context *cx = &im->ctx[im->nctx - 1];
  wo.database = cx->db;
  wo.retention_policy = cx->rp;
  return influx_writer_new(im->c, &wo, &im->w, err);
}

/* Settles the current writer's points and counts them to its target
 * (also a target that never got a point: nothing written, and the lines
 * rejected while it was current). */
static void writer_stop(importer *im) {
  context *cx = &im->ctx[im->nctx - 1];
  if (im->w) {
    influx_error err = {0};
    influx_writer_stats ws = {0};
    influx_status st = influx_writer_close(im->w, &ws, &err);
    influx_writer_free(im->w);
    im->w = NULL;
    if (st && !im->close_status)
      im->close_status = st;
    cx->written = ws.written;
    im->written_total += ws.written;
    im->unconfirmed += ws.unconfirmed;
    pthread_mutex_lock(&im->mu);
    im->accepted = 0; /* the next writer numbers its points from 0 */
    im->nspans = 0;
    pthread_mutex_unlock(&im->mu);
  }
  cx->rejected = im->rejected_lines - cx->rejected;
}

/* Moves to the target the file asked for, before its next point. */
static int ctx_apply(importer *im, chunk *c) {
  im->want_switch = 0;
  const context *cur = &im->ctx[im->nctx - 1];
  if (same(cur->db, im->want_db) && same(cur->rp, im->want_rp))
    return 0;
  int rc = chunk_flush(im, c);
  if (rc)
    return rc;
  writer_stop(im);
  if (ctx_push(im, im->want_db, im->want_rp))
    return cli_fail("import", INFLUX_ERR_NOMEM, NULL);
  return 0; /* its writer starts with its first points */
}

/* The value of a "# KEY:value" line, trimmed; NULL if not that key. */
static char *directive_value(const char *s, size_t n, const char *key) {
  size_t kl = strlen(key);
  if (n < kl || strncmp(s, key, kl))
    return NULL;
  s += kl;
  n -= kl;
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  return strndup(s, n);
}

/* A comment line: section markers and targets; other comments are
 * skipped. Honoured even inside --skip, since they are state. */
static int directive(importer *im, const char *s, size_t n, uint64_t gline) {
  s++, n--; /* '#' */
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  if (n == 3 && !memcmp(s, "DDL", 3)) {
    im->section = 1;
    return 0;
  }
  if (n == 3 && !memcmp(s, "DML", 3)) {
    im->section = 2;
    return 0;
  }
  char *db = directive_value(s, n, "CONTEXT-DATABASE:");
  char *rp = db ? NULL : directive_value(s, n, "CONTEXT-RETENTION-POLICY:");
  if (!db && !rp)
    return 0;
  const char *flag = db ? im->flag_db : im->flag_rp;
  const char *val = db ? db : rp;
  if (!*val || (flag && strcmp(flag, val))) {
    char at[600];
    where(im, gline, at, sizeof at);
    clear_progress(im);
    fprintf(stderr, "influxc: %s: ", at);
    if (*val) {
      fputs("the file puts the points that follow in ", stderr);
      term_fputs(stderr, val);
      fprintf(stderr, ", but %s ", db ? "--database" : "--rp");
      term_fputs(stderr, flag);
      fprintf(stderr,
              " was given; leave %s out to import into the "
              "file's %s\n",
              db ? "--database" : "--rp",
              db ? "databases" : "retention policies");
    } else {
      fputs("empty CONTEXT name\n", stderr);
    }
    int rc = *val ? EXIT_USAGE : EXIT_INPUT;
    free(db);
    free(rp);
    return rc;
  }
  im->file_has_context = 1;
  im->want_switch = 1;
  if (db) {
    free(im->want_db);
    im->want_db = db;
    /* A new database starts at its default RP (or --rp). */
    free(im->want_rp);
    im->want_rp = im->flag_rp ? strdup(im->flag_rp) : NULL;
  } else {
    free(im->want_rp);
    im->want_rp = rp;
  }
  return 0;
}

/* ---- DDL statements (only what an export holds is run) ---- */

/* Next token: a "quoted identifier" (backslash escapes) or a bare word,
 * into out (cap bytes). 0 at the end, -1 if malformed or too long. */
static int ddl_token(const char **p, char *out, size_t cap) {
  const char *s = *p;
  while (*s == ' ' || *s == '\t' || *s == '\r')
    s++;
  if (!*s)
    return 0;
  size_t n = 0;
  if (*s == '"') {
    for (s++; *s && *s != '"'; s++) {
      if (*s == '\\' && s[1])
        s++;
      if (n + 1 >= cap)
        return -1;
      out[n++] = *s;
    }
    if (*s != '"')
      return -1;
    s++;
  } else {
    while (*s && *s != ' ' && *s != '\t' && *s != '\r') {
      if (n + 1 >= cap)
        return -1;
      out[n++] = *s++;
    }
  }
  out[n] = 0;
  *p = s;
  return 1;
}

typedef struct ddl {
  int kind; /* 1 CREATE DATABASE, 2 CREATE RETENTION POLICY */
  char name[256], db[256], rp[256], duration[64], shard[64];
  long replication;
  int is_default;
} ddl;

static int kw(const char *tok, const char *word) {
  return !strcasecmp(tok, word);
}

/* Parses an export's DDL; a message if it is not one we run. */
static const char *ddl_parse(const char *text, ddl *d) {
  static const char *const not_ours =
      "not a CREATE DATABASE or CREATE RETENTION POLICY statement (only "
      "those are run from a file)";
  char t[256];
  const char *p = text;
  memset(d, 0, sizeof *d);
  if (ddl_token(&p, t, sizeof t) != 1 || !kw(t, "CREATE") ||
      ddl_token(&p, t, sizeof t) != 1)
    return not_ours;
  if (kw(t, "DATABASE")) {
    d->kind = 1;
    if (ddl_token(&p, d->name, sizeof d->name) != 1)
      return "CREATE DATABASE without a name";
    int r = ddl_token(&p, t, sizeof t);
    if (r == 0)
      return NULL;
    if (r < 0 || !kw(t, "WITH"))
      return "CREATE DATABASE: expected WITH after the name";
  } else if (kw(t, "RETENTION")) {
    d->kind = 2;
    if (ddl_token(&p, t, sizeof t) != 1 || !kw(t, "POLICY") ||
        ddl_token(&p, d->name, sizeof d->name) != 1 ||
        ddl_token(&p, t, sizeof t) != 1 || !kw(t, "ON") ||
        ddl_token(&p, d->db, sizeof d->db) != 1)
      return "CREATE RETENTION POLICY: expected NAME ON DATABASE";
  } else {
    return not_ours;
  }
  int r;
  while ((r = ddl_token(&p, t, sizeof t)) == 1) {
    if (kw(t, "DURATION")) {
      if (ddl_token(&p, d->duration, sizeof d->duration) != 1)
        return "DURATION without a value";
    } else if (kw(t, "SHARD")) {
      if (ddl_token(&p, t, sizeof t) != 1 || !kw(t, "DURATION") ||
          ddl_token(&p, d->shard, sizeof d->shard) != 1)
        return "SHARD DURATION without a value";
    } else if (kw(t, "REPLICATION")) {
      if (ddl_token(&p, t, sizeof t) != 1 ||
          parse_int(t, 1, 1000, &d->replication))
        return "REPLICATION is not a number 1-1000";
    } else if (kw(t, "NAME") && d->kind == 1) {
      if (ddl_token(&p, d->rp, sizeof d->rp) != 1)
        return "NAME without a value";
    } else if (kw(t, "DEFAULT") && d->kind == 2) {
      d->is_default = 1;
    } else {
      return "unexpected word in the statement";
    }
  }
  if (r < 0)
    return "malformed identifier";
  influx_error e = {0};
  if ((d->duration[0] && influx_duration_check(d->duration, 1, &e)) ||
      (d->shard[0] && influx_duration_check(d->shard, 0, &e)))
    return "not a duration";
  if (d->kind == 2 && !d->duration[0])
    return "CREATE RETENTION POLICY needs a DURATION";
  return NULL;
}

/* "already exists" and "conflicts" answers mean the target is there. */
static int exists_already(const influx_error *e) {
  return strstr(e->message, "already exists") ||
         strstr(e->message, "conflicts with an existing policy");
}

/* Runs CREATE DATABASE [WITH ... NAME rp]: the database is created (the
 * server's CREATE DATABASE is idempotent) and the named RP made to exist.
 * influx_inspect writes one such line per RP of a database, which the
 * server refuses for the second RP ("conflicts with an existing policy"):
 * here that RP is created beside the default instead. */
static influx_status ddl_database(importer *im, const ddl *d,
                                  influx_error *err) {
  influx_status st = influx_create_database(im->c, d->name, err);
  if (st || (!d->rp[0] && !d->duration[0] && !d->shard[0] && !d->replication))
    return st;
  const char *rp = d->rp[0] ? d->rp : "autogen";
  influx_rp_list l = {0};
  st = influx_get_list_retention_policies(im->c, d->name, &l, err);
  int have = 0;
  for (size_t i = 0; !st && i < l.count; i++)
    have |= !strcmp(l.items[i].name, rp);
  influx_rp_list_clear(&l);
  if (st || have)
    return st;
  return influx_create_retention_policy(
      im->c, rp, d->duration[0] ? d->duration : "INF",
      d->replication ? (int)d->replication : 1, d->name, 0,
      d->shard[0] ? d->shard : NULL, err);
}

static int ddl_line(importer *im, const char *s, size_t n, uint64_t gline) {
  char *text = strndup(s, n);
  if (!text)
    return cli_fail("import", INFLUX_ERR_NOMEM, NULL);
  ddl d;
  const char *why = ddl_parse(text, &d);
  free(text);
  influx_error err = {0};
  influx_status st = INFLUX_OK;
  if (!why) {
    st = d.kind == 1 ? ddl_database(im, &d, &err)
                     : influx_create_retention_policy(
                           im->c, d.name, d.duration,
                           d.replication ? (int)d.replication : 1, d.db,
                           d.is_default, d.shard[0] ? d.shard : NULL, &err);
    if (st && d.kind == 2 && exists_already(&err))
      st = INFLUX_OK; /* the policy is there: its settings are kept */
    if (st == INFLUX_ERR_NETWORK || st == INFLUX_ERR_TIMEOUT ||
        st == INFLUX_ERR_TLS || st == INFLUX_ERR_AUTH)
      return cli_fail("import: DDL", st, &err);
    why = st ? err.message : NULL;
  }
  im->ddl_run++;
  if (why) {
    pthread_mutex_lock(&im->mu);
    report_line(im, gline, why, strlen(why));
    pthread_mutex_unlock(&im->mu);
    im->ddl_failed++;
  }
  return 0;
}

typedef struct feed {
  importer *im;
  chunk *c;
  uint64_t skip;
  double *next_progress;
} feed;

static int feed_line(void *u, const char *s, size_t n, uint64_t gline) {
  feed *f = u;
  importer *im = f->im;
  if (*s == '#')
    return directive(im, s, n, gline);
  if (gline <= f->skip)
    return 0;
  if (im->section == 1)
    return ddl_line(im, s, n, gline);
  if (im->want_switch) {
    int rc = ctx_apply(im, f->c);
    if (rc)
      return rc;
  }
  if (chunk_add(f->c, s, n, gline))
    return cli_fail("import", INFLUX_ERR_NOMEM, NULL);
  return f->c->n >= 1000 ? chunk_flush(f->im, f->c) : 0;
}

static void feed_tick(void *u, gzFile in, size_t n) {
  feed *f = u;
  importer *im = f->im;
  off_t o = gzoffset(in);
  im->bytes_done = o >= 0 ? im->bytes_base + (uint64_t)o : im->bytes_done + n;
  if (now_s() >= *f->next_progress) {
    show_progress(im, 0);
    *f->next_progress = now_s() + (im->tty ? 0.2 : im->interval);
  }
}

static int feed_lines(importer *im, gzFile in, uint64_t *gline, uint64_t skip,
                      chunk *c, double *next_progress) {
  feed f = {im, c, skip, next_progress};
  return cli_read_lines(in, gline, feed_line, &f, feed_tick, 1);
}

/* ---- CSV (RFC 4180) ---- */

/* One CSV record to a line; NULL message on success. Column types follow
 * csv.h's one rule; a column still untyped (empty in the first block)
 * takes the type of its first value. */
static const char *csv_encode(importer *im, influx_lines *lb, csv_row *hdr,
                              int *types, csv_row *r, influx_error *err) {
  if (r->n != hdr->n)
    return "has a different number of cells than the header";
  if (influx_lines_begin(lb, im->measurement, err))
    return err->message;
  int fields = 0;
  for (size_t i = 0; i < r->n; i++) {
    const char *v = r->cells[i], *k = hdr->cells[i];
    influx_status st = INFLUX_OK;
    if (!*v || types[i] == CSV_SKIP)
      continue;
    if (types[i] == CSV_AUTO)
      types[i] = csv_infer(r, 1, i);
    char *end;
    switch (types[i]) {
    case CSV_TAG:
      st = influx_lines_tag(lb, k, v, err);
      break;
    case CSV_TIME: {
      long long t = strtoll(v, &end, 10);
      int64_t ns;
      if (!*end)
        st = influx_lines_time(lb, t, im->precision, err);
      else if (!influx_time_parse(v, &ns))
        st = influx_lines_time(lb, ns, "n", err);
      else
        return "has a time that is neither an integer nor RFC3339";
      break;
    }
    case CSV_INT: {
      long long x = strtoll(v, &end, 10);
      if (*end)
        return "has a non-integer value in an int column";
      st = influx_lines_int(lb, k, x, err);
      fields++;
      break;
    }
    case CSV_BOOL:
      if (!csv_is_bool(v) && strcmp(v, "1") && strcmp(v, "0"))
        return "has a non-boolean in a bool column";
      st = influx_lines_bool(lb, k,
                             !strcmp(v, "true") || !strcmp(v, "1") ||
                                 !strcmp(v, "TRUE") || !strcmp(v, "True"),
                             err);
      fields++;
      break;
    case CSV_STR:
      st = influx_lines_string(lb, k, v, err);
      fields++;
      break;
    case CSV_FLOAT:
    default: {
      double d = strtod(v, &end);
      if (*end)
        return "has a non-number in a float column";
      st = influx_lines_float(lb, k, d, err);
      fields++;
      break;
    }
    }
    if (st)
      return err->message;
  }
  if (!fields) {
    influx_lines_reset(lb); /* drops the started point */
    return "has no field values";
  }
  if (influx_lines_end(lb, err))
    return err->message;
  return NULL;
}

/* One record on its way: encoded, or reported by FILE:LINE. */
static int csv_out(importer *im, influx_lines *lb, csv_row *hdr, int *types,
                   csv_row *r, uint64_t start, chunk *c, gzFile in,
                   double *next_progress) {
  influx_error err = {0};
  influx_lines_reset(lb);
  const char *why = csv_encode(im, lb, hdr, types, r, &err);
  if (why) {
    report_line(im, start, why, strlen(why));
    im->rejected_lines++;
    return 0;
  }
  int rc = 0;
  size_t l = influx_lines_len(lb);
  if (chunk_add(c, influx_lines_data(lb), l ? l - 1 : 0, start))
    rc = cli_fail("import", INFLUX_ERR_NOMEM, NULL);
  if (!rc && c->n >= 1000)
    rc = chunk_flush(im, c);
  if (gzoffset(in) >= 0)
    im->bytes_done = im->bytes_base + (uint64_t)gzoffset(in);
  if (now_s() >= *next_progress) {
    show_progress(im, 0);
    *next_progress = now_s() + (im->tty ? 0.2 : im->interval);
  }
  return rc;
}

static int feed_csv(importer *im, gzFile in, uint64_t *gline, uint64_t skip,
                    chunk *c, double *next_progress) {
  csv_row hdr = {0};
  csv_row *rows = calloc(CSV_INFER_ROWS, sizeof *rows);
  uint64_t *starts = calloc(CSV_INFER_ROWS, sizeof *starts);
  int rc = 0;
  uint64_t lines = 0;
  int *types = NULL;
  influx_lines *lb = influx_lines_new();
  influx_error err = {0};
  if (!lb || !rows || !starts ||
      influx_lines_set_precision(lb, im->precision, &err)) {
    rc = cli_fail("import", err.code ? err.code : INFLUX_ERR_NOMEM, &err);
    goto out;
  }
  int got = csv_read(in, &hdr, &lines);
  uint64_t base = *gline;
  if (got <= 0) {
    *gline = base + lines;
    goto out;
  }
  types = calloc(hdr.n, sizeof *types);
  if (!types) {
    rc = cli_fail("import", INFLUX_ERR_NOMEM, NULL);
    goto out;
  }
  for (size_t i = 0; i < hdr.n; i++)
    if ((types[i] = csv_column_kind(hdr.cells[i], im->tag_cols, im->ntag_cols,
                                    im->time_col, im->type_spec, im->ntypes)) <
        0) {
      fprintf(stderr, "influxc: --field-types: unknown type for %s\n",
              hdr.cells[i]);
      rc = EXIT_USAGE;
      goto out;
    }
  /* Rows are read ahead into `rows` until the columns are typed, then
   * one at a time into rows[0]. */
  size_t nbuf = 0;
  int typed = 0;
  while (!rc && !interrupted) {
    csv_row *r = &rows[typed ? 0 : nbuf];
    uint64_t start = base + lines + 1;
    got = csv_read(in, r, &lines);
    if (got > 0 && start <= skip)
      continue;
    if (got > 0 && r->n == 1 && !r->cells[0][0])
      continue; /* blank line */
    if (!typed && got > 0) {
      starts[nbuf++] = start;
      if (nbuf < CSV_INFER_ROWS)
        continue;
    }
    if (!typed) { /* the first block is in: type the columns, send it */
      typed = 1;
      for (size_t k = 0; k < hdr.n; k++)
        if (types[k] == CSV_AUTO)
          types[k] = csv_infer(rows, nbuf, k);
      for (size_t i = 0; i < nbuf && !rc; i++)
        rc = csv_out(im, lb, &hdr, types, &rows[i], starts[i], c, in,
                     next_progress);
      if (got > 0)
        continue;
    }
    if (got == 0 || rc)
      break;
    if (got < 0) {
      report_line(im, start, "malformed CSV record", 20);
      im->rejected_lines++;
      break;
    }
    rc = csv_out(im, lb, &hdr, types, r, start, c, in, next_progress);
  }
  *gline = base + lines;
out:
  influx_lines_free(lb);
  free(types);
  csv_row_free(&hdr);
  for (size_t i = 0; rows && i < CSV_INFER_ROWS; i++)
    csv_row_free(&rows[i]);
  free(rows);
  free(starts);
  return rc;
}

/* With an explicit --database, the head of each file (where an export's
 * first CONTEXT line stands) is read first, so a conflict is refused
 * before any statement runs or any point is sent. */
static influx_status check_heads(importer *im, const char *const *files,
                                 int nfiles, int *rc) {
  for (int i = 0; i < nfiles && !*rc; i++) {
    if (!strcmp(files[i], "-"))
      continue;
    gzFile in = gzopen(files[i], "rb");
    if (!in)
      continue; /* reported when it is read */
    static char head[65536];
    int n = gzread(in, head, sizeof head - 1);
    gzclose(in);
    if (n <= 0)
      continue;
    head[n] = 0;
    /* Numbered within this file alone. */
    source_file *all = im->files, one = im->files[i];
    int nall = im->nfiles;
    one.first_gline = 1;
    im->files = &one;
    im->nfiles = 1;
    uint64_t lineno = 1;
    for (char *l = head; *l && !*rc;) {
      char *nl = strchr(l, '\n');
      if (!nl && n == (int)sizeof head - 1)
        break; /* a cut last line */
      size_t len = nl ? (size_t)(nl - l) : strlen(l);
      if (len > 19 && !strncmp(l, "# CONTEXT-DATABASE:", 19))
        *rc = directive(im, l, len, lineno);
      lineno++;
      if (!nl)
        break;
      l = nl + 1;
    }
    im->files = all;
    im->nfiles = nall;
  }
  /* Only a check: the targets are taken when the files are read. */
  free(im->want_db);
  free(im->want_rp);
  im->want_db = im->want_rp = NULL;
  im->want_switch = im->file_has_context = 0;
  return INFLUX_OK;
}

static const char *import_help =
    "usage: influxc import [--format line|csv] [--precision P] [--rp RP]\n"
    "       [--batch-size N] [--buffer-size MB] [--skip N] [--quiet]\n"
    "       [--progress] [--progress-interval SECONDS]\n"
    "       [--measurement M --tag-columns a,b --time-column t\n"
    "        --field-types col=float|int|string|bool|skip,...] FILE...\n"
    "Imports line protocol or CSV files (gzip-compressed or not; - is\n"
    "stdin), streamed over --pool-size connections. Rejected lines are\n"
    "reported with FILE:LINE. --skip N skips the first N input lines\n"
    "(physical lines, counted over all files), as printed after Ctrl-C. "
    "Without a\n"
    "terminal, progress is a line every --progress-interval seconds\n"
    "(default 5). At most\n"
    "--buffer-size MB (default 64) wait in memory for the server.\n"
    "CSV: a header row names the columns; --tag-columns are tags, the time\n"
    "column (default \"time\") is RFC3339 or an integer in --precision, the\n"
    "rest are fields of one type per column: --field-types\n"
    "col=float|int|string|bool|skip, or inferred from the first 1000 rows\n"
    "(all numbers: float; all true/false: bool; else string). Rows that do\n"
    "not fit are reported by FILE:LINE and not sent; empty cells are\n"
    "omitted.";

typedef struct import_args {
  const char *format, *precision, *rp, *measurement, *tags, *time_col, *types;
  long batch, buffer_mb, skip;
  double interval;
  int quiet, progress;
} import_args;
const cli_opt import_opts[] = {
    CLI_OPT_CHOICE("--format", import_args, format, "line|csv"),
    CLI_OPT_CHOICE("--precision", import_args, precision, CLI_PRECISIONS),
    CLI_OPT_RP(import_args, rp),
    CLI_OPT_BATCH_SIZE(import_args, batch),
    {"--buffer-size", 0, CLI_LONG, offsetof(import_args, buffer_mb), 1, 65536,
     NULL},
    {"--skip", 0, CLI_LONG, offsetof(import_args, skip), 0, LONG_MAX, NULL},
    {"--progress-interval", 0, CLI_SECONDS, offsetof(import_args, interval), 50,
     86400000, NULL},
    CLI_OPT_STRING("--measurement", import_args, measurement),
    CLI_OPT_STRING("--tag-columns", import_args, tags),
    CLI_OPT_STRING("--time-column", import_args, time_col),
    CLI_OPT_STRING("--field-types", import_args, types),
    {"--quiet", 'q', CLI_FLAG, offsetof(import_args, quiet), 0, 0, NULL},
    CLI_OPT_FLAG("--progress", import_args, progress),
    CLI_OPT_END};

int cmd_import(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts(import_help);
    return 0;
  }
  static importer im;
  memset(&im, 0, sizeof im);
  pthread_mutex_init(&im.mu, NULL);
  import_args ia = {.time_col = "time",
                    .interval = 5.0,
                    .batch = INFLUX_DEFAULT_BATCH_SIZE,
                    .buffer_mb = 64};
  const char *files[256];
  int nfiles = 0;
  if (cli_parse(argc, argv, g, "import", import_opts, &ia, files, 256, &nfiles))
    return EXIT_USAGE;
  im.time_col = ia.time_col;
  im.interval = ia.interval;
  im.measurement = ia.measurement;
  im.quiet = ia.quiet;
  const char *format = ia.format, *tags = ia.tags, *types = ia.types;
  int force_progress = ia.progress;
  long batch = ia.batch, skip = ia.skip, buffer_mb = ia.buffer_mb;
  influx_writer_options wo = {0};
  if (ia.precision)
    wo.precision = ia.precision[0] == 'n' ? "n" : ia.precision;
  wo.retention_policy = ia.rp;
  if (format)
    im.csv = !strcmp(format, "csv");
  if (!nfiles)
    return usage_error("%s", "no input file (use - for stdin)");
  if (!format)
    for (int i = 0; i < nfiles; i++) {
      size_t l = strlen(files[i]);
      if ((l > 4 && !strcmp(files[i] + l - 4, ".csv")) ||
          (l > 7 && !strcmp(files[i] + l - 7, ".csv.gz")))
        im.csv = 1;
    }
  if (im.csv && !im.measurement)
    return usage_error("%s", "CSV input needs --measurement");
  im.precision = wo.precision;
  if (csv_split_list(tags, &im.tag_cols, &im.ntag_cols) ||
      csv_split_list(types, &im.type_spec, &im.ntypes))
    return cli_fail("import", INFLUX_ERR_NOMEM, NULL);
  source_file sf[256];
  im.files = sf;
  im.nfiles = nfiles;
  for (int i = 0; i < nfiles; i++) {
    struct stat sb;
    sf[i] = (source_file){files[i], 0, 0};
    if (strcmp(files[i], "-") && stat(files[i], &sb)) {
      fprintf(stderr, "influxc: cannot open %s: %s\n", files[i],
              strerror(errno));
      csv_free_list(im.tag_cols, im.ntag_cols);
      csv_free_list(im.type_spec, im.ntypes);
      return EXIT_INPUT;
    }
    if (strcmp(files[i], "-"))
      im.bytes_total += (uint64_t)sb.st_size;
  }
  influx_client *c;
  int rc = make_client(g, &c);
  if (rc) {
    csv_free_list(im.tag_cols, im.ntag_cols);
    csv_free_list(im.type_spec, im.ntypes);
    return rc;
  }
  wo.batch_size = (size_t)batch;
  /* Memory stays under the buffer; batches are at most half of it. */
  wo.buffer_limit = (size_t)buffer_mb << 20;
  wo.batch_bytes = wo.buffer_limit / 2 < INFLUX_DEFAULT_BATCH_BYTES
                       ? wo.buffer_limit / 2
                       : INFLUX_DEFAULT_BATCH_BYTES;
  wo.parallel = g->o.pool_size ? g->o.pool_size : 2;
  wo.on_error = on_error;
  wo.user = &im;
  /* An import waits for a server that is briefly away, then gives up on a
   * batch (reported) rather than hanging forever. */
  wo.max_retries = 10;
  wo.max_retry_time_ms = 120000;
  if (g->o.retries == INFLUX_RETRIES_UNTIL_SUCCESS) { /* --retries 0 */
    wo.max_retries = INFLUX_RETRIES_UNTIL_SUCCESS;
    wo.max_retry_time_ms = -1;
  } else if (g->o.retries > 0) {
    wo.max_retries = g->o.retries;
  }
  im.c = c;
  im.wo = wo;
  im.flag_db = g->database_flag ? g->o.database : NULL;
  im.flag_rp = wo.retention_policy;
  influx_error err = {0};
  influx_status st =
      ctx_push(&im, NULL, wo.retention_policy) ? INFLUX_ERR_NOMEM : INFLUX_OK;
  if (!st && im.flag_db)
    st = check_heads(&im, files, nfiles, &rc);
  if (st || rc) {
    influx_client_free(c);
    csv_free_list(im.tag_cols, im.ntag_cols);
    csv_free_list(im.type_spec, im.ntypes);
    return rc ? rc : cli_fail("import", st, &err);
  }
  im.tty = force_progress || isatty(STDERR_FILENO);
  im.t0 = now_s();
  struct sigaction sa = {0};
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESTART; /* reads carry on; the loop checks the flag */
  sigaction(SIGINT, &sa, NULL);
  chunk ch = {0};
  uint64_t gline = 0;
  double next_progress = now_s() + 0.2;
  for (int i = 0; i < nfiles && !rc && !interrupted; i++) {
    sf[i].first_gline = gline + 1;
    gzFile in = strcmp(files[i], "-") ? gzopen(files[i], "rb")
                                      : gzdopen(dup(STDIN_FILENO), "rb");
    if (!in) {
      fprintf(stderr, "influxc: cannot open %s: %s\n", files[i],
              strerror(errno));
      rc = EXIT_INPUT;
      break;
    }
    gzbuffer(in, 1 << 17);
    im.bytes_base = im.bytes_done;
    rc = im.csv
             ? feed_csv(&im, in, &gline, (uint64_t)skip, &ch, &next_progress)
             : feed_lines(&im, in, &gline, (uint64_t)skip, &ch, &next_progress);
    /* Lines read are handed over even when interrupted, so "resume after
     * line N" is exact. */
    if (!rc)
      rc = chunk_flush(&im, &ch);
    if (gzoffset(in) >= 0)
      im.bytes_done = im.bytes_base + (uint64_t)gzoffset(in);
    gzclose(in);
  }
  free(ch.data);
  free(ch.glines);
  /* A second Ctrl-C while delivering what was accepted ends at once. */
  if (interrupted) {
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    clear_progress(&im);
    fprintf(stderr,
            "influxc: interrupted; delivering the %llu points "
            "already accepted (Ctrl-C again to abandon them)\n",
            (unsigned long long)im.accepted);
  }
  writer_stop(&im);
  influx_status cst = im.close_status;
  clear_progress(&im);
  double dt = now_s() - im.t0;
  uint64_t written = im.written_total;
  if (!im.quiet || interrupted) {
    fprintf(stderr,
            "influxc: imported %llu points from %d file%s (%.1f MB) in %.1f "
            "s, %.0f points/s; %llu line%s rejected\n",
            (unsigned long long)written, nfiles, nfiles == 1 ? "" : "s",
            (double)im.bytes_done / 1e6, dt,
            dt > 0 ? (double)written / dt : 0.0,
            (unsigned long long)im.rejected_lines,
            im.rejected_lines == 1 ? "" : "s");
    if (im.unconfirmed)
      fprintf(stderr,
              "influxc:   %llu of them sent whole with no answer: the "
              "server may have stored them\n",
              (unsigned long long)im.unconfirmed);
    if (im.ddl_run)
      fprintf(stderr, "influxc:   %llu DDL statement%s run, %llu failed\n",
              (unsigned long long)im.ddl_run, im.ddl_run == 1 ? "" : "s",
              (unsigned long long)im.ddl_failed);
    /* Per target, in the order first used, when the file named any. */
    for (size_t i = 0; im.file_has_context && i < im.nctx; i++) {
      const context *cx = &im.ctx[i];
      if (!cx->written && !cx->rejected)
        continue;
      size_t j = 0; /* the same target again later: counted there */
      while (j < i &&
             !(same(im.ctx[j].db, cx->db) && same(im.ctx[j].rp, cx->rp)))
        j++;
      if (j < i)
        continue;
      uint64_t w = 0, r = 0;
      for (size_t k = i; k < im.nctx; k++)
        if (same(im.ctx[k].db, cx->db) && same(im.ctx[k].rp, cx->rp))
          w += im.ctx[k].written, r += im.ctx[k].rejected;
      fputs("influxc:   ", stderr);
      term_fputs(stderr, cx->db          ? cx->db
                         : g->o.database ? g->o.database
                                         : "(default database)");
      fputc('.', stderr);
      term_fputs(stderr, cx->rp ? cx->rp : "(default RP)");
      fprintf(stderr, ": %llu points written, %llu rejected\n",
              (unsigned long long)w, (unsigned long long)r);
    }
  }
  report_hosts(c, g, !im.quiet || interrupted);
  if (interrupted) {
    /* Everything up to the last input line read is settled now. */
    fprintf(stderr,
            "influxc: stopped after input line %llu; resume with --skip "
            "%llu\n",
            (unsigned long long)gline, (unsigned long long)gline);
    rc = EXIT_INTERRUPTED;
  } else if (!rc && (im.rejected_lines || im.ddl_failed || cst)) {
    /* One mapping for every command: some stored and some not is
     * partial; nothing stored at all is a refusal. */
    rc = written ? EXIT_PARTIAL : im.unreachable ? EXIT_CONNECT : EXIT_QUERY;
  }
  for (size_t i = 0; i < im.nctx; i++) {
    free(im.ctx[i].db);
    free(im.ctx[i].rp);
  }
  free(im.ctx);
  free(im.want_db);
  free(im.want_rp);
  influx_client_free(c);
  free(im.spans);
  csv_free_list(im.tag_cols, im.ntag_cols);
  csv_free_list(im.type_spec, im.ntypes);
  pthread_mutex_destroy(&im.mu);
  return rc;
}
