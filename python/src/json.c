/* chunked_json.loads: every JSON value of a text, one after another,
 * parsed by yajl (no JSON in Python). */
#include <yajl/yajl_parse.h>

#include "core.h"

/* Containers being filled, innermost last; a map's pending key aside. */
typedef struct jstate {
  PyObject *stack[JSON_MAX_NESTING + 1];
  PyObject *keys[JSON_MAX_NESTING + 1];
  int depth;
  PyObject *out; /* list of finished values */
  int failed;
} jstate;

/* Puts `v` (a new reference) into the current container or `out`. */
static int add(jstate *s, PyObject *v) {
  if (!v) {
    s->failed = 1;
    return 0;
  }
  int rc;
  if (!s->depth) {
    rc = PyList_Append(s->out, v);
  } else {
    PyObject *c = s->stack[s->depth - 1];
    if (PyList_Check(c)) {
      rc = PyList_Append(c, v);
    } else {
      PyObject *k = s->keys[s->depth - 1];
      rc = k ? PyDict_SetItem(c, k, v) : -1;
      Py_XDECREF(k);
      s->keys[s->depth - 1] = NULL;
    }
  }
  Py_DECREF(v);
  if (rc)
    s->failed = 1;
  return rc ? 0 : 1;
}

static int j_null(void *u) {
  Py_INCREF(Py_None);
  return add(u, Py_None);
}
static int j_bool(void *u, int b) { return add(u, PyBool_FromLong(b)); }
static int j_number(void *u, const char *n, size_t len) {
  PyObject *t = PyUnicode_FromStringAndSize(n, (Py_ssize_t)len), *v = NULL;
  if (t) {
    int is_float =
        memchr(n, '.', len) || memchr(n, 'e', len) || memchr(n, 'E', len);
    v = is_float ? PyFloat_FromString(t) : PyLong_FromUnicodeObject(t, 10);
    Py_DECREF(t);
  }
  return add(u, v);
}
static int j_string(void *u, const unsigned char *p, size_t len) {
  return add(u,
             PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)len, "strict"));
}
static int push(jstate *s, PyObject *c) {
  if (!c || s->depth >= JSON_MAX_NESTING) {
    if (c)
      PyErr_SetString(PyExc_ValueError, "JSON nested too deeply");
    Py_XDECREF(c);
    s->failed = 1;
    return 0;
  }
  Py_INCREF(c);
  if (!add(s, c)) {
    Py_DECREF(c);
    return 0;
  }
  s->stack[s->depth] = c;
  s->keys[s->depth] = NULL;
  s->depth++;
  return 1;
}
static int pop(void *u) {
  jstate *s = u;
  s->depth--;
  Py_DECREF(s->stack[s->depth]);
  Py_CLEAR(s->keys[s->depth]);
  return 1;
}
static int j_start_map(void *u) { return push(u, PyDict_New()); }
static int j_map_key(void *u, const unsigned char *p, size_t len) {
  jstate *s = u;
  PyObject *k =
      PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)len, "strict");
  if (!k) {
    s->failed = 1;
    return 0;
  }
  Py_XSETREF(s->keys[s->depth - 1], k);
  return 1;
}
static int j_start_array(void *u) { return push(u, PyList_New(0)); }

static const yajl_callbacks callbacks = {.yajl_null = j_null,
                                         .yajl_boolean = j_bool,
                                         .yajl_number = j_number,
                                         .yajl_string = j_string,
                                         .yajl_start_map = j_start_map,
                                         .yajl_map_key = j_map_key,
                                         .yajl_end_map = pop,
                                         .yajl_start_array = j_start_array,
                                         .yajl_end_array = pop};

PyObject *py_json_loads_all(PyObject *self, PyObject *arg) {
  (void)self;
  Py_ssize_t n;
  const char *p = utf8_of(arg, &n);
  if (!p)
    return NULL;
  jstate s = {.out = PyList_New(0)};
  if (!s.out)
    return NULL;
  yajl_handle h = yajl_alloc(&callbacks, NULL, &s);
  if (!h) {
    Py_DECREF(s.out);
    return PyErr_NoMemory();
  }
  yajl_config(h, yajl_allow_multiple_values, 1);
  yajl_status st = yajl_parse(h, (const unsigned char *)p, (size_t)n);
  if (st == yajl_status_ok)
    st = yajl_complete_parse(h);
  if (st != yajl_status_ok && !PyErr_Occurred()) {
    unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
    PyErr_Format(PyExc_ValueError, "invalid JSON: %s", (const char *)msg);
    yajl_free_error(h, msg);
  }
  while (s.depth)
    pop(&s);
  yajl_free(h);
  if (PyErr_Occurred()) {
    Py_DECREF(s.out);
    return NULL;
  }
  return s.out;
}
