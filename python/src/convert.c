/* The seed's point dicts to the library's influx_point arrays (the write
 * path): tags, typed fields, times; strings kept alive with the points. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

const char *keep_text(conv *cv, PyObject *v) {
  /* An exact str is immutable, and one seen before is still alive (its
   * reference is in cv->keep), so its address cannot have been reused. */
  uintptr_t a = (uintptr_t)v;
  struct conv_seen *seen = &cv->seen[(a >> 4 ^ a >> 10) % 64];
  if (seen->str == v)
    return seen->utf8;
  PyObject *s;
  if (PyUnicode_Check(v)) {
    s = v;
    Py_INCREF(s);
  } else if (PyBytes_Check(v)) {
    s = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v),
                             "strict");
  } else {
    s = PyObject_Str(v);
  }
  if (!s)
    return NULL;
  int rc = PyList_Append(cv->keep, s);
  Py_DECREF(s);
  if (rc)
    return NULL;
  Py_ssize_t n;
  const char *p = PyUnicode_AsUTF8AndSize(s, &n);
  if (p && (size_t)n != strlen(p)) {
    PyErr_SetString(PyExc_ValueError, "embedded NUL character");
    return NULL;
  }
  if (p && s == v && PyUnicode_CheckExact(v))
    *seen = (struct conv_seen){v, p};
  return p;
}

/* The library's growth rule; a Python MemoryError when it fails. */
static int grow(void **p, size_t *cap, size_t need_n, size_t elt) {
  if (!grow_array(p, cap, need_n, elt))
    return 0;
  PyErr_NoMemory();
  return -1;
}

/* One field value for the library; 0 when left out (None). */
static int field_of(conv *cv, PyObject *k, PyObject *v, influx_field *f) {
  if (v == Py_None)
    return 0;
  if (!(f->key = keep_text(cv, k)))
    return -1;
  if (PyUnicode_Check(v) || PyBytes_Check(v)) {
    f->type = INFLUX_FIELD_STRING;
    return (f->v.s = keep_text(cv, v)) ? 1 : -1;
  }
  if (PyBool_Check(v)) {
    f->type = INFLUX_FIELD_BOOL;
    f->v.b = v == Py_True;
    return 1;
  }
  if (PyLong_Check(v)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow) {
      PyErr_Format(PyExc_ValueError, "field %R: %R does not fit in int64", k,
                   v);
      return -1;
    }
    f->type = INFLUX_FIELD_INT;
    f->v.i = x;
    return 1;
  }
  double d = PyFloat_AsDouble(v);
  if (d == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_ValueError,
                 "field %R: a %.80s is not a number, string or bool", k,
                 Py_TYPE(v)->tp_name);
    return -1;
  }
  f->type = INFLUX_FIELD_FLOAT;
  f->v.f = d;
  return 1;
}

/* Appends the points of `batch` (dicts) to `cv`. */
static int convert(conv *cv, PyObject *p, const char *precision) {
  if (!PyDict_Check(p)) {
    PyErr_SetString(PyExc_TypeError, "a point must be a dict");
    return -1;
  }
  if (grow((void **)&cv->pts, &cv->cap_pts, cv->npts + 1, sizeof *cv->pts))
    return -1;
  influx_point *pt = &cv->pts[cv->npts];
  memset(pt, 0, sizeof *pt);
  PyObject *m = PyDict_GetItem(p, key_measurement);
  if (!m || m == Py_None) {
    PyErr_SetString(PyExc_ValueError, "a point needs a measurement");
    return -1;
  }
  if (!(pt->measurement = keep_text(cv, m)))
    return -1;
  /* Offsets now, pointers when the arrays stop moving. */
  pt->tags = (const influx_tag *)(uintptr_t)cv->ntags;
  pt->fields = (const influx_field *)(uintptr_t)cv->nfields;
  PyObject *tags = PyDict_GetItem(p, key_tags);
  if (tags && tags != Py_None) {
    if (!PyDict_Check(tags)) {
      PyErr_SetString(PyExc_TypeError, "tags must be a dict");
      return -1;
    }
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(tags, &pos, &k, &v)) {
      if (v == Py_None)
        continue;
      if (grow((void **)&cv->tags, &cv->cap_tags, cv->ntags + 1,
               sizeof *cv->tags))
        return -1;
      influx_tag *t = &cv->tags[cv->ntags];
      if (!(t->key = keep_text(cv, k)) || !(t->value = keep_text(cv, v)))
        return -1;
      cv->ntags++;
      pt->ntags++;
    }
  }
  PyObject *fields = PyDict_GetItem(p, key_fields);
  if (fields && fields != Py_None) {
    if (!PyDict_Check(fields)) {
      PyErr_SetString(PyExc_TypeError, "fields must be a dict");
      return -1;
    }
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(fields, &pos, &k, &v)) {
      if (grow((void **)&cv->fields, &cv->cap_fields, cv->nfields + 1,
               sizeof *cv->fields))
        return -1;
      int rc = field_of(cv, k, v, &cv->fields[cv->nfields]);
      if (rc < 0)
        return -1;
      cv->nfields += (size_t)rc;
      pt->nfields += (size_t)rc;
    }
  }
  PyObject *t = PyDict_GetItem(p, key_time);
  if (t && t != Py_None) {
    if (point_time(t, precision, &pt->time))
      return -1;
    pt->has_time = 1;
  }
  cv->npts++;
  return 0;
}

int convert_points(conv *cv, PyObject *it, const char *prec, int raw_times) {
  return convert_some(cv, it, prec, raw_times, 0);
}

int convert_some(conv *cv, PyObject *it, const char *prec, int raw_times,
                 size_t max) {
  int rc = 0;
  for (PyObject *p; (!max || cv->npts < max) && (p = PyIter_Next(it));) {
    rc = convert(cv, p, prec);
    Py_DECREF(p);
    if (rc)
      break;
  }
  if (PyErr_Occurred())
    rc = -1;
  /* Pointers for the whole points, after an error too. Over UDP the seed
   * sends times in time_precision units as they are (the listener's
   * configured precision must match): raw_times. */
  const char *pprec = raw_times ? NULL : prec;
  for (size_t i = 0; i < cv->npts; i++) {
    /* (No arithmetic on a NULL array: points without tags or fields.) */
    if (cv->tags)
      cv->pts[i].tags = cv->tags + (uintptr_t)cv->pts[i].tags;
    if (cv->fields)
      cv->pts[i].fields = cv->fields + (uintptr_t)cv->pts[i].fields;
    cv->pts[i].precision = pprec;
  }
  return rc;
}

int conv_reset(conv *cv) {
  cv->npts = cv->ntags = cv->nfields = 0;
  memset(cv->seen, 0, sizeof cv->seen);
  Py_XDECREF(cv->keep);
  cv->keep = PyList_New(0);
  return cv->keep ? 0 : -1;
}

void conv_free(conv *cv) {
  free(cv->pts);
  free(cv->tags);
  free(cv->fields);
  Py_XDECREF(cv->keep);
}
