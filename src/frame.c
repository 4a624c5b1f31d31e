/* Frames: columnar data with validity bitmaps; written straight from the
 * columns, filled straight from query chunks, exported as CSV and through
 * the Arrow C Data Interface. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "frame_impl.h"
#include "influxc/write.h"

influx_status influx_frame_new(influx_frame **out, influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_new: out is NULL");
  *out = calloc(1, sizeof **out);
  if (!*out)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  (*out)->refs = 1;
  return INFLUX_OK;
}

void fcol_free(fcol *c) {
  free(c->name);
  if (!c->borrowed)
    free(c->values);
  if (!c->valid_borrowed)
    free(c->valid);
  ibuf_free(&c->arena);
  free(c->memo);
}

static void frame_destroy(influx_frame *f) {
  for (size_t i = 0; i < f->ncols; i++)
    fcol_free(&f->cols[i]);
  free(f->cols);
  if (!f->time_borrowed)
    free(f->time);
  for (size_t i = 0; i < f->nindex; i++)
    free(f->index[i]);
  free(f->index);
  free(f);
}

void frame_unref(influx_frame *f) {
  if (f && __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0)
    frame_destroy(f);
}

void influx_frame_free(influx_frame *f) { frame_unref(f); }

/* ---- building ---- */

/* Capacity for `need` rows in every owned array. */
int frame_reserve_rows(influx_frame *f, size_t need) {
  if (need <= f->cap)
    return 0;
  size_t nc = f->cap ? f->cap : 64;
  while (nc < need)
    nc *= 2;
  if (!f->time_borrowed) {
    int64_t *t = realloc(f->time, nc * sizeof *t);
    if (!t)
      return -1;
    /* Rows without a time read as 0, never as garbage. */
    memset(t + f->cap, 0, (nc - f->cap) * sizeof *t);
    f->time = t;
  }
  for (size_t i = 0; i < f->ncols; i++) {
    fcol *c = &f->cols[i];
    if (c->borrowed)
      continue; /* fixed frames do not grow */
    void *v = realloc(c->values, nc * elt_size(c->type));
    if (!v)
      return -1;
    c->values = v;
    if (c->valid && !c->valid_borrowed) {
      uint8_t *b = realloc(c->valid, (nc + 7) / 8);
      if (!b)
        return -1;
      c->valid = b;
    }
  }
  f->cap = nc;
  return 0;
}

/* Gives column c a validity bitmap: every existing row valid. */
int frame_need_bitmap(const influx_frame *f, fcol *c) {
  if (c->valid)
    return 0;
  size_t bytes = ((f->cap > f->nrows ? f->cap : f->nrows) + 8) / 8;
  c->valid = malloc(bytes);
  if (!c->valid)
    return -1;
  memset(c->valid, 0xff, bytes);
  return 0;
}

/* The first rows of a frame whose columns were declared empty: those
 * columns are null there. */
static int null_existing(influx_frame *f, size_t n) {
  if (f->has_rows)
    return 0;
  for (size_t k = 0; k < f->ncols; k++) {
    fcol *c = &f->cols[k];
    if (c->borrowed || frame_need_bitmap(f, c))
      return c->borrowed ? 0 : -1;
    for (size_t r = 0; r < n; r++)
      bit_set(c->valid, r, 0);
    memset(c->values, 0, n * elt_size(c->type));
    c->nnull = n;
  }
  return 0;
}

static influx_status check_name(const influx_frame *f, const char *name,
                                influx_error *err) {
  if (!f || !name)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame: NULL frame or name");
  if (!*name || !strcmp(name, "time"))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: column name \"%s\" is empty or \"time\" (the time "
                "column is separate)",
                name);
  for (size_t i = 0; i < f->ncols; i++)
    if (!strcmp(f->cols[i].name, name))
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame: column \"%.60s\" exists already", name);
  return INFLUX_OK;
}

static influx_status check_rows(influx_frame *f, size_t n, influx_error *err) {
  if (f->has_rows && n != f->nrows)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: %zu values for a frame of %zu rows", n, f->nrows);
  return INFLUX_OK;
}

/* Adds a column with room for the current rows; values uninitialised. */
fcol *frame_new_col(influx_frame *f, const char *name, int type) {
  if (grow_array((void **)&f->cols, &f->ccap, f->ncols + 1, sizeof *f->cols))
    return NULL;
  fcol *c = &f->cols[f->ncols];
  memset(c, 0, sizeof *c);
  c->type = type;
  c->name = istrdup(name);
  size_t rows = f->cap > f->nrows ? f->cap : f->nrows;
  c->values = malloc((rows ? rows : 1) * elt_size(type ? type : 1));
  if (!c->name || !c->values || ibuf_putc(&c->arena, 0)) {
    fcol_free(c);
    return NULL;
  }
  f->ncols++;
  return c;
}

static influx_status add_array(influx_frame *f, const char *name, int type,
                               const void *v, const uint8_t *valid, size_t n,
                               int borrow, influx_error *err) {
  influx_status st = check_name(f, name, err);
  if (st || (st = check_rows(f, n, err)))
    return st;
  if (n && !v)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame: values are NULL");
  /* Copies need room for n rows first (new columns get the capacity). */
  /* Room for n rows first (new columns get the capacity); columns declared
   * empty before are null in them. */
  if (!f->has_rows && (frame_reserve_rows(f, n) || null_existing(f, n)))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  fcol *c = frame_new_col(f, name, type);
  if (!c)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  if (borrow) {
    free(c->values);
    c->values = (void *)(uintptr_t)v;
    c->borrowed = 1;
    f->fixed = 1;
  } else if (n) {
    memcpy(c->values, v, n * elt_size(type));
  }
  if (valid) {
    if (borrow) {
      c->valid = (uint8_t *)(uintptr_t)valid;
      c->valid_borrowed = 1;
    } else if (frame_need_bitmap(f, c)) {
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    } else {
      memcpy(c->valid, valid, (n + 7) / 8);
    }
    for (size_t i = 0; i < n; i++)
      c->nnull += !bit_get(valid, i);
  }
  f->nrows = n;
  f->has_rows = 1;
  return INFLUX_OK;
}

influx_status influx_frame_set_time(influx_frame *f, const int64_t *ns,
                                    size_t n, int borrow, influx_error *err) {
  if (!f || (n && !ns))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_set_time: NULL argument");
  influx_status st = check_rows(f, n, err);
  if (st)
    return st;
  if (!f->has_rows && (frame_reserve_rows(f, n) || null_existing(f, n)))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  if (borrow) {
    if (!f->time_borrowed)
      free(f->time);
    f->time = (int64_t *)(uintptr_t)ns;
    f->time_borrowed = 1;
    f->fixed = 1;
  } else {
    if (f->time_borrowed || !f->time) {
      /* A time array of our own, as large as the columns' capacity. */
      size_t rows = f->cap > n ? f->cap : n;
      int64_t *t = malloc((rows ? rows : 1) * sizeof *t);
      if (!t)
        return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
      f->time = t;
      f->time_borrowed = 0;
    }
    if (n)
      memcpy(f->time, ns, n * sizeof *ns);
  }
  f->nrows = n;
  f->has_rows = 1;
  f->time_set = 1;
  return INFLUX_OK;
}

influx_status influx_frame_add_float(influx_frame *f, const char *name,
                                     const double *v, const uint8_t *valid,
                                     size_t n, int borrow, influx_error *err) {
  return add_array(f, name, INFLUX_COL_FLOAT, v, valid, n, borrow, err);
}

influx_status influx_frame_add_int(influx_frame *f, const char *name,
                                   const int64_t *v, const uint8_t *valid,
                                   size_t n, int borrow, influx_error *err) {
  return add_array(f, name, INFLUX_COL_INT, v, valid, n, borrow, err);
}

influx_status influx_frame_add_bool(influx_frame *f, const char *name,
                                    const uint8_t *v, const uint8_t *valid,
                                    size_t n, influx_error *err) {
  for (size_t i = 0; v && i < n; i++)
    if (v[i] > 1)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame: bool column \"%.60s\" row %zu is %u, not 0 or 1",
                  name ? name : "", i, v[i]);
  return add_array(f, name, INFLUX_COL_BOOL, v, valid, n, 0, err);
}

static int put_text(fcol *c, size_t row, const char *s) {
  size_t off = c->arena.len;
  if (ibuf_append(&c->arena, s, strlen(s) + 1))
    return -1;
  ((size_t *)c->values)[row] = off;
  return 0;
}

/* Columns from pandas and most programs repeat a few string objects: a
 * pointer seen recently is checked and copied once, and its cells share
 * the text (the arena is only read by offset). */
#define SEEN_SLOTS 64
typedef struct seen_text {
  const char *p;
  size_t off;
} seen_text;

static seen_text *seen_slot(seen_text *t, const char *p) {
  uintptr_t h = (uintptr_t)p;
  return &t[(h ^ (h >> 6) ^ (h >> 12)) % SEEN_SLOTS];
}

influx_status influx_frame_add_strings(influx_frame *f, const char *name,
                                       influx_col_type type,
                                       const char *const *v, size_t n,
                                       influx_error *err) {
  if (!is_text((int)type))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: string columns are INFLUX_COL_STRING or _TAG");
  influx_status st = check_name(f, name, err);
  if (st || (st = check_rows(f, n, err)))
    return st;
  if (n && !v)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame: values are NULL");
  seen_text seen[SEEN_SLOTS] = {{0}};
  for (size_t i = 0; i < n; i++) {
    seen_text *e = v[i] ? seen_slot(seen, v[i]) : NULL;
    if (!e || e->p == v[i])
      continue;
    size_t len = strlen(v[i]);
    if (utf8_check(v[i], len) != len)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame: column \"%.60s\" row %zu is not valid UTF-8", name,
                  i);
    e->p = v[i];
  }
  if (!f->has_rows && (frame_reserve_rows(f, n) || null_existing(f, n)))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  fcol *c = frame_new_col(f, name, (int)type);
  if (!c)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  memset(seen, 0, sizeof seen);
  size_t *offs = c->values;
  for (size_t i = 0; i < n; i++) {
    if (!v[i]) {
      if (frame_need_bitmap(f, c))
        return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
      bit_set(c->valid, i, 0);
      c->nnull++;
      offs[i] = 0;
      continue;
    }
    seen_text *e = seen_slot(seen, v[i]);
    if (e->p == v[i]) {
      offs[i] = e->off;
    } else if (put_text(c, i, v[i])) {
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    } else {
      e->p = v[i];
      e->off = offs[i];
    }
  }
  f->nrows = n;
  f->has_rows = 1;
  return INFLUX_OK;
}

influx_status influx_frame_add_column(influx_frame *f, const char *name,
                                      influx_col_type type, influx_error *err) {
  if (type != INFLUX_COL_FLOAT && type != INFLUX_COL_INT &&
      type != INFLUX_COL_BOOL && type != INFLUX_COL_STRING &&
      type != INFLUX_COL_TAG)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame: unknown column type %d",
                (int)type);
  influx_status st = check_name(f, name, err);
  if (st)
    return st;
  if (f->fixed)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: it borrows caller arrays and cannot change shape");
  fcol *c = frame_new_col(f, name, (int)type);
  if (!c)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  /* Existing rows are nulls in the new column. */
  if (f->nrows) {
    if (frame_need_bitmap(f, c))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->nrows; i++)
      bit_set(c->valid, i, 0);
    memset(c->values, 0, f->nrows * elt_size(c->type));
    c->nnull = f->nrows;
  }
  return INFLUX_OK;
}

/* Query results repeat a few texts in a column (a host, a status) a
 * million times: a text equal to one of the recent ones is stored once
 * and its cells share the offset (the arena is read by offset only). */
#define MEMO_SLOTS 64
struct text_memo {
  size_t off[MEMO_SLOTS], len[MEMO_SLOTS];
};

static int store_text(fcol *c, size_t row, const char *s, size_t len) {
  if (!len) { /* offset 0 is "" */
    ((size_t *)c->values)[row] = 0;
    return 0;
  }
  if (!c->memo && !(c->memo = calloc(1, sizeof *c->memo)))
    return -1;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len && i < 32; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  size_t k = (h ^ (uint32_t)len) % MEMO_SLOTS, off = c->memo->off[k];
  if (off && c->memo->len[k] == len && !memcmp(c->arena.p + off, s, len)) {
    ((size_t *)c->values)[row] = off;
    return 0;
  }
  off = c->arena.len;
  if (ibuf_append(&c->arena, s, len) || ibuf_putc(&c->arena, 0))
    return -1;
  ((size_t *)c->values)[row] = off;
  c->memo->off[k] = off;
  c->memo->len[k] = len;
  return 0;
}

/* Stores v in column c at `row` (c's type is concrete). Lock-free, no
 * checks beyond the type; returns -1 on a mismatch or no memory. */
int frame_store(const influx_frame *f, fcol *c, size_t row,
                const influx_value *v) {
  if (v->type == INFLUX_VALUE_NULL) {
    if (frame_need_bitmap(f, c))
      return -1;
    bit_set(c->valid, row, 0);
    c->nnull++;
    memset((char *)c->values + row * elt_size(c->type), 0, elt_size(c->type));
    return 0;
  }
  if (c->valid)
    bit_set(c->valid, row, 1);
  switch (c->type) {
  case INFLUX_COL_FLOAT:
    if (v->type == INFLUX_VALUE_FLOAT)
      ((double *)c->values)[row] = v->v.f;
    else if (v->type == INFLUX_VALUE_INT)
      ((double *)c->values)[row] = (double)v->v.i;
    else if (v->type == INFLUX_VALUE_UINT)
      ((double *)c->values)[row] = (double)v->v.u;
    else
      return -1;
    return 0;
  case INFLUX_COL_INT:
    if (v->type != INFLUX_VALUE_INT && v->type != INFLUX_VALUE_TIME)
      return -1;
    ((int64_t *)c->values)[row] = v->v.i;
    return 0;
  case INFLUX_COL_BOOL:
    if (v->type != INFLUX_VALUE_BOOL)
      return -1;
    ((uint8_t *)c->values)[row] = v->v.b ? 1 : 0;
    return 0;
  default:
    if (v->type != INFLUX_VALUE_STRING)
      return -1;
    return store_text(c, row, v->v.s, v->len);
  }
}

influx_status influx_frame_append_row(influx_frame *f, int64_t time_ns,
                                      const influx_value *values, size_t n,
                                      influx_error *err) {
  if (!f || (n && !values))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_append_row: NULL argument");
  if (f->fixed)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: it borrows caller arrays and cannot grow");
  if (n != f->ncols)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: %zu values for %zu columns", n, f->ncols);
  if (f->nrows && !f->time_set)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: set the time of the rows already there first");
  for (size_t i = 0; i < n; i++) {
    const influx_value *v = &values[i];
    int t = f->cols[i].type, ok = v->type == INFLUX_VALUE_NULL;
    if (t == INFLUX_COL_FLOAT)
      ok |= v->type == INFLUX_VALUE_FLOAT || v->type == INFLUX_VALUE_INT;
    else if (t == INFLUX_COL_INT)
      ok |= v->type == INFLUX_VALUE_INT;
    else if (t == INFLUX_COL_BOOL)
      ok |= v->type == INFLUX_VALUE_BOOL;
    else
      ok |= v->type == INFLUX_VALUE_STRING && v->v.s &&
            utf8_check(v->v.s, v->len) == v->len;
    if (!ok)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame: value %zu does not fit column \"%.60s\"", i,
                  f->cols[i].name);
  }
  if (frame_reserve_rows(f, f->nrows + 1))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  size_t row = f->nrows;
  f->time[row] = time_ns;
  for (size_t i = 0; i < n; i++)
    if (frame_store(f, &f->cols[i], row, &values[i]))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  f->nrows++;
  f->has_rows = 1;
  f->time_set = 1;
  return INFLUX_OK;
}

/* ---- reading ---- */

size_t influx_frame_row_count(const influx_frame *f) {
  return f ? f->nrows : 0;
}
size_t influx_frame_column_count(const influx_frame *f) {
  return f ? f->ncols : 0;
}

const char *influx_frame_column_name(const influx_frame *f, size_t col) {
  return f && col < f->ncols ? f->cols[col].name : NULL;
}

influx_col_type influx_frame_column_type(const influx_frame *f, size_t col) {
  return f && col < f->ncols ? (influx_col_type)f->cols[col].type
                             : (influx_col_type)0;
}

long influx_frame_column_index(const influx_frame *f, const char *name) {
  for (size_t i = 0; f && name && i < f->ncols; i++)
    if (!strcmp(f->cols[i].name, name))
      return (long)i;
  return -1;
}

const int64_t *influx_frame_time(const influx_frame *f) {
  return f && f->nrows ? f->time : NULL;
}

int influx_frame_is_null(const influx_frame *f, size_t row, size_t col) {
  if (!f || col >= f->ncols || row >= f->nrows)
    return 1;
  const fcol *c = &f->cols[col];
  return c->type == NO_TYPE || (c->valid && !bit_get(c->valid, row));
}

static const fcol *cell(const influx_frame *f, size_t col, size_t row,
                        influx_error *err) {
  if (influx_frame_is_null(f, row, col)) {
    ierr(err, INFLUX_ERR_INVALID_ARG,
         "frame: cell (%zu, %zu) is null or "
         "out of range",
         col, row);
    return NULL;
  }
  return &f->cols[col];
}

influx_status influx_frame_get_float(const influx_frame *f, size_t row,
                                     size_t col, double *out) {
  const fcol *c = cell(f, col, row, NULL);
  if (!c || !out)
    return INFLUX_ERR_INVALID_ARG;
  if (c->type == INFLUX_COL_FLOAT)
    *out = ((const double *)c->values)[row];
  else if (c->type == INFLUX_COL_INT)
    *out = (double)((const int64_t *)c->values)[row];
  else
    return INFLUX_ERR_INVALID_ARG;
  return INFLUX_OK;
}

influx_status influx_frame_get_int(const influx_frame *f, size_t row,
                                   size_t col, int64_t *out) {
  const fcol *c = cell(f, col, row, NULL);
  if (!c || !out || c->type != INFLUX_COL_INT)
    return INFLUX_ERR_INVALID_ARG;
  *out = ((const int64_t *)c->values)[row];
  return INFLUX_OK;
}

influx_status influx_frame_get_bool(const influx_frame *f, size_t row,
                                    size_t col, int *out) {
  const fcol *c = cell(f, col, row, NULL);
  if (!c || !out || c->type != INFLUX_COL_BOOL)
    return INFLUX_ERR_INVALID_ARG;
  *out = ((const uint8_t *)c->values)[row];
  return INFLUX_OK;
}

const char *influx_frame_get_string(const influx_frame *f, size_t row,
                                    size_t col) {
  const fcol *c = cell(f, col, row, NULL);
  if (!c || !is_text(c->type))
    return NULL;
  return c->arena.p + ((const size_t *)c->values)[row];
}

size_t influx_frame_index_count(const influx_frame *f) {
  return f ? f->nindex : 0;
}

const char *influx_frame_index_column(const influx_frame *f, size_t i) {
  return f && i < f->nindex ? f->index[i] : NULL;
}
