/* Result sets: storage, the builder the decoders feed, and accessors. */
#define _GNU_SOURCE
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result_impl.h"

/* ---- arena ---- */

char *arena_strndup(arena *a, const char *s, size_t n) {
  arena_block *b = a->head;
  if (!b || b->cap - b->used < n + 1) {
    size_t cap = n + 1 > 65536 - sizeof *b ? n + 1 : 65536 - sizeof *b;
    arena_block *nb = malloc(sizeof *nb + cap);
    if (!nb)
      return NULL;
    nb->cap = cap;
    nb->used = 0;
    nb->next = b;
    a->head = b = nb;
  }
  char *p = b->data + b->used;
  if (n)
    memcpy(p, s, n);
  p[n] = 0;
  b->used += n + 1;
  return p;
}

void arena_free(arena *a) {
  arena_block *b = a->head;
  while (b) {
    arena_block *n = b->next;
    free(b);
    b = n;
  }
  a->head = NULL;
}

void arena_reset(arena *a) {
  /* Keep the newest block for reuse, free the rest. */
  arena_block *b = a->head;
  if (!b)
    return;
  arena_block *rest = b->next;
  b->next = NULL;
  b->used = 0;
  while (rest) {
    arena_block *n = rest->next;
    free(rest);
    rest = n;
  }
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

double c_strtod(const char *s, char **end) {
  pthread_once(&c_locale_once, make_c_locale);
  if (c_locale)
    return strtod_l(s, end, c_locale);
  return strtod(s, end);
}

/* ---- builder ---- */

void rb_init(rbuilder *rb, influx_result *r) {
  memset(rb, 0, sizeof *rb);
  rb->r = r;
  rb->cur.time_col = -1;
}

static void series_free_arrays(influx_series *s) {
  free(s->tagk);
  free(s->tagv);
  free(s->cols);
  free(s->vals);
}

void rb_free(rbuilder *rb) {
  series_free_arrays(&rb->cur);
  memset(&rb->cur, 0, sizeof rb->cur);
  arena_free(&rb->tmp);
}

int rb_fail(rbuilder *rb, influx_status st, const char *msg) {
  if (!rb->st) {
    rb->st = st;
    ierr(rb->err, st, "%s", msg);
  }
  return 1;
}

static int oom(rbuilder *rb) {
  return rb_fail(rb, INFLUX_ERR_NOMEM, "out of memory decoding the response");
}

static arena *cur_arena(rbuilder *rb) {
  return rb->h ? &rb->tmp : &rb->r->arena;
}

int rb_result_begin(rbuilder *rb) {
  influx_result *r = rb->r;
  if (grow_array((void **)&r->st, &r->cap, r->nst + 1, sizeof *r->st))
    return oom(rb);
  statement *s = &r->st[r->nst++];
  memset(s, 0, sizeof *s);
  s->id = (int)(r->nst - 1);
  rb->cur_st = s;
  return 0;
}

int rb_statement_id(rbuilder *rb, int64_t id) {
  influx_result *r = rb->r;
  if (!rb->cur_st)
    return rb_fail(rb, INFLUX_ERR_PARSE, "statement_id outside a result");
  if (id < 0 || id > 1000000000)
    return rb_fail(rb, INFLUX_ERR_PARSE, "statement_id out of range");
  /* Ids that skip ahead are no server's answer, and a consumer that
   * indexes by them (frames) would hold a slot for every id skipped. */
  if (id > rb->next_id)
    return rb_fail(rb, INFLUX_ERR_PARSE,
                   "statement_id skips ahead of the statements before it");
  if (id == rb->next_id)
    rb->next_id++;
  /* A chunk continuing the previous statement: fold into it. */
  if (rb->merge && r->nst >= 2 && rb->cur_st == &r->st[r->nst - 1] &&
      r->st[r->nst - 2].id == (int)id && !rb->cur_st->nseries &&
      !rb->cur_st->error) {
    r->nst--;
    rb->cur_st = &r->st[r->nst - 1];
    rb->cur_st->partial = 0; /* this chunk brings its own flag */
  } else {
    rb->cur_st->id = (int)id;
  }
  rb->cur_st_id = (int)id;
  return 0;
}

int rb_statement_error(rbuilder *rb, const char *s, size_t n) {
  if (!rb->cur_st)
    return rb_fail(rb, INFLUX_ERR_PARSE, "error outside a result");
  if (rb->h) {
    if (rb->h->on_error) {
      char *m = istrndup(s, n);
      if (!m)
        return oom(rb);
      int stop = rb->h->on_error(rb->h->user, rb->cur_st->id, m);
      free(m);
      if (stop)
        return rb_fail(rb, INFLUX_ERR_ABORTED, "stopped by the error callback");
      return 0;
    }
    if (rb->keep_errors)
      return 0;
  }
  free(rb->cur_st->error);
  rb->cur_st->error = istrndup(s, n);
  if (!rb->cur_st->error)
    return oom(rb);
  if (rb->h && !rb->keep_errors) {
    char msg[INFLUX_ERROR_MSG_SIZE];
    snprintf(msg, sizeof msg, "statement %d: %.*s", rb->cur_st->id,
             (int)(n > 400 ? 400 : n), s);
    return rb_fail(rb, INFLUX_ERR_STATEMENT, msg);
  }
  return 0;
}

int rb_statement_partial(rbuilder *rb, int p) {
  if (rb->cur_st)
    rb->cur_st->partial = p;
  return 0;
}

int rb_result_end(rbuilder *rb) {
  if (rb->in_series)
    return rb_fail(rb, INFLUX_ERR_PARSE, "result ended inside a series");
  if (rb->h && rb->cur_st) {
    /* Streaming keeps no statements beyond their flags. */
    free(rb->cur_st->error);
    rb->cur_st->error = NULL;
  }
  return 0;
}

int rb_series_begin(rbuilder *rb) {
  if (!rb->cur_st)
    return rb_fail(rb, INFLUX_ERR_PARSE, "series outside a result");
  if (rb->in_series)
    return rb_fail(rb, INFLUX_ERR_PARSE, "nested series");
  influx_series *s = &rb->cur;
  s->name = "";
  s->ntags = s->ncols = s->nrows = 0;
  s->partial = 0;
  s->time_col = -1;
  rb->in_series = 1;
  rb->in_row = 0;
  return 0;
}

int rb_series_name(rbuilder *rb, const char *s, size_t n) {
  if (!rb->in_series)
    return rb_fail(rb, INFLUX_ERR_PARSE, "name outside a series");
  const char *nm = arena_strndup(cur_arena(rb), s, n);
  if (!nm)
    return oom(rb);
  rb->cur.name = nm;
  return 0;
}

int rb_series_tag(rbuilder *rb, const char *k, size_t kn, const char *v,
                  size_t vn) {
  influx_series *s = &rb->cur;
  if (!rb->in_series)
    return rb_fail(rb, INFLUX_ERR_PARSE, "tags outside a series");
  size_t cap = rb->tags_cap;
  if (grow_array((void **)&s->tagk, &cap, s->ntags + 1, sizeof *s->tagk))
    return oom(rb);
  cap = rb->tags_cap;
  if (grow_array((void **)&s->tagv, &cap, s->ntags + 1, sizeof *s->tagv))
    return oom(rb);
  rb->tags_cap = cap;
  const char *ks = arena_strndup(cur_arena(rb), k, kn);
  const char *vs = arena_strndup(cur_arena(rb), v, vn);
  if (!ks || !vs)
    return oom(rb);
  s->tagk[s->ntags] = ks;
  s->tagv[s->ntags] = vs;
  s->ntags++;
  return 0;
}

int rb_series_column(rbuilder *rb, const char *c, size_t n) {
  influx_series *s = &rb->cur;
  if (!rb->in_series)
    return rb_fail(rb, INFLUX_ERR_PARSE, "columns outside a series");
  if (s->nrows)
    return rb_fail(rb, INFLUX_ERR_PARSE, "columns after values");
  if (grow_array((void **)&s->cols, &rb->cols_cap, s->ncols + 1,
                 sizeof *s->cols))
    return oom(rb);
  const char *cs = arena_strndup(cur_arena(rb), c, n);
  if (!cs)
    return oom(rb);
  if (n == 4 && !memcmp(c, "time", 4) && s->time_col < 0)
    s->time_col = (long)s->ncols;
  s->cols[s->ncols++] = cs;
  return 0;
}

int rb_series_partial(rbuilder *rb, int p) {
  rb->cur.partial = p;
  return 0;
}

int rb_row_begin(rbuilder *rb) {
  influx_series *s = &rb->cur;
  if (!rb->in_series || rb->in_row)
    return rb_fail(rb, INFLUX_ERR_PARSE, "row outside a series");
  if (!s->ncols)
    return rb_fail(rb, INFLUX_ERR_PARSE, "values before columns");
  if (grow_array((void **)&s->vals, &s->cap_rows, (s->nrows + 1) * s->ncols,
                 sizeof *s->vals))
    return oom(rb);
  rb->in_row = 1;
  rb->row_col = 0;
  return 0;
}

int rb_value(rbuilder *rb, const influx_value *v) {
  influx_series *s = &rb->cur;
  if (!rb->in_row)
    return rb_fail(rb, INFLUX_ERR_PARSE, "value outside a row");
  if (rb->row_col >= s->ncols)
    return rb_fail(rb, INFLUX_ERR_PARSE, "row has more values than columns");
  influx_value *d = &s->vals[s->nrows * s->ncols + rb->row_col];
  *d = *v;
  int is_time = (long)rb->row_col == s->time_col && !rb->raw_time;
  if (v->type == INFLUX_VALUE_STRING) {
    int64_t t;
    if (is_time && !rfc3339_parse(v->v.s, v->len, &t)) {
      d->type = INFLUX_VALUE_TIME;
      d->len = 0;
      d->v.i = t;
    } else {
      char *p = arena_strndup(cur_arena(rb), v->v.s, v->len);
      if (!p)
        return oom(rb);
      d->v.s = p;
    }
  } else if (is_time && v->type == INFLUX_VALUE_INT && rb->epoch_factor) {
    int64_t t;
    if (!__builtin_mul_overflow(v->v.i, rb->epoch_factor, &t)) {
      d->type = INFLUX_VALUE_TIME;
      d->v.i = t;
    }
  } else if (v->type == INFLUX_VALUE_TIME && rb->raw_time == INFLUX_TIME_RAW) {
    d->type = INFLUX_VALUE_INT;
  }
  rb->row_col++;
  return 0;
}

int rb_row_end(rbuilder *rb) {
  influx_series *s = &rb->cur;
  if (!rb->in_row)
    return rb_fail(rb, INFLUX_ERR_PARSE, "row end outside a row");
  for (; rb->row_col < s->ncols; rb->row_col++)
    memset(&s->vals[s->nrows * s->ncols + rb->row_col], 0, sizeof *s->vals);
  s->nrows++;
  rb->in_row = 0;
  return 0;
}

static int same_key(const influx_series *a, const influx_series *b) {
  if (strcmp(a->name, b->name) || a->ntags != b->ntags || a->ncols != b->ncols)
    return 0;
  for (size_t i = 0; i < a->ntags; i++)
    if (strcmp(a->tagk[i], b->tagk[i]) || strcmp(a->tagv[i], b->tagv[i]))
      return 0;
  for (size_t i = 0; i < a->ncols; i++)
    if (strcmp(a->cols[i], b->cols[i]))
      return 0;
  return 1;
}

int rb_series_end(rbuilder *rb) {
  influx_series *s = &rb->cur;
  statement *st = rb->cur_st;
  if (!rb->in_series || rb->in_row)
    return rb_fail(rb, INFLUX_ERR_PARSE, "series ended inside a row");
  rb->in_series = 0;
  if (rb->h) {
    int stop = rb->h->on_series ? rb->h->on_series(rb->h->user, st->id, s) : 0;
    s->nrows = 0;
    s->ntags = 0;
    s->ncols = 0;
    arena_reset(&rb->tmp);
    if (stop)
      return rb_fail(rb, INFLUX_ERR_ABORTED, "stopped by the series callback");
    return 0;
  }
  influx_series *prev = st->nseries ? &st->series[st->nseries - 1] : NULL;
  if (rb->merge && prev && prev->partial && same_key(prev, s)) {
    size_t need = (prev->nrows + s->nrows) * s->ncols;
    if (grow_array((void **)&prev->vals, &prev->cap_rows, need,
                   sizeof *prev->vals))
      return oom(rb);
    if (s->nrows)
      memcpy(prev->vals + prev->nrows * s->ncols, s->vals,
             s->nrows * s->ncols * sizeof *s->vals);
    prev->nrows += s->nrows;
    prev->partial = s->partial;
    s->nrows = 0;
    return 0;
  }
  if (grow_array((void **)&st->series, &st->cap, st->nseries + 1,
                 sizeof *st->series))
    return oom(rb);
  /* Hand the arrays over; the builder starts fresh ones. */
  influx_series *d = &st->series[st->nseries++];
  *d = *s;
  memset(s, 0, sizeof *s);
  rb->tags_cap = rb->cols_cap = 0;
  return 0;
}

int rb_top_error(rbuilder *rb, const char *s, size_t n) {
  free(rb->r->top_error);
  rb->r->top_error = istrndup(s, n);
  if (!rb->r->top_error)
    return oom(rb);
  return 0;
}

/* ---- accessors ---- */

void influx_result_free(influx_result *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->nst; i++) {
    statement *s = &r->st[i];
    for (size_t j = 0; j < s->nseries; j++)
      series_free_arrays(&s->series[j]);
    free(s->series);
    free(s->error);
  }
  free(r->st);
  free(r->raw);
  free(r->top_error);
  arena_free(&r->arena);
  free(r);
}

size_t influx_result_count(const influx_result *r) { return r ? r->nst : 0; }

int influx_result_statement_id(const influx_result *r, size_t i) {
  return r && i < r->nst ? r->st[i].id : -1;
}

const char *influx_result_error(const influx_result *r, size_t i) {
  return r && i < r->nst ? r->st[i].error : NULL;
}

int influx_result_partial(const influx_result *r, size_t i) {
  if (!r || i >= r->nst)
    return 0;
  const statement *s = &r->st[i];
  if (s->partial)
    return 1;
  for (size_t j = 0; j < s->nseries; j++)
    if (s->series[j].partial)
      return 1;
  return 0;
}

size_t influx_result_series_count(const influx_result *r, size_t i) {
  return r && i < r->nst ? r->st[i].nseries : 0;
}

const influx_series *influx_result_series(const influx_result *r, size_t i,
                                          size_t j) {
  if (!r || i >= r->nst || j >= r->st[i].nseries)
    return NULL;
  return &r->st[i].series[j];
}

const char *influx_result_raw(const influx_result *r, size_t *len) {
  if (len)
    *len = r ? r->raw_len : 0;
  return r ? r->raw : NULL;
}

const influx_series *influx_result_find(const influx_result *r, size_t i,
                                        const char *measurement,
                                        const influx_tag *tags, size_t ntags,
                                        size_t *cursor) {
  if (!r || i >= r->nst || !cursor)
    return NULL;
  const statement *st = &r->st[i];
  for (size_t j = *cursor; j < st->nseries; j++) {
    const influx_series *s = &st->series[j];
    if (measurement && strcmp(s->name, measurement))
      continue;
    int ok = 1;
    for (size_t k = 0; k < ntags && ok && tags; k++) {
      const char *v = tags[k].key ? influx_series_tag(s, tags[k].key) : NULL;
      ok = v && tags[k].value && !strcmp(v, tags[k].value);
    }
    if (ok) {
      *cursor = j + 1;
      return s;
    }
  }
  *cursor = st->nseries;
  return NULL;
}

const char *influx_series_name(const influx_series *s) {
  return s ? s->name : NULL;
}
size_t influx_series_tag_count(const influx_series *s) {
  return s ? s->ntags : 0;
}
const char *influx_series_tag_key(const influx_series *s, size_t i) {
  return s && i < s->ntags ? s->tagk[i] : NULL;
}
const char *influx_series_tag_value(const influx_series *s, size_t i) {
  return s && i < s->ntags ? s->tagv[i] : NULL;
}
const char *influx_series_tag(const influx_series *s, const char *key) {
  if (!s || !key)
    return NULL;
  for (size_t i = 0; i < s->ntags; i++)
    if (!strcmp(s->tagk[i], key))
      return s->tagv[i];
  return NULL;
}
size_t influx_series_column_count(const influx_series *s) {
  return s ? s->ncols : 0;
}
const char *influx_series_column(const influx_series *s, size_t c) {
  return s && c < s->ncols ? s->cols[c] : NULL;
}
long influx_series_column_index(const influx_series *s, const char *name) {
  if (!s || !name)
    return -1;
  for (size_t i = 0; i < s->ncols; i++)
    if (!strcmp(s->cols[i], name))
      return (long)i;
  return -1;
}
size_t influx_series_row_count(const influx_series *s) {
  return s ? s->nrows : 0;
}
int influx_series_partial(const influx_series *s) { return s ? s->partial : 0; }

static const influx_value null_value;

const influx_value *influx_series_value(const influx_series *s, size_t row,
                                        size_t col) {
  if (!s || row >= s->nrows || col >= s->ncols)
    return &null_value;
  return &s->vals[row * s->ncols + col];
}

const influx_value *influx_series_get(const influx_series *s, size_t row,
                                      const char *name) {
  long c = influx_series_column_index(s, name);
  if (c < 0 || row >= s->nrows)
    return NULL;
  return &s->vals[row * s->ncols + (size_t)c];
}

int influx_series_is_null(const influx_series *s, size_t row, size_t col) {
  return influx_series_value(s, row, col)->type == INFLUX_VALUE_NULL;
}

influx_status influx_series_get_int(const influx_series *s, size_t row,
                                    size_t col, int64_t *out) {
  const influx_value *v = influx_series_value(s, row, col);
  if (!out)
    return INFLUX_ERR_INVALID_ARG;
  switch (v->type) {
  case INFLUX_VALUE_INT:
  case INFLUX_VALUE_TIME:
    *out = v->v.i;
    return INFLUX_OK;
  case INFLUX_VALUE_UINT:
    if (v->v.u > INT64_MAX)
      return INFLUX_ERR_INVALID_ARG;
    *out = (int64_t)v->v.u;
    return INFLUX_OK;
  case INFLUX_VALUE_BOOL:
    *out = v->v.b;
    return INFLUX_OK;
  case INFLUX_VALUE_FLOAT:
    if (v->v.f >= -9223372036854775808.0 && v->v.f < 9223372036854775808.0 &&
        (double)(int64_t)v->v.f == v->v.f) {
      *out = (int64_t)v->v.f;
      return INFLUX_OK;
    }
    return INFLUX_ERR_INVALID_ARG;
  default:
    return INFLUX_ERR_INVALID_ARG;
  }
}

influx_status influx_series_get_float(const influx_series *s, size_t row,
                                      size_t col, double *out) {
  const influx_value *v = influx_series_value(s, row, col);
  if (!out)
    return INFLUX_ERR_INVALID_ARG;
  switch (v->type) {
  case INFLUX_VALUE_FLOAT:
    *out = v->v.f;
    return INFLUX_OK;
  case INFLUX_VALUE_INT:
  case INFLUX_VALUE_TIME:
    *out = (double)v->v.i;
    return INFLUX_OK;
  case INFLUX_VALUE_UINT:
    *out = (double)v->v.u;
    return INFLUX_OK;
  case INFLUX_VALUE_BOOL:
    *out = v->v.b;
    return INFLUX_OK;
  default:
    return INFLUX_ERR_INVALID_ARG;
  }
}

influx_status influx_series_get_bool(const influx_series *s, size_t row,
                                     size_t col, int *out) {
  const influx_value *v = influx_series_value(s, row, col);
  if (!out || v->type != INFLUX_VALUE_BOOL)
    return INFLUX_ERR_INVALID_ARG;
  *out = v->v.b;
  return INFLUX_OK;
}

const char *influx_series_get_string(const influx_series *s, size_t row,
                                     size_t col) {
  const influx_value *v = influx_series_value(s, row, col);
  return v->type == INFLUX_VALUE_STRING ? v->v.s : NULL;
}

int influx_time_format(int64_t ns, char *out, size_t size) {
  char tmp[48];
  int n = rfc3339_format(ns, tmp);
  return text_out(tmp, n, out, size);
}

influx_status influx_time_parse(const char *s, int64_t *ns) {
  if (!s || !ns)
    return INFLUX_ERR_INVALID_ARG;
  return rfc3339_parse(s, strlen(s), ns) ? INFLUX_ERR_INVALID_ARG : INFLUX_OK;
}

influx_value influx_value_int(int64_t i) {
  influx_value v = {.type = INFLUX_VALUE_INT, .v.i = i};
  return v;
}
influx_value influx_value_float(double f) {
  influx_value v = {.type = INFLUX_VALUE_FLOAT, .v.f = f};
  return v;
}
influx_value influx_value_bool(int b) {
  influx_value v = {.type = INFLUX_VALUE_BOOL, .v.b = !!b};
  return v;
}
influx_value influx_value_string(const char *s) {
  influx_value v = {.type = INFLUX_VALUE_STRING,
                    .len = s ? (uint32_t)strlen(s) : 0,
                    .v.s = s};
  return v;
}
