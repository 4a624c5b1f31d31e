/* Query results kept in C: a ResultSet reads its statement straight from
 * the decoded influx_result. get_points() builds each point's dict from
 * the C values as it is asked for, so no list of lists (the seed's raw
 * form) is made unless `raw` is read. */
#include <string.h>

#include "core.h"

/* Owns the influx_result all statements of one query share. */
typedef struct {
  PyObject_HEAD influx_result *r;
} result_owner;

static void owner_dealloc(result_owner *o) {
  influx_result_free(o->r);
  Py_TYPE(o)->tp_free((PyObject *)o);
}

static PyTypeObject owner_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.ResultOwner",
    .tp_basicsize = sizeof(result_owner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)owner_dealloc,
};

/* One statement of a result. */
typedef struct {
  PyObject_HEAD result_owner *owner;
  size_t i;
} statement;

static void statement_dealloc(statement *s) {
  Py_XDECREF(s->owner);
  Py_TYPE(s)->tp_free((PyObject *)s);
}

static PyObject *st_error(statement *s, PyObject *unused) {
  (void)unused;
  const char *e = influx_result_error(s->owner->r, s->i);
  if (!e)
    Py_RETURN_NONE;
  return PyUnicode_FromString(e);
}

static PyObject *st_raw(statement *s, PyObject *unused) {
  (void)unused;
  return statement_obj(s->owner->r, s->i);
}

/* [(name or None, tags dict or None)] of the statement's series. */
static PyObject *st_series(statement *s, PyObject *unused) {
  (void)unused;
  size_t n = influx_result_series_count(s->owner->r, s->i);
  PyObject *list = PyList_New((Py_ssize_t)n);
  for (size_t k = 0; list && k < n; k++) {
    const influx_series *se = influx_result_series(s->owner->r, s->i, k);
    const char *name = influx_series_name(se);
    PyObject *nm = name && *name ? PyUnicode_FromString(name)
                                 : (Py_INCREF(Py_None), Py_None);
    PyObject *tags = Py_None;
    Py_INCREF(tags);
    size_t nt = influx_series_tag_count(se);
    if (nt) {
      Py_DECREF(tags);
      tags = PyDict_New();
      for (size_t t = 0; tags && t < nt; t++) {
        if (dict_put(tags, influx_series_tag_key(se, t),
                     PyUnicode_FromString(influx_series_tag_value(se, t))))
          Py_CLEAR(tags);
      }
    }
    PyObject *item = nm && tags ? PyTuple_Pack(2, nm, tags) : NULL;
    Py_XDECREF(nm);
    Py_XDECREF(tags);
    if (!item) {
      Py_CLEAR(list);
      break;
    }
    PyList_SET_ITEM(list, (Py_ssize_t)k, item);
  }
  return list;
}

/* Iterator over one series' rows as {column: value} dicts. */
typedef struct {
  PyObject_HEAD result_owner *owner;
  const influx_series *s;
  size_t row, nrows, ncols;
  PyObject **keys; /* the column names, made once */
} row_iter;

static void rows_dealloc(row_iter *it) {
  for (size_t c = 0; it->keys && c < it->ncols; c++)
    Py_XDECREF(it->keys[c]);
  PyMem_Free(it->keys);
  Py_XDECREF(it->owner);
  Py_TYPE(it)->tp_free((PyObject *)it);
}

static PyObject *rows_next(row_iter *it) {
  if (it->row >= it->nrows)
    return NULL;
  PyObject *d = _PyDict_NewPresized((Py_ssize_t)it->ncols);
  for (size_t c = 0; d && c < it->ncols; c++) {
    PyObject *v = value_obj(influx_series_value(it->s, it->row, c));
    if (!v || PyDict_SetItem(d, it->keys[c], v))
      Py_CLEAR(d);
    Py_XDECREF(v);
  }
  it->row++;
  return d;
}

static PyTypeObject rows_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.Rows",
    .tp_basicsize = sizeof(row_iter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)rows_next,
    .tp_dealloc = (destructor)rows_dealloc,
};

static PyObject *st_points(statement *s, PyObject *arg) {
  Py_ssize_t k = PyLong_AsSsize_t(arg);
  if (k == -1 && PyErr_Occurred())
    return NULL;
  if (k < 0 || (size_t)k >= influx_result_series_count(s->owner->r, s->i)) {
    PyErr_SetString(PyExc_IndexError, "no such series");
    return NULL;
  }
  row_iter *it = PyObject_New(row_iter, &rows_type);
  if (!it)
    return NULL;
  it->owner = s->owner;
  Py_INCREF(it->owner);
  it->s = influx_result_series(s->owner->r, s->i, (size_t)k);
  it->row = 0;
  it->nrows = influx_series_row_count(it->s);
  it->ncols = influx_series_column_count(it->s);
  it->keys = PyMem_Calloc(it->ncols + 1, sizeof *it->keys);
  if (!it->keys) {
    it->ncols = 0;
    Py_DECREF(it);
    return PyErr_NoMemory();
  }
  for (size_t c = 0; c < it->ncols; c++)
    if (!(it->keys[c] = PyUnicode_FromString(influx_series_column(it->s, c)))) {
      Py_DECREF(it);
      return NULL;
    }
  return (PyObject *)it;
}

static PyMethodDef statement_methods[] = {
    {"error", (PyCFunction)st_error, METH_NOARGS, "the statement's error"},
    {"raw", (PyCFunction)st_raw, METH_NOARGS, "the seed's raw dict"},
    {"series", (PyCFunction)st_series, METH_NOARGS, "[(name, tags)]"},
    {"points", (PyCFunction)st_points, METH_O, "rows of series k as dicts"},
    {NULL, NULL, 0, NULL}};

PyTypeObject statement_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.Statement",
    .tp_basicsize = sizeof(statement),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)statement_dealloc,
    .tp_methods = statement_methods,
};

int results_init(void) {
  return PyType_Ready(&owner_type) < 0 || PyType_Ready(&rows_type) < 0 ||
                 PyType_Ready(&statement_type) < 0
             ? -1
             : 0;
}

PyObject *statements_of(influx_result *r) {
  result_owner *o = PyObject_New(result_owner, &owner_type);
  if (!o) {
    influx_result_free(r);
    return NULL;
  }
  o->r = r;
  size_t n = influx_result_count(r);
  PyObject *list = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; list && i < n; i++) {
    statement *s = PyObject_New(statement, &statement_type);
    if (!s) {
      Py_CLEAR(list);
      break;
    }
    s->owner = o;
    Py_INCREF(o);
    s->i = i;
    PyList_SET_ITEM(list, (Py_ssize_t)i, (PyObject *)s);
  }
  Py_DECREF(o);
  return list;
}
