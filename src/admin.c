/* Administration statements, built only through the quoting module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_impl.h"
#include "influxc/admin.h"
#include "influxc/query.h"
#include "quote_impl.h"

/* Removes every occurrence of `secret` from `msg` (server messages may
 * quote the statement back). */
static void scrub(influx_error *err, const char *secret) {
  if (!err || !secret || !*secret)
    return;
  size_t n = strlen(secret);
  char *p;
  while ((p = strstr(err->message, secret))) {
    memmove(p + 3, p + n, strlen(p + n) + 1);
    memcpy(p, "***", 3);
  }
}

/* Runs one statement with POST; optionally returns its result. */
static influx_status exec_stmt(influx_client *c, const ibuf *q, const char *db,
                               int post, influx_result **out,
                               influx_error *err) {
  influx_query_options o = {.database = db, .method = post ? "POST" : "GET"};
  influx_result *r = NULL;
  influx_status st = influx_query(c, q->p, &o, &r, err);
  if (out && !st)
    *out = r;
  else
    influx_result_free(r);
  return st;
}

#define TRY(x)                                                                 \
  do {                                                                         \
    if ((st = (x)))                                                            \
      goto done;                                                               \
  } while (0)

static const char *pick_db(influx_client *c, const char *db) {
  return db ? db : c->database;
}

static influx_status need_client(influx_client *c, influx_error *err) {
  return c ? INFLUX_OK : ierr(err, INFLUX_ERR_INVALID_ARG, "client is NULL");
}

static influx_status simple(influx_client *c, const char *prefix,
                            const char *ident, const char *what,
                            influx_error *err) {
  influx_status st = need_client(c, err);
  if (st)
    return st;
  ibuf q = {0};
  ibuf_puts(&q, prefix);
  TRY(quote_append(&q, ident, '"', what, err));
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

/* influxd refuses database and retention policy names with '/', '\\' or
 * control characters ("invalid name"); say so before sending. */
static influx_status valid_name(const char *n, const char *what,
                                influx_error *err) {
  if (!n)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "%s is NULL", what);
  for (const char *p = n; *p; p++)
    if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "%s \"%.60s\" contains '/', '\\' or a control character, "
                  "which influxd refuses",
                  what, n);
  if (!strcmp(n, ".") || !strcmp(n, ".."))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "%s \"%s\" is not allowed", what,
                n);
  return INFLUX_OK;
}

influx_status influx_create_database(influx_client *c, const char *dbname,
                                     influx_error *err) {
  influx_status st =
      dbname && *dbname ? valid_name(dbname, "database name", err) : INFLUX_OK;
  if (st)
    return st;
  return simple(c, "CREATE DATABASE ", dbname, "database name", err);
}

influx_status influx_drop_database(influx_client *c, const char *dbname,
                                   influx_error *err) {
  return simple(c, "DROP DATABASE ", dbname, "database name", err);
}

influx_status influx_drop_user(influx_client *c, const char *username,
                               influx_error *err) {
  return simple(c, "DROP USER ", username, "username", err);
}

influx_status influx_grant_admin_privileges(influx_client *c,
                                            const char *username,
                                            influx_error *err) {
  return simple(c, "GRANT ALL PRIVILEGES TO ", username, "username", err);
}

influx_status influx_revoke_admin_privileges(influx_client *c,
                                             const char *username,
                                             influx_error *err) {
  return simple(c, "REVOKE ALL PRIVILEGES FROM ", username, "username", err);
}

/* ---- lists ---- */

/* Calls `row` for every row of every series of the first statement. */
typedef int (*row_fn)(void *u, const influx_series *s, size_t row);

static influx_status list_rows(influx_client *c, const ibuf *q, const char *db,
                               row_fn fn, void *u, influx_error *err) {
  influx_result *r = NULL;
  influx_status st = exec_stmt(c, q, db, 0, &r, err);
  if (st)
    return st;
  size_t ns = influx_result_series_count(r, 0);
  for (size_t j = 0; j < ns && !st; j++) {
    const influx_series *s = influx_result_series(r, 0, j);
    for (size_t i = 0; i < influx_series_row_count(s) && !st; i++)
      if (fn(u, s, i))
        st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  influx_result_free(r);
  return st;
}

static char *cell_str(const influx_series *s, size_t row, const char *col) {
  const influx_value *v = influx_series_get(s, row, col);
  if (!v || v->type != INFLUX_VALUE_STRING)
    return istrdup("");
  return istrndup(v->v.s, v->len);
}

/* Room for one more item in a list that holds `count`: lists keep no
 * capacity, so it is the one grow_array left them with (4, 8, 16, ...). */
static int grow_list(void **items, size_t count, size_t elt) {
  size_t cap = count ? 4 : 0;
  while (cap && cap < count)
    cap *= 2;
  return grow_array(items, &cap, count + 1, elt);
}

typedef struct name_ctx {
  influx_name_list *l;
  const char *col;
} name_ctx;

static int add_name(void *u, const influx_series *s, size_t row) {
  name_ctx *x = u;
  if (grow_list((void **)&x->l->names, x->l->count, sizeof(char *)))
    return -1;
  char *n = cell_str(s, row, x->col);
  if (!n)
    return -1;
  x->l->names[x->l->count++] = n;
  return 0;
}

static influx_status list_names(influx_client *c, const ibuf *q, const char *db,
                                const char *col, influx_name_list *out,
                                influx_error *err) {
  name_ctx x = {out, col};
  influx_status st = list_rows(c, q, db, add_name, &x, err);
  if (st)
    influx_name_list_clear(out);
  return st;
}

void influx_name_list_clear(influx_name_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->count; i++)
    free(l->names[i]);
  free(l->names);
  l->names = NULL;
  l->count = 0;
}

static influx_status need_out(void *out, size_t sz, influx_client *c,
                              influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "out is NULL");
  memset(out, 0, sz);
  return need_client(c, err);
}

influx_status influx_get_list_database(influx_client *c, influx_name_list *out,
                                       influx_error *err) {
  influx_status st = need_out(out, sizeof *out, c, err);
  if (st)
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SHOW DATABASES");
  st = list_names(c, &q, NULL, "name", out, err);
  ibuf_free(&q);
  return st;
}

static influx_status need_db(influx_client *c, const char *db,
                             influx_error *err) {
  if (!pick_db(c, db))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "no database: pass one or set it on the client");
  return INFLUX_OK;
}

influx_status influx_get_list_measurements(influx_client *c,
                                           influx_name_list *out,
                                           influx_error *err) {
  influx_status st = need_out(out, sizeof *out, c, err);
  if (st || (st = need_db(c, NULL, err)))
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SHOW MEASUREMENTS");
  st = list_names(c, &q, NULL, "name", out, err);
  ibuf_free(&q);
  return st;
}

influx_status influx_drop_measurement(influx_client *c, const char *measurement,
                                      influx_error *err) {
  influx_status st = need_client(c, err);
  if (st || (st = need_db(c, NULL, err)))
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "DROP MEASUREMENT ");
  TRY(quote_append(&q, measurement, '"', "measurement", err));
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

/* [FROM "m"] [WHERE "k" = 'v' AND ...] */
static influx_status series_filter(ibuf *q, const char *measurement,
                                   const influx_tag *tags, size_t ntags,
                                   influx_error *err) {
  influx_status st = INFLUX_OK;
  if (ntags && !tags)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "tags is NULL with ntags > 0");
  if (measurement) {
    ibuf_puts(q, " FROM ");
    if ((st = quote_append(q, measurement, '"', "measurement", err)))
      return st;
  }
  for (size_t i = 0; i < ntags; i++) {
    ibuf_puts(q, i ? " AND " : " WHERE ");
    if ((st = quote_append(q, tags[i].key, '"', "tag key", err)))
      return st;
    ibuf_puts(q, " = ");
    if ((st = quote_append(q, tags[i].value, '\'', "tag value", err)))
      return st;
  }
  return st;
}

influx_status influx_get_list_series(influx_client *c, const char *database,
                                     const char *measurement,
                                     const influx_tag *tags, size_t ntags,
                                     influx_name_list *out, influx_error *err) {
  influx_status st = need_out(out, sizeof *out, c, err);
  if (st || (st = need_db(c, database, err)))
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SHOW SERIES");
  TRY(series_filter(&q, measurement, tags, ntags, err));
  st = list_names(c, &q, pick_db(c, database), "key", out, err);
done:
  ibuf_free(&q);
  return st;
}

influx_status influx_delete_series(influx_client *c, const char *database,
                                   const char *measurement,
                                   const influx_tag *tags, size_t ntags,
                                   influx_error *err) {
  influx_status st = need_client(c, err);
  if (st || (st = need_db(c, database, err)))
    return st;
  if (!measurement && !ntags)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "delete_series needs a measurement or tags (use "
                "drop_database to delete everything)");
  ibuf q = {0};
  ibuf_puts(&q, "DROP SERIES");
  TRY(series_filter(&q, measurement, tags, ntags, err));
  st = exec_stmt(c, &q, pick_db(c, database), 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

/* ---- retention policies ---- */

influx_status influx_duration_check(const char *d, int allow_inf,
                                    influx_error *err) {
  if (!d || !*d)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "duration is empty");
  if (istrcaseeq(d, "INF")) {
    if (allow_inf)
      return INFLUX_OK;
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "duration \"INF\" is not allowed here (use e.g. 1000w)");
  }
  const char *p = d;
  while (*p) {
    if (*p < '0' || *p > '9')
      goto bad;
    int nd = 0;
    while (*p >= '0' && *p <= '9') {
      p++;
      if (++nd > 18)
        goto bad;
    }
    if (!strncmp(p, "ns", 2) || !strncmp(p, "ms", 2))
      p += 2;
    else if (!strncmp(p, "\xc2\xb5", 2))
      p += 2;
    else if (*p && strchr("usmhdw", *p))
      p++;
    else
      goto bad;
  }
  return INFLUX_OK;
bad:
  return ierr(err, INFLUX_ERR_INVALID_ARG,
              "duration \"%.40s\" is invalid (expected e.g. 1h, 90m, 7d, 4w "
              "or INF)",
              d);
}

influx_status
influx_create_retention_policy(influx_client *c, const char *name,
                               const char *duration, int replication,
                               const char *database, int is_default,
                               const char *shard_duration, influx_error *err) {
  influx_status st = need_client(c, err);
  if (st || (st = need_db(c, database, err)) ||
      (st = influx_duration_check(duration, 1, err)) ||
      (shard_duration && (st = influx_duration_check(shard_duration, 0, err))))
    return st;
  if (replication < 1)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "replication %d is invalid (must be >= 1)", replication);
  if (name && *name && (st = valid_name(name, "retention policy name", err)))
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "CREATE RETENTION POLICY ");
  TRY(quote_append(&q, name, '"', "retention policy name", err));
  ibuf_puts(&q, " ON ");
  TRY(quote_append(&q, pick_db(c, database), '"', "database", err));
  ibuf_printf(&q, " DURATION %s REPLICATION %d", duration, replication);
  if (shard_duration)
    ibuf_printf(&q, " SHARD DURATION %s", shard_duration);
  if (is_default)
    ibuf_puts(&q, " DEFAULT");
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

influx_status influx_alter_retention_policy(influx_client *c, const char *name,
                                            const char *database,
                                            const char *duration,
                                            int replication, int make_default,
                                            const char *shard_duration,
                                            influx_error *err) {
  influx_status st = need_client(c, err);
  if (st || (st = need_db(c, database, err)))
    return st;
  if (!duration && replication <= 0 && !make_default && !shard_duration)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "alter_retention_policy needs at least one of duration, "
                "replication, default or shard_duration");
  if ((duration && (st = influx_duration_check(duration, 1, err))) ||
      (shard_duration && (st = influx_duration_check(shard_duration, 0, err))))
    return st;
  if (replication < 0)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "replication %d is invalid (must be >= 1)", replication);
  ibuf q = {0};
  ibuf_puts(&q, "ALTER RETENTION POLICY ");
  TRY(quote_append(&q, name, '"', "retention policy name", err));
  ibuf_puts(&q, " ON ");
  TRY(quote_append(&q, pick_db(c, database), '"', "database", err));
  if (duration)
    ibuf_printf(&q, " DURATION %s", duration);
  if (replication > 0)
    ibuf_printf(&q, " REPLICATION %d", replication);
  if (shard_duration)
    ibuf_printf(&q, " SHARD DURATION %s", shard_duration);
  if (make_default)
    ibuf_puts(&q, " DEFAULT");
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

/* DROP <what> "name" ON "db": retention policies and continuous queries
 * alike. `label` names the name in errors. */
static influx_status drop_on_db(influx_client *c, const char *what,
                                const char *label, const char *name,
                                const char *database, influx_error *err) {
  influx_status st = need_client(c, err);
  if (st || (st = need_db(c, database, err)))
    return st;
  ibuf q = {0};
  ibuf_printf(&q, "DROP %s ", what);
  TRY(quote_append(&q, name, '"', label, err));
  ibuf_puts(&q, " ON ");
  TRY(quote_append(&q, pick_db(c, database), '"', "database", err));
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

influx_status influx_drop_retention_policy(influx_client *c, const char *name,
                                           const char *database,
                                           influx_error *err) {
  return drop_on_db(c, "RETENTION POLICY", "retention policy name", name,
                    database, err);
}

static int add_rp(void *u, const influx_series *s, size_t row) {
  influx_rp_list *l = u;
  if (grow_list((void **)&l->items, l->count, sizeof *l->items))
    return -1;
  influx_rp *rp = &l->items[l->count];
  memset(rp, 0, sizeof *rp);
  rp->name = cell_str(s, row, "name");
  rp->duration = cell_str(s, row, "duration");
  rp->shard_duration = cell_str(s, row, "shardGroupDuration");
  const influx_value *v = influx_series_get(s, row, "replicaN");
  rp->replication = v && v->type == INFLUX_VALUE_INT ? (int)v->v.i : 0;
  v = influx_series_get(s, row, "default");
  rp->is_default = v && v->type == INFLUX_VALUE_BOOL && v->v.b;
  l->count++;
  return rp->name && rp->duration && rp->shard_duration ? 0 : -1;
}

influx_status influx_get_list_retention_policies(influx_client *c,
                                                 const char *database,
                                                 influx_rp_list *out,
                                                 influx_error *err) {
  influx_status st = need_out(out, sizeof *out, c, err);
  if (st || (st = need_db(c, database, err)))
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SHOW RETENTION POLICIES ON ");
  TRY(quote_append(&q, pick_db(c, database), '"', "database", err));
  st = list_rows(c, &q, NULL, add_rp, out, err);
done:
  ibuf_free(&q);
  if (st)
    influx_rp_list_clear(out);
  return st;
}

void influx_rp_list_clear(influx_rp_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->count; i++) {
    free(l->items[i].name);
    free(l->items[i].duration);
    free(l->items[i].shard_duration);
  }
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

/* ---- continuous queries ---- */

/* A SELECT without ';' outside quotes: one statement, nothing appended. */
static influx_status check_select(const char *s, influx_error *err) {
  if (!s)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "select is NULL");
  const char *p = s;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  if (strncasecmp(p, "SELECT", 6) ||
      (p[6] && p[6] != ' ' && p[6] != '\t' && p[6] != '\n'))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "continuous query body must be a SELECT statement");
  char q = 0;
  for (; *p; p++) {
    if (q) {
      if (*p == '\\' && p[1])
        p++;
      else if (*p == q)
        q = 0;
    } else if (*p == '\'' || *p == '"') {
      q = *p;
    } else if (*p == ';') {
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "continuous query body must be a single statement (found "
                  "';')");
    } else if ((p == s || p[-1] == ' ' || p[-1] == ')') &&
               !strncasecmp(p, "END", 3) &&
               (!p[3] || p[3] == ' ' || p[3] == '\n' || p[3] == ';')) {
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "continuous query body must not contain a bare END");
    }
  }
  if (q)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "continuous query body has an unterminated quote");
  return INFLUX_OK;
}

/* resample_opts: "EVERY <dur> [FOR <dur>]" or "FOR <dur>"; written back in
 * canonical form so nothing else can slip through. */
static influx_status resample(const char *opts, ibuf *q, influx_error *err) {
  char buf[128];
  if (strlen(opts) >= sizeof buf)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "resample_opts is too long");
  strcpy(buf, opts);
  char *save = NULL;
  int every = 0, fr = 0;
  ibuf_puts(q, " RESAMPLE");
  for (char *w = strtok_r(buf, " \t", &save); w;
       w = strtok_r(NULL, " \t", &save)) {
    int is_every = istrcaseeq(w, "EVERY"), is_for = istrcaseeq(w, "FOR");
    if ((!is_every && !is_for) || (is_every && (every || fr)) || (is_for && fr))
      goto bad;
    char *d = strtok_r(NULL, " \t", &save);
    if (!d || influx_duration_check(d, 0, NULL))
      goto bad;
    ibuf_printf(q, " %s %s", is_every ? "EVERY" : "FOR", d);
    every |= is_every;
    fr |= is_for;
  }
  if (every || fr)
    return INFLUX_OK;
bad:
  return ierr(err, INFLUX_ERR_INVALID_ARG,
              "resample_opts \"%.60s\" is invalid (expected e.g. \"EVERY 10s "
              "FOR 2m\")",
              opts);
}

influx_status influx_create_continuous_query(influx_client *c, const char *name,
                                             const char *select,
                                             const char *database,
                                             const char *resample_opts,
                                             influx_error *err) {
  influx_status st = need_client(c, err);
  if (st || (st = need_db(c, database, err)) ||
      (st = check_select(select, err)))
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "CREATE CONTINUOUS QUERY ");
  TRY(quote_append(&q, name, '"', "continuous query name", err));
  ibuf_puts(&q, " ON ");
  TRY(quote_append(&q, pick_db(c, database), '"', "database", err));
  if (resample_opts)
    TRY(resample(resample_opts, &q, err));
  ibuf_puts(&q, " BEGIN ");
  ibuf_puts(&q, select);
  ibuf_puts(&q, " END");
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

influx_status influx_drop_continuous_query(influx_client *c, const char *name,
                                           const char *database,
                                           influx_error *err) {
  return drop_on_db(c, "CONTINUOUS QUERY", "continuous query name", name,
                    database, err);
}

static int add_cq(void *u, const influx_series *s, size_t row) {
  influx_cq_list *l = u;
  if (grow_list((void **)&l->items, l->count, sizeof *l->items))
    return -1;
  influx_cq *cq = &l->items[l->count++];
  cq->database = istrdup(influx_series_name(s));
  cq->name = cell_str(s, row, "name");
  cq->query = cell_str(s, row, "query");
  return cq->database && cq->name && cq->query ? 0 : -1;
}

influx_status influx_get_list_continuous_queries(influx_client *c,
                                                 influx_cq_list *out,
                                                 influx_error *err) {
  influx_status st = need_out(out, sizeof *out, c, err);
  if (st)
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SHOW CONTINUOUS QUERIES");
  st = list_rows(c, &q, NULL, add_cq, out, err);
  ibuf_free(&q);
  if (st)
    influx_cq_list_clear(out);
  return st;
}

void influx_cq_list_clear(influx_cq_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->count; i++) {
    free(l->items[i].database);
    free(l->items[i].name);
    free(l->items[i].query);
  }
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

/* ---- users ---- */

influx_status influx_create_user(influx_client *c, const char *username,
                                 const char *password, int admin,
                                 influx_error *err) {
  influx_status st = need_client(c, err);
  if (st)
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "CREATE USER ");
  TRY(quote_append(&q, username, '"', "username", err));
  ibuf_puts(&q, " WITH PASSWORD ");
  TRY(quote_append(&q, password, '\'', "password", err));
  if (admin)
    ibuf_puts(&q, " WITH ALL PRIVILEGES");
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
  scrub(err, password);
done:
  if (q.p)
    memset(q.p, 0, q.len);
  ibuf_free(&q);
  return st;
}

influx_status influx_set_user_password(influx_client *c, const char *username,
                                       const char *password,
                                       influx_error *err) {
  influx_status st = need_client(c, err);
  if (st)
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SET PASSWORD FOR ");
  TRY(quote_append(&q, username, '"', "username", err));
  ibuf_puts(&q, " = ");
  TRY(quote_append(&q, password, '\'', "password", err));
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
  scrub(err, password);
done:
  if (q.p)
    memset(q.p, 0, q.len);
  ibuf_free(&q);
  return st;
}

static int add_user(void *u, const influx_series *s, size_t row) {
  influx_user_list *l = u;
  if (grow_list((void **)&l->items, l->count, sizeof *l->items))
    return -1;
  influx_user *us = &l->items[l->count++];
  us->name = cell_str(s, row, "user");
  const influx_value *v = influx_series_get(s, row, "admin");
  us->admin = v && v->type == INFLUX_VALUE_BOOL && v->v.b;
  return us->name ? 0 : -1;
}

influx_status influx_get_list_users(influx_client *c, influx_user_list *out,
                                    influx_error *err) {
  influx_status st = need_out(out, sizeof *out, c, err);
  if (st)
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SHOW USERS");
  st = list_rows(c, &q, NULL, add_user, out, err);
  ibuf_free(&q);
  if (st)
    influx_user_list_clear(out);
  return st;
}

void influx_user_list_clear(influx_user_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i].name);
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

static influx_status privilege_word(const char *p, const char **word,
                                    influx_error *err) {
  if (p && istrcaseeq(p, "read"))
    *word = "READ";
  else if (p && istrcaseeq(p, "write"))
    *word = "WRITE";
  else if (p && istrcaseeq(p, "all"))
    *word = "ALL";
  else
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "privilege \"%.20s\" is not one of read, write, all",
                p ? p : "(null)");
  return INFLUX_OK;
}

static influx_status grant_revoke(influx_client *c, int grant,
                                  const char *privilege, const char *database,
                                  const char *username, influx_error *err) {
  const char *word = NULL;
  influx_status st = need_client(c, err);
  if (st || (st = privilege_word(privilege, &word, err)))
    return st;
  ibuf q = {0};
  ibuf_printf(&q, "%s %s ON ", grant ? "GRANT" : "REVOKE", word);
  TRY(quote_append(&q, database, '"', "database", err));
  ibuf_puts(&q, grant ? " TO " : " FROM ");
  TRY(quote_append(&q, username, '"', "username", err));
  st = exec_stmt(c, &q, NULL, 1, NULL, err);
done:
  ibuf_free(&q);
  return st;
}

influx_status influx_grant_privilege(influx_client *c, const char *privilege,
                                     const char *database, const char *username,
                                     influx_error *err) {
  return grant_revoke(c, 1, privilege, database, username, err);
}

influx_status influx_revoke_privilege(influx_client *c, const char *privilege,
                                      const char *database,
                                      const char *username, influx_error *err) {
  return grant_revoke(c, 0, privilege, database, username, err);
}

static int add_priv(void *u, const influx_series *s, size_t row) {
  influx_privilege_list *l = u;
  if (grow_list((void **)&l->items, l->count, sizeof *l->items))
    return -1;
  influx_privilege *p = &l->items[l->count++];
  p->database = cell_str(s, row, "database");
  p->privilege = cell_str(s, row, "privilege");
  return p->database && p->privilege ? 0 : -1;
}

influx_status influx_get_list_privileges(influx_client *c, const char *username,
                                         influx_privilege_list *out,
                                         influx_error *err) {
  influx_status st = need_out(out, sizeof *out, c, err);
  if (st)
    return st;
  ibuf q = {0};
  ibuf_puts(&q, "SHOW GRANTS FOR ");
  TRY(quote_append(&q, username, '"', "username", err));
  st = list_rows(c, &q, NULL, add_priv, out, err);
done:
  ibuf_free(&q);
  if (st)
    influx_privilege_list_clear(out);
  return st;
}

void influx_privilege_list_clear(influx_privilege_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->count; i++) {
    free(l->items[i].database);
    free(l->items[i].privilege);
  }
  free(l->items);
  l->items = NULL;
  l->count = 0;
}
