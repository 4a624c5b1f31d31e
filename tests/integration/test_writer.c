/* The batching writer and the series helper against a real influxd (its
 * own server here, so it can be killed and restarted) and the fake server
 * for 5xx/429/dropped connections/slow answers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define T0 1500000000000000000LL

static char own_dir[512];
static char ctl[512];

static int ctl_run(const char *cmd) {
  char line[1200];
  snprintf(line, sizeof line, "%s %s %s >/dev/null", ctl, cmd, own_dir);
  return system(line);
}

static int setup_own(void **state) {
  (void)state;
  const char *src = getenv("INFLUXC_SOURCE_DIR");
  const char *srv = getenv("INFLUXC_SRV_DIR");
  if (!src || !srv)
    return -1;
  snprintf(ctl, sizeof ctl, "%s/tests/support/influxd-ctl", src);
  snprintf(own_dir, sizeof own_dir, "%s/writer-own-%d", srv, (int)getpid());
  char line[1200];
  snprintf(line, sizeof line, "%s start %s plain >/dev/null", ctl, own_dir);
  return system(line) == 0 ? 0 : -1;
}

static int teardown_own(void **state) {
  (void)state;
  ctl_run("stop");
  char line[1200];
  snprintf(line, sizeof line, "rm -rf %s", own_dir);
  return system(line) == 0 ? 0 : -1;
}

static int own_port(void) {
  char p[600];
  snprintf(p, sizeof p, "%s/port", own_dir);
  FILE *f = fopen(p, "r");
  int port = 0;
  if (f) {
    if (fscanf(f, "%d", &port) != 1)
      port = 0;
    fclose(f);
  }
  return port;
}

static influx_client *own_client(const char *db) {
  influx_options o = {
      .host = "127.0.0.1", .port = own_port(), .database = db, .retries = 1};
  influx_client *c = NULL;
  influx_error err = {0};
  if (influx_client_new(&o, &c, &err))
    fail_msg("client: %s", err.message);
  return c;
}

static long count_points(influx_client *c, const char *db, const char *m) {
  char q[200];
  snprintf(q, sizeof q, "SELECT count(v) FROM \"%s\"", m);
  return (long)th_count(c, db, q);
}

static int64_t get_i64(const influx_series *s, size_t row, size_t col) {
  int64_t v = 0;
  assert_int_equal(influx_series_get_int(s, row, col, &v), INFLUX_OK);
  return v;
}

static void fill(influx_point *p, influx_tag *tag, influx_field *f,
                 const char *host, int64_t i) {
  *tag = (influx_tag){"host", host};
  *f = (influx_field)INFLUX_F_INT("v", i);
  *p = (influx_point){"m", tag, 1, f, 1, T0 + i * 1000, 1, NULL};
}

/* Writes points [from, to) with host `host`, `chunk` per call. */
static void write_range(influx_writer *w, const char *host, int64_t from,
                        int64_t to, size_t chunk) {
  influx_point *p = calloc(chunk, sizeof *p);
  influx_tag *t = calloc(chunk, sizeof *t);
  influx_field *f = calloc(chunk, sizeof *f);
  for (int64_t i = from; i < to;) {
    size_t n = 0;
    for (; n < chunk && i < to; n++, i++)
      fill(&p[n], &t[n], &f[n], host, i);
    influx_error err = {0};
    if (influx_writer_write(w, p, n, &err))
      fail_msg("writer_write: %s", err.message);
  }
  free(p);
  free(t);
  free(f);
}

/* ---- callbacks recording what they were told ---- */

typedef struct seen {
  pthread_mutex_t mu;
  uint64_t err_points, drop_points;
  int err_calls, drop_calls;
  influx_status last_st;
  char last_msg[512];
  char first_lines[256];
  uint64_t drop_seq_sum;
} seen;

static void on_err(void *u, const influx_writer_batch *b, influx_status st,
                   const influx_error *e) {
  seen *s = u;
  pthread_mutex_lock(&s->mu);
  s->err_points += b->npoints;
  s->err_calls++;
  s->last_st = st;
  snprintf(s->last_msg, sizeof s->last_msg, "%s", e->message);
  if (!s->first_lines[0])
    snprintf(s->first_lines, sizeof s->first_lines, "%.*s",
             (int)(b->len < 200 ? b->len : 200), b->lines);
  pthread_mutex_unlock(&s->mu);
}

static void on_drop(void *u, const influx_writer_batch *b) {
  seen *s = u;
  pthread_mutex_lock(&s->mu);
  s->drop_points += b->npoints;
  s->drop_calls++;
  s->drop_seq_sum += b->first_seq;
  pthread_mutex_unlock(&s->mu);
}

/* ---- many producers ---- */

typedef struct prod {
  influx_writer *w;
  char host[16];
  int64_t from, to;
} prod;

static void *producer(void *u) {
  prod *p = u;
  write_range(p->w, p->host, p->from, p->to, 250);
  return NULL;
}

/* 8 threads write `each` points apiece (host h0..h7) and are joined. */
static void run_producers(influx_writer *w, int64_t each) {
  pthread_t th[8];
  prod ps[8];
  for (int i = 0; i < 8; i++) {
    ps[i] = (prod){w, "", i * each, (i + 1) * each};
    snprintf(ps[i].host, sizeof ps[i].host, "h%d", i);
    pthread_create(&th[i], NULL, producer, &ps[i]);
  }
  for (int i = 0; i < 8; i++)
    pthread_join(th[i], NULL);
}

static void test_many_producers(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "wr_many");
  influx_writer_options o = {.database = db, .batch_size = 1000, .parallel = 2};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  run_producers(w, 5000);
  influx_writer_stats st;
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(st.accepted, 40000);
  assert_int_equal(st.written, 40000);
  assert_int_equal(st.rejected, 0);
  assert_int_equal(st.pending, 0);
  assert_int_equal(st.settled_through, 40000);
  assert_int_equal(count_points(c, db, "m"), 40000);
  influx_client_free(c);
}

/* Series and times repeat, written over 4 lanes in batches of 50, as
 * points and as lines whose tags come in either order: what the server
 * keeps for each (series, time) is the last value written (issue 24). */
static void test_later_points_win(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "wr_order");
  enum { NS = 10, NT = 5, REP = 100, N = NS * NT * REP };
  char spool[600];
  snprintf(spool, sizeof spool, "%s/order-spool-%d", getenv("INFLUXC_SRV_DIR"),
           (int)getpid());
  for (int round = 0; round < 4; round++) {
    influx_writer_options o = {.database = db,
                               .batch_size = 50,
                               .parallel = 4,
                               .spool_dir = round == 3 ? spool : NULL};
    influx_writer *w;
    influx_error err = {0};
    assert_ok(influx_writer_new(c, &o, &w, &err), &err);
    for (size_t i = 0; i < N; i += 25) {
      char buf[25 * 64];
      size_t len = 0;
      influx_point pts[25];
      influx_tag tags[25][2];
      influx_field f[25];
      char hosts[25][8];
      for (size_t k = 0; k < 25; k++) {
        size_t x = i + k;
        int sr = (int)(x % NS), tm = (int)((x / NS) % NT) + 1;
        long long v = (long long)(x + (size_t)round * N);
        snprintf(hosts[k], sizeof hosts[k], "h%d", sr);
        if (round % 2)
          len += (size_t)snprintf(buf + len, sizeof buf - len,
                                  x & 1 ? "m,host=%s,dc=x v=%lldi %d\n"
                                        : "m,dc=x,host=%s v=%lldi %d\n",
                                  hosts[k], v, tm);
        tags[k][0] = (influx_tag){"host", hosts[k]};
        tags[k][1] = (influx_tag){"dc", "x"};
        f[k] = (influx_field)INFLUX_F_INT("v", v);
        pts[k] = (influx_point){"m", tags[k], 2, &f[k], 1, tm, 1, NULL};
      }
      if (round % 2)
        assert_ok(influx_writer_write_lines(w, buf, len, &err), &err);
      else
        assert_ok(influx_writer_write(w, pts, 25, &err), &err);
    }
    influx_writer_stats st;
    assert_ok(influx_writer_close(w, &st, &err), &err);
    influx_writer_free(w);
    assert_int_equal(st.written, N);
    assert_int_equal(st.settled_through, N);
    char who[32];
    snprintf(who, sizeof who, "round %d", round);
    th_check_last_values(c, db, NS, NT,
                         (int64_t)((REP - 1) * NS * NT) + (int64_t)round * N,
                         who);
  }
  influx_client_free(c);
}

typedef struct seq_check {
  int calls;
  int bad;
} seq_check;

/* Each rejected line's seq names the line: line k of the write holds
 * "v=<k>i". */
static void check_seqs(void *u, const influx_writer_batch *b, influx_status st,
                       const influx_error *e) {
  (void)st;
  (void)e;
  seq_check *sc = u;
  sc->calls++;
  const char *p = b->lines;
  for (size_t k = 0; k < b->npoints; k++) {
    uint64_t seq = b->seqs ? b->seqs[k] : b->first_seq + k;
    const char *v = strstr(p, " v=");
    if (!v || strtoull(v + 3, NULL, 10) != seq)
      sc->bad++;
    p = strchr(p, '\n') + 1;
  }
}

/* With lanes a batch's lines are not one run of seqs: on_error gets each
 * line's seq. */
static void test_lane_batches_name_their_lines(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "wr_seqs");
  seq_check sc = {0};
  influx_writer_options o = {.database = db,
                             .batch_size = 20,
                             .parallel = 3,
                             .on_error = check_seqs,
                             .user = &sc};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  /* v is an integer in one measurement and the writes into "s" conflict
   * with its float: every batch of series s is refused. */
  assert_ok(influx_write(c, "s,h=0 v=1.5 1\n", 14,
                         &(influx_write_options){.database = db}, &err),
            &err);
  char buf[120 * 40];
  size_t len = 0;
  for (int k = 0; k < 120; k++)
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s,h=%d v=%di %d\n",
                            k % 3 ? "m" : "s", k % 7, k, k + 10);
  assert_ok(influx_writer_write_lines(w, buf, len, &err), &err);
  influx_writer_stats st;
  assert_int_equal(influx_writer_close(w, &st, &err), INFLUX_ERR_PARTIAL);
  influx_writer_free(w);
  assert_true(sc.calls > 0);
  assert_int_equal(sc.bad, 0);
  assert_int_equal(st.rejected, 40);
  assert_int_equal(st.written, 80);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

typedef struct large_seen {
  int calls;
  size_t rejected, npoints;
  long status;
} large_seen;

static void note_large(void *u, const influx_writer_batch *b, influx_status st,
                       const influx_error *e) {
  large_seen *ls = u;
  ls->calls++;
  ls->rejected += b->rejected;
  ls->npoints += b->npoints;
  ls->status = e->http_status;
  (void)st;
}

/* A batch over the server's body limit (server "small": max-body-size
 * 4096) is cut in pieces and stored; a line alone over the limit is the
 * only one rejected, the lines after it still sent (issue 24). */
static void test_too_large_is_split(void **state) {
  (void)state;
  influx_client *c = th_client("small", NULL);
  const char *db = th_new_db(c, "wr_large");
  large_seen ls = {0};
  influx_writer_options o = {
      .database = db, .parallel = 2, .on_error = note_large, .user = &ls};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  enum { N = 3000 };
  static char buf[N * 40 + 7000];
  size_t len = 0;
  for (int k = 0; k < N; k++) {
    if (k == 2000) {
      len += (size_t)snprintf(buf + len, sizeof buf - len, "big s=\"");
      memset(buf + len, 'x', 6000);
      len += 6000;
      len += (size_t)snprintf(buf + len, sizeof buf - len, "\" 1\n");
    }
    len += (size_t)snprintf(buf + len, sizeof buf - len, "m,h=%d v=%di %d\n",
                            k % 5, k, k / 5 + 1);
  }
  assert_ok(influx_writer_write_lines(w, buf, len, &err), &err);
  influx_writer_stats st;
  assert_int_equal(influx_writer_close(w, &st, &err), INFLUX_ERR_PARTIAL);
  influx_writer_free(w);
  assert_int_equal(st.written, N);
  assert_int_equal(st.rejected, 1);
  assert_int_equal(ls.rejected, 1);
  assert_int_equal(ls.status, 413);
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM m"), N);
  /* Every value once. */
  assert_int_equal(th_count(c, db, "SELECT sum(v) FROM m"),
                   (int64_t)N * (N - 1) / 2);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

/* Producers blocked on a full buffer never push a batch past batch_bytes
 * (the fake server refuses bodies over 4000 bytes). */
static void test_batches_stay_under_batch_bytes(void **state) {
  (void)state;
  influx_options extra = {.path = th_scenario("max4000"), .database = "db"};
  influx_client *c = th_client("fake2", &extra);
  seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  influx_writer_options o = {.batch_size = 100000,
                             .batch_bytes = 4000,
                             .buffer_limit = 8000,
                             .parallel = 2,
                             .on_error = on_err,
                             .user = &s};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  run_producers(w, 2000);
  influx_writer_stats st;
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(s.err_calls, 0);
  assert_int_equal(st.written, 16000);
  influx_client_free(c);
}

/* A partly filled batch goes out on the flush interval, without flush(). */
static void test_flush_interval(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "wr_interval");
  influx_writer_options o = {
      .database = db, .flush_interval_ms = 100, .jitter_ms = 20};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  write_range(w, "a", 0, 3, 3);
  long n = 0;
  for (int i = 0; i < 100 && n < 3; i++) {
    usleep(50000);
    n = count_points(c, db, "m");
  }
  assert_int_equal(n, 3);
  /* influxd shows the points as soon as it stored them; the writer's
   * thread counts them once it has read the 204, a moment later. */
  influx_writer_stats st;
  influx_writer_get_stats(w, &st);
  for (int i = 0; i < 100 && st.written < 3; i++) {
    usleep(10000);
    influx_writer_get_stats(w, &st);
  }
  assert_int_equal(st.written, 3);
  assert_ok(influx_writer_close(w, NULL, &err), &err);
  influx_writer_free(w);
  influx_client_free(c);
}

/* What cannot succeed is not retried: it goes to on_error with its lines. */
static void test_rejections_not_retried(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "wr_reject");
  seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  influx_writer_options o = {
      .database = db, .on_error = on_err, .user = &s, .retry_interval_ms = 1};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  /* v is an integer here, then a string: a field type conflict. */
  assert_ok(influx_writer_write_lines(w, "m v=1i 1\n", 9, &err), &err);
  assert_ok(influx_writer_flush(w, &err), &err);
  const char *bad = "m v=\"text\" 2\n";
  assert_ok(influx_writer_write_lines(w, bad, strlen(bad), &err), &err);
  assert_int_equal(influx_writer_flush(w, &err), INFLUX_ERR_PARTIAL);
  assert_non_null(strstr(err.message, "1 points not delivered"));
  assert_int_equal(s.err_calls, 1);
  assert_int_equal(s.err_points, 1);
  assert_int_equal(s.last_st, INFLUX_ERR_CLIENT);
  assert_non_null(strstr(s.last_msg, "field type conflict"));
  assert_string_equal(s.first_lines, bad);
  influx_writer_stats st;
  influx_writer_get_stats(w, &st);
  assert_int_equal(st.retries, 0);
  assert_int_equal(st.rejected, 1);
  /* A flush after that, with nothing new failing, is clean again. */
  assert_ok(influx_writer_write_lines(w, "m v=3i 3\n", 9, &err), &err);
  assert_ok(influx_writer_flush(w, &err), &err);
  assert_ok(influx_writer_close(w, NULL, &err), &err);
  influx_writer_free(w);
  /* A database that does not exist is not retried either. */
  memset(&s.err_calls, 0, sizeof s.err_calls);
  s.first_lines[0] = 0;
  o.database = "no_such_db_for_writer";
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  write_range(w, "a", 0, 10, 10);
  assert_int_equal(influx_writer_flush(w, &err), INFLUX_ERR_PARTIAL);
  assert_int_equal(s.err_calls, 1);
  assert_non_null(strstr(s.last_msg, "database not found"));
  influx_writer_get_stats(w, &st);
  assert_int_equal(st.retries, 0);
  assert_ok(influx_writer_close(w, NULL, &err), &err);
  influx_writer_free(w);
  influx_client_free(c);
}

/* 5xx, 429 and dropped connections are retried until they pass. */
static void test_transient_faults(void **state) {
  (void)state;
  const char *scen[] = {"e500x3", "e429x2", "dropx2"};
  for (int k = 0; k < 3; k++) {
    influx_options extra = {.path = th_scenario(scen[k]), .database = "db"};
    influx_client *c = th_client("fake2", &extra);
    influx_writer_options o = {.retry_interval_ms = 5,
                               .max_retry_delay_ms = 20};
    influx_writer *w;
    influx_error err = {0};
    assert_ok(influx_writer_new(c, &o, &w, &err), &err);
    write_range(w, "a", 0, 100, 100);
    influx_writer_stats st;
    assert_ok(influx_writer_close(w, &st, &err), &err);
    influx_writer_free(w);
    assert_int_equal(st.written, 100);
    assert_int_equal(st.retries, k == 0 ? 3 : 2);
    influx_client_free(c);
  }
}

/* Past max_retries the batch is given up, reported, and flush says so. */
static void test_give_up(void **state) {
  (void)state;
  influx_options extra = {.path = th_scenario("e500x100"), .database = "db"};
  influx_client *c = th_client("fake2", &extra);
  seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  influx_writer_options o = {
      .retry_interval_ms = 2, .max_retries = 2, .on_error = on_err, .user = &s};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  write_range(w, "a", 0, 7, 7);
  influx_writer_stats st;
  assert_int_equal(influx_writer_close(w, &st, &err), INFLUX_ERR_PARTIAL);
  influx_writer_free(w);
  assert_int_equal(st.rejected, 7);
  assert_int_equal(st.retries, 2);
  assert_int_equal(s.err_points, 7);
  assert_int_equal(s.last_st, INFLUX_ERR_SERVER);
  assert_non_null(strstr(s.last_msg, "gave up after 2 retries"));
  influx_client_free(c);

  /* A slow server past the timeout: timeouts are retried, then given up. */
  memset(&s.err_points, 0, sizeof s.err_points);
  influx_options slow = {
      .path = th_scenario("slow400"), .database = "db", .timeout_ms = 100};
  c = th_client("fake2", &slow);
  o.max_retries = 1;
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  write_range(w, "a", 0, 5, 5);
  assert_int_equal(influx_writer_close(w, &st, &err), INFLUX_ERR_PARTIAL);
  influx_writer_free(w);
  assert_int_equal(s.last_st, INFLUX_ERR_TIMEOUT);
  assert_int_equal(st.retries, 1);
  influx_client_free(c);
  /* ... and one that is slow but within the timeout just works. */
  influx_options slowok = {
      .path = th_scenario("slow150"), .database = "db", .timeout_ms = 2000};
  c = th_client("fake2", &slowok);
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  write_range(w, "a", 0, 5, 5);
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(st.written, 5);
  influx_client_free(c);
}

/* A server that accepts and never answers, no timeout, no stall bound:
 * max_retry_time still bounds the batch's wall time, its one request
 * included (issue 24: the writer waited forever). */
static void test_retry_time_bounds_a_hang(void **state) {
  (void)state;
  influx_options extra = {
      .path = th_scenario("hang"), .database = "db", .stall_timeout_ms = -1};
  influx_client *c = th_client("fake2", &extra);
  seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  influx_writer_options o = {.retry_interval_ms = 2,
                             .max_retries = INFLUX_RETRIES_UNTIL_SUCCESS,
                             .max_retry_time_ms = 1500,
                             .on_error = on_err,
                             .user = &s};
  influx_writer *w;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  write_range(w, "a", 0, 5, 5);
  influx_writer_stats st;
  assert_int_equal(influx_writer_close(w, &st, &err), INFLUX_ERR_PARTIAL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  influx_writer_free(w);
  double took =
      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  assert_true(took >= 1.4 && took < 8);
  assert_int_equal(st.rejected, 5);
  assert_int_equal(s.err_points, 5);
  assert_int_equal(s.last_st, INFLUX_ERR_TIMEOUT);
  assert_non_null(strstr(s.last_msg, "max_retry_time"));
  influx_client_free(c);
}

/* A loopback port nothing listens on: bound, noted, closed. */
static int dead_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t l = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
      getsockname(fd, (struct sockaddr *)&a, &l))
    fail_msg("cannot find a free port");
  close(fd);
  return ntohs(a.sin_port);
}

/* A bounded buffer: with DROP_OLDEST the oldest batches go, each reported
 * exactly; nothing is unaccounted for. */
static void test_overflow_drop_oldest(void **state) {
  (void)state;
  influx_options o0 = {.host = "127.0.0.1",
                       .port = dead_port(),
                       .database = "db",
                       .retries = 1,
                       .timeout_ms = 500};
  influx_client *c;
  influx_error err = {0};
  assert_ok(influx_client_new(&o0, &c, &err), &err);
  seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  influx_writer_options o = {.batch_size = 100,
                             .batch_bytes = 4000,
                             .buffer_limit = 8000,
                             .overflow = INFLUX_OVERFLOW_DROP_OLDEST,
                             .retry_interval_ms = 20,
                             .max_retry_time_ms = 300,
                             .on_error = on_err,
                             .on_drop = on_drop,
                             .user = &s};
  influx_writer *w;
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  write_range(w, "a", 0, 2000, 50);
  influx_writer_stats mid;
  influx_writer_get_stats(w, &mid);
  assert_true(mid.pending_bytes <= 8000);
  influx_writer_stats st;
  assert_int_equal(influx_writer_close(w, &st, &err), INFLUX_ERR_PARTIAL);
  influx_writer_free(w);
  assert_int_equal(st.accepted, 2000);
  assert_true(st.dropped > 0);
  assert_int_equal(st.dropped, s.drop_points);
  assert_int_equal(st.rejected, s.err_points);
  assert_int_equal(st.written + st.rejected + st.dropped, 2000);
  assert_int_equal(st.written, 0);
  influx_client_free(c);
}

/* With BLOCK a producer waits for room; here the server is down, so room
 * comes only when batches are given up after max_retry_time. */
typedef struct blocked {
  influx_writer *w;
  volatile int done;
} blocked;

static void *block_writer(void *u) {
  blocked *b = u;
  write_range(b->w, "a", 0, 1000, 50);
  b->done = 1;
  return NULL;
}

static void test_overflow_block(void **state) {
  (void)state;
  influx_options o0 = {
      .host = "127.0.0.1", .port = dead_port(), .database = "db", .retries = 1};
  influx_client *c;
  influx_error err = {0};
  assert_ok(influx_client_new(&o0, &c, &err), &err);
  influx_writer_options o = {.batch_size = 100,
                             .batch_bytes = 4000,
                             .buffer_limit = 8000,
                             .retry_interval_ms = 50,
                             .max_retry_time_ms = 600};
  influx_writer *w;
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  blocked b = {w, 0};
  pthread_t th;
  pthread_create(&th, NULL, block_writer, &b);
  usleep(300000);
  assert_int_equal(b.done, 0); /* still waiting for room */
  influx_writer_stats mid;
  influx_writer_get_stats(w, &mid);
  assert_true(mid.pending_bytes <= 8000);
  pthread_join(th, NULL);
  influx_writer_stats st;
  assert_int_equal(influx_writer_close(w, &st, &err), INFLUX_ERR_PARTIAL);
  influx_writer_free(w);
  assert_int_equal(st.accepted, 1000);
  assert_int_equal(st.rejected, 1000);
  assert_int_equal(st.dropped, 0);
  influx_client_free(c);
}

/* influxd is SIGKILLed in the middle of a 1M-point stream and restarted
 * seconds later: every point arrives, none twice. */
typedef struct killer {
  influx_writer *w;
  int killed, restarted;
} killer;

static void *kill_and_restart(void *u) {
  killer *k = u;
  influx_writer_stats st;
  do {
    usleep(20000);
    influx_writer_get_stats(k->w, &st);
  } while (st.written < 200000);
  k->killed = ctl_run("kill9") == 0;
  sleep(2);
  k->restarted = ctl_run("restart") == 0;
  return NULL;
}

static void test_server_killed_mid_stream(void **state) {
  (void)state;
  influx_client *c = own_client(NULL);
  influx_error err = {0};
  assert_ok(influx_create_database(c, "killdb", &err), &err);
  influx_writer_options o = {.database = "killdb",
                             .batch_size = 5000,
                             .parallel = 2,
                             .retry_interval_ms = 100,
                             .max_retry_delay_ms = 1000,
                             .max_retries = INFLUX_RETRIES_UNTIL_SUCCESS};
  influx_writer *w;
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  killer k = {w, 0, 0};
  pthread_t th;
  pthread_create(&th, NULL, kill_and_restart, &k);
  write_range(w, "a", 0, 1000000, 1000);
  pthread_join(th, NULL);
  assert_true(k.killed);
  assert_true(k.restarted);
  influx_writer_stats st;
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(st.written, 1000000);
  assert_true(st.retries > 0);
  assert_int_equal(count_points(c, "killdb", "m"), 1000000);
  /* Spot checks: values are where they belong. */
  const int64_t probe[] = {0, 199999, 200000, 500001, 999999};
  for (size_t i = 0; i < 5; i++) {
    char q[160];
    snprintf(q, sizeof q, "SELECT v FROM m WHERE time = %lld",
             (long long)(T0 + probe[i] * 1000));
    influx_result *r = th_query(c, "killdb", q);
    const influx_series *s = influx_result_series(r, 0, 0);
    assert_non_null(s);
    assert_int_equal(influx_series_row_count(s), 1);
    assert_int_equal(get_i64(s, 0, 1), probe[i]);
    influx_result_free(r);
  }
  influx_client_free(c);
}

/* Server down when the writer starts: points wait and go when it is up. */
static void test_server_down_at_start(void **state) {
  (void)state;
  influx_client *c = own_client(NULL);
  influx_error err = {0};
  assert_ok(influx_create_database(c, "downdb", &err), &err);
  assert_int_equal(ctl_run("kill9"), 0);
  influx_writer_options o = {.database = "downdb",
                             .retry_interval_ms = 100,
                             .max_retry_delay_ms = 500,
                             .max_retries = INFLUX_RETRIES_UNTIL_SUCCESS};
  influx_writer *w;
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  write_range(w, "a", 0, 12345, 1000);
  usleep(500000);
  influx_writer_stats st;
  influx_writer_get_stats(w, &st);
  assert_int_equal(st.written, 0);
  assert_int_equal(ctl_run("restart"), 0);
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(st.written, 12345);
  assert_int_equal(count_points(c, "downdb", "m"), 12345);
  influx_client_free(c);
}

/* ---- the spool ---- */

static void spool_path(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/spool-%s", own_dir, name);
}

/* The writer's own process is SIGKILLed mid-stream (its server down, so
 * nothing is delivered yet); a new writer on the same spool delivers
 * everything the dead one accepted. */
static void test_spool_survives_crash(void **state) {
  (void)state;
  char spool[600];
  spool_path(spool, sizeof spool, "crash");
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    influx_options o0 = {.host = "127.0.0.1",
                         .port = dead_port(),
                         .database = "spooldb",
                         .retries = 1};
    influx_client *c;
    influx_error err = {0};
    if (influx_client_new(&o0, &c, &err))
      _exit(3);
    influx_writer_options o = {.spool_dir = spool,
                               .batch_size = 700,
                               .retry_interval_ms = 1000,
                               .max_retries = INFLUX_RETRIES_UNTIL_SUCCESS,
                               .max_retry_time_ms = -1};
    influx_writer *w;
    if (influx_writer_new(c, &o, &w, &err))
      _exit(4);
    influx_point p[100];
    influx_tag t[100];
    influx_field f[100];
    for (int64_t i = 0;; i += 100) {
      for (int k = 0; k < 100; k++)
        fill(&p[k], &t[k], &f[k], "a", i + k);
      if (influx_writer_write(w, p, 100, &err))
        _exit(5);
      long long acc = i + 100;
      if (write(fds[1], &acc, sizeof acc) != sizeof acc)
        _exit(6);
    }
  }
  close(fds[1]);
  long long acc = 0, v;
  while (acc < 23456 && read(fds[0], &v, sizeof v) == sizeof v)
    acc = v;
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  while (read(fds[0], &v, sizeof v) == sizeof v)
    acc = v;
  close(fds[0]);
  assert_true(acc >= 23456);

  influx_client *c = own_client(NULL);
  influx_error err = {0};
  assert_ok(influx_create_database(c, "spooldb", &err), &err);
  influx_client_free(c);
  c = own_client("spooldb");
  influx_writer_options o = {.spool_dir = spool};
  influx_writer *w;
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  influx_writer_stats st;
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_true(st.recovered >= (uint64_t)acc);
  assert_int_equal(st.written, st.recovered);
  /* Every point the dead writer acknowledged is there, once. */
  char q[160];
  snprintf(q, sizeof q, "SELECT count(v) FROM m WHERE time < %lld",
           (long long)(T0 + acc * 1000));
  influx_result *r = th_query(c, "spooldb", q);
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_non_null(s);
  assert_int_equal(get_i64(s, 0, 1), acc);
  influx_result_free(r);
  assert_int_equal(count_points(c, "spooldb", "m"), (long)st.recovered);
  /* Delivered batches left the spool. */
  influx_writer *w2;
  assert_ok(influx_writer_new(c, &o, &w2, &err), &err);
  assert_ok(influx_writer_close(w2, &st, &err), &err);
  influx_writer_free(w2);
  assert_int_equal(st.recovered, 0);
  influx_client_free(c);
}

/* One spool, one writer. */
static void test_spool_locked(void **state) {
  (void)state;
  char spool[600];
  spool_path(spool, sizeof spool, "lock");
  influx_client *c = own_client("spooldb");
  influx_writer_options o = {.spool_dir = spool};
  influx_writer *w, *w2;
  influx_error err = {0};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  assert_int_equal(influx_writer_new(c, &o, &w2, &err), INFLUX_ERR_IO);
  assert_non_null(strstr(err.message, "in use by another writer"));
  assert_ok(influx_writer_close(w, NULL, &err), &err);
  influx_writer_free(w);
  influx_client_free(c);
}

/* A full disk under the spool: write() says so and how much it took;
 * everything it took is delivered. */
static void test_spool_disk_full(void **state) {
  (void)state;
  char spool[600];
  spool_path(spool, sizeof spool, "full");
  influx_client *c = own_client(NULL);
  influx_error err = {0};
  assert_ok(influx_create_database(c, "fulldb", &err), &err);
  influx_client_free(c);
  c = own_client("fulldb");
  influx_writer_options o = {.spool_dir = spool, .batch_size = 100};
  influx_writer *w;
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 3000; /* bytes per file: a batch of 100 lines is more */
  signal(SIGXFSZ, SIG_IGN);
  setrlimit(RLIMIT_FSIZE, &lim);
  influx_point p[10];
  influx_tag t[10];
  influx_field f[10];
  influx_status st = INFLUX_OK;
  int64_t i = 0;
  for (; i < 1000 && !st; i += 10) {
    for (int k = 0; k < 10; k++)
      fill(&p[k], &t[k], &f[k], "a", i + k);
    st = influx_writer_write(w, p, 10, &err);
  }
  setrlimit(RLIMIT_FSIZE, &old);
  assert_int_equal(st, INFLUX_ERR_IO);
  assert_non_null(strstr(err.message, "spool: cannot write"));
  influx_writer_stats s;
  influx_writer_get_stats(w, &s);
  assert_true(s.accepted > 0 && s.accepted < 1000);
  assert_ok(influx_writer_close(w, &s, &err), &err);
  influx_writer_free(w);
  assert_int_equal(s.written, s.accepted);
  assert_int_equal(count_points(c, "fulldb", "m"), (long)s.accepted);
  influx_client_free(c);
}

/* ---- arguments ---- */

static void test_writer_bad_arguments(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  influx_writer *w = (influx_writer *)1;
  influx_error err = {0};
  influx_writer_options o = {.database = "x", .batch_bytes = 30000000};
  assert_int_equal(influx_writer_new(c, &o, &w, &err), INFLUX_ERR_INVALID_ARG);
  assert_null(w);
  assert_non_null(strstr(err.message, "batch_bytes"));
  o = (influx_writer_options){.database = "x", .precision = "weeks"};
  assert_int_equal(influx_writer_new(c, &o, &w, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "precision"));
  o = (influx_writer_options){
      .database = "x", .batch_bytes = 1000, .buffer_limit = 1500};
  assert_int_equal(influx_writer_new(c, &o, &w, &err), INFLUX_ERR_INVALID_ARG);
  o = (influx_writer_options){.database = "x", .overflow = 7};
  assert_int_equal(influx_writer_new(c, &o, &w, &err), INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_writer_new(NULL, &o, &w, &err),
                   INFLUX_ERR_INVALID_ARG);
  /* A bad point refuses the whole call and names the point. */
  const char *db = th_new_db(c, "wr_args");
  o = (influx_writer_options){.database = db};
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  influx_point p[3];
  influx_tag t[3];
  influx_field f[3];
  for (int k = 0; k < 3; k++)
    fill(&p[k], &t[k], &f[k], "a", k);
  f[2] = (influx_field)INFLUX_F_FLOAT("v", 0.0 / 0.0);
  assert_int_equal(influx_writer_write(w, p, 3, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "NaN"));
  assert_int_equal(
      influx_writer_write_lines(w, "ok v=1 1\nbad\xff v=1", 18, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "line 2"));
  assert_int_equal(influx_writer_write(NULL, p, 1, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_writer_write(w, NULL, 1, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_writer_stats st;
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  assert_int_equal(st.accepted, 0);
  assert_int_equal(count_points(c, db, "m"), 0);
  /* Points without a time get one at acceptance. */
  assert_ok(influx_writer_new(c, &o, &w, &err), &err);
  p[0].has_time = 0;
  assert_ok(influx_writer_write(w, p, 1, &err), &err);
  assert_ok(influx_writer_close(w, &st, &err), &err);
  influx_writer_free(w);
  influx_result *r = th_query(c, db, "SELECT v FROM m");
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_non_null(s);
  int64_t now = (int64_t)time(NULL) * 1000000000LL;
  int64_t when = get_i64(s, 0, 0);
  assert_true(when > now - 60000000000LL && when < now + 60000000000LL);
  influx_result_free(r);
  influx_client_free(c);
}

/* ---- series helper ---- */

static void test_series_helper(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "sh");
  influx_client_free(c);
  influx_options ex = {.database = db};
  c = th_client("plain", &ex);
  const char *fields[] = {"some_stat", "other_stat", NULL};
  const char *tags[] = {"server_name", NULL};
  influx_series_helper_options o = {.series_name = "events.stats.{server_name}",
                                    .fields = fields,
                                    .tags = tags,
                                    .client = c,
                                    .bulk_size = 3,
                                    .autocommit = 1,
                                    .time_precision = "s"};
  influx_series_helper *h;
  influx_error err = {0};
  assert_ok(influx_series_helper_new(&o, &h, &err), &err);
  influx_field row[3] = {INFLUX_F_STRING("server_name", "us.east-1"),
                         INFLUX_F_FLOAT("some_stat", 159),
                         INFLUX_F_INT("other_stat", 10)};
  assert_ok(influx_series_helper_add(h, row, 3, 1, 1000, &err), &err);
  row[0].v.s = "us.west-2";
  assert_ok(influx_series_helper_add(h, row, 3, 1, 1001, &err), &err);
  assert_int_equal(influx_series_helper_pending(h), 2);
  /* Unknown, missing, doubled names and non-string tags are errors. */
  influx_field unknown[3] = {row[0], row[1], INFLUX_F_INT("nope", 1)};
  assert_int_equal(influx_series_helper_add(h, unknown, 3, 0, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "\"nope\" is not a declared"));
  assert_int_equal(influx_series_helper_add(h, row, 2, 0, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "no value for field \"other_stat\""));
  influx_field twice[3] = {row[0], row[1], row[1]};
  assert_int_equal(influx_series_helper_add(h, twice, 3, 0, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_field numtag[3] = {INFLUX_F_INT("server_name", 1), row[1], row[2]};
  assert_int_equal(influx_series_helper_add(h, numtag, 3, 0, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "needs a string"));
  assert_int_equal(influx_series_helper_pending(h), 2);
  /* The third row reaches bulk_size: autocommit. */
  row[0].v.s = "us.east-1";
  assert_ok(influx_series_helper_add(h, row, 3, 1, 1002, &err), &err);
  assert_int_equal(influx_series_helper_pending(h), 0);
  influx_result *r = th_query(
      c, db, "SELECT some_stat, other_stat FROM \"events.stats.us.east-1\"");
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_non_null(s);
  assert_int_equal(influx_series_row_count(s), 2);
  assert_int_equal(get_i64(s, 0, 0), 1000000000000LL);
  assert_int_equal(get_i64(s, 1, 0), 1002000000000LL);
  influx_result_free(r);
  r = th_query(c, db,
               "SELECT count(some_stat) FROM \"events.stats.us.west-2\"");
  s = influx_result_series(r, 0, 0);
  assert_non_null(s);
  assert_int_equal(get_i64(s, 0, 1), 1);
  influx_result_free(r);
  /* Explicit commit to another client; a failed commit keeps the rows. */
  influx_options bad = {.database = "no_such_db_sh"};
  influx_client *c2 = th_client("plain", &bad);
  assert_ok(influx_series_helper_add(h, row, 3, 1, 1003, &err), &err);
  assert_int_not_equal(influx_series_helper_commit(h, c2, &err), INFLUX_OK);
  assert_int_equal(influx_series_helper_pending(h), 1);
  assert_ok(influx_series_helper_commit(h, NULL, &err), &err);
  assert_int_equal(influx_series_helper_pending(h), 0);
  influx_client_free(c2);
  influx_series_helper_free(h);

  /* Declarations are checked. */
  o.series_name = "x.{missing}";
  assert_int_equal(influx_series_helper_new(&o, &h, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "{missing} is not a declared"));
  o.series_name = "x.{server_name";
  assert_int_equal(influx_series_helper_new(&o, &h, &err),
                   INFLUX_ERR_INVALID_ARG);
  o.series_name = "x";
  const char *dup[] = {"server_name", NULL};
  o.fields = dup;
  assert_int_equal(influx_series_helper_new(&o, &h, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "declared twice"));
  influx_client_free(c);
}

typedef struct helper_thread {
  influx_series_helper *h;
  int id;
} helper_thread;

static void *helper_adder(void *u) {
  helper_thread *t = u;
  char name[16];
  snprintf(name, sizeof name, "s%d", t->id);
  for (int i = 0; i < 500; i++) {
    influx_field row[2] = {INFLUX_F_STRING("server", name),
                           INFLUX_F_INT("v", i)};
    influx_error err = {0};
    if (influx_series_helper_add(t->h, row, 2, 1, 1000 + i, &err))
      fail_msg("add: %s", err.message);
  }
  return NULL;
}

static void test_series_helper_threads(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "sht");
  influx_client_free(c);
  influx_options ex = {.database = db};
  c = th_client("plain", &ex);
  const char *fields[] = {"v", NULL};
  const char *tags[] = {"server", NULL};
  influx_series_helper_options o = {.series_name = "m",
                                    .fields = fields,
                                    .tags = tags,
                                    .client = c,
                                    .bulk_size = 64,
                                    .autocommit = 1};
  influx_series_helper *h;
  influx_error err = {0};
  assert_ok(influx_series_helper_new(&o, &h, &err), &err);
  pthread_t th[4];
  helper_thread ht[4];
  for (int i = 0; i < 4; i++) {
    ht[i] = (helper_thread){h, i};
    pthread_create(&th[i], NULL, helper_adder, &ht[i]);
  }
  for (int i = 0; i < 4; i++)
    pthread_join(th[i], NULL);
  assert_ok(influx_series_helper_commit(h, NULL, &err), &err);
  influx_series_helper_free(h);
  assert_int_equal(count_points(c, db, "m"), 2000);
  influx_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_writer_bad_arguments),
      cmocka_unit_test(test_many_producers),
      cmocka_unit_test(test_later_points_win),
      cmocka_unit_test(test_lane_batches_name_their_lines),
      cmocka_unit_test(test_too_large_is_split),
      cmocka_unit_test(test_batches_stay_under_batch_bytes),
      cmocka_unit_test(test_flush_interval),
      cmocka_unit_test(test_rejections_not_retried),
      cmocka_unit_test(test_transient_faults),
      cmocka_unit_test(test_give_up),
      cmocka_unit_test(test_retry_time_bounds_a_hang),
      cmocka_unit_test(test_overflow_drop_oldest),
      cmocka_unit_test(test_overflow_block),
      cmocka_unit_test(test_spool_locked),
      cmocka_unit_test(test_spool_survives_crash),
      cmocka_unit_test(test_spool_disk_full),
      cmocka_unit_test(test_server_down_at_start),
      cmocka_unit_test(test_server_killed_mid_stream),
      cmocka_unit_test(test_series_helper),
      cmocka_unit_test(test_series_helper_threads),
  };
  return cmocka_run_group_tests(tests, setup_own, teardown_own);
}
