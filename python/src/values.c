/* Results as the seed gives them: values, series and statements as
 * Python objects (times as isoformat text, short strings shared). */
#include <string.h>

#include "core.h"

/* A time as the seed gives it from influxd's msgpack (isoformat: no
 * fraction for whole seconds, else six digits), with nine digits where
 * there are nanoseconds (the seed cut them off). */
static PyObject *time_text(int64_t ns, char *buf) {
  int64_t frac = ns % 1000000000;
  if (frac < 0)
    frac += 1000000000;
  int n = influx_time_format(ns - frac, buf, 48);
  if (n < 1 || buf[n - 1] != 'Z')
    return PyUnicode_FromStringAndSize(buf, n);
  n--;
  if (frac) {
    /* Digits by hand: this runs for every row of a result. */
    int digits = frac % 1000 ? 9 : 6;
    int64_t v = digits == 9 ? frac : frac / 1000;
    buf[n++] = '.';
    for (int d = digits - 1; d >= 0; d--, v /= 10)
      buf[n + d] = (char)('0' + v % 10);
    n += digits;
  }
  buf[n++] = 'Z';
  return PyUnicode_FromStringAndSize(buf, n);
}

/* Short strings repeat (tag values, status words): a small cache of str
 * objects by content saves making the same one for every row. Used with
 * the GIL held; entries live as long as the module. */
#define STR_CACHE 512
#define STR_CACHE_MAX_LEN 64
static PyObject *str_cache[STR_CACHE];

/* The cells of a one-dimensional, contiguous numpy array of n objects,
 * used in place (no list of references made and freed per column). They
 * come through the buffer protocol (format "O"), which Python code cannot
 * fake with a pointer of its own, and the view held keeps numpy from
 * resizing the array while the cells are used. */
PyObject **object_cells(PyObject *o, Py_ssize_t n, int writable,
                        Py_buffer *view) {
  static PyObject *none_yet[1];
  memset(view, 0, sizeof *view);
  if (PyList_Check(o) || PyTuple_Check(o) || !PyObject_CheckBuffer(o))
    return NULL;
  int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
  if (PyObject_GetBuffer(o, view, writable ? flags | PyBUF_WRITABLE : flags)) {
    PyErr_Clear();
    memset(view, 0, sizeof *view);
    return NULL;
  }
  if (view->ndim != 1 || !view->shape || view->shape[0] != n ||
      view->itemsize != (Py_ssize_t)sizeof(PyObject *) || !view->format ||
      strcmp(view->format, "O")) {
    PyBuffer_Release(view);
    return NULL;
  }
  return view->buf ? view->buf : none_yet; /* (empty: no cell is touched) */
}

PyObject *text_obj(const char *p, size_t n) {
  if (n > STR_CACHE_MAX_LEN)
    return PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "replace");
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)p[i]) * 16777619u;
  PyObject **slot = &str_cache[h % STR_CACHE];
  if (*slot) {
    Py_ssize_t cn;
    const char *c = PyUnicode_AsUTF8AndSize(*slot, &cn);
    if (c && (size_t)cn == n && !memcmp(c, p, n)) {
      Py_INCREF(*slot);
      return *slot;
    }
    PyErr_Clear();
  }
  PyObject *o = PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "replace");
  if (o) {
    Py_XSETREF(*slot, o);
    Py_INCREF(o);
  }
  return o;
}

/* A result value as the seed gives it. */
PyObject *value_obj(const influx_value *v) {
  char buf[48];
  switch (v->type) {
  case INFLUX_VALUE_FLOAT:
    return PyFloat_FromDouble(v->v.f);
  case INFLUX_VALUE_INT:
    return PyLong_FromLongLong(v->v.i);
  case INFLUX_VALUE_UINT:
    return PyLong_FromUnsignedLongLong(v->v.u);
  case INFLUX_VALUE_BOOL:
    return PyBool_FromLong(v->v.b);
  case INFLUX_VALUE_STRING:
    return text_obj(v->v.s, v->len);
  case INFLUX_VALUE_TIME:
    return time_text(v->v.i, buf);
  default:
    Py_RETURN_NONE;
  }
}

int dict_put(PyObject *d, const char *k, PyObject *v) {
  /* Not PyDict_SetItemString: it interns the key, and a key that nothing
   * else holds leaves CPython's table of interned strings each time its
   * dict goes, which resizes that table now and then (megabytes). */
  PyObject *key = v ? PyUnicode_FromString(k) : NULL;
  int rc = key ? PyDict_SetItem(d, key, v) : -1;
  Py_XDECREF(key);
  Py_XDECREF(v);
  return rc;
}

/* {"name", "tags"?, "columns", "values", "partial"?} of a series. */
PyObject *series_obj(const influx_series *s) {
  PyObject *d = PyDict_New();
  if (!d)
    return NULL;
  const char *name = influx_series_name(s);
  if (name && *name && dict_put(d, "name", PyUnicode_FromString(name)))
    goto fail;
  size_t nt = influx_series_tag_count(s);
  if (nt) {
    PyObject *t = PyDict_New();
    if (dict_put(d, "tags", t))
      goto fail;
    for (size_t i = 0; i < nt; i++)
      if (dict_put(t, influx_series_tag_key(s, i),
                   PyUnicode_FromString(influx_series_tag_value(s, i))))
        goto fail;
  }
  size_t nc = influx_series_column_count(s), nr = influx_series_row_count(s);
  PyObject *cols = PyList_New((Py_ssize_t)nc);
  if (dict_put(d, "columns", cols))
    goto fail;
  for (size_t c = 0; c < nc; c++) {
    PyObject *n = PyUnicode_FromString(influx_series_column(s, c));
    if (!n)
      goto fail;
    PyList_SET_ITEM(cols, (Py_ssize_t)c, n);
  }
  PyObject *rows = PyList_New((Py_ssize_t)nr);
  if (dict_put(d, "values", rows))
    goto fail;
  for (size_t r = 0; r < nr; r++) {
    PyObject *row = PyList_New((Py_ssize_t)nc);
    if (!row)
      goto fail;
    PyList_SET_ITEM(rows, (Py_ssize_t)r, row);
    for (size_t c = 0; c < nc; c++) {
      PyObject *v = value_obj(influx_series_value(s, r, c));
      if (!v)
        goto fail;
      PyList_SET_ITEM(row, (Py_ssize_t)c, v);
    }
  }
  if (influx_series_partial(s) && dict_put(d, "partial", PyBool_FromLong(1)))
    goto fail;
  return d;
fail:
  Py_DECREF(d);
  return NULL;
}

/* The seed's dict of statement i: statement_id, series, error, partial. */
PyObject *statement_obj(const influx_result *r, size_t i) {
  PyObject *d = PyDict_New();
  if (!d)
    return NULL;
  if (dict_put(d, "statement_id",
               PyLong_FromLong(influx_result_statement_id(r, i))))
    goto fail;
  size_t ns = influx_result_series_count(r, i);
  const char *e = influx_result_error(r, i);
  /* "series": [] also when there is none, as influxd's msgpack answer
   * (the seed's) has it: rs.raw["series"] works on an empty result. */
  if (ns || !e) {
    PyObject *sl = PyList_New((Py_ssize_t)ns);
    if (dict_put(d, "series", sl))
      goto fail;
    for (size_t k = 0; k < ns; k++) {
      PyObject *so = series_obj(influx_result_series(r, i, k));
      if (!so)
        goto fail;
      PyList_SET_ITEM(sl, (Py_ssize_t)k, so);
    }
  }
  if (e && dict_put(d, "error", PyUnicode_FromString(e)))
    goto fail;
  if (influx_result_partial(r, i) && dict_put(d, "partial", PyBool_FromLong(1)))
    goto fail;
  return d;
fail:
  Py_DECREF(d);
  return NULL;
}
