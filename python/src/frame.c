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

/* Equal texts in a column share one pointer, so that the frame checks and
 * stores each once (it keeps a text per distinct pointer): pandas makes a
 * str object per cell of a column built from numpy strings, 1M objects
 * for 10 host names. A table of the first texts seen, by content. */
#define TEXT_SLOTS 1024
typedef struct text_slot {
  const char *p;
  size_t len;
} text_slot;

static const char *same_text(text_slot *t, size_t *used, const char *p,
                             size_t len, int *fresh) {
  *fresh = 0;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  for (size_t k = 0; k < TEXT_SLOTS; k++) {
    text_slot *e = &t[(h + k) % TEXT_SLOTS];
    if (!e->p) {
      *fresh = 1;
      if (*used >= TEXT_SLOTS / 2) /* many distinct texts: stop sharing */
        return p;
      e->p = p;
      e->len = len;
      ++*used;
      return p;
    }
    if (e->len == len && !memcmp(e->p, p, len))
      return e->p;
  }
  *fresh = 1;
  return p;
}

/* A string column from a numpy array of objects or a list: str as it
 * is, None and float NaN (pandas' missing values) as nulls, anything else
 * as its str(). `v` has room for n pointers. A column with cells that are
 * not text is first copied into a list of its own: their __str__ could
 * change the column while its texts are borrowed. */
static int add_strings(influx_frame *f, const char *name, influx_col_type t,
                       PyObject *col, Py_ssize_t n, const char **v,
                       influx_error *err) {
  PyObject *seq = NULL, *own = NULL;
  Py_buffer view;
  PyObject *const *cells = object_cells(col, n, 0, &view);
  if (!cells) {
    if (!(seq = PySequence_Fast(col, "string columns are lists")))
      return -1;
    if (PySequence_Fast_GET_SIZE(seq) != n) {
      Py_DECREF(seq);
      PyErr_SetString(PyExc_ValueError, "column length differs from index");
      return -1;
    }
    cells = PySequence_Fast_ITEMS(seq);
  }
  text_slot *seen = PyMem_Calloc(TEXT_SLOTS, sizeof *seen);
  size_t used = 0;
  PyObject *made = PyList_New(0); /* str() of other values, kept alive */
  int rc = made && seen ? 0 : -1;
  if (rc)
    PyErr_NoMemory();
  for (Py_ssize_t i = 0; !rc && i < n; i++) {
    PyObject *o = cells[i];
    v[i] = NULL;
    if (!o) {
      PyErr_SetString(PyExc_ValueError, "string column with a NULL cell");
      rc = -1;
      break;
    }
    if (o == Py_None || (PyFloat_Check(o) && isnan(PyFloat_AS_DOUBLE(o))))
      continue;
    if (!own && !PyUnicode_Check(o) && !PyBytes_Check(o)) {
      /* Start over on a list that holds every cell's object. */
      if (!(own = PyList_New(n))) {
        rc = -1;
        break;
      }
      for (Py_ssize_t k = 0; k < n; k++) {
        Py_XINCREF(cells[k]);
        PyList_SET_ITEM(own, k, cells[k]);
      }
      cells = PySequence_Fast_ITEMS(own);
      memset(seen, 0, TEXT_SLOTS * sizeof *seen);
      used = 0;
      i = -1;
      continue;
    }
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
    int fresh;
    if (PyUnicode_CheckExact(o) && PyUnicode_IS_COMPACT_ASCII(o)) {
      /* The common case, read in place; checked once per distinct text. */
      size_t len = (size_t)PyUnicode_GET_LENGTH(o);
      v[i] = same_text(seen, &used, PyUnicode_DATA(o), len, &fresh);
      if (fresh && memchr(v[i], 0, len)) {
        PyErr_SetString(PyExc_ValueError, "embedded NUL character");
        rc = -1;
      }
    } else if (opt_str(o, &v[i])) {
      rc = -1;
    } else {
      v[i] = same_text(seen, &used, v[i], strlen(v[i]), &fresh);
    }
  }
  if (!rc) {
    influx_status st = influx_frame_add_strings(f, name, t, v, (size_t)n, err);
    if (st) {
      raise_status(st, err, NULL);
      rc = -1;
    }
  }
  PyMem_Free(seen);
  Py_XDECREF(made);
  Py_XDECREF(own);
  Py_XDECREF(seq);
  PyBuffer_Release(&view);
  return rc;
}

/* Rows encoded per piece of frame_text: ~1 MB of lines, reused. */
#define TEXT_ROWS 8192

/* The frame's line protocol as one str, encoded in pieces (the GIL
 * released) and copied into the str as they come, so that the whole text
 * is written to memory once: the str is sized from the first pieces and
 * grown or shrunk in place. Text that is not ASCII is gathered and
 * decoded at the end. */
static PyObject *frame_text(const influx_frame *f,
                            const influx_frame_write_options *wo,
                            influx_error *err) {
  influx_frame_encoder *enc = NULL;
  influx_lines *lb = influx_lines_new();
  influx_status st =
      lb ? influx_frame_encoder_new(f, wo, &enc, err) : INFLUX_ERR_NOMEM;
  PyObject *s = NULL;
  ibuf utf = {0}; /* the text so far, once a piece was not ASCII */
  size_t len = 0, cap = 0, rows = influx_frame_row_count(f), seen = 0;
  int done = 0, fail = 0;
  while (!st && !done && !fail) {
    influx_lines_reset(lb);
    Py_BEGIN_ALLOW_THREADS st =
        influx_frame_encoder_next(enc, lb, TEXT_ROWS, &done, err);
    Py_END_ALLOW_THREADS if (st) break;
    const char *p = influx_lines_data(lb);
    size_t n = influx_lines_len(lb);
    seen += TEXT_ROWS;
    if (!n)
      continue;
    if (!utf.p && !is_ascii(p, n)) {
      fail = ibuf_append(&utf, s ? PyUnicode_DATA(s) : "", len);
      Py_CLEAR(s);
    }
    if (utf.p) {
      fail = fail || ibuf_append(&utf, p, n);
      continue;
    }
    if (len + n > cap) {
      /* Room for the rest at the pieces' size so far, and 1/16 more;
       * never less than the text so far (a long line late in a frame). */
      size_t want = len + n;
      if (seen < rows && (double)want * rows / seen < (double)SIZE_MAX / 2)
        want = (size_t)((double)want * rows / seen);
      if (want < len + n)
        want = len + n;
      want += want / 16 + 4096;
      if (s ? PyUnicode_Resize(&s, (Py_ssize_t)want)
            : !(s = PyUnicode_New((Py_ssize_t)want, 127))) {
        fail = 1;
        break;
      }
      cap = want;
      str_huge_pages(s, cap);
    }
    memcpy((char *)PyUnicode_DATA(s) + len, p, n);
    len += n;
  }
  influx_frame_encoder_free(enc);
  influx_lines_free(lb);
  PyObject *out = NULL;
  if (st == INFLUX_ERR_NOMEM && !lb)
    PyErr_NoMemory();
  else if (st)
    raise_status(st, err, NULL);
  else if (fail && !PyErr_Occurred())
    PyErr_NoMemory();
  else if (!fail && utf.p)
    out = PyUnicode_DecodeUTF8(utf.p, (Py_ssize_t)utf.len, "strict");
  else if (!fail && !s)
    out = PyUnicode_New(0, 127);
  else if (!fail && !PyUnicode_Resize(&s, (Py_ssize_t)len))
    out = s, s = NULL;
  Py_XDECREF(s);
  ibuf_free(&utf);
  return out;
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
  const char **texts = NULL; /* a string column's cells, for each in turn */
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
      if (!texts && !(texts = PyMem_Malloc(((size_t)n + 1) * sizeof *texts))) {
        PyErr_NoMemory();
        goto done;
      }
      if (add_strings(f, name,
                      kind[0] == 't' ? INFLUX_COL_TAG : INFLUX_COL_STRING, data,
                      n, texts, &err))
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
    out = frame_text(f, &wo, &err);
    goto done;
  }
  Py_BEGIN_ALLOW_THREADS st = influx_frame_write(self->c, f, &wo, &rep, &err);
  Py_END_ALLOW_THREADS if (st) {
    raise_status(st, &err, NULL);
    add_written(rep.rows_written);
  }
  else out = PyLong_FromSize_t(rep.rows_written);
done:
  influx_frame_free(f);
  for (int i = 0; i < hp->n; i++)
    PyBuffer_Release(&hp->b[i]);
  PyMem_Free(hp);
  PyMem_Free(tg);
  PyMem_Free(texts);
  Py_XDECREF(seq);
  return out;
}
