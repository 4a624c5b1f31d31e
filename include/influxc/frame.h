/* influxc — frames: the DataFrameClient for C.
 *
 * Seed: DataFrameClient.write_points(dataframe, measurement, tags,
 * tag_columns, field_columns, time_precision, database, retention_policy,
 * batch_size, protocol, numeric_precision) and DataFrameClient.query(...,
 * dropna, data_frame_index). A frame is columnar: a time column (int64 ns
 * since the epoch) and named, typed columns with validity bitmaps. */
#ifndef INFLUXC_FRAME_H
#define INFLUXC_FRAME_H

#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "point.h"
#include "query.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Column types (numbered as influx_type). Tag columns hold strings that
 * are written as tags. */
typedef enum influx_col_type {
  INFLUX_COL_FLOAT = INFLUX_TYPE_FLOAT,   /**< double */
  INFLUX_COL_INT = INFLUX_TYPE_INT,       /**< int64_t */
  INFLUX_COL_BOOL = INFLUX_TYPE_BOOL,     /**< one byte per row, 0 or 1 */
  INFLUX_COL_STRING = INFLUX_TYPE_STRING, /**< UTF-8 text */
  INFLUX_COL_TAG = INFLUX_TYPE_TAG        /**< UTF-8 text, written as a tag */
} influx_col_type;

typedef struct influx_frame influx_frame;

/** A new, empty frame. */
INFLUX_EXPORT influx_status influx_frame_new(influx_frame **out,
                                             influx_error *err);
/** Frees a frame. Arrow exports of it keep it alive until released. */
INFLUX_EXPORT void influx_frame_free(influx_frame *f);

/**
 * Columns from caller arrays. `n` must equal the frame's row count (the
 * first array given sets it). `valid` is an Arrow-style bitmap (bit i of
 * byte i/8, 1 = present) or NULL for no nulls.
 *
 * Copy or borrow: with `borrow` 0 the data is copied. With `borrow` 1 the
 * frame keeps the caller's pointers (no copy): they must stay valid and
 * unchanged until the frame is freed, and the frame can no longer grow by
 * rows. Strings (string and tag columns) are always copied.
 */
INFLUX_EXPORT influx_status influx_frame_set_time(influx_frame *f,
                                                  const int64_t *ns, size_t n,
                                                  int borrow,
                                                  influx_error *err);
INFLUX_EXPORT influx_status influx_frame_add_float(
    influx_frame *f, const char *name, const double *v, const uint8_t *valid,
    size_t n, int borrow, influx_error *err);
INFLUX_EXPORT influx_status influx_frame_add_int(influx_frame *f,
                                                 const char *name,
                                                 const int64_t *v,
                                                 const uint8_t *valid, size_t n,
                                                 int borrow, influx_error *err);
/** Booleans are one byte each (0/1) and always copied. */
INFLUX_EXPORT influx_status influx_frame_add_bool(influx_frame *f,
                                                  const char *name,
                                                  const uint8_t *v,
                                                  const uint8_t *valid,
                                                  size_t n, influx_error *err);
/** Strings; a NULL entry is a null. `type` is INFLUX_COL_STRING or
 * INFLUX_COL_TAG. */
INFLUX_EXPORT influx_status influx_frame_add_strings(
    influx_frame *f, const char *name, influx_col_type type,
    const char *const *v, size_t n, influx_error *err);
/** An empty column, to be filled by influx_frame_append_row(). */
INFLUX_EXPORT influx_status influx_frame_add_column(influx_frame *f,
                                                    const char *name,
                                                    influx_col_type type,
                                                    influx_error *err);
/**
 * Appends a row: its time and one value per column, in column order. A
 * value of type INFLUX_VALUE_NULL is a null; otherwise its type must fit
 * the column (ints are accepted by float columns). All-or-nothing.
 */
INFLUX_EXPORT influx_status influx_frame_append_row(influx_frame *f,
                                                    int64_t time_ns,
                                                    const influx_value *values,
                                                    size_t n,
                                                    influx_error *err);

/* ---- reading ---- */
INFLUX_EXPORT size_t influx_frame_row_count(const influx_frame *f);
INFLUX_EXPORT size_t influx_frame_column_count(const influx_frame *f);
INFLUX_EXPORT const char *influx_frame_column_name(const influx_frame *f,
                                                   size_t col);
INFLUX_EXPORT influx_col_type influx_frame_column_type(const influx_frame *f,
                                                       size_t col);
/** Index of the column `name`, or -1. */
INFLUX_EXPORT long influx_frame_column_index(const influx_frame *f,
                                             const char *name);
/** The time column (ns), nrows long; NULL when the frame is empty. */
INFLUX_EXPORT const int64_t *influx_frame_time(const influx_frame *f);
INFLUX_EXPORT int influx_frame_is_null(const influx_frame *f, size_t row,
                                       size_t col);
/** Typed getters: INFLUX_ERR_INVALID_ARG for a null, a type mismatch or an
 * index out of range. Float getters also read int columns. */
INFLUX_EXPORT influx_status influx_frame_get_float(const influx_frame *f,
                                                   size_t row, size_t col,
                                                   double *out);
INFLUX_EXPORT influx_status influx_frame_get_int(const influx_frame *f,
                                                 size_t row, size_t col,
                                                 int64_t *out);
INFLUX_EXPORT influx_status influx_frame_get_bool(const influx_frame *f,
                                                  size_t row, size_t col,
                                                  int *out);
/** A string or tag cell (NUL-terminated, valid while the frame lives);
 * NULL for a null or a mismatch. */
INFLUX_EXPORT const char *influx_frame_get_string(const influx_frame *f,
                                                  size_t row, size_t col);
/** Index columns chosen by data_frame_index (none: the time is the
 * index). */
INFLUX_EXPORT size_t influx_frame_index_count(const influx_frame *f);
INFLUX_EXPORT const char *influx_frame_index_column(const influx_frame *f,
                                                    size_t i);

/* ---- writing frames (seed DataFrameClient.write_points) ---- */

/** numeric_precision of the seed. Floats are written exactly (the shortest
 * text that reads back as the same double) unless rounding is asked for:
 * the seed's None (pandas' astype(str)) is exact too. */
typedef enum influx_numeric_precision {
  INFLUX_NUMERIC_DEFAULT = 0, /**< None: every float exactly */
  INFLUX_NUMERIC_FULL = 1,    /**< 'full': every float exactly */
  INFLUX_NUMERIC_DECIMALS = 2 /**< an int: rounded to `decimals` places */
} influx_numeric_precision;

typedef struct influx_frame_write_options {
  const char *measurement; /**< required */
  const influx_tag *tags;  /**< tags for every row */
  size_t ntags;
  const char *const *tag_columns;   /**< NULL-ended; NULL: the columns of
                                         type INFLUX_COL_TAG */
  const char *const *field_columns; /**< NULL-ended; NULL: every column
                                         that is not a tag column */
  influx_numeric_precision numeric_precision;
  int decimals;               /**< for INFLUX_NUMERIC_DECIMALS */
  const char *time_precision; /**< n,u,ms,s,m,h (default n); times
                                   are converted exactly (floored) */
  const char *database;
  const char *retention_policy;
  size_t batch_size; /**< rows per request; 0: 5000 */
  int parallel;      /**< requests in flight; 0: pool_size */
  INFLUX_RESERVED;   /**< room to grow: leave zero (see influxc.h) */
} influx_frame_write_options;

typedef struct influx_frame_write_report {
  size_t rows_written; /**< rows the server accepted */
  size_t rows_skipped; /**< rows with no field left (all null/NaN) */
  size_t batches;      /**< requests that succeeded */
  INFLUX_RESERVED;     /**< room to grow: leave zero (see influxc.h) */
} influx_frame_write_report;

/**
 * Writes a frame, encoding straight from its columns. Null and NaN fields
 * are left out of their line; a row with no field left is skipped and
 * counted, never sent as an invalid line. Nulls and empty strings in tag
 * columns leave the tag out.
 */
INFLUX_EXPORT influx_status
influx_frame_write(influx_client *c, const influx_frame *f,
                   const influx_frame_write_options *o,
                   influx_frame_write_report *report, influx_error *err);

/**
 * Encodes a frame as line protocol into `lb` (appended), with no network:
 * what influx_frame_write would send, in the same order, with the same
 * options (database, retention_policy, batch_size and parallel unused).
 * `lb` takes o->time_precision. rows_written counts the lines.
 */
INFLUX_EXPORT influx_status influx_frame_encode(
    const influx_frame *f, const influx_frame_write_options *o,
    influx_lines *lb, influx_frame_write_report *report, influx_error *err);

/**
 * A frame's line protocol in pieces, for output of any size in bounded
 * memory: influx_frame_encoder_next appends the lines of up to `max_rows`
 * further rows (0: all that remain) to `lb` and sets *done (may be NULL)
 * once no row remains. The pieces together are influx_frame_encode's
 * output. The encoder reads `f` and the strings and arrays of `o` (the
 * struct itself is copied) until influx_frame_encoder_free: keep them.
 */
typedef struct influx_frame_encoder influx_frame_encoder;
INFLUX_EXPORT influx_status influx_frame_encoder_new(
    const influx_frame *f, const influx_frame_write_options *o,
    influx_frame_encoder **out, influx_error *err);
INFLUX_EXPORT influx_status influx_frame_encoder_next(influx_frame_encoder *e,
                                                      influx_lines *lb,
                                                      size_t max_rows,
                                                      int *done,
                                                      influx_error *err);
/** Lines written and rows skipped so far. */
INFLUX_EXPORT void
influx_frame_encoder_report(const influx_frame_encoder *e,
                            influx_frame_write_report *report);
INFLUX_EXPORT void influx_frame_encoder_free(influx_frame_encoder *e);

/* ---- querying into frames (seed DataFrameClient.query) ---- */

typedef struct influx_frame_query_options {
  const char *database;
  const influx_param *bind_params;
  size_t nbind_params;
  size_t chunk_size;     /**< rows per chunk; 0: server default */
  influx_format format;  /**< wire format; default MessagePack */
  int keep_null_columns; /**< seed dropna=False (default drops columns
                              that are null in every row) */
  const char *const *data_frame_index; /**< NULL-ended index columns */
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_frame_query_options;

/** Frames of a query: per statement, one frame per series, keyed by
 * measurement and tags like the seed's dict keys. */
typedef struct influx_frame_set influx_frame_set;

/** Runs a query straight into frames: each chunk is decoded into the
 * column buffers as it arrives. */
INFLUX_EXPORT influx_status influx_query_frames(
    influx_client *c, const char *query, const influx_frame_query_options *o,
    influx_frame_set **out, influx_error *err);
INFLUX_EXPORT void influx_frame_set_free(influx_frame_set *s);
/** Statements in the response. */
INFLUX_EXPORT size_t influx_frame_set_statements(const influx_frame_set *s);
/** Frames (series) of statement `stmt`. */
INFLUX_EXPORT size_t influx_frame_set_count(const influx_frame_set *s,
                                            size_t stmt);
INFLUX_EXPORT const influx_frame *
influx_frame_set_frame(const influx_frame_set *s, size_t stmt, size_t i);
INFLUX_EXPORT const char *influx_frame_set_name(const influx_frame_set *s,
                                                size_t stmt, size_t i);
INFLUX_EXPORT size_t influx_frame_set_tag_count(const influx_frame_set *s,
                                                size_t stmt, size_t i);
INFLUX_EXPORT const char *influx_frame_set_tag_key(const influx_frame_set *s,
                                                   size_t stmt, size_t i,
                                                   size_t t);
INFLUX_EXPORT const char *influx_frame_set_tag_value(const influx_frame_set *s,
                                                     size_t stmt, size_t i,
                                                     size_t t);
/** The frame of (measurement, tags) in `stmt` (tags in any order), or
 * NULL. */
INFLUX_EXPORT const influx_frame *
influx_frame_set_find(const influx_frame_set *s, size_t stmt,
                      const char *measurement, const influx_tag *tags,
                      size_t ntags);
/** Called with each chunk of each series as a frame of its own (valid
 * only during the call; tags sorted by key). Non-zero stops the query. */
typedef int (*influx_frame_cb)(void *user, size_t stmt, const char *measurement,
                               const influx_tag *tags, size_t ntags,
                               const influx_frame *piece);
/**
 * Streams a query as frames, one per chunk of each series, in memory
 * bounded by the chunk whatever the result's size. dropna applies to each
 * piece (keep_null_columns keeps the columns steady from piece to piece).
 * A statement error stops the stream with INFLUX_ERR_STATEMENT.
 */
INFLUX_EXPORT influx_status influx_query_frames_stream(
    influx_client *c, const char *query, const influx_frame_query_options *o,
    influx_frame_cb cb, void *user, influx_error *err);
/** Moves frame i out of the set (the caller frees it). */
INFLUX_EXPORT influx_frame *influx_frame_set_take(influx_frame_set *s,
                                                  size_t stmt, size_t i);

/* ---- interop ---- */

/** CSV options. */
typedef struct influx_frame_csv_options {
  const char *epoch; /**< NULL: ISO-8601 (RFC3339) times; else integers in
                          h, m, s, ms, u or ns */
  const char *name;  /**< if set, "name" and "tags" columns lead each row */
  const char *tags;  /**< text of the "tags" column */
  int no_header;
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_frame_csv_options;

/** Writes `n` bytes of `s` as one CSV cell (RFC 4180: quoted when it holds
 * a comma, quote, CR or LF; quotes doubled). Every CSV influxc writes (its
 * library and its command) quotes with this. */
INFLUX_EXPORT void influx_csv_field(FILE *out, const char *s, size_t n);

/** Writes a frame as CSV (RFC 4180): time first, then the columns. Integer
 * times (epoch) are floored to the unit. */
INFLUX_EXPORT influx_status
influx_frame_write_csv(const influx_frame *f, FILE *out,
                       const influx_frame_csv_options *o, influx_error *err);

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
/* The Arrow C Data Interface, as the Arrow specification defines it. */
struct ArrowSchema {
  const char *format;
  const char *name;
  const char *metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema **children;
  struct ArrowSchema *dictionary;
  void (*release)(struct ArrowSchema *);
  void *private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void **buffers;
  struct ArrowArray **children;
  struct ArrowArray *dictionary;
  void (*release)(struct ArrowArray *);
  void *private_data;
};
#endif

/**
 * Exports a frame as an Arrow struct array: "time" (timestamp[ns, UTC])
 * then one child per column (float64, int64, bool, utf8). Time, float and
 * int values and validity bitmaps are shared without copying (the frame
 * stays alive until both structures are released); booleans and strings
 * are converted. Release both with their release callbacks.
 */
INFLUX_EXPORT influx_status
influx_frame_export_arrow(const influx_frame *f, struct ArrowSchema *schema,
                          struct ArrowArray *array, influx_error *err);

#ifdef __cplusplus
}
#endif

#endif
