/* Frames written: line protocol straight from the columns, sent through
 * the streaming writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "frame_impl.h"
#include "influxc/write.h"

typedef struct frame_src {
  const influx_frame *f;
  const influx_frame_write_options *o;
  size_t row, row_end;  /* the next row; rows before row_end are handed out */
  size_t *tagc, ntagc;  /* tag column indexes */
  size_t *fieldc, nfc;  /* field column indexes */
  influx_tag *tags;     /* per point in a call: ntags + ntagc */
  influx_field *fields; /* per point in a call: nfc */
  size_t skipped;
  int64_t div; /* ns per unit of time_precision */
} frame_src;

/* Floats as numeric_precision says: exact (the default, and 'full'), or
 * rounded to `decimals` places. */
static double shape_float(const influx_frame_write_options *o, double v) {
  char buf[40];
  if (o->numeric_precision != INFLUX_NUMERIC_DECIMALS)
    return v;
  snprintf(buf, sizeof buf, "%.*f", o->decimals, v);
  return c_strtod(buf, NULL);
}

static long frame_source(void *u, influx_point *buf, size_t cap) {
  frame_src *s = u;
  const influx_frame *f = s->f;
  size_t nt = s->o->ntags + s->ntagc;
  size_t k = 0;
  while (k < cap && s->row < s->row_end) {
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

/* Points a source hands out per call (its tag and field arrays' room). */
enum { SRC_PER_CALL = 256 };

static long find_col(const influx_frame *f, const char *name) {
  return influx_frame_column_index(f, name);
}

/* Checks the options and prepares the source of a frame's points. */
static influx_status src_open(const influx_frame *f,
                              const influx_frame_write_options *o, frame_src *s,
                              influx_error *err) {
  memset(s, 0, sizeof *s);
  if (!f || !o)
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
  *s = (frame_src){.f = f, .o = o, .div = div, .row_end = f->nrows};
  s->tagc = calloc(f->ncols + 1, sizeof *s->tagc);
  s->fieldc = calloc(f->ncols + 1, sizeof *s->fieldc);
  if (!s->tagc || !s->fieldc)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  if (o->tag_columns) {
    for (size_t i = 0; o->tag_columns[i]; i++) {
      long k = find_col(f, o->tag_columns[i]);
      if (k < 0 || !is_text(f->cols[k].type))
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "frame_write: tag column \"%.60s\" %s", o->tag_columns[i],
                    k < 0 ? "does not exist" : "is not a string column");
      s->tagc[s->ntagc++] = (size_t)k;
    }
  } else {
    for (size_t i = 0; i < f->ncols; i++)
      if (f->cols[i].type == INFLUX_COL_TAG)
        s->tagc[s->ntagc++] = i;
  }
  if (o->field_columns) {
    for (size_t i = 0; o->field_columns[i]; i++) {
      long k = find_col(f, o->field_columns[i]);
      if (k < 0)
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "frame_write: field column \"%.60s\" does not exist",
                    o->field_columns[i]);
      s->fieldc[s->nfc++] = (size_t)k;
    }
  } else {
    for (size_t i = 0; i < f->ncols; i++) {
      int tag = 0;
      for (size_t j = 0; j < s->ntagc && !tag; j++)
        tag = s->tagc[j] == i;
      if (!tag)
        s->fieldc[s->nfc++] = i;
    }
  }
  if (!s->nfc && f->nrows)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_write: no field columns (a point needs a field)");
  s->tags = calloc(SRC_PER_CALL * (o->ntags + s->ntagc + 1), sizeof *s->tags);
  s->fields = calloc(SRC_PER_CALL * (s->nfc + 1), sizeof *s->fields);
  if (!s->tags || !s->fields)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  return INFLUX_OK;
}

static void src_close(frame_src *s) {
  free(s->tagc);
  free(s->fieldc);
  free(s->tags);
  free(s->fields);
}

influx_status influx_frame_write(influx_client *c, const influx_frame *f,
                                 const influx_frame_write_options *o,
                                 influx_frame_write_report *rep,
                                 influx_error *err) {
  if (rep)
    memset(rep, 0, sizeof *rep);
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_write: NULL argument");
  frame_src s;
  influx_status st = src_open(f, o, &s, err);
  if (!st) {
    influx_write_options wo = {
        .database = o->database,
        .retention_policy = o->retention_policy,
        .precision = o->time_precision,
        .batch_size = o->batch_size ? o->batch_size : INFLUX_DEFAULT_BATCH_SIZE,
        .parallel = o->parallel};
    influx_write_report wr;
    st = influx_write_from(c, frame_source, &s, &wo, &wr, err);
    if (rep) {
      rep->rows_written = wr.points_written;
      rep->rows_skipped = s.skipped;
      rep->batches = wr.batches_written;
    }
  }
  src_close(&s);
  return st;
}

struct influx_frame_encoder {
  frame_src s;
  influx_frame_write_options o; /* a copy; its strings are the caller's */
  size_t lines;
};

influx_status influx_frame_encoder_new(const influx_frame *f,
                                       const influx_frame_write_options *o,
                                       influx_frame_encoder **out,
                                       influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_encoder: NULL argument");
  *out = NULL;
  if (!o)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_encoder: NULL argument");
  influx_frame_encoder *e = calloc(1, sizeof *e);
  if (!e)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  e->o = *o;
  influx_status st = src_open(f, &e->o, &e->s, err);
  if (st) {
    influx_frame_encoder_free(e);
    return st;
  }
  *out = e;
  return INFLUX_OK;
}

influx_status influx_frame_encoder_next(influx_frame_encoder *e,
                                        influx_lines *lb, size_t max_rows,
                                        int *done, influx_error *err) {
  if (done)
    *done = 0;
  if (!e || !lb)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_encoder: NULL argument");
  frame_src *s = &e->s;
  influx_status st = influx_lines_set_precision(lb, e->o.time_precision, err);
  size_t left = s->f->nrows - s->row;
  s->row_end = s->row + (max_rows && max_rows < left ? max_rows : left);
  influx_point pts[SRC_PER_CALL];
  for (long n; !st && (n = frame_source(s, pts, SRC_PER_CALL)) > 0;)
    for (long i = 0; i < n && !st; i++, e->lines++)
      st = influx_lines_append(lb, &pts[i], err);
  if (!st && done)
    *done = s->row == s->f->nrows;
  return st;
}

void influx_frame_encoder_report(const influx_frame_encoder *e,
                                 influx_frame_write_report *rep) {
  if (!rep)
    return;
  memset(rep, 0, sizeof *rep);
  if (e) {
    rep->rows_written = e->lines;
    rep->rows_skipped = e->s.skipped;
  }
}

void influx_frame_encoder_free(influx_frame_encoder *e) {
  if (!e)
    return;
  src_close(&e->s);
  free(e);
}

influx_status influx_frame_encode(const influx_frame *f,
                                  const influx_frame_write_options *o,
                                  influx_lines *lb,
                                  influx_frame_write_report *rep,
                                  influx_error *err) {
  if (rep)
    memset(rep, 0, sizeof *rep);
  if (!lb)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_encode: NULL argument");
  influx_frame_encoder *e;
  influx_status st = influx_frame_encoder_new(f, o, &e, err);
  if (!st)
    st = influx_frame_encoder_next(e, lb, 0, NULL, err);
  influx_frame_encoder_report(e, rep);
  influx_frame_encoder_free(e);
  return st;
}
