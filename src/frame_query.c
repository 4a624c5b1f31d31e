/* Queries into frames: series pieces decoded into one frame per series
 * (or per chunk when streamed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "frame_impl.h"
#include "influxc/write.h"

typedef struct fentry {
  char *name;
  char **tk, **tv;
  size_t nt;
  influx_frame *f;
} fentry;

typedef struct fstmt {
  fentry *e;
  size_t n, cap;
} fstmt;

struct influx_frame_set {
  fstmt *st;
  size_t nst;
  size_t last_stmt, last_i;
  influx_error err;
  influx_status failed;
  const influx_frame_query_options *o;
  size_t *map; /* piece column -> frame column (SIZE_MAX: time) */
  size_t map_cap;
};

static void entry_free(fentry *e) {
  free(e->name);
  for (size_t i = 0; i < e->nt; i++) {
    free(e->tk[i]);
    free(e->tv[i]);
  }
  free(e->tk);
  free(e->tv);
  influx_frame_free(e->f);
}

void influx_frame_set_free(influx_frame_set *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->nst; i++) {
    for (size_t j = 0; j < s->st[i].n; j++)
      entry_free(&s->st[i].e[j]);
    free(s->st[i].e);
  }
  free(s->st);
  free(s->map);
  free(s);
}

/* Tags compare as sets: MessagePack maps come in any order. */
static int same_series(const fentry *e, const influx_series *p) {
  if (strcmp(e->name, influx_series_name(p)) ||
      e->nt != influx_series_tag_count(p))
    return 0;
  for (size_t t = 0; t < e->nt; t++) {
    const char *k = influx_series_tag_key(p, t);
    size_t j = 0;
    while (j < e->nt && strcmp(e->tk[j], k))
      j++;
    if (j == e->nt || strcmp(e->tv[j], influx_series_tag_value(p, t)))
      return 0;
  }
  return 1;
}

static fentry *entry_for(influx_frame_set *s, size_t stmt,
                         const influx_series *p) {
  if (stmt >= s->nst) {
    fstmt *n = realloc(s->st, (stmt + 1) * sizeof *n);
    if (!n)
      return NULL;
    memset(n + s->nst, 0, (stmt + 1 - s->nst) * sizeof *n);
    s->st = n;
    s->nst = stmt + 1;
  }
  fstmt *st = &s->st[stmt];
  /* Chunks of one series arrive one after another: try the last first. */
  if (s->last_stmt == stmt && s->last_i < st->n &&
      same_series(&st->e[s->last_i], p))
    return &st->e[s->last_i];
  for (size_t i = 0; i < st->n; i++)
    if (same_series(&st->e[i], p)) {
      s->last_stmt = stmt;
      s->last_i = i;
      return &st->e[i];
    }
  if (grow_array((void **)&st->e, &st->cap, st->n + 1, sizeof *st->e))
    return NULL;
  fentry *e = &st->e[st->n];
  memset(e, 0, sizeof *e);
  e->nt = influx_series_tag_count(p);
  e->name = istrdup(influx_series_name(p));
  e->tk = calloc(e->nt + 1, sizeof *e->tk);
  e->tv = calloc(e->nt + 1, sizeof *e->tv);
  int bad = !e->name || !e->tk || !e->tv || influx_frame_new(&e->f, NULL);
  for (size_t t = 0; !bad && t < e->nt; t++) {
    /* Kept sorted by key, like the seed's dict keys. */
    const char *k = influx_series_tag_key(p, t);
    size_t at = t;
    while (at > 0 && strcmp(e->tk[at - 1], k) > 0) {
      e->tk[at] = e->tk[at - 1];
      e->tv[at] = e->tv[at - 1];
      at--;
    }
    e->tk[at] = istrdup(k);
    e->tv[at] = istrdup(influx_series_tag_value(p, t));
    bad = !e->tk[at] || !e->tv[at];
  }
  if (bad) {
    entry_free(e);
    return NULL;
  }
  st->n++;
  s->last_stmt = stmt;
  s->last_i = st->n - 1;
  return e;
}

/* int -> float when a column turns out to hold both (JSON writes 2.0 as
 * 2). */
static void promote_to_float(fcol *c, size_t rows) {
  int64_t *iv = c->values;
  double *dv = c->values;
  for (size_t r = 0; r < rows; r++)
    dv[r] = (double)iv[r];
  c->type = INFLUX_COL_FLOAT;
}

static int col_type_for(const influx_value *v) {
  switch (v->type) {
  case INFLUX_VALUE_FLOAT:
    return INFLUX_COL_FLOAT;
  case INFLUX_VALUE_INT:
  case INFLUX_VALUE_UINT:
  case INFLUX_VALUE_TIME:
    return v->type == INFLUX_VALUE_UINT ? INFLUX_COL_FLOAT : INFLUX_COL_INT;
  case INFLUX_VALUE_BOOL:
    return INFLUX_COL_BOOL;
  case INFLUX_VALUE_STRING:
    return INFLUX_COL_STRING;
  default:
    return NO_TYPE;
  }
}

/* Appends a series piece to its frame. */
static int on_piece(void *u, int stmt_id, const influx_series *p) {
  influx_frame_set *s = u;
  fentry *e = stmt_id >= 0 ? entry_for(s, (size_t)stmt_id, p) : NULL;
  if (!e) {
    s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
    return 1;
  }
  influx_frame *f = e->f;
  size_t nc = influx_series_column_count(p), nr = influx_series_row_count(p);
  if (nc > s->map_cap) {
    size_t *m = realloc(s->map, nc * sizeof *m);
    if (!m) {
      s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
      return 1;
    }
    s->map = m;
    s->map_cap = nc;
  }
  for (size_t j = 0; j < nc; j++) {
    const char *cn = influx_series_column(p, j);
    if (!strcmp(cn, "time")) {
      s->map[j] = SIZE_MAX;
      continue;
    }
    long k = influx_frame_column_index(f, cn);
    if (k < 0) {
      /* New column: nulls for the rows before. */
      fcol *c = frame_new_col(f, cn, NO_TYPE);
      if (!c || (f->nrows && frame_need_bitmap(f, c))) {
        s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
        return 1;
      }
      for (size_t r = 0; r < f->nrows; r++)
        bit_set(c->valid, r, 0);
      c->nnull = f->nrows;
      k = (long)f->ncols - 1;
    }
    s->map[j] = (size_t)k;
  }
  if (frame_reserve_rows(f, f->nrows + nr)) {
    s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
    return 1;
  }
  /* Columns this piece lacks get nulls. */
  for (size_t k = 0; k < f->ncols; k++) {
    int present = 0;
    for (size_t j = 0; j < nc && !present; j++)
      present = s->map[j] == k;
    if (present)
      continue;
    fcol *c = &f->cols[k];
    if (frame_need_bitmap(f, c)) {
      s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
      return 1;
    }
    for (size_t r = 0; r < nr; r++)
      bit_set(c->valid, f->nrows + r, 0);
    c->nnull += nr;
  }
  for (size_t j = 0; j < nc; j++) {
    size_t k = s->map[j];
    if (k == SIZE_MAX) {
      for (size_t r = 0; r < nr; r++)
        f->time[f->nrows + r] = influx_series_value(p, r, j)->v.i;
      continue;
    }
    fcol *c = &f->cols[k];
    for (size_t r = 0; r < nr; r++) {
      const influx_value *v = influx_series_value(p, r, j);
      int want = col_type_for(v);
      if (want != NO_TYPE && c->type != want) {
        if (c->type == NO_TYPE) {
          /* First value: the column takes its type. */
          void *nv = realloc(c->values, f->cap * elt_size(want));
          if (!nv) {
            s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
            return 1;
          }
          c->values = nv;
          memset(c->values, 0, (f->nrows + r) * elt_size(want));
          c->type = want;
        } else if (c->type == INFLUX_COL_INT && want == INFLUX_COL_FLOAT) {
          promote_to_float(c, f->nrows + r);
        } else if (!(c->type == INFLUX_COL_FLOAT && want == INFLUX_COL_INT)) {
          s->failed = ierr(&s->err, INFLUX_ERR_PARSE,
                           "column \"%.60s\" of %.60s holds values of "
                           "different types",
                           c->name, e->name);
          return 1;
        }
      }
      if (c->type == NO_TYPE) { /* still only nulls */
        if (frame_need_bitmap(f, c)) {
          s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
          return 1;
        }
        bit_set(c->valid, f->nrows + r, 0);
        c->nnull++;
        continue;
      }
      if (frame_store(f, c, f->nrows + r, v)) {
        s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
        return 1;
      }
    }
  }
  f->nrows += nr;
  f->has_rows = 1;
  f->time_set = 1;
  return 0;
}

static int on_stmt_error(void *u, int stmt_id, const char *msg) {
  influx_frame_set *s = u;
  s->failed =
      ierr(&s->err, INFLUX_ERR_STATEMENT, "statement %d: %s", stmt_id, msg);
  return 1;
}

/* dropna and data_frame_index, once every chunk is in. */
static influx_status finish_frame(influx_frame_set *s, influx_frame *f,
                                  influx_error *err) {
  size_t w = 0;
  for (size_t k = 0; k < f->ncols; k++) {
    fcol *c = &f->cols[k];
    int all_null = c->type == NO_TYPE || (f->nrows && c->nnull == f->nrows);
    if (c->type == NO_TYPE && s->o->keep_null_columns) {
      /* Never saw a value: keep it as an all-null float column. */
      c->type = INFLUX_COL_FLOAT;
      all_null = 0;
    }
    if (all_null && !s->o->keep_null_columns) {
      fcol_free(c);
      continue;
    }
    f->cols[w++] = *c;
  }
  f->ncols = w;
  const char *const *ix = s->o->data_frame_index;
  for (size_t i = 0; ix && ix[i]; i++) {
    if (strcmp(ix[i], "time") && influx_frame_column_index(f, ix[i]) < 0)
      continue;
    char **p = realloc(f->index, (f->nindex + 1) * sizeof *p);
    if (!p || !(p[f->nindex] = istrdup(ix[i]))) {
      if (p)
        f->index = p;
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    }
    f->index = p;
    f->nindex++;
  }
  return INFLUX_OK;
}

influx_frame_set *frame_set_new(const influx_frame_query_options *o) {
  static const influx_frame_query_options none;
  influx_frame_set *s = calloc(1, sizeof *s);
  if (s)
    s->o = o ? o : &none;
  return s;
}

int frame_set_piece(void *set, int stmt, const influx_series *p) {
  return on_piece(set, stmt, p);
}

influx_status frame_set_end(influx_frame_set *s, influx_status st,
                            influx_error *err) {
  if (s->failed) {
    st = s->failed;
    if (err)
      *err = s->err;
  }
  for (size_t i = 0; !st && i < s->nst; i++)
    for (size_t j = 0; !st && j < s->st[i].n; j++)
      st = finish_frame(s, s->st[i].e[j].f, err);
  free(s->map);
  s->map = NULL;
  s->map_cap = 0;
  s->o = NULL;
  return st;
}

influx_status influx_query_frames(influx_client *c, const char *query,
                                  const influx_frame_query_options *o,
                                  influx_frame_set **out, influx_error *err) {
  if (out)
    *out = NULL;
  if (!c || !query || !out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "query_frames: NULL argument");
  influx_frame_set *s = frame_set_new(o);
  if (!s)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  influx_query_options qo = {.database = s->o->database,
                             .epoch = "ns",
                             .bind_params = s->o->bind_params,
                             .nbind_params = s->o->nbind_params,
                             .chunk_size = s->o->chunk_size,
                             .format = s->o->format ? s->o->format
                                                    : INFLUX_FORMAT_MSGPACK};
  influx_stream_handlers h = {
      .on_series = on_piece, .on_error = on_stmt_error, .user = s};
  influx_status st =
      frame_set_end(s, influx_query_stream(c, query, &qo, &h, err), err);
  if (st) {
    influx_frame_set_free(s);
    return st;
  }
  *out = s;
  return INFLUX_OK;
}

typedef struct frame_stream {
  const influx_frame_query_options *o;
  influx_frame_cb cb;
  void *user;
  influx_error err;
  influx_status failed;
} frame_stream;

/* One piece: a frame set of its own, handed over, freed. */
static int stream_piece(void *u, int stmt, const influx_series *p) {
  frame_stream *fs = u;
  influx_frame_set *s = frame_set_new(fs->o);
  if (!s) {
    fs->failed = ierr(&fs->err, INFLUX_ERR_NOMEM, "out of memory");
    return 1;
  }
  on_piece(s, 0, p);
  influx_status st = frame_set_end(s, INFLUX_OK, &fs->err);
  int r = 1;
  if (st) {
    fs->failed = st;
  } else if (s->nst && s->st[0].n) {
    fentry *e = &s->st[0].e[0];
    influx_tag *tags = calloc(e->nt + 1, sizeof *tags);
    if (!tags) {
      fs->failed = ierr(&fs->err, INFLUX_ERR_NOMEM, "out of memory");
    } else {
      for (size_t t = 0; t < e->nt; t++)
        tags[t] = (influx_tag){e->tk[t], e->tv[t]};
      r = fs->cb(fs->user, stmt >= 0 ? (size_t)stmt : 0, e->name, tags, e->nt,
                 e->f);
      free(tags);
    }
  }
  influx_frame_set_free(s);
  return r;
}

static int stream_stmt_error(void *u, int stmt, const char *msg) {
  frame_stream *fs = u;
  fs->failed =
      ierr(&fs->err, INFLUX_ERR_STATEMENT, "statement %d: %s", stmt, msg);
  return 1;
}

influx_status influx_query_frames_stream(influx_client *c, const char *query,
                                         const influx_frame_query_options *o,
                                         influx_frame_cb cb, void *user,
                                         influx_error *err) {
  static const influx_frame_query_options none;
  if (!c || !query || !cb)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "query_frames_stream: NULL argument");
  if (!o)
    o = &none;
  frame_stream fs = {.o = o, .cb = cb, .user = user};
  influx_query_options qo = {.database = o->database,
                             .epoch = "ns",
                             .bind_params = o->bind_params,
                             .nbind_params = o->nbind_params,
                             .chunk_size = o->chunk_size,
                             .format =
                                 o->format ? o->format : INFLUX_FORMAT_MSGPACK};
  influx_stream_handlers h = {
      .on_series = stream_piece, .on_error = stream_stmt_error, .user = &fs};
  influx_status st = influx_query_stream(c, query, &qo, &h, err);
  if (fs.failed) {
    st = fs.failed;
    if (err)
      *err = fs.err;
  }
  return st;
}

size_t influx_frame_set_statements(const influx_frame_set *s) {
  return s ? s->nst : 0;
}

size_t influx_frame_set_count(const influx_frame_set *s, size_t stmt) {
  return s && stmt < s->nst ? s->st[stmt].n : 0;
}

static const fentry *entry_at(const influx_frame_set *s, size_t stmt,
                              size_t i) {
  return s && stmt < s->nst && i < s->st[stmt].n ? &s->st[stmt].e[i] : NULL;
}

const influx_frame *influx_frame_set_frame(const influx_frame_set *s,
                                           size_t stmt, size_t i) {
  const fentry *e = entry_at(s, stmt, i);
  return e ? e->f : NULL;
}

const char *influx_frame_set_name(const influx_frame_set *s, size_t stmt,
                                  size_t i) {
  const fentry *e = entry_at(s, stmt, i);
  return e ? e->name : NULL;
}

size_t influx_frame_set_tag_count(const influx_frame_set *s, size_t stmt,
                                  size_t i) {
  const fentry *e = entry_at(s, stmt, i);
  return e ? e->nt : 0;
}

const char *influx_frame_set_tag_key(const influx_frame_set *s, size_t stmt,
                                     size_t i, size_t t) {
  const fentry *e = entry_at(s, stmt, i);
  return e && t < e->nt ? e->tk[t] : NULL;
}

const char *influx_frame_set_tag_value(const influx_frame_set *s, size_t stmt,
                                       size_t i, size_t t) {
  const fentry *e = entry_at(s, stmt, i);
  return e && t < e->nt ? e->tv[t] : NULL;
}

const influx_frame *influx_frame_set_find(const influx_frame_set *s,
                                          size_t stmt, const char *measurement,
                                          const influx_tag *tags,
                                          size_t ntags) {
  if (!s || stmt >= s->nst || !measurement || (ntags && !tags))
    return NULL;
  const fstmt *st = &s->st[stmt];
  for (size_t i = 0; i < st->n; i++) {
    const fentry *e = &st->e[i];
    if (strcmp(e->name, measurement) || e->nt != ntags)
      continue;
    size_t hit = 0;
    for (size_t a = 0; a < ntags; a++)
      for (size_t b = 0; b < e->nt; b++)
        if (tags[a].key && tags[a].value && !strcmp(tags[a].key, e->tk[b]) &&
            !strcmp(tags[a].value, e->tv[b])) {
          hit++;
          break;
        }
    if (hit == ntags)
      return e->f;
  }
  return NULL;
}

influx_frame *influx_frame_set_take(influx_frame_set *s, size_t stmt,
                                    size_t i) {
  if (!s || stmt >= s->nst || i >= s->st[stmt].n)
    return NULL;
  influx_frame *f = s->st[stmt].e[i].f;
  s->st[stmt].e[i].f = NULL;
  if (!f)
    return NULL;
  /* The set keeps an empty frame in its place. */
  influx_frame_new(&s->st[stmt].e[i].f, NULL);
  return f;
}
