/* DataFrameClient.query in C: a query straight into influx_frames, whose
 * memory is handed to Python as it is: time, float and int columns and
 * validity bitmaps are shared, not copied (numpy arrays view the frame,
 * which lives as long as any of them); string cells become str objects
 * (equal texts share one) in arrays made by the caller. */
#include <string.h>

#include "core.h"
#include "frame_impl.h"

/* Owns one frame; freed with the last buffer that views it. */
typedef struct {
  PyObject_HEAD influx_frame *f;
} frame_holder;

static void holder_dealloc(frame_holder *h) {
  influx_frame_free(h->f);
  Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyTypeObject holder_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.FrameHolder",
    .tp_basicsize = sizeof(frame_holder),
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

/* A string column's cells, None where null, into what objects(n) made:
 * a numpy array of n objects filled in place (or a list without it). */
static PyObject *text_column(PyObject *objects, const influx_frame *f,
                             size_t col, Py_ssize_t n) {
  int made_by_caller = objects && objects != Py_None;
  PyObject *data =
      made_by_caller ? PyObject_CallFunction(objects, "n", n) : PyList_New(n);
  if (!data)
    return NULL;
  Py_buffer view = {0};
  PyObject **cells = made_by_caller ? object_cells(data, n, 1, &view) : NULL;
  if (made_by_caller && !cells) {
    Py_DECREF(data);
    PyErr_SetString(PyExc_TypeError,
                    "objects(n) must make a writable numpy array of n objects");
    return NULL;
  }
  /* Cells that share an offset (equal texts; see frame_store) share a
   * str: a few slots by offset before text_obj's cache by content. */
  const fcol *c = &f->cols[col];
  const size_t *offs = c->values;
  struct {
    size_t off;
    PyObject *s;
  } seen[16] = {{0}};
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *v;
    if (c->valid && !bit_get(c->valid, (size_t)i)) {
      v = Py_NewRef(Py_None);
    } else {
      size_t off = offs[i], k = (off ^ (off >> 4)) % 16;
      if (seen[k].s && seen[k].off == off) {
        v = Py_NewRef(seen[k].s);
      } else {
        const char *t = c->arena.p + off;
        if (!(v = text_obj(t, strlen(t)))) {
          Py_DECREF(data);
          data = NULL;
          break;
        }
        Py_XSETREF(seen[k].s, Py_NewRef(v));
        seen[k].off = off;
      }
    }
    if (cells) {
      PyObject *old = cells[i];
      cells[i] = v;
      Py_XDECREF(old);
    } else {
      PyList_SET_ITEM(data, i, v);
    }
  }
  for (int k = 0; k < 16; k++)
    Py_XDECREF(seen[k].s);
  PyBuffer_Release(&view);
  return data;
}

/* (name, kind, data, validity) of column `col`: data a Buffer of the
 * frame's values (g float, l int: shared; a column that only held nulls
 * is g), bytes of 0/1 (b) or the cells (u: see text_column); validity a
 * Buffer of the frame's bitmap, or None without nulls. */
static PyObject *column(PyObject *owner, PyObject *objects,
                        const influx_frame *f, size_t col) {
  const fcol *c = &f->cols[col];
  Py_ssize_t n = (Py_ssize_t)f->nrows;
  PyObject *data = NULL, *vb = NULL;
  char kind;
  switch (c->type) {
  case INFLUX_COL_INT:
    kind = 'l';
    data = buf_new(owner, c->values, n * 8);
    break;
  case INFLUX_COL_BOOL:
    kind = 'b';
    data = PyBytes_FromStringAndSize(c->values, n);
    break;
  case INFLUX_COL_STRING:
  case INFLUX_COL_TAG:
    kind = 'u';
    data = text_column(objects, f, col, n);
    break;
  default: /* float, or nulls only */
    kind = 'g';
    data = buf_new(owner, c->values, n * 8);
  }
  if (!data)
    return NULL;
  if (c->nnull) {
    vb = buf_new(owner, c->valid, (n + 7) / 8);
    if (!vb) {
      Py_DECREF(data);
      return NULL;
    }
  } else {
    vb = Py_NewRef(Py_None);
  }
  char k[2] = {kind, 0};
  return Py_BuildValue("(ssNN)", c->name, k, data, vb);
}

/* (name, tags, time Buffer, [columns]) of frame i of statement st, which
 * is taken out of the set into a holder that the buffers keep alive. */
static PyObject *frame_obj(influx_frame_set *set, size_t st, size_t i,
                           PyObject *objects) {
  PyObject *tags = PyDict_New(), *cols = NULL, *time = NULL, *out = NULL;
  for (size_t t = 0; tags && t < influx_frame_set_tag_count(set, st, i); t++) {
    if (dict_put(
            tags, influx_frame_set_tag_key(set, st, i, t),
            PyUnicode_FromString(influx_frame_set_tag_value(set, st, i, t))))
      Py_CLEAR(tags);
  }
  if (!tags)
    return NULL;
  frame_holder *h = PyObject_New(frame_holder, &holder_type);
  if (!h) {
    Py_DECREF(tags);
    return NULL;
  }
  h->f = influx_frame_set_take(set, st, i);
  const influx_frame *f = h->f;
  if (!f)
    PyErr_SetString(PyExc_RuntimeError, "frame missing from its set");
  else
    time =
        buf_new((PyObject *)h, influx_frame_time(f), (Py_ssize_t)f->nrows * 8);
  if (time)
    cols = PyList_New((Py_ssize_t)f->ncols);
  for (size_t k = 0; cols && k < f->ncols; k++) {
    PyObject *c = column((PyObject *)h, objects, f, k);
    if (!c) {
      Py_CLEAR(cols);
      break;
    }
    PyList_SET_ITEM(cols, (Py_ssize_t)k, c);
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

/* query_frames(q, database, bind_params, chunk_size, dropna, objects) ->
 * per statement, a list of frames (name, tags, time, columns); string
 * columns are filled into objects(n) (see text_column). */
PyObject *client_query_frames(core_client *self, PyObject *args, PyObject *kw) {
  static char *names[] = {"q",      "database", "bind_params", "chunk_size",
                          "dropna", "objects",  NULL};
  const char *q, *db = NULL;
  PyObject *bind = NULL, *objects = NULL;
  Py_ssize_t chunk = 0;
  int dropna = 1;
  if (need(self) ||
      !PyArg_ParseTupleAndKeywords(args, kw, "s|zOnpO", names, &q, &db, &bind,
                                   &chunk, &dropna, &objects))
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
      PyObject *f = frame_obj(set, s, i, objects);
      if (!f) {
        Py_CLEAR(out);
        break;
      }
      PyList_SET_ITEM(fl, (Py_ssize_t)i, f);
    }
  }
  influx_frame_set_free(set); /* the frames taken out live on */
  return out;
}
