/* influxc — queries and result sets.
 * Seed: query(query, params, bind_params, epoch, expected_response_code,
 * database, raise_errors, chunked, chunk_size, method) and ResultSet (raw,
 * error, keys(), items(), get_points(measurement, tags),
 * point_from_cols_vals). */
#ifndef INFLUXC_QUERY_H
#define INFLUXC_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "point.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Type of a decoded value (numbered as influx_type). */
typedef enum influx_value_type {
  INFLUX_VALUE_NULL = INFLUX_TYPE_NULL,
  INFLUX_VALUE_FLOAT = INFLUX_TYPE_FLOAT,   /**< v.f */
  INFLUX_VALUE_INT = INFLUX_TYPE_INT,       /**< v.i */
  INFLUX_VALUE_UINT = INFLUX_TYPE_UINT,     /**< v.u (msgpack unsigned above
                                                 INT64_MAX) */
  INFLUX_VALUE_BOOL = INFLUX_TYPE_BOOL,     /**< v.b (0 or 1) */
  INFLUX_VALUE_STRING = INFLUX_TYPE_STRING, /**< v.s, `len` bytes,
                                                 NUL-terminated */
  INFLUX_VALUE_TIME = INFLUX_TYPE_TIME      /**< v.i nanoseconds since the epoch
                                               (the "time" column, whatever format
                                               the server used) */
} influx_value_type;

/** A value. In results, strings live as long as their result. */
typedef struct influx_value {
  influx_value_type type;
  uint32_t len; /**< string length */
  union {
    int64_t i;
    uint64_t u;
    double f;
    int b;
    const char *s;
  } v;
} influx_value;

/** Helpers to build bind parameter values. */
INFLUX_EXPORT influx_value influx_value_int(int64_t i);
INFLUX_EXPORT influx_value influx_value_float(double f);
INFLUX_EXPORT influx_value influx_value_bool(int b);
INFLUX_EXPORT influx_value influx_value_string(const char *s);

/** A bind parameter: `$name` in the query (seed bind_params). */
typedef struct influx_param {
  const char *name;
  influx_value value;
} influx_param;

/** Response format asked of the server. */
typedef enum influx_format {
  INFLUX_FORMAT_AUTO = 0, /**< the faster one: msgpack */
  INFLUX_FORMAT_JSON = 1,
  INFLUX_FORMAT_MSGPACK = 2
} influx_format;

/** Query options; zero-initialise, zero takes the seed's default. */
typedef struct influx_query_options {
  const char *database; /**< default: the client's */
  const char *epoch;    /**< h, m, s, ms, u, ns; NULL: RFC3339 */
  const influx_param *bind_params;
  size_t nbind_params;
  const char *const *params;  /**< extra request params: name, value, ...,
                                   NULL */
  int expected_response_code; /**< 0: 200 */
  int keep_statement_errors;  /**< seed raise_errors=False: statement
                                   errors stay on their statement */
  int chunked;        /**< seed parity: influxc always asks for chunks (see
                           unchunked); setting it changes nothing else */
  size_t chunk_size;  /**< rows per chunk; 0: server default (10,000) */
  int unchunked;      /**< ask for one classic response instead of chunks.
                           In influxd 1.x only such responses obey
                           max-row-limit, and 1.6 flags every series of more
                           than 10,000 rows "partial" there even when it is
                           complete; the flag is reported as
                           INFLUX_ERR_PARTIAL all the same. */
  const char *method; /**< "GET"/"POST"; NULL: POST for statements
                           that change things, else GET */
  influx_format format;
  int raw_time;      /**< 0: times typed (INFLUX_VALUE_TIME);
                          INFLUX_TIME_RAW: as the server sent them (string
                          or epoch number; msgpack's as int ns);
                          INFLUX_TIME_TEXT: RFC3339 strings kept exactly as
                          the server wrote them ("05.1Z" stays), msgpack
                          times typed */
  int keep_raw;      /**< keep the response body (influx_result_raw) */
  int allow_partial; /**< a truncated result is not an error */
  INFLUX_RESERVED;   /**< room to grow: leave zero (see influxc.h) */
} influx_query_options;

/** Values of influx_query_options.raw_time. */
#define INFLUX_TIME_RAW 1
#define INFLUX_TIME_TEXT 2

/** A whole response: one entry per statement. Opaque; free with
 * influx_result_free(). Read-only access is thread-safe. */
typedef struct influx_result influx_result;
/** One series (name, tags, columns, rows). Lives as long as its result. */
typedef struct influx_series influx_series;

/**
 * Runs a query (seed query()). On return `*out` holds the decoded response
 * whenever one was received, also when the status is an error (a failing
 * statement, a truncated result): always free it. With
 * keep_statement_errors unset, a failing statement gives
 * INFLUX_ERR_STATEMENT and its message; a truncated ("partial") result
 * gives INFLUX_ERR_PARTIAL unless allow_partial is set. influxc asks the
 * server for chunked responses and merges them into whole series: that is
 * the only mode in which influxd 1.x marks "partial" reliably (and it does
 * not cut such responses at max-row-limit). Thread-safe per client.
 */
INFLUX_EXPORT influx_status influx_query(influx_client *c, const char *query,
                                         const influx_query_options *o,
                                         influx_result **out,
                                         influx_error *err);

/** Callbacks of a streaming query. Return nonzero to stop (the call then
 * returns INFLUX_ERR_ABORTED). */
typedef struct influx_stream_handlers {
  /** One series piece (at most chunk_size rows). `s` is valid
   * only during the call. */
  int (*on_series)(void *user, int statement_id, const influx_series *s);
  /** A statement failed. NULL: the stream stops with INFLUX_ERR_STATEMENT
   * (unless keep_statement_errors, which ignores it). */
  int (*on_error)(void *user, int statement_id, const char *message);
  void *user;
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_stream_handlers;

/**
 * Runs a query and delivers series as they are decoded, in memory bounded
 * by one chunk (chunk_size rows). Errors inside any chunk
 * are reported, never dropped.
 */
INFLUX_EXPORT influx_status influx_query_stream(influx_client *c,
                                                const char *query,
                                                const influx_query_options *o,
                                                const influx_stream_handlers *h,
                                                influx_error *err);

/** Frees a result and everything it owns. NULL is accepted. */
INFLUX_EXPORT void influx_result_free(influx_result *r);

/** Number of statements (results) in the response. */
INFLUX_EXPORT size_t influx_result_count(const influx_result *r);
/** statement_id of the i-th statement. */
INFLUX_EXPORT int influx_result_statement_id(const influx_result *r, size_t i);
/** Error of the i-th statement, or NULL (seed ResultSet.error). */
INFLUX_EXPORT const char *influx_result_error(const influx_result *r, size_t i);
/** Nonzero if the server truncated the i-th statement's result. */
INFLUX_EXPORT int influx_result_partial(const influx_result *r, size_t i);
/** Number of series in the i-th statement. */
INFLUX_EXPORT size_t influx_result_series_count(const influx_result *r,
                                                size_t i);
/** The j-th series of the i-th statement, or NULL if out of range. */
INFLUX_EXPORT const influx_series *influx_result_series(const influx_result *r,
                                                        size_t i, size_t j);
/** The raw response body if keep_raw was set, else NULL (seed raw). */
INFLUX_EXPORT const char *influx_result_raw(const influx_result *r,
                                            size_t *len);

/**
 * Seed get_points(measurement, tags): finds the next series of statement `i`
 * at or after `*cursor` whose name equals `measurement` (NULL: any) and
 * whose tags include all of `tags` (may be NULL/0). Advances `*cursor`
 * past it. Returns NULL when there are no more. Its rows are the points.
 */
INFLUX_EXPORT const influx_series *
influx_result_find(const influx_result *r, size_t i, const char *measurement,
                   const influx_tag *tags, size_t ntags, size_t *cursor);

/* ---- series accessors (seed keys(): name + tags; items(): + rows) ---- */

/** Series name; "" for SHOW queries that return an unnamed series. */
INFLUX_EXPORT const char *influx_series_name(const influx_series *s);
INFLUX_EXPORT size_t influx_series_tag_count(const influx_series *s);
INFLUX_EXPORT const char *influx_series_tag_key(const influx_series *s,
                                                size_t i);
INFLUX_EXPORT const char *influx_series_tag_value(const influx_series *s,
                                                  size_t i);
/** Value of tag `key`, or NULL. */
INFLUX_EXPORT const char *influx_series_tag(const influx_series *s,
                                            const char *key);
INFLUX_EXPORT size_t influx_series_column_count(const influx_series *s);
INFLUX_EXPORT const char *influx_series_column(const influx_series *s,
                                               size_t col);
/** Index of column `name`, or -1 (seed point_from_cols_vals lookup). */
INFLUX_EXPORT long influx_series_column_index(const influx_series *s,
                                              const char *name);
INFLUX_EXPORT size_t influx_series_row_count(const influx_series *s);
/** Nonzero if the server marked this series partial. */
INFLUX_EXPORT int influx_series_partial(const influx_series *s);
/** The value at (row, col); a NULL value when out of range. */
INFLUX_EXPORT const influx_value *influx_series_value(const influx_series *s,
                                                      size_t row, size_t col);
/** The value of column `name` in `row` (a point as a column->value map,
 * seed point_from_cols_vals); NULL if there is no such column. */
INFLUX_EXPORT const influx_value *
influx_series_get(const influx_series *s, size_t row, const char *name);
INFLUX_EXPORT int influx_series_is_null(const influx_series *s, size_t row,
                                        size_t col);
/** Typed getters: convert ints/floats/bools/times where exact; return
 * INFLUX_ERR_INVALID_ARG for NULLs, strings or out-of-range cells. */
INFLUX_EXPORT influx_status influx_series_get_int(const influx_series *s,
                                                  size_t row, size_t col,
                                                  int64_t *out);
INFLUX_EXPORT influx_status influx_series_get_float(const influx_series *s,
                                                    size_t row, size_t col,
                                                    double *out);
INFLUX_EXPORT influx_status influx_series_get_bool(const influx_series *s,
                                                   size_t row, size_t col,
                                                   int *out);
/** String cell or NULL. */
INFLUX_EXPORT const char *influx_series_get_string(const influx_series *s,
                                                   size_t row, size_t col);

/** Formats a time (ns since the epoch) as RFC3339 UTC into `out` (>= 40
 * bytes). Returns the length. */
INFLUX_EXPORT int influx_time_format(int64_t ns, char *out, size_t size);
/** Formats a double as the shortest text that reads back as the same
 * value, in plain notation for magnitudes in [1e-6, 1e21) (630, 0.1,
 * -0.000001), else as 1e+21 / 1e-7, as influxd's JSON does; "NaN", "+Inf",
 * "-Inf" otherwise. Locale-independent. Writes at most `size` bytes
 * (48 always suffice) and returns the full length. */
INFLUX_EXPORT int influx_format_double(double v, char *out, size_t size);
/** Parses RFC3339 into ns since the epoch. */
INFLUX_EXPORT influx_status influx_time_parse(const char *s, int64_t *ns);

/* ---- push decoder: bytes in, result out (used by influx_query) ---- */

/** A response decoder, fed bytes as they arrive. Opaque. */
typedef struct influx_decoder influx_decoder;

/**
 * Creates a decoder for `format` (JSON or MSGPACK; AUTO is MSGPACK). From
 * `o` it uses epoch, raw_time and unchunked (chunk continuations are
 * merged unless unchunked);
 * `o` may be NULL. With `h` non-NULL, series go to the callbacks instead
 * of a result.
 */
INFLUX_EXPORT influx_status influx_decoder_new(influx_format format,
                                               const influx_query_options *o,
                                               const influx_stream_handlers *h,
                                               influx_decoder **out,
                                               influx_error *err);
/**
 * Chooses the decoder by the response's Content-Type before the first
 * feed: application/json is read as JSON, application/x-msgpack as msgpack,
 * whatever was asked for (an influxd older than 1.4 or a proxy may answer
 * JSON to a msgpack request). Anything else is INFLUX_ERR_PARSE naming the
 * type. NULL or empty: the first byte decides ('{' JSON, else msgpack).
 * influx_query() and friends do this themselves.
 */
INFLUX_EXPORT influx_status influx_decoder_set_content_type(influx_decoder *d,
                                                            const char *ctype,
                                                            influx_error *err);
/** Feeds the next bytes. Stops at the first malformed byte. */
INFLUX_EXPORT influx_status influx_decoder_feed(influx_decoder *d,
                                                const char *data, size_t len,
                                                influx_error *err);
/**
 * Ends the input: a truncated document is INFLUX_ERR_PARSE. Hands over the
 * result (NULL in streaming mode) to `*out` (may be NULL to drop it).
 */
INFLUX_EXPORT influx_status influx_decoder_finish(influx_decoder *d,
                                                  influx_result **out,
                                                  influx_error *err);
/** Frees the decoder (and a result not yet handed over). NULL accepted. */
INFLUX_EXPORT void influx_decoder_free(influx_decoder *d);

#ifdef __cplusplus
}
#endif
#endif
