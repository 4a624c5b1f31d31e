/* DataFrameClient.write_points in C: the DataFrame's numpy buffers become
 * an influx_frame's columns (numbers borrowed, not copied) and the frame
 * is encoded and written with the GIL released. */
#include <math.h>
#include <string.h>

#include "core.h"

/* Buffers held for the frame's life. */
typedef struct held {
  Py_buffer b[3 * 256 + 1];
  int n;
} held;

static const void *buffer_of(held *h, PyObject *o, Py_ssize_t itemsize,
                             Py_ssize_t want, const char *what) {
  if (h->n == (int)(sizeof h->b / sizeof *h->b)) {
    PyErr_SetString(PyExc_ValueError, "too many columns");
    return NULL;
  }
  Py_buffer *b = &h->b[h->n];
  if (PyObject_GetBuffer(o, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT))
    return NULL;
  h->n++;
  if (b->itemsize != itemsize || b->len != want * itemsize) {
    PyErr_Format(PyExc_ValueError, "%s: %zd bytes of %zd-byte items, want %zd",
                 what, b->len, b->itemsize, want * itemsize);
    return NULL;
  }
  return b->buf;
}

/* A string column from a list: str as it is, None and float NaN (pandas'
 * missing values) as nulls, anything else as its str(). */
static int add_strings(influx_frame *f, const char *name, influx_col_type t,
                       PyObject *list, Py_ssize_t n, influx_error *err) {
  PyObject *seq = PySequence_Fast(list, "string columns are lists");
  if (!seq)
    return -1;
  if (PySequence_Fast_GET_SIZE(seq) != n) {
    Py_DECREF(seq);
    PyErr_SetString(PyExc_ValueError, "column length differs from index");
    return -1;
  }
  const char **v = PyMem_Calloc((size_t)n + 1, sizeof *v);
  PyObject *made = PyList_New(0); /* str() of other values, kept alive */
  int rc = v && made ? 0 : -1;
  if (rc)
    PyErr_NoMemory();
  for (Py_ssize_t i = 0; !rc && i < n; i++) {
    PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
    if (o == Py_None || (PyFloat_Check(o) && isnan(PyFloat_AS_DOUBLE(o))))
      continue;
    if (!PyUnicode_Check(o) && !PyBytes_Check(o)) {
      PyObject *str = PyObject_Str(o);
      if (!str || PyList_Append(made, str)) {
        Py_XDECREF(str);
        rc = -1;
        break;
      }
      Py_DECREF(str);
      o = str; /* alive in `made` */
    }
    if (opt_str(o, &v[i]))
      rc = -1;
  }
  if (!rc) {
    influx_status st = influx_frame_add_strings(f, name, t, v, (size_t)n, err);
    if (st) {
      raise_status(st, err, NULL);
      rc = -1;
    }
  }
  PyMem_Free(v);
  Py_XDECREF(made);
  Py_DECREF(seq);
  return rc;
}

PyObject *client_write_frame(core_client *self, PyObject *args, PyObject *kw) {
  static char *names[] = {"measurement",
                          "time",
                          "columns",
                          "tags",
                          "time_precision",
                          "database",
                          "retention_policy",
                          "batch_size",
                          "numeric_precision",
                          "encode_only",
                          NULL};
  const char *meas, *prec = NULL, *db = NULL, *rp = NULL;
  PyObject *time, *cols, *tags = NULL, *numeric = Py_None;
  Py_ssize_t batch = 0;
  int encode_only = 0;
  if (need(self) || !PyArg_ParseTupleAndKeywords(
                        args, kw, "sOO|OzzznOp", names, &meas, &time, &cols,
                        &tags, &prec, &db, &rp, &batch, &numeric, &encode_only))
    return NULL;
  influx_frame_write_options wo = {.measurement = meas,
                                   .time_precision = prec,
                                   .database = db,
                                   .retention_policy = rp,
                                   .batch_size = batch > 0 ? (size_t)batch : 0};
  if (numeric == Py_None) {
    wo.numeric_precision = INFLUX_NUMERIC_DEFAULT;
  } else if (PyUnicode_Check(numeric) &&
             !PyUnicode_CompareWithASCIIString(numeric, "full")) {
    wo.numeric_precision = INFLUX_NUMERIC_FULL;
  } else if (PyLong_Check(numeric)) {
    wo.numeric_precision = INFLUX_NUMERIC_DECIMALS;
    wo.decimals = (int)PyLong_AsLong(numeric);
    if (wo.decimals < 0 || wo.decimals > 17) {
      PyErr_SetString(PyExc_ValueError, "Invalid numeric precision.");
      return NULL;
    }
  } else {
    PyErr_SetString(PyExc_ValueError, "Invalid numeric precision.");
    return NULL;
  }
  held *hp = PyMem_Calloc(1, sizeof *hp); /* large: not on the stack */
  if (!hp)
    return PyErr_NoMemory();
  influx_frame *f = NULL;
  influx_error err = {0};
  influx_tag *tg = NULL;
  PyObject *out = NULL, *seq = NULL;
  Py_buffer *tb = &hp->b[0];
  if (PyObject_GetBuffer(time, tb, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT))
    goto done;
  hp->n = 1;
  if (tb->itemsize != 8) {
    PyErr_SetString(PyExc_ValueError, "time: int64 nanoseconds");
    goto done;
  }
  Py_ssize_t n = tb->len / 8;
  influx_status st = influx_frame_new(&f, &err);
  if (!st)
    st = influx_frame_set_time(f, tb->buf, (size_t)n, 1, &err);
  if (st) {
    raise_status(st, &err, NULL);
    goto done;
  }
  seq = PySequence_Fast(cols, "columns: a list of tuples");
  if (!seq)
    goto done;
  for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
    const char *name, *kind;
    PyObject *data, *valid;
    if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "ssOO", &name,
                          &kind, &data, &valid))
      goto done;
    const uint8_t *vb = NULL;
    if (valid != Py_None &&
        !(vb = buffer_of(hp, valid, 1, (n + 7) / 8, "validity")))
      goto done;
    switch (kind[0]) {
    case 'f': {
      const double *v = buffer_of(hp, data, 8, n, name);
      st = v ? influx_frame_add_float(f, name, v, vb, (size_t)n, 1, &err)
             : INFLUX_OK;
      if (!v)
        goto done;
      break;
    }
    case 'i': {
      const int64_t *v = buffer_of(hp, data, 8, n, name);
      if (!v)
        goto done;
      st = influx_frame_add_int(f, name, v, vb, (size_t)n, 1, &err);
      break;
    }
    case 'b': {
      const uint8_t *v = buffer_of(hp, data, 1, n, name);
      if (!v)
        goto done;
      st = influx_frame_add_bool(f, name, v, vb, (size_t)n, &err);
      break;
    }
    case 's':
    case 't':
      if (add_strings(f, name,
                      kind[0] == 't' ? INFLUX_COL_TAG : INFLUX_COL_STRING, data,
                      n, &err))
        goto done;
      break;
    default:
      PyErr_Format(PyExc_ValueError, "column %s: unknown kind %s", name, kind);
      goto done;
    }
    if (st) {
      raise_status(st, &err, NULL);
      goto done;
    }
  }
  if (tags && tags != Py_None && PyDict_GET_SIZE(tags)) {
    tg = PyMem_Calloc((size_t)PyDict_GET_SIZE(tags), sizeof *tg);
    if (!tg) {
      PyErr_NoMemory();
      goto done;
    }
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(tags, &pos, &k, &v)) {
      if (v == Py_None)
        continue;
      if (opt_str(k, &tg[wo.ntags].key) || opt_str(v, &tg[wo.ntags].value))
        goto done;
      wo.ntags++;
    }
    wo.tags = tg;
  }
  influx_frame_write_report rep = {0};
  if (encode_only) {
    /* The line protocol alone (no network): as it would be sent. */
    influx_lines *lb = influx_lines_new();
    if (!lb) {
      PyErr_NoMemory();
      goto done;
    }
    Py_BEGIN_ALLOW_THREADS st = influx_frame_encode(f, &wo, lb, &rep, &err);
    Py_END_ALLOW_THREADS if (st) raise_status(st, &err, NULL);
    else out = utf8_str(influx_lines_data(lb), influx_lines_len(lb));
    influx_lines_free(lb);
    goto done;
  }
  Py_BEGIN_ALLOW_THREADS st = influx_frame_write(self->c, f, &wo, &rep, &err);
  Py_END_ALLOW_THREADS if (st) raise_status(st, &err, NULL);
  else out = PyLong_FromSize_t(rep.rows_written);
done:
  influx_frame_free(f);
  for (int i = 0; i < hp->n; i++)
    PyBuffer_Release(&hp->b[i]);
  PyMem_Free(hp);
  PyMem_Free(tg);
  Py_XDECREF(seq);
  return out;
}
