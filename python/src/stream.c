/* query(chunked=True): a Python iterator over a streaming query. A thread
 * of ours runs influx_query_stream; each series piece becomes a statement
 * dict (built under the GIL) in a queue of QUEUE_MAX entries, so memory
 * stays bounded by a few chunks however large the result. Abandoning the
 * iterator stops the query. */
#include <pthread.h>
#include <string.h>

#include "core.h"

#define QUEUE_MAX 4

typedef struct {
  PyObject_HEAD pthread_t thread;
  int started;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  PyObject *queue[QUEUE_MAX]; /* statement dicts, oldest first */
  int nq;
  int done, cancel;
  influx_status st;
  influx_error err;
  /* What the thread needs: the options point into the call's arguments,
   * which the iterator keeps (with the client). */
  influx_client *c;
  PyObject *client, *args, *kw;
  query_args qa;
} chunk_iter;

/* Queues `item` (a new reference), waiting without the GIL for room.
 * Returns nonzero when the iterator was abandoned. */
static int put(chunk_iter *it, PyObject *item) {
  int cancel;
  Py_BEGIN_ALLOW_THREADS pthread_mutex_lock(&it->mu);
  while (it->nq == QUEUE_MAX && !it->cancel)
    pthread_cond_wait(&it->cv, &it->mu);
  cancel = it->cancel;
  if (!cancel)
    it->queue[it->nq++] = item;
  pthread_cond_broadcast(&it->cv);
  pthread_mutex_unlock(&it->mu);
  Py_END_ALLOW_THREADS if (cancel) Py_DECREF(item);
  return cancel;
}

static int on_series(void *u, int stmt, const influx_series *s) {
  chunk_iter *it = u;
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *d = Py_BuildValue("{s:i}", "statement_id", stmt);
  PyObject *so = d ? series_obj(s) : NULL;
  PyObject *list = so ? PyList_New(1) : NULL;
  int stop = 1;
  if (list) {
    PyList_SET_ITEM(list, 0, so);
    so = NULL;
    if (!dict_put(d, "series", list)) { /* takes list */
      stop = put(it, d);
      d = NULL;
    }
  }
  if (PyErr_Occurred())
    PyErr_Clear(); /* reported as a failed stream below */
  Py_XDECREF(so);
  Py_XDECREF(d);
  PyGILState_Release(g);
  return stop;
}

static int on_error(void *u, int stmt, const char *message) {
  chunk_iter *it = u;
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *d =
      Py_BuildValue("{s:i,s:s}", "statement_id", stmt, "error", message);
  int stop = d ? put(it, d) : 1;
  if (PyErr_Occurred())
    PyErr_Clear();
  PyGILState_Release(g);
  return stop;
}

static void *run(void *u) {
  chunk_iter *it = u;
  influx_stream_handlers h = {
      .on_series = on_series, .on_error = on_error, .user = it};
  influx_error err = {0};
  influx_status st = influx_query_stream(it->c, it->qa.q, &it->qa.qo, &h, &err);
  pthread_mutex_lock(&it->mu);
  it->st = st;
  it->err = err;
  it->done = 1;
  pthread_cond_broadcast(&it->cv);
  pthread_mutex_unlock(&it->mu);
  return NULL;
}

static PyObject *iter_next(chunk_iter *it) {
  PyObject *item = NULL;
  influx_status st = INFLUX_OK;
  Py_BEGIN_ALLOW_THREADS pthread_mutex_lock(&it->mu);
  while (!it->nq && !it->done)
    pthread_cond_wait(&it->cv, &it->mu);
  if (it->nq) {
    item = it->queue[0];
    memmove(it->queue, it->queue + 1, (size_t)--it->nq * sizeof *it->queue);
    pthread_cond_broadcast(&it->cv);
  } else {
    st = it->st;
    it->st = INFLUX_OK; /* reported once */
  }
  pthread_mutex_unlock(&it->mu);
  Py_END_ALLOW_THREADS if (item) return item;
  if (st && st != INFLUX_ERR_ABORTED)
    return raise_status(st, &it->err, NULL);
  return NULL; /* StopIteration */
}

static void stop_thread(chunk_iter *it) {
  if (!it->started)
    return;
  Py_BEGIN_ALLOW_THREADS pthread_mutex_lock(&it->mu);
  it->cancel = 1;
  pthread_cond_broadcast(&it->cv);
  pthread_mutex_unlock(&it->mu);
  /* The thread may be waiting for the GIL inside a callback: it is
   * released here, so it can finish. */
  pthread_join(it->thread, NULL);
  Py_END_ALLOW_THREADS it->started = 0;
}

static void iter_dealloc(chunk_iter *it) {
  stop_thread(it);
  for (int i = 0; i < it->nq; i++)
    Py_DECREF(it->queue[i]);
  pthread_mutex_destroy(&it->mu);
  pthread_cond_destroy(&it->cv);
  query_args_free(&it->qa);
  Py_XDECREF(it->args);
  Py_XDECREF(it->kw);
  Py_XDECREF(it->client);
  Py_TYPE(it)->tp_free((PyObject *)it);
}

PyTypeObject chunk_iter_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.ChunkIterator",
    .tp_basicsize = sizeof(chunk_iter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)iter_next,
    .tp_dealloc = (destructor)iter_dealloc,
};

PyObject *client_query_chunks(core_client *self, PyObject *args, PyObject *kw) {
  query_args qa;
  if (need(self) || query_args_parse(args, kw, &qa))
    return NULL;
  chunk_iter *it = PyObject_New(chunk_iter, &chunk_iter_type);
  if (!it) {
    query_args_free(&qa);
    return NULL;
  }
  memset((char *)it + sizeof(PyObject), 0, sizeof *it - sizeof(PyObject));
  pthread_mutex_init(&it->mu, NULL);
  pthread_cond_init(&it->cv, NULL);
  it->c = self->c;
  it->qa = qa;
  it->client = (PyObject *)self;
  it->args = args;
  it->kw = kw;
  Py_INCREF(self);
  Py_INCREF(args);
  Py_XINCREF(kw);
  if (pthread_create(&it->thread, NULL, run, it)) {
    Py_DECREF(it);
    PyErr_SetString(PyExc_RuntimeError, "cannot start the query thread");
    return NULL;
  }
  it->started = 1;
  return (PyObject *)it;
}
