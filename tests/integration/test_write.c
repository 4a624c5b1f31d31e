/* Writing against a real influxd: a round-trip property test with hostile
 * names and extreme values, batching, partial writes, UDP. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* ---- random generation ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static const char *const pieces[] = {
    "a", "b",  "Z", "9",   " ",    ",",   "=",   "\"", "'", "\\", "\t",
    "ü", "日", "🚀", "x y", "\\\\", "k=v", "a,b", "é",  "_", "-",  "."};

/* A random name: kind 0 measurement, 1 tag key, 2 field key, 3 tag value,
 * 4 string value. Names avoid what line protocol cannot carry (newlines,
 * trailing '\', leading '#', "time" keys; '\' before a special char in a
 * field key): those are refused by the encoder and tested elsewhere. */
static void gen_name(char *out, size_t cap, int kind, int salt) {
  size_t n = 0;
  int parts = 1 + (int)(next() % 6);
  for (int i = 0; i < parts; i++) {
    const char *p = pieces[next() % (sizeof pieces / sizeof *pieces)];
    if (kind == 4 && next() % 5 == 0)
      p = "\n";
    size_t l = strlen(p);
    if (n + l + 16 >= cap)
      break;
    memcpy(out + n, p, l);
    n += l;
  }
  out[n] = 0;
  if (kind == 4)
    return; /* string values carry anything */
  /* Backslash runs before a special character: none in measurements and
   * field keys, an even number in tags (see point.c). */
  for (size_t i = 0; i + 1 < n; i++) {
    int special = out[i + 1] == ',' || out[i + 1] == '=' || out[i + 1] == ' ' ||
                  (kind == 0 && out[i + 1] == '"');
    if (out[i] != '\\' || !special)
      continue;
    size_t run = 0;
    while (run <= i && out[i - run] == '\\')
      run++;
    if (kind == 2 || kind == 0 || run % 2)
      out[i] = 'x';
  }
  if (out[0] == '#' || ((kind == 0 || kind == 2) && out[0] == '\t'))
    out[0] = 'h';
  n += (size_t)snprintf(out + n, cap - n, "%d", salt);
  (void)n;
}

static double gen_float(void) {
  static const double special[] = {5e-324,
                                   2.2250738585072014e-308,
                                   1e300,
                                   -1e300,
                                   1.7976931348623157e308,
                                   0.1,
                                   1.0 / 3,
                                   0.0,
                                   123456789.123456789,
                                   -2.5e-310};
  uint64_t r = next();
  if (r % 3 == 0)
    return special[r % (sizeof special / sizeof *special)];
  double d;
  do {
    uint64_t bits = next();
    memcpy(&d, &bits, sizeof d);
  } while (!isfinite(d) || d == 0);
  return d;
}

static int64_t gen_int(void) {
  uint64_t r = next();
  if (r % 4 == 0)
    return INT64_MAX;
  if (r % 4 == 1)
    return INT64_MIN;
  return (int64_t)next();
}

/* ---- the property test ---- */

#define NMEAS 60
#define PER 40
#define NTAGS 3
#define NFIELDS 5

typedef struct gen_point {
  char tv[NTAGS][96];
  double f;
  int64_t i;
  int b;
  char s[160];
  char s2[160];
  int64_t t;
} gen_point;

typedef struct gen_meas {
  char name[96];
  char tk[NTAGS][96];
  char fk[NFIELDS][96];
  const char *prec;
  gen_point pts[PER];
} gen_meas;

static int same_float(double a, double b) {
  return memcmp(&a, &b, sizeof a) == 0 || (a == 0 && b == 0);
}

/* JSON cannot tell 2.0 from 2: the server prints integral floats as
 * integers, so over JSON an integral float may decode as an integer of the
 * same value. msgpack keeps the type. */
static int float_matches(const influx_value *v, double want,
                         influx_format fmt) {
  if (v->type == INFLUX_VALUE_FLOAT)
    return same_float(v->v.f, want);
  if (fmt == INFLUX_FORMAT_JSON && v->type == INFLUX_VALUE_INT)
    return (double)v->v.i == want;
  if (fmt == INFLUX_FORMAT_JSON && v->type == INFLUX_VALUE_UINT)
    return (double)v->v.u == want;
  return 0;
}

static void verify_meas(influx_client *c, const char *db, const gen_meas *m,
                        influx_format fmt) {
  char *qm = NULL;
  assert_int_equal(influx_quote_ident(m->name, &qm, NULL), INFLUX_OK);
  char q[512];
  snprintf(q, sizeof q, "SELECT * FROM %s GROUP BY *", qm);
  free(qm);
  influx_query_options o = {.database = db, .format = fmt};
  influx_result *r = NULL;
  influx_error err = {0};
  if (influx_query(c, q, &o, &r, &err))
    fail_msg("query %s: %s", q, err.message);
  int64_t unit = 1;
  if (!strcmp(m->prec, "u"))
    unit = 1000;
  else if (!strcmp(m->prec, "ms"))
    unit = 1000000;
  else if (!strcmp(m->prec, "s"))
    unit = 1000000000LL;
  else if (!strcmp(m->prec, "m"))
    unit = 60000000000LL;
  else if (!strcmp(m->prec, "h"))
    unit = 3600000000000LL;
  size_t found = 0;
  for (size_t j = 0; j < influx_result_series_count(r, 0); j++) {
    const influx_series *s = influx_result_series(r, 0, j);
    if (strcmp(influx_series_name(s), m->name))
      fail_msg("series name \"%s\" != \"%s\"", influx_series_name(s), m->name);
    for (size_t row = 0; row < influx_series_row_count(s); row++) {
      const influx_value *tv = influx_series_get(s, row, "time");
      assert_non_null(tv);
      assert_int_equal(tv->type, INFLUX_VALUE_TIME);
      const gen_point *p = NULL;
      for (int k = 0; k < PER; k++)
        if (m->pts[k].t * unit == tv->v.i)
          p = &m->pts[k];
      if (!p)
        fail_msg("%s: unexpected time %lld", m->name, (long long)tv->v.i);
      for (int k = 0; k < NTAGS; k++) {
        const char *got = influx_series_tag(s, m->tk[k]);
        if (!got || strcmp(got, p->tv[k]))
          fail_msg("%s: tag \"%s\" = \"%s\", want \"%s\"", m->name, m->tk[k],
                   got ? got : "(missing)", p->tv[k]);
      }
      const influx_value *v = influx_series_get(s, row, m->fk[0]);
      if (!v || !float_matches(v, p->f, fmt)) {
        for (size_t cc = 0; cc < influx_series_column_count(s); cc++)
          print_message("column [%s]\n", influx_series_column(s, cc));
        print_message("want field key [%s]\n", m->fk[0]);
      }
      if (!v || !float_matches(v, p->f, fmt))
        fail_msg("%s: float %.17g came back as type %d (%s)", m->name, p->f,
                 v ? (int)v->type : -1,
                 fmt == INFLUX_FORMAT_JSON ? "json" : "msgpack");
      v = influx_series_get(s, row, m->fk[1]);
      if (!v || v->type != INFLUX_VALUE_INT || v->v.i != p->i)
        fail_msg("%s: int %lld came back wrong", m->name, (long long)p->i);
      v = influx_series_get(s, row, m->fk[2]);
      assert_true(v && v->type == INFLUX_VALUE_BOOL && v->v.b == p->b);
      v = influx_series_get(s, row, m->fk[3]);
      if (!v || v->type != INFLUX_VALUE_STRING || strcmp(v->v.s, p->s)) {
        for (size_t cc = 0; cc < influx_series_column_count(s); cc++)
          print_message("column [%s] type %d\n", influx_series_column(s, cc),
                        influx_series_value(s, row, cc)->type);
        print_message("want field key [%s]\n", m->fk[3]);
      }
      if (!v || v->type != INFLUX_VALUE_STRING || strcmp(v->v.s, p->s))
        fail_msg("%s: string \"%s\" came back as \"%s\"", m->name, p->s,
                 v && v->type == INFLUX_VALUE_STRING ? v->v.s : "?");
      v = influx_series_get(s, row, m->fk[4]);
      assert_true(v && v->type == INFLUX_VALUE_STRING &&
                  !strcmp(v->v.s, p->s2));
      found++;
    }
  }
  if (found != PER)
    fail_msg("%s: %zu of %d points came back", m->name, found, PER);
  influx_result_free(r);
}

static void test_round_trip_property(void **state) {
  (void)state;
  /* Fixed seed for reproducible runs; INFLUXC_SEED explores others. */
  const char *seed = getenv("INFLUXC_SEED");
  if (seed && *seed)
    rng = strtoull(seed, NULL, 10) | 1;
  print_message("seed %llu\n", (unsigned long long)rng);
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "rt");
  static gen_meas ms[NMEAS];
  static const char *const precs[] = {"n", "u", "ms", "s", "m", "h"};
  for (int mi = 0; mi < NMEAS; mi++) {
    gen_meas *m = &ms[mi];
    gen_name(m->name, sizeof m->name, 0, mi);
    m->prec = precs[mi % 6];
    for (int k = 0; k < NTAGS; k++)
      gen_name(m->tk[k], sizeof m->tk[k], 1, 100 + k);
    for (int k = 0; k < NFIELDS; k++)
      gen_name(m->fk[k], sizeof m->fk[k], 2, 200 + k);
    influx_point pts[PER];
    influx_tag tags[PER][NTAGS];
    influx_field fields[PER][NFIELDS];
    for (int k = 0; k < PER; k++) {
      gen_point *p = &m->pts[k];
      for (int t = 0; t < NTAGS; t++) {
        gen_name(p->tv[t], sizeof p->tv[t], 3, k);
        tags[k][t] = (influx_tag){m->tk[t], p->tv[t]};
      }
      p->f = gen_float();
      p->i = gen_int();
      p->b = (int)(next() & 1);
      gen_name(p->s, sizeof p->s, 4, k);
      if (k % 7 == 0)
        strcat(p->s, "\\"); /* trailing backslash in a string value */
      if (k % 11 == 0)
        p->s2[0] = 0;
      else
        gen_name(p->s2, sizeof p->s2, 4, k);
      /* Times spread over the representable range in each precision,
       * including negative times. */
      int64_t span = INT64_MAX / (mi % 6 == 0   ? 1
                                  : mi % 6 == 1 ? 1000
                                  : mi % 6 == 2 ? 1000000
                                  : mi % 6 == 3 ? 1000000000LL
                                  : mi % 6 == 4 ? 60000000000LL
                                                : 3600000000000LL);
      p->t = (int64_t)((k - PER / 2) * (span / PER)) + k;
      fields[k][0] = (influx_field)INFLUX_F_FLOAT(m->fk[0], p->f);
      fields[k][1] = (influx_field)INFLUX_F_INT(m->fk[1], p->i);
      fields[k][2] = (influx_field)INFLUX_F_BOOL(m->fk[2], p->b);
      fields[k][3] = (influx_field)INFLUX_F_STRING(m->fk[3], p->s);
      fields[k][4] = (influx_field)INFLUX_F_STRING(m->fk[4], p->s2);
      pts[k] = (influx_point){m->name, tags[k], NTAGS, fields[k],
                              NFIELDS, p->t,    1,     NULL};
    }
    influx_write_options wo = {
        .database = db, .precision = m->prec, .batch_size = 17};
    influx_error err = {0};
    if (influx_write_points(c, pts, PER, &wo, &err))
      fail_msg("write %s: %s", m->name, err.message);
  }
  for (int mi = 0; mi < NMEAS; mi++) {
    verify_meas(c, db, &ms[mi], INFLUX_FORMAT_MSGPACK);
    verify_meas(c, db, &ms[mi], INFLUX_FORMAT_JSON);
  }
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

/* Tags with an odd run of backslashes before ',', '=' or ' ' are written
 * unless influxd's line splitter would end the line elsewhere; those that
 * are written read back exactly, in batches that also hold strings with
 * quotes and newlines (a moved line end would merge or split lines). */
static void test_odd_backslash_tags(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "odd");
  static const char *const vals[] = {"x\\ y",  "a\\,b",     "p\\=q", "\\\\\\ z",
                                     "end\\ ", "q\\ \"r\"", "plain"};
  static const char *const strs[] = {"say \"hi\"\nbye", "a=b,c=d", "x",
                                     "two\nlines \"q\" = ,"};
  enum { NV = sizeof vals / sizeof *vals, NS = sizeof strs / sizeof *strs };
  /* Every value in tag a, each paired with every string, plus the
   * combination known to move the line end: an odd run before a space and
   * another before a comma, with a newline in a string. */
  influx_point pts[NV * NS + 1];
  influx_tag tags[NV * NS + 1][2];
  influx_field fields[NV * NS + 1][2];
  char ids[NV * NS + 1][8];
  int ok[NV * NS + 1];
  size_t n = 0, accepted = 0;
  for (size_t v = 0; v < NV; v++)
    for (size_t k = 0; k < NS; k++, n++) {
      snprintf(ids[n], sizeof ids[n], "%zu", n);
      tags[n][0] = (influx_tag){"a", vals[v]};
      tags[n][1] = (influx_tag){"id", ids[n]};
      fields[n][0] = (influx_field)INFLUX_F_STRING("s", strs[k]);
      fields[n][1] = (influx_field)INFLUX_F_INT("n", (int64_t)n);
      pts[n] = (influx_point){"odd", tags[n],        2, fields[n],
                              2,     (int64_t)n + 1, 1, NULL};
    }
  snprintf(ids[n], sizeof ids[n], "%zu", n);
  influx_tag bad_tags[3] = {{"a", "x\\ y"}, {"b", "p\\,q"}, {"id", ids[n]}};
  fields[n][0] = (influx_field)INFLUX_F_STRING("s", "one\ntwo");
  fields[n][1] = (influx_field)INFLUX_F_INT("n", (int64_t)n);
  pts[n] =
      (influx_point){"odd", bad_tags, 3, fields[n], 2, (int64_t)n + 1, 1, NULL};
  n++;
  influx_point good[NV * NS + 1];
  for (size_t i = 0; i < n; i++) {
    char *out = NULL;
    influx_error err = {0};
    ok[i] = influx_make_lines(&pts[i], 1, "n", &out, NULL, &err) == INFLUX_OK;
    if (!ok[i])
      assert_non_null(strstr(err.message, "line splitter"));
    free(out);
    if (ok[i])
      good[accepted++] = pts[i];
  }
  /* The known bad combination is refused; every other one is written. */
  assert_false(ok[n - 1]);
  assert_int_equal(accepted, n - 1);
  influx_write_options wo = {.database = db, .precision = "n"};
  influx_error err = {0};
  if (influx_write_points(c, good, accepted, &wo, &err))
    fail_msg("write: %s", err.message);
  influx_result *r =
      th_query(c, db, "SELECT s, n, a, id FROM odd ORDER BY time");
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_non_null(s);
  assert_int_equal(influx_series_row_count(s), accepted);
  for (size_t row = 0; row < accepted; row++) {
    const influx_value *nv = influx_series_get(s, row, "n");
    assert_non_null(nv);
    size_t i = (size_t)nv->v.i;
    assert_true(i < n && ok[i]);
    const influx_value *sv = influx_series_get(s, row, "s");
    const influx_value *av = influx_series_get(s, row, "a");
    const influx_value *iv = influx_series_get(s, row, "id");
    if (!sv || strcmp(sv->v.s, pts[i].fields[0].v.s) || !av ||
        strcmp(av->v.s, pts[i].tags[0].value) || !iv || strcmp(iv->v.s, ids[i]))
      fail_msg("point %zu (a=\"%s\") did not read back", i,
               pts[i].tags[0].value);
  }
  influx_result_free(r);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

static void test_batches_and_parallel(void **state) {
  (void)state;
  for (int par = 1; par <= 3; par++) {
    influx_options o = {.pool_size = par};
    influx_client *c = th_client("plain", &o);
    const char *db = th_new_db(c, "batch");
    size_t n = 25000;
    influx_point *pts = calloc(n, sizeof *pts);
    influx_field *f = calloc(n, sizeof *f);
    for (size_t i = 0; i < n; i++) {
      f[i] = (influx_field)INFLUX_F_INT("v", (int64_t)i);
      pts[i] = (influx_point){"m", NULL, 0, &f[i], 1, (int64_t)i + 1, 1, NULL};
    }
    influx_tag dt[] = {{"src", "batch"}};
    influx_write_options wo = {
        .database = db, .batch_size = 10000, .tags = dt, .ntags = 1};
    influx_write_report rep;
    influx_error err = {0};
    influx_client_stats before, after;
    influx_client_get_stats(c, &before);
    assert_ok(influx_write_points_ex(c, pts, n, &wo, &rep, &err), &err);
    influx_client_get_stats(c, &after);
    assert_int_equal(after.requests - before.requests, 3);
    assert_int_equal(rep.points_written, n);
    assert_int_equal(rep.batches_written, 3);
    assert_int_equal(rep.first_failed_batch, -1);
    assert_int_equal(
        th_count(c, db, "SELECT count(v) FROM m WHERE src='batch'"),
        (int64_t)n);
    /* Bad point in the middle: nothing at all is sent. */
    f[12345].v.i = 0;
    f[12345].type = INFLUX_FIELD_FLOAT;
    f[12345].v.f = NAN;
    influx_client_get_stats(c, &before);
    assert_int_equal(influx_write_points(c, pts, n, &wo, &err),
                     INFLUX_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "point 12345"));
    influx_client_get_stats(c, &after);
    assert_int_equal(after.requests, before.requests);
    free(pts);
    free(f);
    influx_drop_database(c, db, NULL);
    influx_client_free(c);
  }
}

typedef struct gen {
  size_t next, total, bad_at;
  int abort_at_end;
  influx_field f[256];
  influx_tag t[256];
} gen;

static long gen_source(void *u, influx_point *buf, size_t cap) {
  gen *g = u;
  if (g->next >= g->total)
    return g->abort_at_end ? -1 : 0;
  size_t k = 0;
  for (; k < cap && g->next < g->total; k++, g->next++) {
    g->t[k] = (influx_tag){"src", "stream"};
    g->f[k] = (influx_field)INFLUX_F_INT("v", (int64_t)g->next);
    if (g->next == g->bad_at)
      g->f[k] = (influx_field)INFLUX_F_FLOAT("v", NAN);
    buf[k] = (influx_point){"s", &g->t[k], 1, &g->f[k], 1, (int64_t)g->next + 1,
                            1,   NULL};
  }
  return (long)k;
}

static void test_write_from_source(void **state) {
  (void)state;
  influx_options co = {.pool_size = 2};
  influx_client *c = th_client("plain", &co);
  const char *db = th_new_db(c, "src");
  influx_write_options wo = {.database = db, .batch_size = 1000};
  influx_write_report rep;
  influx_error err = {0};
  gen *g = calloc(1, sizeof *g);
  g->total = 25500;
  g->bad_at = (size_t)-1;
  assert_ok(influx_write_from(c, gen_source, g, &wo, &rep, &err), &err);
  assert_int_equal(rep.points_written, 25500);
  assert_int_equal(rep.batches_written, 26);
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM s"), 25500);
  /* A bad point mid-stream stops it; what came before is reported. */
  influx_drop_database(c, db, NULL);
  influx_create_database(c, db, NULL);
  memset(g, 0, sizeof *g);
  g->total = 10000;
  g->bad_at = 4321;
  wo.parallel = 1;
  assert_int_equal(influx_write_from(c, gen_source, g, &wo, &rep, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "point 4321"));
  assert_int_equal(rep.points_written, 4000);
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM s"), 4000);
  /* The source can abort. */
  memset(g, 0, sizeof *g);
  g->total = 10;
  g->bad_at = (size_t)-1;
  g->abort_at_end = 1;
  assert_int_equal(influx_write_from(c, gen_source, g, &wo, &rep, &err),
                   INFLUX_ERR_ABORTED);
  assert_int_equal(influx_write_from(c, NULL, g, &wo, &rep, &err),
                   INFLUX_ERR_INVALID_ARG);
  /* max_body_size splits batches between lines. */
  influx_drop_database(c, db, NULL);
  influx_create_database(c, db, NULL);
  memset(g, 0, sizeof *g);
  g->total = 500;
  g->bad_at = (size_t)-1;
  influx_write_options small = {.database = db, .max_body_size = 1000};
  influx_client_stats before, after;
  influx_client_get_stats(c, &before);
  assert_ok(influx_write_from(c, gen_source, g, &small, &rep, &err), &err);
  influx_client_get_stats(c, &after);
  /* ~25-byte lines, 500 of them: at least 12 bodies of <= 1000 bytes. */
  assert_true(after.requests - before.requests >= 12);
  assert_int_equal(rep.points_written, 500);
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM s"), 500);
  free(g);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

static size_t array_source_next;
static long array_source(void *u, influx_point *buf, size_t cap) {
  const influx_point *pts = u;
  size_t n = 5000, k = 0;
  for (; k < cap && array_source_next < n; k++)
    buf[k] = pts[array_source_next++];
  if (!k)
    array_source_next = 0;
  return (long)k;
}

/* Series and times repeat across small batches written in parallel: what
 * the server keeps must be the last value written for each (series, time),
 * as when the batches go one after another (issue 24). */
static void test_later_points_win(void **state) {
  (void)state;
  influx_options o = {.pool_size = 10};
  influx_client *c = th_client("plain", &o);
  const char *db = th_new_db(c, "order");
  enum { NS = 10, NT = 5, REP = 100, N = NS * NT * REP };
  static influx_point pts[N];
  static influx_field f[N];
  static influx_tag t[N][2];
  static char hosts[NS][16];
  for (int s = 0; s < NS; s++)
    snprintf(hosts[s], sizeof hosts[s], "h%d", s);
  for (int round = 0; round < 4; round++) {
    for (size_t i = 0; i < N; i++) {
      int s = (int)(i % NS), tm = (int)((i / NS) % NT);
      /* Tags in both orders: one series, whichever way it is spelled. */
      t[i][i & 1] = (influx_tag){"host", hosts[s]};
      t[i][!(i & 1)] = (influx_tag){"dc", "x"};
      f[i] = (influx_field)INFLUX_F_INT("v", (int64_t)(i + (size_t)round * N));
      pts[i] = (influx_point){"m", t[i], 2, &f[i], 1, tm + 1, 1, NULL};
    }
    influx_error err = {0};
    influx_write_options wo = {.database = db, .batch_size = 50};
    if (round == 1)
      assert_ok(influx_write_from(c, array_source, pts, &wo, NULL, &err), &err);
    else if (round == 2) {
      /* As lines, tags in the order given (not sorted). */
      static char buf[N][64];
      static const char *lines[N];
      for (size_t i = 0; i < N; i++) {
        snprintf(buf[i], sizeof buf[i], "m,%s=%s,%s=%s v=%lldi %lld",
                 t[i][0].key, t[i][0].value, t[i][1].key, t[i][1].value,
                 (long long)f[i].v.i, (long long)pts[i].time);
        lines[i] = buf[i];
      }
      assert_ok(influx_write_lines(c, lines, N, &wo, &err), &err);
    } else
      assert_ok(influx_write_points(c, pts, N, &wo, &err), &err);
    char who[32];
    snprintf(who, sizeof who, "round %d", round);
    th_check_last_values(c, db, NS, NT,
                         (int64_t)((REP - 1) * NS * NT) + (int64_t)round * N,
                         who);
  }
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

/* A refusal stops the write: no batch queued after the refused one is
 * sent, every batch before it is, and points_written is what the server
 * holds. One lane: exactly the batches before it, as the seed. */
static void test_refusal_stops_the_write(void **state) {
  (void)state;
  for (int par = 1; par <= 4; par += 3) {
    influx_options o = {.pool_size = par};
    influx_client *c = th_client("plain", &o);
    const char *db = th_new_db(c, "refuse");
    influx_error err = {0};
    influx_write_options wo = {.database = db};
    /* v is a float in "bad": an int there is a field type conflict. */
    assert_ok(influx_write(c, "bad v=1.5 1", 11, &wo, &err), &err);
    enum { N = 2000 };
    static char buf[N][48];
    static const char *lines[N];
    for (int i = 0; i < N; i++) {
      /* Point 250 (batch 5 of 50-point batches) conflicts. */
      snprintf(buf[i], sizeof buf[i], "%s,h=%d v=%di %d",
               i == 250 ? "bad" : "ok", i % 8, i, i + 10);
      lines[i] = buf[i];
    }
    wo.batch_size = 50;
    influx_write_report rep;
    /* influx_write_buffer takes lines and reports. */
    influx_lines *lb = influx_lines_new();
    for (int i = 0; i < N; i++)
      assert_ok(influx_lines_append_raw(lb, lines[i], strlen(lines[i]), &err),
                &err);
    assert_int_equal(influx_write_buffer(c, lb, &wo, &rep, &err),
                     INFLUX_ERR_CLIENT);
    influx_lines_free(lb);
    assert_non_null(strstr(err.message, "field type conflict"));
    int64_t stored = th_count(c, db, "SELECT count(v) FROM ok");
    assert_int_equal((int64_t)rep.points_written, stored);
    if (par == 1) {
      /* Batches 0-4 and the 49 good lines of batch 5. */
      assert_int_equal(stored, 299);
      assert_int_equal(rep.first_failed_batch, 5);
    } else {
      /* Everything before the refused line's batch, and at most the
       * batches in flight on the other lanes beside it. */
      assert_true(stored >= 0 && stored < N - 1);
      assert_true(rep.batches_written + rep.batches_failed < N / 50);
    }
    influx_drop_database(c, db, NULL);
    influx_client_free(c);
  }
}

static void test_partial_write_reported(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "partial");
  influx_error err = {0};
  influx_write_options wo = {.database = db};
  assert_ok(influx_write(c, "m v=1i 1", 8, &wo, &err), &err);
  /* Batch 1 (second) holds a field-type conflict. */
  const char *lines[] = {"m v=2i 2", "m v=3i 3", "m v=\"oops\" 4", "m v=5i 5"};
  wo.batch_size = 2;
  wo.parallel = 1;
  assert_int_equal(influx_write_lines(c, lines, 4, &wo, &err),
                   INFLUX_ERR_CLIENT);
  assert_int_equal(err.http_status, 400);
  assert_non_null(strstr(err.message, "batch 1 (points 2-3)"));
  /* Batch 0 and the good line of batch 1: the count is what is stored. */
  assert_non_null(strstr(err.message, "3 points stored, then batch 1"));
  assert_non_null(strstr(err.message, "field type conflict"));
  /* Batch 0 arrived; the server kept the good line of batch 1. */
  assert_int_equal(th_count(c, db, "SELECT count(v) FROM m"), 4);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

/* A body over the server's limit (server "small": influxd's max-body-size
 * 4096) was dropped with its 413. It is cut in halves and sent again, in
 * order, down to one line; only a line alone over the limit is refused,
 * and the lines after it are not sent. One host, and replicate mode with
 * a host that takes everything beside it: each host's outcome as it is. */
/* Replicate, ack all, one host down: every batch falls short of its ack
 * (INFLUX_ERR_ACK) but is stored on the others and queued for it; that is
 * no refusal, so the batches after it are sent too (test_cluster's
 * stream through kills lost a call's later batches now and then). */
static void test_ack_failure_does_not_stop(void **state) {
  (void)state;
  char hostlist[128];
  snprintf(hostlist, sizeof hostlist, "127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:1",
           th_read_int("plain", "port"), th_read_int("small", "port"));
  influx_options o = {.host = hostlist,
                      .write_mode = INFLUX_WRITE_REPLICATE,
                      .ack = INFLUX_ACK_ALL,
                      .pool_size = 1,
                      .timeout_ms = 2000};
  influx_client *c = th_client("plain", &o);
  influx_client *plain = th_client("plain", NULL);
  influx_client *small = th_client("small", NULL);
  const char *db = th_new_db(plain, "ackgo");
  influx_error err = {0};
  assert_ok(influx_create_database(small, db, &err), &err);
  enum { N = 500 };
  static influx_field f[N];
  static influx_point pts[N];
  for (int i = 0; i < N; i++) {
    f[i] = (influx_field)INFLUX_F_INT("v", i);
    pts[i] = (influx_point){"m", NULL, 0, &f[i], 1, i + 1, 1, NULL};
  }
  influx_write_options wo = {.database = db, .batch_size = 100};
  assert_int_equal(influx_write_points(c, pts, N, &wo, &err), INFLUX_ERR_ACK);
  assert_int_equal(th_count(plain, db, "SELECT count(v) FROM m"), N);
  assert_int_equal(th_count(small, db, "SELECT count(v) FROM m"), N);
  influx_host_status hs;
  assert_ok(influx_client_host_status(c, 2, &hs, &err), &err);
  assert_int_equal(hs.batches_queued, 5);
  influx_client_free(c);
  influx_drop_database(plain, db, NULL);
  influx_drop_database(small, db, NULL);
  influx_client_free(plain);
  influx_client_free(small);
}

/* A 413 body is cut only where influxd ends a line: a newline inside a
 * string field does not end one (a cut there would break two lines). */
static void test_too_large_cut_at_line_ends(void **state) {
  (void)state;
  influx_client *small = th_client("small", NULL);
  const char *db = th_new_db(small, "cutends");
  enum { N = 300 };
  static char text[N][64];
  static influx_field f[N][2];
  static influx_point pts[N];
  for (int i = 0; i < N; i++) {
    /* newlines all through the text, the middle of a body among them */
    snprintf(text[i], sizeof text[i], "line %d\nof\nmany\nnewlines\n%d", i, i);
    f[i][0] = (influx_field)INFLUX_F_STRING("s", text[i]);
    f[i][1] = (influx_field)INFLUX_F_INT("v", i);
    pts[i] = (influx_point){"m", NULL, 0, f[i], 2, i + 1, 1, NULL};
  }
  influx_write_options wo = {.database = db};
  influx_write_report rep = {0};
  influx_error err = {0};
  assert_ok(influx_write_points_ex(small, pts, N, &wo, &rep, &err), &err);
  assert_int_equal(rep.points_written, N);
  assert_int_equal(th_count(small, db, "SELECT count(v) FROM m"), N);
  influx_result *r = th_query(small, db, "SELECT s FROM m WHERE v = 149");
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_non_null(s);
  assert_string_equal(influx_series_get_string(s, 0, 1),
                      "line 149\nof\nmany\nnewlines\n149");
  influx_result_free(r);
  influx_drop_database(small, db, NULL);
  influx_client_free(small);
}

static void test_too_large_is_split(void **state) {
  (void)state;
  char hostlist[128];
  snprintf(hostlist, sizeof hostlist, "127.0.0.1:%d,127.0.0.1:%d",
           th_read_int("plain", "port"), th_read_int("small", "port"));
  for (int replicate = 0; replicate < 2; replicate++) {
    influx_options o = {0};
    if (replicate) {
      o.host = hostlist;
      o.write_mode = INFLUX_WRITE_REPLICATE;
      o.ack = INFLUX_ACK_ANY;
    }
    influx_client *c = th_client("small", &o);
    influx_client *plain = th_client("plain", NULL);
    influx_client *small = th_client("small", NULL);
    const char *db = th_new_db(small, "toolarge");
    influx_error err = {0};
    assert_ok(influx_create_database(plain, db, &err), &err);
    enum { NS = 10, NT = 5, N = 2000 };
    static influx_point pts[N];
    static influx_field f[N];
    static influx_tag t[N];
    static char hosts[NS][16];
    for (int s = 0; s < NS; s++)
      snprintf(hosts[s], sizeof hosts[s], "h%d", s);
    for (int i = 0; i < N; i++) {
      t[i] = (influx_tag){"host", hosts[i % NS]};
      f[i] = (influx_field)INFLUX_F_INT("v", i);
      pts[i] =
          (influx_point){"m", &t[i], 1, &f[i], 1, (i / NS) % NT + 1, 1, NULL};
    }
    influx_write_options wo = {.database = db};
    influx_write_report rep = {0};
    /* One batch of ~40 kB. */
    assert_ok(influx_write_points_ex(c, pts, N, &wo, &rep, &err), &err);
    assert_int_equal(rep.points_written, N);
    assert_int_equal(rep.batches_failed, 0);
    th_check_last_values(small, db, NS, NT, N - NS * NT, "small");
    if (replicate)
      th_check_last_values(plain, db, NS, NT, N - NS * NT, "plain");

    /* 100 lines, one of 6000 bytes, 100 more. */
    static char big[6100];
    int bl = snprintf(big, sizeof big, "big s=\"");
    memset(big + bl, 'x', 6000);
    snprintf(big + bl + 6000, sizeof big - (size_t)bl - 6000, "\" 1");
    enum { NB = 201 };
    static char buf[NB][48];
    static const char *lines[NB];
    for (int i = 0; i < NB; i++) {
      snprintf(buf[i], sizeof buf[i], "%s v=%di %d", i < 100 ? "a" : "b", i,
               i + 1);
      lines[i] = i == 100 ? big : buf[i];
    }
    influx_lines *lb = influx_lines_new();
    for (int i = 0; i < NB; i++)
      assert_ok(influx_lines_append_raw(lb, lines[i], strlen(lines[i]), &err),
                &err);
    influx_status st = influx_write_buffer(c, lb, &wo, &rep, &err);
    influx_lines_free(lb);
    if (st != INFLUX_ERR_CLIENT)
      fail_msg("replicate %d: %s: %s", replicate, influx_strerror(st),
               err.message);
    assert_int_equal(err.http_status, 413);
    assert_non_null(strstr(err.message, "alone over the server's limit"));
    assert_int_equal(th_count(small, db, "SELECT count(v) FROM a"), 100);
    assert_int_equal(th_count(small, db, "SELECT count(v) FROM b"), 0);
    assert_int_equal(rep.points_written, 100);
    if (replicate) {
      /* The other host took the whole batch: the error says so. */
      assert_non_null(strstr(err.message, "the hosts now differ"));
      assert_int_equal(th_count(plain, db, "SELECT count(v) FROM b"), 100);
      assert_int_equal(th_count(plain, db, "SELECT count(s) FROM big"), 1);
    }
    influx_drop_database(plain, db, NULL);
    influx_drop_database(small, db, NULL);
    influx_client_free(c);
    influx_client_free(plain);
    influx_client_free(small);
  }
  /* gzip: influxd 1.6 does not limit compressed bodies, a proxy does (the
   * fake server's max<N>: 413 over N bytes on the wire). Each piece is
   * compressed anew. */
  influx_options extra = {
      .path = th_scenario("max3000"), .database = "db", .gzip = 1};
  influx_client *c = th_client("fake2", &extra);
  enum { NG = 3000 };
  static char gbuf[NG][64];
  static const char *glines[NG];
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < NG; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* incompressible values */
    snprintf(gbuf[i], sizeof gbuf[i], "m v=%llui %d",
             (unsigned long long)(x >> 2), i + 1);
    glines[i] = gbuf[i];
  }
  influx_write_report rep = {0};
  influx_error err = {0};
  influx_lines *lb = influx_lines_new();
  for (int i = 0; i < NG; i++)
    assert_ok(influx_lines_append_raw(lb, glines[i], strlen(glines[i]), &err),
              &err);
  assert_ok(influx_write_buffer(c, lb, &(influx_write_options){0}, &rep, &err),
            &err);
  influx_lines_free(lb);
  assert_int_equal(rep.points_written, NG);
  influx_client_free(c);
}

static void test_rp_precision_params(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "rpw");
  influx_error err = {0};
  assert_ok(
      influx_create_retention_policy(c, "short", "1h", 1, db, 0, NULL, &err),
      &err);
  influx_field f[] = {INFLUX_F_FLOAT("v", 1.25)};
  int64_t now_s = (int64_t)time(NULL);
  influx_point p = {"m", NULL, 0, f, 1, now_s, 1, NULL};
  influx_write_options wo = {.database = db,
                             .retention_policy = "short",
                             .precision = "s",
                             .consistency = "one"};
  assert_ok(influx_write_points(c, &p, 1, &wo, &err), &err);
  char q[256];
  snprintf(q, sizeof q, "SELECT v FROM \"%s\".\"short\".m", db);
  influx_result *r = th_query(c, db, q);
  const influx_series *s = influx_result_series(r, 0, 0);
  assert_non_null(s);
  assert_int_equal(influx_series_value(s, 0, 0)->v.i, now_s * 1000000000LL);
  influx_result_free(r);
  r = th_query(c, db, "SELECT v FROM m");
  assert_int_equal(influx_result_series_count(r, 0), 0);
  influx_result_free(r);
  wo.consistency = "most";
  assert_int_equal(influx_write_points(c, &p, 1, &wo, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "consistency"));
  wo.consistency = NULL;
  wo.precision = "fortnight";
  assert_int_equal(influx_write_points(c, &p, 1, &wo, &err),
                   INFLUX_ERR_INVALID_ARG);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

static void test_write_retries_5xx(void **state) {
  (void)state;
  influx_options o = {
      .path = th_scenario("e500x1"), .retries = 3, .retry_base_ms = 2};
  influx_client *c = th_client("fake2", &o);
  influx_write_options wo = {.database = "d"};
  influx_error err = {0};
  assert_ok(influx_write(c, "m v=1", 5, &wo, &err), &err);
  influx_client_stats st;
  influx_client_get_stats(c, &st);
  assert_int_equal(st.retries, 1);
  influx_client_free(c);
  influx_options o2 = {.port = 1, .retries = 1};
  c = th_client("plain", &o2);
  assert_int_equal(influx_write(c, "m v=1", 5, &wo, &err), INFLUX_ERR_NETWORK);
  influx_client_free(c);
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A server that accepts a write and never answers: without timeout_ms
 * the write ends after stall_timeout_ms of silence, as a timeout, retried
 * as one (issue 24: it waited forever). */
static void test_write_stall_bounded(void **state) {
  (void)state;
  influx_options o = {.path = th_scenario("hang"),
                      .retries = 2,
                      .retry_base_ms = 2,
                      .stall_timeout_ms = 1000};
  influx_client *c = th_client("fake2", &o);
  influx_write_options wo = {.database = "d"};
  influx_error err = {0};
  double t0 = mono_s();
  assert_int_equal(influx_write(c, "m v=1", 5, &wo, &err), INFLUX_ERR_TIMEOUT);
  double took = mono_s() - t0;
  /* Two attempts of 1 s of silence each, as curl measures it: its speed
   * is averaged over the last 5 s, so each ends 1-7 s after the body. */
  assert_true(took >= 2 && took < 20);
  influx_client_stats st;
  influx_client_get_stats(c, &st);
  assert_int_equal(st.requests, 2);
  assert_int_equal(st.retries, 1);
  influx_client_free(c);
  /* -1: never, 0 the default; anything below -1 is refused. */
  influx_options bad = {.stall_timeout_ms = -2};
  influx_client *nc = NULL;
  assert_int_equal(influx_client_new(&bad, &nc, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "stall_timeout_ms"));
}

/* ---- UDP ---- */

/* A UDP socket of our own on loopback; its port in *port. */
static int udp_receiver(int *port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof a;
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  getsockname(fd, (struct sockaddr *)&a, &al);
  *port = ntohs(a.sin_port);
  return fd;
}

static void test_udp_datagrams(void **state) {
  (void)state;
  /* Our own receiver shows the datagram boundaries. */
  int port;
  int fd = udp_receiver(&port);
  influx_options o = {.use_udp = 1, .udp_port = port, .udp_payload_size = 100};
  influx_client *c = th_client("plain", &o);
  char data[4096];
  size_t n = 0;
  for (int i = 0; i < 40; i++)
    n += (size_t)snprintf(data + n, sizeof data - n,
                          "cpu,host=h%d value=%d.5 %d\n", i, i, 1000 + i);
  influx_error err = {0};
  assert_ok(influx_send_packet(c, data, n, &err), &err);
  char got[4096];
  size_t gl = 0;
  int grams = 0;
  struct timeval tv = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (gl < n) {
    char buf[2048];
    ssize_t k = recv(fd, buf, sizeof buf, 0);
    if (k <= 0)
      break;
    assert_true(k <= 100);
    /* Each datagram holds whole lines. */
    assert_true(buf[k - 1] == '\n');
    memcpy(got + gl, buf, (size_t)k);
    gl += (size_t)k;
    grams++;
  }
  assert_int_equal(gl, n);
  assert_memory_equal(got, data, n);
  assert_true(grams > 1);
  /* One line longer than a datagram: refused, nothing sent. */
  char big[300];
  memset(big, 'a', sizeof big);
  memcpy(big, "m v=1 ", 6);
  big[sizeof big - 1] = '\n';
  assert_int_equal(influx_send_packet(c, big, sizeof big, &err),
                   INFLUX_ERR_TOO_LARGE);
  assert_non_null(strstr(err.message, "line 0"));
  char buf[16];
  tv.tv_sec = 0;
  tv.tv_usec = 200000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  assert_true(recv(fd, buf, sizeof buf, 0) < 0);
  influx_client_free(c);
  close(fd);
}

/* A client shared by threads: UDP sends from several threads while
 * another closes the client's connections (and so its UDP socket) over and
 * over. Run under ThreadSanitizer in the suite; every send succeeds. */
typedef struct udp_share {
  influx_client *c;
  int fails;
} udp_share;

static void *udp_sender(void *u) {
  udp_share *s = u;
  for (int i = 0; i < 300; i++) {
    influx_error err = {0};
    if (influx_send_packet(s->c, "m v=1\n", 6, &err))
      __atomic_add_fetch(&s->fails, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void test_udp_shared_client(void **state) {
  (void)state;
  int port;
  int fd = udp_receiver(&port);
  influx_options o = {.use_udp = 1, .udp_port = port};
  udp_share s = {th_client("plain", &o), 0};
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    assert_int_equal(pthread_create(&t[i], NULL, udp_sender, &s), 0);
  for (int i = 0; i < 200; i++)
    influx_client_close(s.c);
  for (int i = 0; i < 3; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(s.fails, 0);
  influx_client_free(s.c);
  close(fd);
}

static void test_udp_points_arrive(void **state) {
  (void)state;
  influx_options o = {.use_udp = 1, .udp_payload_size = 512};
  influx_client *c = th_client("udp", &o);
  influx_client *h = th_client("udp", NULL);
  size_t n = 200;
  influx_point *pts = calloc(n, sizeof *pts);
  influx_field *f = calloc(n, sizeof *f);
  influx_tag t[] = {{"via", "udp"}};
  for (size_t i = 0; i < n; i++) {
    f[i] = (influx_field)INFLUX_F_INT("v", (int64_t)i);
    pts[i] = (influx_point){"u", t, 1, &f[i], 1, (int64_t)i + 1, 1, "s"};
  }
  influx_error err = {0};
  assert_ok(influx_write_points(c, pts, n, NULL, &err), &err);
  int64_t got = 0;
  for (int tries = 0; tries < 100 && got < (int64_t)n; tries++) {
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    influx_result *r = th_query(h, "udpdb", "SELECT count(v) FROM u");
    const influx_series *s = influx_result_series(r, 0, 0);
    if (s)
      influx_series_get_int(s, 0, 1, &got);
    influx_result_free(r);
  }
  assert_int_equal(got, (int64_t)n);
  /* Times were sent in seconds and converted to ns for the listener. */
  influx_result *r = th_query(h, "udpdb", "SELECT v FROM u WHERE v = 7");
  assert_int_equal(
      influx_series_value(influx_result_series(r, 0, 0), 0, 0)->v.i,
      8000000000LL);
  influx_result_free(r);
  free(pts);
  free(f);
  influx_client_free(c);
  influx_client_free(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_property),
      cmocka_unit_test(test_odd_backslash_tags),
      cmocka_unit_test(test_batches_and_parallel),
      cmocka_unit_test(test_write_from_source),
      cmocka_unit_test(test_later_points_win),
      cmocka_unit_test(test_refusal_stops_the_write),
      cmocka_unit_test(test_partial_write_reported),
      cmocka_unit_test(test_too_large_is_split),
      cmocka_unit_test(test_too_large_cut_at_line_ends),
      cmocka_unit_test(test_ack_failure_does_not_stop),
      cmocka_unit_test(test_rp_precision_params),
      cmocka_unit_test(test_write_retries_5xx),
      cmocka_unit_test(test_write_stall_bounded),
      cmocka_unit_test(test_udp_datagrams),
      cmocka_unit_test(test_udp_shared_client),
      cmocka_unit_test(test_udp_points_arrive),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
