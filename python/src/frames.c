/* DataFrameClient.query in C: a query straight into influx_frames, handed
 * to Python through the Arrow C Data Interface. Time, float and int
 * columns are shared, not copied: numpy arrays view the frame's memory,
 * which lives as long as any of them. */
#include <string.h>

#include "core.h"

/* Owns one exported frame (schema and array); released with the last
 * buffer that views it. */
typedef struct {
  PyObject_HEAD struct ArrowSchema schema;
  struct ArrowArray array;
} arrow_holder;

static void holder_dealloc(arrow_holder *h) {
  if (h->array.release)
    h->array.release(&h->array);
  if (h->schema.release)
    h->schema.release(&h->schema);
  Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyTypeObject holder_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.ArrowHolder",
    .tp_basicsize = sizeof(arrow_holder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)holder_dealloc,
};

/* A read-only buffer over memory `owner` keeps alive. */
typedef struct {
  PyObject_HEAD PyObject *owner;
  const void *p;
  Py_ssize_t len;
} core_buf;

static int buf_get(core_buf *self, Py_buffer *view, int flags) {
  return PyBuffer_FillInfo(view, (PyObject *)self, (void *)self->p, self->len,
                           1, flags);
}

static void buf_dealloc(core_buf *b) {
  Py_XDECREF(b->owner);
  Py_TYPE(b)->tp_free((PyObject *)b);
}

static PyBufferProcs buf_procs = {.bf_getbuffer = (getbufferproc)buf_get};

static PyTypeObject buf_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.Buffer",
    .tp_basicsize = sizeof(core_buf),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)buf_dealloc,
    .tp_as_buffer = &buf_procs,
};

int frames_init(void) {
  return PyType_Ready(&holder_type) < 0 || PyType_Ready(&buf_type) < 0 ? -1 : 0;
}

static PyObject *buf_new(PyObject *owner, const void *p, Py_ssize_t len) {
  core_buf *b = PyObject_New(core_buf, &buf_type);
  if (!b)
    return NULL;
  Py_INCREF(owner);
  b->owner = owner;
  b->p = p ? p : "";
  b->len = p ? len : 0;
  return (PyObject *)b;
}

/* (name, kind, data, validity) of one Arrow child: data a Buffer (g, l:
 * shared), bytes of 0/1 (b) or a list of str (u); validity a Buffer of
 * the bitmap or None. */
static PyObject *column(PyObject *owner, const struct ArrowSchema *s,
                        const struct ArrowArray *a) {
  Py_ssize_t n = (Py_ssize_t)a->length;
  const uint8_t *valid = a->null_count ? a->buffers[0] : NULL;
  PyObject *data = NULL, *vb = NULL;
  char kind = s->format[0];
  if (kind == 'g' || kind == 'l') {
    data = buf_new(owner, a->buffers[1], n * 8);
  } else if (kind == 'b') {
    data = PyBytes_FromStringAndSize(NULL, n);
    const uint8_t *bits = a->buffers[1];
    for (Py_ssize_t i = 0; data && i < n; i++)
      PyBytes_AS_STRING(data)[i] = (char)((bits[i / 8] >> (i % 8)) & 1);
  } else if (kind == 'u') {
    const int32_t *off = a->buffers[1];
    const char *chars = a->buffers[2];
    data = PyList_New(n);
    for (Py_ssize_t i = 0; data && i < n; i++) {
      PyObject *v;
      if (valid && !((valid[i / 8] >> (i % 8)) & 1)) {
        v = Py_None;
        Py_INCREF(v);
      } else {
        v = text_obj(chars + off[i], (size_t)(off[i + 1] - off[i]));
      }
      if (!v) {
        Py_CLEAR(data);
        break;
      }
      PyList_SET_ITEM(data, i, v);
    }
  } else {
    PyErr_Format(PyExc_ValueError, "unexpected Arrow format %s", s->format);
    return NULL;
  }
  if (!data)
    return NULL;
  if (valid) {
    vb = buf_new(owner, valid, (n + 7) / 8);
    if (!vb) {
      Py_DECREF(data);
      return NULL;
    }
  } else {
    vb = Py_None;
    Py_INCREF(vb);
  }
  char k[2] = {kind, 0};
  return Py_BuildValue("(ssNN)", s->name, k, data, vb);
}

/* (name, tags, time Buffer, [columns]) of one frame. */
static PyObject *frame_obj(const influx_frame_set *set, size_t st, size_t i) {
  arrow_holder *h = PyObject_New(arrow_holder, &holder_type);
  if (!h)
    return NULL;
  memset(&h->schema, 0, sizeof h->schema);
  memset(&h->array, 0, sizeof h->array);
  influx_error err = {0};
  influx_status s = influx_frame_export_arrow(
      influx_frame_set_frame(set, st, i), &h->schema, &h->array, &err);
  if (s) {
    Py_DECREF(h);
    return raise_status(s, &err, NULL);
  }
  PyObject *tags = PyDict_New(), *cols = NULL, *time = NULL, *out = NULL;
  for (size_t t = 0; tags && t < influx_frame_set_tag_count(set, st, i); t++) {
    PyObject *v =
        PyUnicode_FromString(influx_frame_set_tag_value(set, st, i, t));
    if (!v ||
        PyDict_SetItemString(tags, influx_frame_set_tag_key(set, st, i, t), v))
      Py_CLEAR(tags);
    Py_XDECREF(v);
  }
  /* Child 0 is the time; the rest are the columns in order. */
  int64_t nc = h->array.n_children;
  if (tags && nc >= 1)
    time = buf_new((PyObject *)h, h->array.children[0]->buffers[1],
                   (Py_ssize_t)h->array.children[0]->length * 8);
  if (time)
    cols = PyList_New((Py_ssize_t)(nc - 1));
  for (int64_t k = 1; cols && k < nc; k++) {
    PyObject *c =
        column((PyObject *)h, h->schema.children[k], h->array.children[k]);
    if (!c) {
      Py_CLEAR(cols);
      break;
    }
    PyList_SET_ITEM(cols, (Py_ssize_t)(k - 1), c);
  }
  if (cols)
    out = Py_BuildValue("(zOOO)", influx_frame_set_name(set, st, i), tags, time,
                        cols);
  Py_XDECREF(tags);
  Py_XDECREF(time);
  Py_XDECREF(cols);
  Py_DECREF(h);
  return out;
}

/* query_frames(q, database, bind_params, chunk_size, dropna) -> per
 * statement, a list of frames (name, tags, time, columns). */
PyObject *client_query_frames(core_client *self, PyObject *args, PyObject *kw) {
  static char *names[] = {"q",          "database", "bind_params",
                          "chunk_size", "dropna",   NULL};
  const char *q, *db = NULL;
  PyObject *bind = NULL;
  Py_ssize_t chunk = 0;
  int dropna = 1;
  if (need(self) || !PyArg_ParseTupleAndKeywords(args, kw, "s|zOnp", names, &q,
                                                 &db, &bind, &chunk, &dropna))
    return NULL;
  influx_param *bp = NULL;
  size_t nbp = 0;
  if (bind_params(bind, &bp, &nbp))
    return NULL;
  influx_frame_query_options fo = {.database = db,
                                   .bind_params = bp,
                                   .nbind_params = nbp,
                                   .chunk_size =
                                       (size_t)(chunk > 0 ? chunk : 0),
                                   .keep_null_columns = !dropna};
  influx_frame_set *set = NULL;
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_query_frames(self->c, q, &fo, &set, &err);
  Py_END_ALLOW_THREADS PyMem_Free(bp);
  if (st) {
    influx_frame_set_free(set);
    return raise_status(st, &err, NULL);
  }
  size_t ns = influx_frame_set_statements(set);
  PyObject *out = PyList_New((Py_ssize_t)ns);
  for (size_t s = 0; out && s < ns; s++) {
    size_t nf = influx_frame_set_count(set, s);
    PyObject *fl = PyList_New((Py_ssize_t)nf);
    if (!fl) {
      Py_CLEAR(out);
      break;
    }
    PyList_SET_ITEM(out, (Py_ssize_t)s, fl);
    for (size_t i = 0; i < nf; i++) {
      PyObject *f = frame_obj(set, s, i);
      if (!f) {
        Py_CLEAR(out);
        break;
      }
      PyList_SET_ITEM(fl, (Py_ssize_t)i, f);
    }
  }
  influx_frame_set_free(set); /* the exported frames live on */
  return out;
}
