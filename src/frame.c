/* Frames: columnar data with validity bitmaps; written straight from the
 * columns, filled straight from query chunks, exported as CSV and through
 * the Arrow C Data Interface. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "frame_impl.h"
#include "influxc/frame.h"
#include "influxc/write.h"
#include "internal.h"
#include "result_impl.h"

#define NO_TYPE 0 /* a queried column that has only seen nulls so far */

typedef struct fcol {
  char *name;
  int type;       /* influx_col_type, or NO_TYPE */
  int borrowed;   /* values belong to the caller */
  void *values;   /* double, int64_t, uint8_t (bool) or size_t (string
                     offsets into arena) per row */
  uint8_t *valid; /* bitmap; NULL: no nulls */
  int valid_borrowed;
  size_t nnull;
  ibuf arena; /* strings, each NUL-terminated; offset 0 is "" */
} fcol;

struct influx_frame {
  size_t nrows, cap;
  int fixed; /* borrowed arrays: no more rows */
  int64_t *time;
  int time_borrowed;
  int has_rows; /* the row count has been set */
  int time_set; /* every row has a time (set_time or appended rows) */
  fcol *cols;
  size_t ncols, ccap;
  char **index;
  size_t nindex;
  int refs; /* the frame plus live Arrow exports */
};

static size_t elt_size(int type) {
  switch (type) {
  case INFLUX_COL_BOOL:
    return 1;
  case INFLUX_COL_STRING:
  case INFLUX_COL_TAG:
    return sizeof(size_t);
  default:
    return 8;
  }
}

static int is_text(int type) {
  return type == INFLUX_COL_STRING || type == INFLUX_COL_TAG;
}

static inline int bit_get(const uint8_t *b, size_t i) {
  return (b[i >> 3] >> (i & 7)) & 1;
}
static inline void bit_set(uint8_t *b, size_t i, int v) {
  if (v)
    b[i >> 3] = (uint8_t)(b[i >> 3] | (1u << (i & 7)));
  else
    b[i >> 3] = (uint8_t)(b[i >> 3] & ~(1u << (i & 7)));
}

influx_status influx_frame_new(influx_frame **out, influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_new: out is NULL");
  *out = calloc(1, sizeof **out);
  if (!*out)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  (*out)->refs = 1;
  return INFLUX_OK;
}

static void frame_destroy(influx_frame *f) {
  for (size_t i = 0; i < f->ncols; i++) {
    fcol *c = &f->cols[i];
    free(c->name);
    if (!c->borrowed)
      free(c->values);
    if (!c->valid_borrowed)
      free(c->valid);
    ibuf_free(&c->arena);
  }
  free(f->cols);
  if (!f->time_borrowed)
    free(f->time);
  for (size_t i = 0; i < f->nindex; i++)
    free(f->index[i]);
  free(f->index);
  free(f);
}

static void frame_unref(influx_frame *f) {
  if (f && __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0)
    frame_destroy(f);
}

void influx_frame_free(influx_frame *f) { frame_unref(f); }

/* ---- building ---- */

/* Capacity for `need` rows in every owned array. */
static int reserve_rows(influx_frame *f, size_t need) {
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
static int need_bitmap(const influx_frame *f, fcol *c) {
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
    if (c->borrowed || need_bitmap(f, c))
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
static fcol *new_col(influx_frame *f, const char *name, int type) {
  if (f->ncols == f->ccap) {
    size_t nc = f->ccap ? f->ccap * 2 : 8;
    fcol *p = realloc(f->cols, nc * sizeof *p);
    if (!p)
      return NULL;
    f->cols = p;
    f->ccap = nc;
  }
  fcol *c = &f->cols[f->ncols];
  memset(c, 0, sizeof *c);
  c->type = type;
  c->name = istrdup(name);
  size_t rows = f->cap > f->nrows ? f->cap : f->nrows;
  c->values = malloc((rows ? rows : 1) * elt_size(type ? type : 1));
  if (!c->name || !c->values || ibuf_putc(&c->arena, 0)) {
    free(c->name);
    free(c->values);
    ibuf_free(&c->arena);
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
  if (!f->has_rows && (reserve_rows(f, n) || null_existing(f, n)))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  fcol *c = new_col(f, name, type);
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
    } else if (need_bitmap(f, c)) {
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
  if (!f->has_rows && (reserve_rows(f, n) || null_existing(f, n)))
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
  for (size_t i = 0; i < n; i++)
    if (v[i] && utf8_check(v[i], strlen(v[i])) != strlen(v[i]))
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame: column \"%.60s\" row %zu is not valid UTF-8", name,
                  i);
  if (!f->has_rows && (reserve_rows(f, n) || null_existing(f, n)))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  fcol *c = new_col(f, name, (int)type);
  if (!c)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    if (!v[i]) {
      if (need_bitmap(f, c))
        return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
      bit_set(c->valid, i, 0);
      c->nnull++;
      ((size_t *)c->values)[i] = 0;
    } else if (put_text(c, i, v[i])) {
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    }
  }
  f->nrows = n;
  f->has_rows = 1;
  return INFLUX_OK;
}

influx_status influx_frame_add_column(influx_frame *f, const char *name,
                                      influx_col_type type, influx_error *err) {
  if (type < INFLUX_COL_FLOAT || type > INFLUX_COL_TAG)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame: unknown column type %d",
                (int)type);
  influx_status st = check_name(f, name, err);
  if (st)
    return st;
  if (f->fixed)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame: it borrows caller arrays and cannot change shape");
  fcol *c = new_col(f, name, (int)type);
  if (!c)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  /* Existing rows are nulls in the new column. */
  if (f->nrows) {
    if (need_bitmap(f, c))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->nrows; i++)
      bit_set(c->valid, i, 0);
    memset(c->values, 0, f->nrows * elt_size(c->type));
    c->nnull = f->nrows;
  }
  return INFLUX_OK;
}

/* Stores v in column c at `row` (c's type is concrete). Lock-free, no
 * checks beyond the type; returns -1 on a mismatch or no memory. */
static int store(const influx_frame *f, fcol *c, size_t row,
                 const influx_value *v) {
  if (v->type == INFLUX_VALUE_NULL) {
    if (need_bitmap(f, c))
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
    size_t off = c->arena.len;
    if (ibuf_append(&c->arena, v->v.s, v->len) || ibuf_putc(&c->arena, 0))
      return -1;
    ((size_t *)c->values)[row] = off;
    return 0;
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
  if (reserve_rows(f, f->nrows + 1))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  size_t row = f->nrows;
  f->time[row] = time_ns;
  for (size_t i = 0; i < n; i++)
    if (store(f, &f->cols[i], row, &values[i]))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  f->nrows++;
  f->has_rows = 1;
  f->time_set = 1;
  return INFLUX_OK;
}

/* ---- reading ---- */

size_t influx_frame_nrows(const influx_frame *f) { return f ? f->nrows : 0; }
size_t influx_frame_ncols(const influx_frame *f) { return f ? f->ncols : 0; }

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

int influx_frame_is_null(const influx_frame *f, size_t col, size_t row) {
  if (!f || col >= f->ncols || row >= f->nrows)
    return 1;
  const fcol *c = &f->cols[col];
  return c->type == NO_TYPE || (c->valid && !bit_get(c->valid, row));
}

static const fcol *cell(const influx_frame *f, size_t col, size_t row,
                        influx_error *err) {
  if (influx_frame_is_null(f, col, row)) {
    ierr(err, INFLUX_ERR_INVALID_ARG,
         "frame: cell (%zu, %zu) is null or "
         "out of range",
         col, row);
    return NULL;
  }
  return &f->cols[col];
}

influx_status influx_frame_get_float(const influx_frame *f, size_t col,
                                     size_t row, double *out) {
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

influx_status influx_frame_get_int(const influx_frame *f, size_t col,
                                   size_t row, int64_t *out) {
  const fcol *c = cell(f, col, row, NULL);
  if (!c || !out || c->type != INFLUX_COL_INT)
    return INFLUX_ERR_INVALID_ARG;
  *out = ((const int64_t *)c->values)[row];
  return INFLUX_OK;
}

influx_status influx_frame_get_bool(const influx_frame *f, size_t col,
                                    size_t row, int *out) {
  const fcol *c = cell(f, col, row, NULL);
  if (!c || !out || c->type != INFLUX_COL_BOOL)
    return INFLUX_ERR_INVALID_ARG;
  *out = ((const uint8_t *)c->values)[row];
  return INFLUX_OK;
}

const char *influx_frame_get_string(const influx_frame *f, size_t col,
                                    size_t row) {
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

/* ---- writing ---- */

typedef struct frame_src {
  const influx_frame *f;
  const influx_frame_write_options *o;
  size_t row;
  size_t *tagc, ntagc;  /* tag column indexes */
  size_t *fieldc, nfc;  /* field column indexes */
  influx_tag *tags;     /* per point in a call: ntags + ntagc */
  influx_field *fields; /* per point in a call: nfc */
  size_t skipped;
  int64_t div; /* ns per unit of time_precision */
} frame_src;

/* Floats as the seed's numeric_precision says. */
static double shape_float(const influx_frame_write_options *o, double v) {
  char buf[40];
  if (o->numeric_precision == INFLUX_NUMERIC_FULL)
    return v;
  if (o->numeric_precision == INFLUX_NUMERIC_DECIMALS) {
    snprintf(buf, sizeof buf, "%.*f", o->decimals, v);
    return c_strtod(buf, NULL);
  }
  /* 15 significant digits: only longer shortest forms need rounding. */
  int n = fmt_double(v, buf), digits = 0, lead = 1;
  for (int i = 0; i < n && buf[i] != 'e' && buf[i] != 'E'; i++) {
    if (buf[i] < '0' || buf[i] > '9')
      continue;
    if (lead && buf[i] == '0')
      continue;
    lead = 0;
    digits++;
  }
  if (digits <= 15)
    return v;
  snprintf(buf, sizeof buf, "%.15g", v);
  return c_strtod(buf, NULL);
}

static long frame_source(void *u, influx_point *buf, size_t cap) {
  frame_src *s = u;
  const influx_frame *f = s->f;
  size_t nt = s->o->ntags + s->ntagc;
  size_t k = 0;
  while (k < cap && s->row < f->nrows) {
    size_t r = s->row++;
    influx_tag *tags = s->tags + k * nt;
    influx_field *fl = s->fields + k * s->nfc;
    size_t ti = 0, fi = 0;
    for (size_t i = 0; i < s->o->ntags; i++)
      tags[ti++] = s->o->tags[i];
    for (size_t i = 0; i < s->ntagc; i++) {
      const fcol *c = &f->cols[s->tagc[i]];
      if (c->valid && !bit_get(c->valid, r))
        continue;
      tags[ti++] =
          (influx_tag){c->name, c->arena.p + ((const size_t *)c->values)[r]};
    }
    for (size_t i = 0; i < s->nfc; i++) {
      const fcol *c = &f->cols[s->fieldc[i]];
      if (c->type == NO_TYPE || (c->valid && !bit_get(c->valid, r)))
        continue;
      influx_field *x = &fl[fi];
      x->key = c->name;
      switch (c->type) {
      case INFLUX_COL_FLOAT: {
        double d = ((const double *)c->values)[r];
        if (isnan(d))
          continue;
        x->type = INFLUX_FIELD_FLOAT;
        x->v.f = shape_float(s->o, d);
        break;
      }
      case INFLUX_COL_INT:
        x->type = INFLUX_FIELD_INT;
        x->v.i = ((const int64_t *)c->values)[r];
        break;
      case INFLUX_COL_BOOL:
        x->type = INFLUX_FIELD_BOOL;
        x->v.b = ((const uint8_t *)c->values)[r];
        break;
      default:
        x->type = INFLUX_FIELD_STRING;
        x->v.s = c->arena.p + ((const size_t *)c->values)[r];
      }
      fi++;
    }
    if (!fi) {
      s->skipped++;
      continue;
    }
    int64_t t = f->time ? f->time[r] : 0;
    /* Exact integer conversion, floored. */
    int64_t q = t / s->div;
    if ((t % s->div) < 0)
      q--;
    buf[k++] = (influx_point){s->o->measurement,   tags, ti, fl, fi, q, 1,
                              s->o->time_precision};
  }
  return (long)k;
}

static long find_col(const influx_frame *f, const char *name) {
  return influx_frame_column_index(f, name);
}

influx_status influx_frame_write(influx_client *c, const influx_frame *f,
                                 const influx_frame_write_options *o,
                                 influx_frame_write_report *rep,
                                 influx_error *err) {
  if (rep)
    memset(rep, 0, sizeof *rep);
  if (!c || !f || !o)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_write: NULL argument");
  if (!o->measurement || !*o->measurement)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_write: measurement is required");
  if (o->numeric_precision < INFLUX_NUMERIC_DEFAULT ||
      o->numeric_precision > INFLUX_NUMERIC_DECIMALS ||
      (o->numeric_precision == INFLUX_NUMERIC_DECIMALS &&
       (o->decimals < 0 || o->decimals > 17)))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_write: numeric_precision must be default, full or "
                "0-17 decimals");
  if (o->ntags && !o->tags)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_write: tags is NULL with ntags > 0");
  int64_t div = precision_factor(o->time_precision);
  if (!div)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_write: time_precision \"%.20s\" is not one of n, u, "
                "ms, s, m, h",
                o->time_precision);
  if (f->nrows && !f->time_set)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_write: the frame's time column was never set");
  frame_src s = {.f = f, .o = o, .div = div};
  influx_status st = INFLUX_OK;
  s.tagc = calloc(f->ncols + 1, sizeof *s.tagc);
  s.fieldc = calloc(f->ncols + 1, sizeof *s.fieldc);
  if (!s.tagc || !s.fieldc) {
    st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    goto out;
  }
  if (o->tag_columns) {
    for (size_t i = 0; o->tag_columns[i]; i++) {
      long k = find_col(f, o->tag_columns[i]);
      if (k < 0 || !is_text(f->cols[k].type)) {
        st = ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame_write: tag column \"%.60s\" %s", o->tag_columns[i],
                  k < 0 ? "does not exist" : "is not a string column");
        goto out;
      }
      s.tagc[s.ntagc++] = (size_t)k;
    }
  } else {
    for (size_t i = 0; i < f->ncols; i++)
      if (f->cols[i].type == INFLUX_COL_TAG)
        s.tagc[s.ntagc++] = i;
  }
  if (o->field_columns) {
    for (size_t i = 0; o->field_columns[i]; i++) {
      long k = find_col(f, o->field_columns[i]);
      if (k < 0) {
        st = ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame_write: field column \"%.60s\" does not exist",
                  o->field_columns[i]);
        goto out;
      }
      s.fieldc[s.nfc++] = (size_t)k;
    }
  } else {
    for (size_t i = 0; i < f->ncols; i++) {
      int tag = 0;
      for (size_t j = 0; j < s.ntagc && !tag; j++)
        tag = s.tagc[j] == i;
      if (!tag)
        s.fieldc[s.nfc++] = i;
    }
  }
  if (!s.nfc && f->nrows) {
    st = ierr(err, INFLUX_ERR_INVALID_ARG,
              "frame_write: no field columns (a point needs a field)");
    goto out;
  }
  enum { PER_CALL = 256 };
  s.tags = calloc(PER_CALL * (o->ntags + s.ntagc + 1), sizeof *s.tags);
  s.fields = calloc(PER_CALL * (s.nfc + 1), sizeof *s.fields);
  if (!s.tags || !s.fields) {
    st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    goto out;
  }
  influx_write_options wo = {.database = o->database,
                             .retention_policy = o->retention_policy,
                             .precision = o->time_precision,
                             .batch_size = o->batch_size ? o->batch_size : 5000,
                             .parallel = o->parallel};
  influx_write_report wr;
  st = influx_write_from(c, frame_source, &s, &wo, &wr, err);
  if (rep) {
    rep->rows_written = wr.points_written;
    rep->rows_skipped = s.skipped;
    rep->batches = wr.batches_written;
  }
out:
  free(s.tagc);
  free(s.fieldc);
  free(s.tags);
  free(s.fields);
  return st;
}

/* ---- querying into frames ---- */

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
  if (st->n == st->cap) {
    size_t nc = st->cap ? st->cap * 2 : 4;
    fentry *e = realloc(st->e, nc * sizeof *e);
    if (!e)
      return NULL;
    st->e = e;
    st->cap = nc;
  }
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
      fcol *c = new_col(f, cn, NO_TYPE);
      if (!c || (f->nrows && need_bitmap(f, c))) {
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
  if (reserve_rows(f, f->nrows + nr)) {
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
    if (need_bitmap(f, c)) {
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
        if (need_bitmap(f, c)) {
          s->failed = ierr(&s->err, INFLUX_ERR_NOMEM, "out of memory");
          return 1;
        }
        bit_set(c->valid, f->nrows + r, 0);
        c->nnull++;
        continue;
      }
      if (store(f, c, f->nrows + r, v)) {
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
      free(c->name);
      free(c->values);
      free(c->valid);
      ibuf_free(&c->arena);
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
  influx_stream_handlers h = {on_piece, on_stmt_error, s};
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
  influx_stream_handlers h = {stream_piece, stream_stmt_error, &fs};
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

/* ---- CSV ---- */

static void csv_text(FILE *o, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, o);
    return;
  }
  fputc('"', o);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', o);
    fputc(*s, o);
  }
  fputc('"', o);
}

influx_status influx_frame_write_csv(const influx_frame *f, FILE *out,
                                     const influx_frame_csv_options *o,
                                     influx_error *err) {
  static const influx_frame_csv_options none;
  if (!f || !out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_write_csv: NULL argument");
  if (!o)
    o = &none;
  int64_t div = 1;
  if (o->epoch) {
    div = !strcmp(o->epoch, "ns") ? 1 : precision_factor(o->epoch);
    if (!div || !strcmp(o->epoch, "n"))
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame_write_csv: epoch \"%.20s\" is not h, m, s, ms, u or "
                  "ns",
                  o->epoch);
  }
  if (!o->no_header) {
    if (o->name)
      fputs("name,tags,", out);
    fputs("time", out);
    for (size_t k = 0; k < f->ncols; k++) {
      fputc(',', out);
      csv_text(out, f->cols[k].name);
    }
    fputc('\n', out);
  }
  char buf[64];
  for (size_t r = 0; r < f->nrows; r++) {
    if (o->name) {
      csv_text(out, o->name);
      fputc(',', out);
      csv_text(out, o->tags ? o->tags : "");
      fputc(',', out);
    }
    int64_t t = f->time ? f->time[r] : 0;
    if (o->epoch) {
      fprintf(out, "%lld", (long long)(t / div));
    } else {
      rfc3339_format(t, buf);
      fputs(buf, out);
    }
    for (size_t k = 0; k < f->ncols; k++) {
      const fcol *c = &f->cols[k];
      fputc(',', out);
      if (influx_frame_is_null(f, k, r))
        continue;
      switch (c->type) {
      case INFLUX_COL_FLOAT:
        fmt_double_plain(((const double *)c->values)[r], buf);
        fputs(buf, out);
        break;
      case INFLUX_COL_INT:
        fmt_i64(((const int64_t *)c->values)[r], buf);
        fputs(buf, out);
        break;
      case INFLUX_COL_BOOL:
        fputs(((const uint8_t *)c->values)[r] ? "true" : "false", out);
        break;
      default:
        csv_text(out, c->arena.p + ((const size_t *)c->values)[r]);
      }
    }
    fputc('\n', out);
  }
  if (ferror(out))
    return ierr(err, INFLUX_ERR_IO, "frame_write_csv: write failed");
  return INFLUX_OK;
}

/* ---- Arrow C Data Interface ---- */

typedef struct arrow_priv {
  influx_frame *f; /* kept alive while exported */
  void *owned[3];  /* buffers made for this array */
  const void *bufs[3];
  struct ArrowArray **kids;
  struct ArrowArray *kid_store;
  size_t nkids;
} arrow_priv;

typedef struct schema_priv {
  struct ArrowSchema **kids;
  struct ArrowSchema *kid_store;
  char *name;
  size_t nkids;
} schema_priv;

static void release_array(struct ArrowArray *a) {
  if (!a || !a->release)
    return;
  arrow_priv *p = a->private_data;
  for (size_t i = 0; i < p->nkids; i++)
    if (p->kid_store[i].release)
      p->kid_store[i].release(&p->kid_store[i]);
  for (int i = 0; i < 3; i++)
    free(p->owned[i]);
  free(p->kids);
  free(p->kid_store);
  frame_unref(p->f);
  free(p);
  a->release = NULL;
}

static void release_schema(struct ArrowSchema *s) {
  if (!s || !s->release)
    return;
  schema_priv *p = s->private_data;
  for (size_t i = 0; i < p->nkids; i++)
    if (p->kid_store[i].release)
      p->kid_store[i].release(&p->kid_store[i]);
  free(p->kids);
  free(p->kid_store);
  free(p->name);
  free(p);
  s->release = NULL;
}

static int child_schema(struct ArrowSchema *s, const char *format,
                        const char *name, int nullable) {
  schema_priv *p = calloc(1, sizeof *p);
  if (!p || !(p->name = istrdup(name))) {
    free(p);
    return -1;
  }
  *s = (struct ArrowSchema){.format = format,
                            .name = p->name,
                            .flags = nullable ? 2 : 0, /* ARROW_FLAG_NULLABLE */
                            .release = release_schema,
                            .private_data = p};
  return 0;
}

static int child_array(struct ArrowArray *a, influx_frame *f, const fcol *c) {
  arrow_priv *p = calloc(1, sizeof *p);
  if (!p)
    return -1;
  size_t n = f->nrows;
  int64_t nbuf = 2;
  p->bufs[0] = c && c->nnull ? c->valid : NULL;
  if (!c) { /* time */
    p->bufs[1] = f->time;
  } else if (c->type == INFLUX_COL_FLOAT || c->type == INFLUX_COL_INT ||
             c->type == NO_TYPE) {
    p->bufs[1] = c->values;
  } else if (c->type == INFLUX_COL_BOOL) {
    uint8_t *bits = calloc((n + 7) / 8 + 1, 1);
    if (!bits) {
      free(p);
      return -1;
    }
    for (size_t r = 0; r < n; r++)
      if (((const uint8_t *)c->values)[r])
        bit_set(bits, r, 1);
    p->owned[1] = bits;
    p->bufs[1] = bits;
  } else {
    /* utf8: int32 offsets and the bytes, without the NULs. */
    size_t total = 0;
    for (size_t r = 0; r < n; r++)
      if (!c->valid || bit_get(c->valid, r))
        total += strlen(c->arena.p + ((const size_t *)c->values)[r]);
    int32_t *offs = malloc((n + 1) * sizeof *offs);
    char *data = malloc(total ? total : 1);
    if (!offs || !data || total > INT32_MAX) {
      free(offs);
      free(data);
      free(p);
      return -1;
    }
    size_t at = 0;
    offs[0] = 0;
    for (size_t r = 0; r < n; r++) {
      if (!c->valid || bit_get(c->valid, r)) {
        const char *s = c->arena.p + ((const size_t *)c->values)[r];
        size_t l = strlen(s);
        memcpy(data + at, s, l);
        at += l;
      }
      offs[r + 1] = (int32_t)at;
    }
    p->owned[1] = offs;
    p->owned[2] = data;
    p->bufs[1] = offs;
    p->bufs[2] = data;
    nbuf = 3;
  }
  __atomic_add_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
  p->f = f;
  *a = (struct ArrowArray){.length = (int64_t)n,
                           .null_count = c ? (int64_t)c->nnull : 0,
                           .n_buffers = nbuf,
                           .buffers = p->bufs,
                           .release = release_array,
                           .private_data = p};
  return 0;
}

static const char *arrow_format(int type) {
  switch (type) {
  case INFLUX_COL_FLOAT:
    return "g";
  case INFLUX_COL_INT:
    return "l";
  case INFLUX_COL_BOOL:
    return "b";
  case INFLUX_COL_STRING:
  case INFLUX_COL_TAG:
    return "u";
  default:
    return "g"; /* a column that only ever held nulls */
  }
}

influx_status influx_frame_export_arrow(const influx_frame *cf,
                                        struct ArrowSchema *schema,
                                        struct ArrowArray *array,
                                        influx_error *err) {
  if (!cf || !schema || !array)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_export_arrow: NULL "
                "argument");
  influx_frame *f = (influx_frame *)(uintptr_t)cf;
  size_t nk = f->ncols + 1;
  schema_priv *sp = calloc(1, sizeof *sp);
  arrow_priv *ap = calloc(1, sizeof *ap);
  if (!sp || !ap) {
    free(sp);
    free(ap);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  sp->kids = calloc(nk, sizeof *sp->kids);
  sp->kid_store = calloc(nk, sizeof *sp->kid_store);
  ap->kids = calloc(nk, sizeof *ap->kids);
  ap->kid_store = calloc(nk, sizeof *ap->kid_store);
  sp->name = istrdup("");
  *schema = (struct ArrowSchema){.format = "+s",
                                 .name = sp->name,
                                 .n_children = (int64_t)nk,
                                 .children = sp->kids,
                                 .release = release_schema,
                                 .private_data = sp};
  __atomic_add_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
  ap->f = f;
  *array = (struct ArrowArray){.length = (int64_t)f->nrows,
                               .n_buffers = 1,
                               .buffers = ap->bufs,
                               .n_children = (int64_t)nk,
                               .children = ap->kids,
                               .release = release_array,
                               .private_data = ap};
  int bad =
      !sp->kids || !sp->kid_store || !ap->kids || !ap->kid_store || !sp->name;
  for (size_t k = 0; !bad && k < nk; k++) {
    const fcol *c = k ? &f->cols[k - 1] : NULL;
    bad = child_schema(&sp->kid_store[k], c ? arrow_format(c->type) : "tsn:UTC",
                       c ? c->name : "time", c != NULL) ||
          child_array(&ap->kid_store[k], f, c);
    sp->kids[k] = &sp->kid_store[k];
    ap->kids[k] = &ap->kid_store[k];
    sp->nkids = ap->nkids = k + 1;
  }
  if (bad) {
    release_schema(schema);
    release_array(array);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory exporting a frame");
  }
  return INFLUX_OK;
}
