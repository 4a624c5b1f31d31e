/* Private: the line buffer's layout, shared by the encoder and writers. */
#ifndef INFLUXC_LINES_IMPL_H
#define INFLUXC_LINES_IMPL_H

#include "fmt_impl.h"
#include "influxc/point.h"
#include "internal.h"

struct bfield {
  influx_field f;
  size_t key_off, s_off;
};

struct influx_lines {
  ibuf buf;
  size_t count; /* lines in buf */
  size_t index; /* points offered so far, for error messages */
  int64_t prec_factor;
  fmt_cache tcache; /* the encoder's timestamps */
  influx_tag *dtags;
  size_t ndtags;
  ibuf dtag_store;
  const influx_tag **sorted;
  size_t sorted_cap;
  size_t *lens; /* field key lengths of the point being encoded */
  size_t lens_cap;
  int style;    /* influx_line_style */
  size_t *ford; /* INFLUX_LINES_SEED: the fields in key order */
  size_t ford_cap;
  /* builder state */
  int building;
  ibuf arena;
  size_t meas_off;
  size_t (*btags)[2];
  size_t nbt, bt_cap;
  struct bfield *bfields;
  size_t nbf, bf_cap;
  influx_field *ftmp;
  size_t ftmp_cap;
  int64_t time, bprec;
  int has_time;
  int split_risk; /* the point being encoded needs its line checked */
};

/* Encodes one point (no index bookkeeping). */
INFLUX_PRIVATE influx_status lines_encode(influx_lines *lb,
                                          const influx_point *p,
                                          influx_error *err);

/* Appends one line already split by influx_line_split (no line end):
 * only its UTF-8 is checked. */
INFLUX_PRIVATE influx_status lines_append_split(influx_lines *lb,
                                                const char *line, size_t len,
                                                size_t idx, influx_error *err);

#endif
