/* influxc._core: the CPython extension under the influxc Python package.
 * Everything on the wire (HTTP, line protocol, JSON, msgpack) is the C
 * library's; this layer turns Python objects into its inputs and its
 * results into Python objects. */
#ifndef INFLUXC_PY_CORE_H
#define INFLUXC_PY_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "influxc.h"
#include "internal.h"

/* influxc._core.Error(status, http_status, message, content): every failure
 * of the library; the Python layer maps it to the seed's exceptions. */
extern PyObject *core_error;
/* Raises core_error for `st` with `err`'s message; returns NULL. `content`
 * (may be NULL) is the response body as the seed reported it. */
/* Adds the points a failed write stored to the pending core error (its
 * args' fifth item). */
void add_written(size_t n);
PyObject *raise_status(influx_status st, const influx_error *err,
                       PyObject *content);

/* Line protocol from the seed's point dicts (encode.c). Appends the lines
 * of `points` (an iterable of dicts) to `out`, each ending in '\n';
 * `tags` (a dict or NULL) goes under every point's tags; `measurement` (or
 * NULL) is the default measurement; times are converted to `precision`.
 * Returns the number of lines, or -1 with a Python exception set. */
Py_ssize_t encode_points(ibuf *out, PyObject *points, PyObject *tags,
                         PyObject *measurement, const char *precision);
/* A point's time (int, RFC3339 text, datetime) in `precision` units. */
int point_time(PyObject *t, const char *precision, int64_t *out);
int encode_init(void);

/* The seed's quote_ident / quote_literal (encode.c). */
PyObject *py_quote_ident(PyObject *self, PyObject *arg);
PyObject *py_quote_literal(PyObject *self, PyObject *arg);
PyObject *py_make_lines(PyObject *self, PyObject *args, PyObject *kw);

/* JSON values of a text, one after another (json.c). */
PyObject *py_json_loads_all(PyObject *self, PyObject *arg);

/* The Client type (client.c). */
typedef struct {
  PyObject_HEAD influx_client *c;
  int use_udp;
} core_client;
extern PyTypeObject core_client_type;
/* The point dicts' keys, interned once at import (a lookup by C string
 * makes a new str object for every point): both writers' and make_lines'
 * (made by encode_init). */
extern PyObject *key_measurement, *key_tags, *key_fields, *key_time;
/* 0, or -1 with an exception when the client is not initialised. */
int need(core_client *self);
/* Optional str to UTF-8 (None: NULL); 0, or -1 with an exception. */
int opt_str(PyObject *o, const char **out);
/* A NULL-ended name, value, ... array of a list of (str, str) pairs
 * (PyMem_Free it; the strings live as long as the pairs). */
const char **pair_array(PyObject *pairs);
/* Bind parameters from a dict (PyMem_Free *out); 0 or -1. */
int bind_params(PyObject *d, influx_param **out, size_t *n);
/* d[k] = v with a key that is not interned; takes v (NULL: -1, with the
 * exception of its making); 0 or -1. */
int dict_put(PyObject *d, const char *k, PyObject *v);
/* The seed's dict of a series: name, tags, columns, values, partial. */
PyObject *series_obj(const influx_series *s);
/* The seed's dict of statement i; a value as the seed gives it. */
PyObject *statement_obj(const influx_result *r, size_t i);
PyObject *value_obj(const influx_value *v);
/* A str of (long) UTF-8 text: ASCII text is copied, not decoded. */
PyObject *utf8_str(const char *p, size_t n);
/* Whether the n bytes at p are ASCII. */
int is_ascii(const char *p, size_t n);
/* Asks for transparent huge pages under the first n bytes of a new str
 * (8 MB and more): with the kernel's THP mode "madvise" (Debian 12's),
 * writing 93 MB of fresh 4 KB pages took 0.48 s here (23,000 faults),
 * with 2 MB pages 0.01-0.2 s. Only for output a str is made of. */
void str_huge_pages(PyObject *s, size_t n);
/* A str of UTF-8 text, shared with earlier equal short ones. */
PyObject *text_obj(const char *p, size_t n);
/* The cells of a one-dimensional, contiguous numpy array of n objects, in
 * place, held by `view` (PyBuffer_Release it after use); NULL, with
 * nothing to release, if `o` is not one (or is read-only and `writable`). */
PyObject **object_cells(PyObject *o, Py_ssize_t n, int writable,
                        Py_buffer *view);
/* Statements kept in C (results.c): a list of Statement objects that own
 * `r` together. */
PyObject *statements_of(influx_result *r);
extern PyTypeObject statement_type;
int results_init(void);
/* query()'s arguments (q, database, epoch, params, bind_params, method,
 * chunk_size, expected_response_code) as query options; the strings point
 * into `args`/`kw`, which must outlive them. 0, or -1 with an exception;
 * query_args_free releases what it allocated. */
typedef struct query_args {
  const char *q;
  influx_query_options qo;
} query_args;
int query_args_parse(PyObject *args, PyObject *kw, query_args *qa);
void query_args_free(query_args *qa);
/* query_chunks(...): an iterator of statement dicts (stream.c). */
PyObject *client_query_chunks(core_client *self, PyObject *args, PyObject *kw);
extern PyTypeObject chunk_iter_type;
/* query_frames(...): frames through Arrow (frames.c). */
PyObject *client_query_frames(core_client *self, PyObject *args, PyObject *kw);
int frames_init(void);
/* Points for the library from the seed's dicts: strings made for them
 * (str() of values, decoded bytes) are kept alive in `keep`. */
typedef struct conv {
  influx_point *pts;
  influx_tag *tags;
  influx_field *fields;
  size_t npts, ntags, nfields, cap_pts, cap_tags, cap_fields;
  PyObject *keep;
  /* str objects seen lately (kept alive in `keep`) and their UTF-8: the
   * same keys, measurements and tag values come back point after point. */
  struct conv_seen {
    PyObject *str;
    const char *utf8;
  } seen[64];
} conv;

/* A str of `v` (str() of others) kept alive in cv->keep; NULL with an
 * exception. */
const char *keep_text(conv *cv, PyObject *v);
/* Converts the dicts of iterator `it` into cv's points, times in `prec`
 * units (raw_times: the points carry no precision); 0 or -1. */
int convert_points(conv *cv, PyObject *it, const char *prec, int raw_times);
/* The same for at most `max` points (0: all). After an error (-1) the
 * points before the bad one are in cv, ready to use. */
int convert_some(conv *cv, PyObject *it, const char *prec, int raw_times,
                 size_t max);
/* Empties cv for the next points, keeping its arrays' memory; 0 or -1. */
int conv_reset(conv *cv);
void conv_free(conv *cv);
/* The Writer type (writer.c). */
extern PyTypeObject core_writer_type;
/* write_frame(...): DataFrame columns through an influx_frame (frame.c). */
PyObject *client_write_frame(core_client *self, PyObject *args, PyObject *kw);

/* UTF-8 of a str (or the bytes themselves); NULL with an exception. The
 * pointer lives as long as `o`. */
const char *utf8_of(PyObject *o, Py_ssize_t *len);

#endif
