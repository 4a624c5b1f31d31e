/* The series helper (seed SeriesHelper): rows of declared tags and fields,
 * a measurement name rendered from a template, bulk commits. Rows are
 * encoded when added, so a bad row is refused at once, not at commit. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt_impl.h"
#include "influxc/series_helper.h"
#include "influxc/write.h"
#include "internal.h"

/* The template split into literal text and references to names. */
typedef struct seg {
  char *text; /* literal, or NULL */
  size_t ref; /* index into names when text is NULL */
} seg;

struct influx_series_helper {
  pthread_mutex_t mu;
  char **names; /* tags first, then fields */
  size_t ntags, nfields;
  seg *segs;
  size_t nsegs;
  influx_client *client;
  size_t bulk;
  int autocommit;
  char *rp, *prec;
  influx_lines *lb;
  /* scratch for add() */
  const influx_field **by_name;
  influx_tag *tags;
  influx_field *fields;
  ibuf meas;
};

void influx_series_helper_free(influx_series_helper *h) {
  if (!h)
    return;
  for (size_t i = 0; i < h->ntags + h->nfields; i++)
    free(h->names[i]);
  for (size_t i = 0; i < h->nsegs; i++)
    free(h->segs[i].text);
  free(h->names);
  free(h->segs);
  free(h->rp);
  free(h->prec);
  free(h->by_name);
  free(h->tags);
  free(h->fields);
  ibuf_free(&h->meas);
  influx_lines_free(h->lb);
  pthread_mutex_destroy(&h->mu);
  free(h);
}

static long find_name(const influx_series_helper *h, const char *s, size_t n) {
  for (size_t i = 0; i < h->ntags + h->nfields; i++)
    if (strlen(h->names[i]) == n && !memcmp(h->names[i], s, n))
      return (long)i;
  return -1;
}

static int add_seg(influx_series_helper *h, char *text, size_t ref) {
  seg *p = realloc(h->segs, (h->nsegs + 1) * sizeof *p);
  if (!p) {
    free(text);
    return -1;
  }
  h->segs = p;
  h->segs[h->nsegs++] = (seg){text, ref};
  return 0;
}

static influx_status parse_template(influx_series_helper *h, const char *t,
                                    influx_error *err) {
  const char *lit = t;
  for (const char *p = t; *p;) {
    if (*p != '{') {
      p++;
      continue;
    }
    const char *close = strchr(p, '}');
    if (!close)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "series_name \"%.80s\": '{' without a closing '}'", t);
    long ref = find_name(h, p + 1, (size_t)(close - p - 1));
    if (ref < 0)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "series_name \"%.80s\": {%.*s} is not a declared tag or "
                  "field",
                  t, (int)(close - p - 1), p + 1);
    if (p > lit && add_seg(h, istrndup(lit, (size_t)(p - lit)), 0))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    if (add_seg(h, NULL, (size_t)ref))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    p = lit = close + 1;
  }
  if (*lit && add_seg(h, istrdup(lit), 0))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  return INFLUX_OK;
}

static influx_status add_names(influx_series_helper *h, const char *const *list,
                               size_t *count, const char *what,
                               influx_error *err) {
  for (size_t i = 0; list && list[i]; i++) {
    if (!*list[i])
      return ierr(err, INFLUX_ERR_INVALID_ARG, "%s name %zu is empty", what, i);
    if (find_name(h, list[i], strlen(list[i])) >= 0)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "\"%.60s\" is declared twice among tags and fields", list[i]);
    char **p = realloc(h->names, (h->ntags + h->nfields + 1) * sizeof *p);
    if (!p)
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    h->names = p;
    if (!(p[h->ntags + h->nfields] = istrdup(list[i])))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    (*count)++;
  }
  return INFLUX_OK;
}

influx_status influx_series_helper_new(const influx_series_helper_options *o,
                                       influx_series_helper **out,
                                       influx_error *err) {
  if (out)
    *out = NULL;
  if (!o || !out)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series_helper_new: NULL argument");
  if (!o->series_name || !*o->series_name)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: series_name is empty");
  if (!o->fields || !o->fields[0])
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: no fields declared (a point needs one)");
  if (o->autocommit && !o->client)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: autocommit needs a client");
  if (o->time_precision && !precision_factor(o->time_precision))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: time_precision \"%.20s\" is not one of n, u, "
                "ms, s, m, h",
                o->time_precision);
  influx_series_helper *h = calloc(1, sizeof *h);
  if (!h)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  pthread_mutex_init(&h->mu, NULL);
  h->client = o->client;
  h->bulk = o->bulk_size ? o->bulk_size : 1;
  h->autocommit = o->autocommit;
  influx_status st = INFLUX_OK;
  if ((st = add_names(h, o->tags, &h->ntags, "tag", err)) ||
      (st = add_names(h, o->fields, &h->nfields, "field", err)))
    goto fail;
  if ((st = parse_template(h, o->series_name, err)))
    goto fail;
  size_t all = h->ntags + h->nfields;
  h->by_name = calloc(all, sizeof *h->by_name);
  h->tags = calloc(h->ntags ? h->ntags : 1, sizeof *h->tags);
  h->fields = calloc(h->nfields, sizeof *h->fields);
  h->lb = influx_lines_new();
  h->rp = o->retention_policy ? istrdup(o->retention_policy) : NULL;
  h->prec = o->time_precision ? istrdup(o->time_precision) : NULL;
  if (!h->by_name || !h->tags || !h->fields || !h->lb ||
      (o->retention_policy && !h->rp) || (o->time_precision && !h->prec)) {
    st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    goto fail;
  }
  if ((st = influx_lines_set_precision(h->lb, h->prec, err)))
    goto fail;
  *out = h;
  return INFLUX_OK;
fail:
  influx_series_helper_free(h);
  return st;
}

/* Commit with the lock held. */
static influx_status commit_locked(influx_series_helper *h, influx_client *c,
                                   influx_error *err) {
  if (!influx_lines_count(h->lb))
    return INFLUX_OK;
  influx_write_options wo = {.retention_policy = h->rp, .precision = h->prec};
  influx_status st = influx_write_buffer(c, h->lb, &wo, NULL, err);
  if (!st)
    influx_lines_reset(h->lb);
  return st;
}

influx_status influx_series_helper_add(influx_series_helper *h,
                                       const influx_field *values, size_t n,
                                       int has_time, int64_t time,
                                       influx_error *err) {
  if (!h || (!values && n))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series_helper_add: NULL argument");
  pthread_mutex_lock(&h->mu);
  size_t all = h->ntags + h->nfields;
  memset(h->by_name, 0, all * sizeof *h->by_name);
  influx_status st = INFLUX_OK;
  for (size_t i = 0; i < n && !st; i++) {
    const char *k = values[i].key;
    long idx = k ? find_name(h, k, strlen(k)) : -1;
    if (idx < 0)
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: \"%.60s\" is not a declared tag or field",
                k ? k : "(NULL)");
    else if (h->by_name[idx])
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: \"%.60s\" is given twice", k);
    else if ((size_t)idx < h->ntags &&
             (values[i].type != INFLUX_FIELD_STRING || !values[i].v.s))
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: tag \"%.60s\" needs a string value", k);
    else
      h->by_name[idx] = &values[i];
  }
  for (size_t i = 0; i < all && !st; i++)
    if (!h->by_name[i])
      st = ierr(err, INFLUX_ERR_INVALID_ARG,
                "series helper: no value for %s \"%.60s\"",
                i < h->ntags ? "tag" : "field", h->names[i]);
  if (!st) {
    h->meas.len = 0;
    int bad = 0;
    for (size_t i = 0; i < h->nsegs; i++) {
      const seg *g = &h->segs[i];
      if (g->text) {
        bad |= ibuf_puts(&h->meas, g->text);
        continue;
      }
      const influx_field *f = h->by_name[g->ref];
      char num[40];
      switch (f->type) {
      case INFLUX_FIELD_STRING:
        bad |= ibuf_puts(&h->meas, f->v.s ? f->v.s : "");
        break;
      case INFLUX_FIELD_FLOAT:
        fmt_double(f->v.f, num);
        bad |= ibuf_puts(&h->meas, num);
        break;
      case INFLUX_FIELD_INT:
        fmt_i64(f->v.i, num);
        bad |= ibuf_puts(&h->meas, num);
        break;
      case INFLUX_FIELD_UINT:
        fmt_u64(f->v.u, num);
        bad |= ibuf_puts(&h->meas, num);
        break;
      default:
        bad |= ibuf_puts(&h->meas, f->v.b ? "true" : "false");
      }
    }
    bad |= ibuf_putc(&h->meas, 0);
    if (bad)
      st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  if (!st) {
    for (size_t i = 0; i < h->ntags; i++)
      h->tags[i] = (influx_tag){h->names[i], h->by_name[i]->v.s};
    for (size_t i = 0; i < h->nfields; i++)
      h->fields[i] = *h->by_name[h->ntags + i];
    influx_point p = {h->meas.p,  h->tags, h->ntags, h->fields,
                      h->nfields, time,    1,        NULL};
    if (!has_time) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      int64_t f = precision_factor(h->prec);
      p.time = ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec) / f;
    }
    st = influx_lines_append(h->lb, &p, err);
  }
  if (!st && h->autocommit && influx_lines_count(h->lb) >= h->bulk)
    st = commit_locked(h, h->client, err);
  pthread_mutex_unlock(&h->mu);
  return st;
}

size_t influx_series_helper_pending(influx_series_helper *h) {
  if (!h)
    return 0;
  pthread_mutex_lock(&h->mu);
  size_t n = influx_lines_count(h->lb);
  pthread_mutex_unlock(&h->mu);
  return n;
}

influx_status influx_series_helper_commit(influx_series_helper *h,
                                          influx_client *c, influx_error *err) {
  if (!h)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series_helper_commit: helper is NULL");
  if (!c)
    c = h->client;
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "series_helper_commit: no client given or declared");
  pthread_mutex_lock(&h->mu);
  influx_status st = commit_locked(h, c, err);
  pthread_mutex_unlock(&h->mu);
  return st;
}
