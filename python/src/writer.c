/* influxc._core.Writer: the C batching writer (background sending,
 * retries, a bounded buffer, an optional disk spool) for Python. Points
 * are encoded when write() is called (the GIL released while it waits for
 * room); sending happens on the writer's threads, without the GIL. */
#include <string.h>

#include "core.h"

typedef struct {
  PyObject_HEAD influx_writer *w;
  PyObject *client; /* keeps the client (and its influx_client) alive */
} core_writer;

static int writer_init(core_writer *self, PyObject *args, PyObject *kw) {
  static char *names[] = {
      "client",         "database",        "retention_policy", "time_precision",
      "consistency",    "batch_size",      "flush_interval",   "max_retries",
      "retry_interval", "max_retry_delay", "max_retry_time",   "buffer_size",
      "spool_dir",      "parallel",        "drop_oldest",      NULL};
  PyObject *client;
  const char *db = NULL, *rp = NULL, *prec = NULL, *cons = NULL, *spool = NULL;
  Py_ssize_t batch = 0, buffer = 0;
  double interval = 0, retry = 0, max_delay = 0, max_time = 0;
  int max_retries = 0, parallel = 0, drop_oldest = 0;
  if (!PyArg_ParseTupleAndKeywords(
          args, kw, "O!|zzzzndidddnzip", names, &core_client_type, &client, &db,
          &rp, &prec, &cons, &batch, &interval, &max_retries, &retry,
          &max_delay, &max_time, &buffer, &spool, &parallel, &drop_oldest))
    return -1;
  core_client *cc = (core_client *)client;
  if (need(cc))
    return -1;
  if (batch < 0 || buffer < 0 || interval < 0 || retry < 0 || max_delay < 0 ||
      interval > 86400 || retry > 86400 || max_delay > 86400 ||
      max_time > 2e6 || parallel < 0 || parallel > 64) {
    PyErr_SetString(PyExc_ValueError, "writer option out of range");
    return -1;
  }
  influx_writer_options o = {
      .database = db,
      .retention_policy = rp,
      .precision = prec,
      .consistency = cons,
      .batch_size = (size_t)batch,
      .flush_interval_ms = (int)(interval * 1000),
      .retry_interval_ms = (int)(retry * 1000),
      /* The seed's convention: 0 retries until success. */
      .max_retries = max_retries == 0  ? 0
                     : max_retries < 0 ? INFLUX_RETRIES_UNTIL_SUCCESS
                                       : max_retries,
      .max_retry_delay_ms = (int)(max_delay * 1000),
      .max_retry_time_ms = max_time < 0 ? -1 : (int)(max_time * 1000),
      .buffer_limit = (size_t)buffer,
      .overflow =
          drop_oldest ? INFLUX_OVERFLOW_DROP_OLDEST : INFLUX_OVERFLOW_BLOCK,
      .spool_dir = spool,
      .parallel = parallel};
  influx_error err = {0};
  influx_writer *w = NULL;
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_writer_new(cc->c, &o, &w, &err);
  Py_END_ALLOW_THREADS if (st) {
    raise_status(st, &err, NULL);
    return -1;
  }
  if (self->w) {
    Py_BEGIN_ALLOW_THREADS influx_writer_free(self->w);
    Py_END_ALLOW_THREADS
  }
  self->w = w;
  Py_INCREF(client);
  Py_XSETREF(self->client, client);
  return 0;
}

static void writer_dealloc(core_writer *self) {
  if (self->w) {
    Py_BEGIN_ALLOW_THREADS influx_writer_free(self->w);
    Py_END_ALLOW_THREADS
  }
  Py_XDECREF(self->client);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static int open_writer(core_writer *self) {
  if (self->w)
    return 0;
  PyErr_SetString(PyExc_ValueError, "the writer is closed");
  return -1;
}

/* write(points, time_precision): all of them or, on a bad point, none. */
static PyObject *writer_write(core_writer *self, PyObject *args) {
  PyObject *points;
  const char *prec = NULL;
  if (open_writer(self) || !PyArg_ParseTuple(args, "O|z", &points, &prec))
    return NULL;
  conv cv = {.keep = PyList_New(0)};
  PyObject *it = cv.keep ? PyObject_GetIter(points) : NULL;
  influx_status st = INFLUX_OK;
  influx_error err = {0};
  if (!it || convert_points(&cv, it, prec, 0)) {
    Py_XDECREF(it);
    conv_free(&cv);
    return NULL;
  }
  Py_DECREF(it);
  if (cv.npts) {
    Py_BEGIN_ALLOW_THREADS st =
        influx_writer_write(self->w, cv.pts, cv.npts, &err);
    Py_END_ALLOW_THREADS
  }
  size_t n = cv.npts;
  conv_free(&cv);
  if (st)
    return raise_status(st, &err, NULL);
  return PyLong_FromSize_t(n);
}

static PyObject *writer_write_lines(core_writer *self, PyObject *arg) {
  Py_ssize_t n;
  const char *p = open_writer(self) ? NULL : utf8_of(arg, &n);
  if (!p)
    return NULL;
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st =
      influx_writer_write_lines(self->w, p, (size_t)n, &err);
  Py_END_ALLOW_THREADS if (st) return raise_status(st, &err, NULL);
  Py_RETURN_NONE;
}

static PyObject *writer_flush(core_writer *self, PyObject *unused) {
  (void)unused;
  if (open_writer(self))
    return NULL;
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_writer_flush(self->w, &err);
  Py_END_ALLOW_THREADS if (st) return raise_status(st, &err, NULL);
  Py_RETURN_NONE;
}

static PyObject *stats_dict(const influx_writer_stats *s) {
  return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:n,s:K}", "accepted",
                       (unsigned long long)s->accepted, "written",
                       (unsigned long long)s->written, "rejected",
                       (unsigned long long)s->rejected, "dropped",
                       (unsigned long long)s->dropped, "recovered",
                       (unsigned long long)s->recovered, "retries",
                       (unsigned long long)s->retries, "batches",
                       (unsigned long long)s->batches, "pending",
                       (unsigned long long)s->pending, "pending_bytes",
                       (Py_ssize_t)s->pending_bytes, "unconfirmed",
                       (unsigned long long)s->unconfirmed);
}

static PyObject *writer_stats(core_writer *self, PyObject *unused) {
  (void)unused;
  if (open_writer(self))
    return NULL;
  influx_writer_stats s;
  influx_writer_get_stats(self->w, &s);
  return stats_dict(&s);
}

/* close() -> final counters; raises if points were not delivered. The
 * writer is freed either way. */
static PyObject *writer_close(core_writer *self, PyObject *unused) {
  (void)unused;
  if (!self->w)
    Py_RETURN_NONE;
  influx_error err = {0};
  influx_writer_stats s;
  influx_status st;
  influx_writer *w = self->w;
  self->w = NULL;
  Py_BEGIN_ALLOW_THREADS st = influx_writer_close(w, &s, &err);
  influx_writer_free(w);
  Py_END_ALLOW_THREADS if (st) return raise_status(st, &err, NULL);
  return stats_dict(&s);
}

static PyMethodDef writer_methods[] = {
    {"write", (PyCFunction)writer_write, METH_VARARGS, "accept point dicts"},
    {"write_lines", (PyCFunction)writer_write_lines, METH_O,
     "accept line protocol"},
    {"flush", (PyCFunction)writer_flush, METH_NOARGS,
     "wait until everything accepted is settled"},
    {"stats", (PyCFunction)writer_stats, METH_NOARGS, "counters"},
    {"close", (PyCFunction)writer_close, METH_NOARGS, "flush, stop and free"},
    {NULL, NULL, 0, NULL}};

PyTypeObject core_writer_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.Writer",
    .tp_basicsize = sizeof(core_writer),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)writer_init,
    .tp_dealloc = (destructor)writer_dealloc,
    .tp_methods = writer_methods,
};
