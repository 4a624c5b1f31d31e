/* Private: building a frame set from series pieces, without a server
 * (the query path and the fuzz harness share it). */
#ifndef INFLUXC_FRAME_IMPL_H
#define INFLUXC_FRAME_IMPL_H

#include "influxc/frame.h"
#include "internal.h"
#include "result_impl.h"

/* ---- the frame itself, shared by the files of frames (frame.c: the
 * container; frame_write.c, frame_query.c, frame_csv.c, frame_arrow.c) ---- */

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
  ibuf arena;             /* strings, each NUL-terminated; offset 0 is "" */
  struct text_memo *memo; /* frame_store's recent strings (NULL: none) */
} fcol;

/* Frees what a column owns (not what it borrows). */
INFLUX_PRIVATE void fcol_free(fcol *c);

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

static inline size_t elt_size(int type) {
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

static inline int is_text(int type) {
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

/* The frame's helpers for the query builder and the Arrow export. */
INFLUX_PRIVATE void frame_unref(influx_frame *f);
/* Room for `need` rows in every column; 0 or -1. */
INFLUX_PRIVATE int frame_reserve_rows(influx_frame *f, size_t need);
/* Gives column c a validity bitmap (all valid so far); 0 or -1. */
INFLUX_PRIVATE int frame_need_bitmap(const influx_frame *f, fcol *c);
/* Appends a column; NULL when out of memory. */
INFLUX_PRIVATE fcol *frame_new_col(influx_frame *f, const char *name, int type);
/* Stores v at `row` of c (NULL marks the row null); 0 or -1. */
INFLUX_PRIVATE int frame_store(const influx_frame *f, fcol *c, size_t row,
                               const influx_value *v);

/* A set to fill; `o` (may be NULL) must live until frame_set_end(). */
INFLUX_PRIVATE influx_frame_set *
frame_set_new(const influx_frame_query_options *o);
/* A stream handler: appends a series piece (non-zero: stop). */
INFLUX_PRIVATE int frame_set_piece(void *set, int stmt, const influx_series *p);
/* Applies dropna and the index once every piece is in; returns `st`
 * unless building failed. */
INFLUX_PRIVATE influx_status frame_set_end(influx_frame_set *s,
                                           influx_status st, influx_error *err);

#endif
