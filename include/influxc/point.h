/* influxc — points and the line-protocol encoder. Usable without a client.
 * Seed: the `points` of write_points, make_lines. */
#ifndef INFLUXC_POINT_H
#define INFLUXC_POINT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A tag: key and value, both UTF-8. Tags with an empty value are left out
 * of the line (InfluxDB treats a missing tag and an empty one the same). */
typedef struct influx_tag {
  const char *key;
  const char *value;
} influx_tag;

/** Field value types (numbered as influx_type). */
typedef enum influx_field_type {
  INFLUX_FIELD_FLOAT = INFLUX_TYPE_FLOAT, /**< double, finite */
  INFLUX_FIELD_INT = INFLUX_TYPE_INT, /**< int64, written with the `i` suffix */
  INFLUX_FIELD_UINT = INFLUX_TYPE_UINT, /**< uint64, `u` suffix (servers with
                                           unsigned) */
  INFLUX_FIELD_BOOL = INFLUX_TYPE_BOOL,
  INFLUX_FIELD_STRING = INFLUX_TYPE_STRING /**< UTF-8 text, may contain
                                              newlines */
} influx_field_type;

/** A field. Set `type` and the matching member of `v`; the
 * INFLUX_F_* macros below build one in an initializer. */
typedef struct influx_field {
  const char *key;
  influx_field_type type;
  union {
    double f;
    int64_t i;
    uint64_t u;
    int b;
    const char *s;
  } v;
} influx_field;

#ifndef __cplusplus
#define INFLUX_F_FLOAT(k, x)                                                   \
  {                                                                            \
    (k), INFLUX_FIELD_FLOAT, { .f = (x) }                                      \
  }
#define INFLUX_F_INT(k, x)                                                     \
  {                                                                            \
    (k), INFLUX_FIELD_INT, { .i = (x) }                                        \
  }
#define INFLUX_F_UINT(k, x)                                                    \
  {                                                                            \
    (k), INFLUX_FIELD_UINT, { .u = (x) }                                       \
  }
#define INFLUX_F_BOOL(k, x)                                                    \
  {                                                                            \
    (k), INFLUX_FIELD_BOOL, { .b = (x) }                                       \
  }
#define INFLUX_F_STRING(k, x)                                                  \
  {                                                                            \
    (k), INFLUX_FIELD_STRING, { .s = (x) }                                     \
  }
#else
/* C++ before 20 has no designated initializers: the same macros build the
 * field with inline functions. */
inline influx_field influx_f_(const char *k, influx_field_type t) {
  influx_field f;
  f.key = k;
  f.type = t;
  f.v.i = 0;
  return f;
}
/* clang-format off */
inline influx_field influx_f_float_(const char *k, double x)
  { influx_field f = influx_f_(k, INFLUX_FIELD_FLOAT); f.v.f = x; return f; }
inline influx_field influx_f_int_(const char *k, int64_t x)
  { influx_field f = influx_f_(k, INFLUX_FIELD_INT); f.v.i = x; return f; }
inline influx_field influx_f_uint_(const char *k, uint64_t x)
  { influx_field f = influx_f_(k, INFLUX_FIELD_UINT); f.v.u = x; return f; }
inline influx_field influx_f_bool_(const char *k, int x)
  { influx_field f = influx_f_(k, INFLUX_FIELD_BOOL); f.v.b = x; return f; }
inline influx_field influx_f_string_(const char *k, const char *x)
  { influx_field f = influx_f_(k, INFLUX_FIELD_STRING); f.v.s = x; return f; }
/* clang-format on */
#define INFLUX_F_FLOAT(k, x) influx_f_float_((k), (x))
#define INFLUX_F_INT(k, x) influx_f_int_((k), (x))
#define INFLUX_F_UINT(k, x) influx_f_uint_((k), (x))
#define INFLUX_F_BOOL(k, x) influx_f_bool_((k), (x))
#define INFLUX_F_STRING(k, x) influx_f_string_((k), (x))
#endif

/**
 * One point, described by plain data the caller owns (nothing is copied or
 * freed by the encoder). Tags need not be sorted: the encoder sorts them.
 * `time` is in `precision` units when `has_time` is set; `precision` NULL
 * means the precision of the write (or nanoseconds for the encoder).
 */
typedef struct influx_point {
  const char *measurement;
  const influx_tag *tags;
  size_t ntags;
  const influx_field *fields;
  size_t nfields;
  int64_t time;
  int has_time;
  const char *precision; /**< unit of `time`: n, u, ms, s, m, h */
} influx_point;

/** A growable buffer of encoded line protocol. Opaque. Not thread-safe. */
typedef struct influx_lines influx_lines;

/** Creates an empty buffer. Returns NULL when out of memory. */
INFLUX_EXPORT influx_lines *influx_lines_new(void);
/** Frees the buffer. NULL is accepted. */
INFLUX_EXPORT void influx_lines_free(influx_lines *lb);
/** Empties the buffer, keeping its memory for reuse. */
INFLUX_EXPORT void influx_lines_reset(influx_lines *lb);
/** Encoded bytes ('\n'-separated lines, NUL-terminated); valid until the
 * next change. */
INFLUX_EXPORT const char *influx_lines_data(const influx_lines *lb);
INFLUX_EXPORT size_t influx_lines_len(const influx_lines *lb);
/** Number of lines (points) in the buffer. */
INFLUX_EXPORT size_t influx_lines_count(const influx_lines *lb);

/**
 * Sets the precision the encoded times must be in (default "n"): points with
 * another `precision` are converted exactly; a time that would overflow or
 * is not a whole number of the target unit is an error.
 */
INFLUX_EXPORT influx_status influx_lines_set_precision(influx_lines *lb,
                                                       const char *precision,
                                                       influx_error *err);

/** How an encoder writes what has more than one text (influxd reads both
 * the same way). */
typedef enum influx_line_style {
  /** shortest round-trip floats ("12", "1e-05" as "0.00001"), true/false,
   * fields in the order given */
  INFLUX_LINES_EXACT = 0,
  /** the seed's make_lines text: floats as Python's repr ("12.0",
   * "1e-05", "1e+16"), True/False, fields sorted by key */
  INFLUX_LINES_SEED = 1
} influx_line_style;

/** Sets the encoder's style (default INFLUX_LINES_EXACT) for the points
 * appended after it. The values stored are the same in both. */
INFLUX_EXPORT influx_status influx_lines_set_style(influx_lines *lb,
                                                   influx_line_style style,
                                                   influx_error *err);

/**
 * Sets tags added to every point (seed: write_points `tags`); a point's own
 * tag with the same key wins. Copied.
 */
INFLUX_EXPORT influx_status influx_lines_set_default_tags(
    influx_lines *lb, const influx_tag *tags, size_t ntags, influx_error *err);

/**
 * Encodes one point and appends its line. On error nothing is appended and
 * `err` names the problem (NaN field, empty measurement, no fields, invalid
 * UTF-8, name that cannot be represented, time overflow, ...).
 */
INFLUX_EXPORT influx_status influx_lines_append(influx_lines *lb,
                                                const influx_point *p,
                                                influx_error *err);

/**
 * Appends a line-protocol string as given (trailing newlines trimmed);
 * rejected if empty, if it contains a newline outside a string field, or
 * is not UTF-8. Times are not converted.
 */
INFLUX_EXPORT influx_status influx_lines_append_raw(influx_lines *lb,
                                                    const char *line,
                                                    size_t len,
                                                    influx_error *err);

/* ---- Builder: encode points field by field, no per-point allocation ---- */

/** Starts a point. Strings given to the builder are copied immediately. */
INFLUX_EXPORT influx_status influx_lines_begin(influx_lines *lb,
                                               const char *measurement,
                                               influx_error *err);
INFLUX_EXPORT influx_status influx_lines_tag(influx_lines *lb, const char *key,
                                             const char *value,
                                             influx_error *err);
INFLUX_EXPORT influx_status influx_lines_float(influx_lines *lb,
                                               const char *key, double v,
                                               influx_error *err);
INFLUX_EXPORT influx_status influx_lines_int(influx_lines *lb, const char *key,
                                             int64_t v, influx_error *err);
INFLUX_EXPORT influx_status influx_lines_uint(influx_lines *lb, const char *key,
                                              uint64_t v, influx_error *err);
INFLUX_EXPORT influx_status influx_lines_bool(influx_lines *lb, const char *key,
                                              int v, influx_error *err);
INFLUX_EXPORT influx_status influx_lines_string(influx_lines *lb,
                                                const char *key, const char *v,
                                                influx_error *err);
/** Sets the point's time in `precision` units (NULL: the buffer's). */
INFLUX_EXPORT influx_status influx_lines_time(influx_lines *lb, int64_t t,
                                              const char *precision,
                                              influx_error *err);
/** Validates and encodes the point started by influx_lines_begin(). */
INFLUX_EXPORT influx_status influx_lines_end(influx_lines *lb,
                                             influx_error *err);

/**
 * Convenience: encodes `n` points into a new NUL-terminated string (free()
 * it) like the seed's make_lines. `precision` as influx_lines_set_precision.
 */
INFLUX_EXPORT influx_status influx_make_lines(const influx_point *pts, size_t n,
                                              const char *precision, char **out,
                                              size_t *out_len,
                                              influx_error *err);

/* ---- points in the seed's JSON form ---- */

/** Points parsed from JSON; owns the points and their strings. Opaque. */
typedef struct influx_point_set influx_point_set;

/**
 * Parses the seed's JSON form of points: an array (or {"points": [...]}) of
 * {"measurement", "tags": {..}, "fields": {..}, "time"}. JSON integers become
 * integer fields, other numbers floats; null fields are left out (as the
 * seed does); "time" is an integer in the write's precision or an RFC3339
 * string (converted to ns exactly). Errors name the point.
 */
INFLUX_EXPORT influx_status influx_point_set_parse_json(const char *json,
                                                        size_t len,
                                                        influx_point_set **out,
                                                        influx_error *err);
INFLUX_EXPORT size_t influx_point_set_count(const influx_point_set *s);
/** The points, valid as long as the set. */
INFLUX_EXPORT const influx_point *
influx_point_set_points(const influx_point_set *s);
/** Frees the set. NULL is accepted. */
INFLUX_EXPORT void influx_point_set_free(influx_point_set *s);

/* ---- splitting line protocol into lines as influxd does ---- */

/** State of influx_line_split(); zero-initialise. */
typedef struct influx_line_splitter {
  int quoted, fields, esc;
  long equals, commas;
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_line_splitter;

/**
 * Finds the end of the current line in buf[0..n) the way influxd's line
 * scanner does (a newline inside a string field value does not end a line;
 * a backslash escapes the next byte). Returns the number of bytes consumed;
 * `*complete` is set when they end with the line's newline, after which the
 * splitter is ready for the next line. Feed the rest of a line in the next
 * call when it is not complete.
 */
INFLUX_EXPORT size_t influx_line_split(influx_line_splitter *sp,
                                       const char *buf, size_t n,
                                       int *complete);

#ifdef __cplusplus
}
#endif
#endif
