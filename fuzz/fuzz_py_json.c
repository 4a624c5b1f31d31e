/* The Python package's JSON reader (chunked_json.loads:
 * python/src/json.c, yajl callbacks building Python objects), under an
 * embedded interpreter: any text gives a list or a ValueError, never a
 * crash, and never nests past JSON_MAX_NESTING. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    Py_InitializeEx(0);
    ready = 1;
  }
  PyObject *text =
      PyUnicode_DecodeUTF8((const char *)data, (Py_ssize_t)size, "strict");
  if (!text) {
    PyErr_Clear();
    return 0;
  }
  PyObject *values = py_json_loads_all(NULL, text);
  if (values) {
    if (!PyList_Check(values))
      abort();
    Py_DECREF(values);
  } else {
    if (!PyErr_Occurred())
      abort(); /* NULL without an exception */
    PyErr_Clear();
  }
  Py_DECREF(text);
  return 0;
}
