/* Private: result storage and the builder the decoders feed. */
#ifndef INFLUXC_RESULT_IMPL_H
#define INFLUXC_RESULT_IMPL_H

#include "influxc/query.h"
#include "internal.h"

/* Bump allocator for strings: blocks are never moved, so pointers into it
 * stay valid until the arena is reset or freed. */
typedef struct arena_block {
  struct arena_block *next;
  size_t used, cap;
  char data[];
} arena_block;

typedef struct arena {
  arena_block *head;
} arena;

INFLUX_PRIVATE char *arena_strndup(arena *a, const char *s, size_t n);
INFLUX_PRIVATE void arena_reset(arena *a);
INFLUX_PRIVATE void arena_free(arena *a);

struct influx_series {
  const char *name;
  const char **tagk, **tagv;
  size_t ntags;
  const char **cols;
  size_t ncols;
  influx_value *vals;
  size_t nrows, cap_rows;
  int partial;
  long time_col;
};

typedef struct statement {
  int id;
  char *error;
  int partial;
  influx_series *series;
  size_t nseries, cap;
} statement;

struct influx_result {
  arena arena;
  statement *st;
  size_t nst, cap;
  char *raw;
  size_t raw_len;
  char *top_error; /* {"error": ...} at the top level */
};

/* The builder: decoders call these in document order. Each returns 0 to
 * go on, nonzero to stop (the reason is in rb->st / rb->err). */
typedef struct rbuilder {
  influx_result *r;
  int64_t epoch_factor; /* ns per unit of epoch numbers, 0: RFC3339 */
  int raw_time;
  int merge; /* merge chunk continuations into whole series */
  const influx_stream_handlers *h;
  int keep_errors;
  arena tmp; /* streaming: strings of the current series */
  statement *cur_st;
  int cur_st_id;
  int in_series;
  influx_series cur;
  size_t tags_cap, cols_cap;
  size_t row_col; /* next column in the current row */
  int in_row;
  influx_status st;
  influx_error *err;
  int saw_partial; /* last series/statement seen ended partial */
  int64_t next_id; /* the most a statement_id may be: influxd counts its
                      statements 0, 1, 2, ... (chunks repeat an id) */
} rbuilder;

INFLUX_PRIVATE void rb_init(rbuilder *rb, influx_result *r);
INFLUX_PRIVATE void rb_free(rbuilder *rb);
INFLUX_PRIVATE int rb_fail(rbuilder *rb, influx_status st, const char *msg);
INFLUX_PRIVATE int rb_result_begin(rbuilder *rb);
INFLUX_PRIVATE int rb_statement_id(rbuilder *rb, int64_t id);
INFLUX_PRIVATE int rb_statement_error(rbuilder *rb, const char *s, size_t n);
INFLUX_PRIVATE int rb_statement_partial(rbuilder *rb, int p);
INFLUX_PRIVATE int rb_result_end(rbuilder *rb);
INFLUX_PRIVATE int rb_series_begin(rbuilder *rb);
INFLUX_PRIVATE int rb_series_name(rbuilder *rb, const char *s, size_t n);
INFLUX_PRIVATE int rb_series_tag(rbuilder *rb, const char *k, size_t kn,
                                 const char *v, size_t vn);
INFLUX_PRIVATE int rb_series_column(rbuilder *rb, const char *s, size_t n);
INFLUX_PRIVATE int rb_series_partial(rbuilder *rb, int p);
INFLUX_PRIVATE int rb_series_end(rbuilder *rb);
INFLUX_PRIVATE int rb_row_begin(rbuilder *rb);
/* Strings in `v` may point into the decoder's buffer: they are copied. */
INFLUX_PRIVATE int rb_value(rbuilder *rb, const influx_value *v);
INFLUX_PRIVATE int rb_row_end(rbuilder *rb);
INFLUX_PRIVATE int rb_top_error(rbuilder *rb, const char *s, size_t n);

/* Locale-independent strtod. */
INFLUX_PRIVATE double c_strtod(const char *s, char **end);

#endif
