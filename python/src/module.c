/* influxc._core: module definition and errors. */
#include <string.h>

#include "core.h"
#include "quote_impl.h"

PyObject *core_error;

void add_written(size_t n) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  PyObject *args = value ? PyObject_GetAttrString(value, "args") : NULL;
  if (args && PyTuple_Check(args) && PyTuple_GET_SIZE(args) == 4) {
    PyObject *w = PyLong_FromSize_t(n);
    PyObject *more = w ? Py_BuildValue("(O)", w) : NULL;
    PyObject *all = more ? PySequence_Concat(args, more) : NULL;
    if (all)
      PyObject_SetAttrString(value, "args", all);
    Py_XDECREF(all);
    Py_XDECREF(more);
    Py_XDECREF(w);
  }
  Py_XDECREF(args);
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
}

PyObject *raise_status(influx_status st, const influx_error *err,
                       PyObject *content) {
  const char *msg = err && err->message[0] ? err->message : influx_strerror(st);
  PyObject *made = NULL;
  long http = err ? err->http_status : 0;
  /* The library says "HTTP 400: <server's text>"; the seed reports the
   * server's text alone. */
  char prefix[32];
  int pn = snprintf(prefix, sizeof prefix, "HTTP %ld: ", http);
  const char *server = http ? strstr(msg, prefix) : NULL;
  if (server)
    msg = server + pn; /* after "batch 0 (points 0-9): " and the like too */
  if (!content && http >= 400) {
    /* The seed reports a refused request as the server's error object in
     * compact JSON: {"error":"..."}. */
    ibuf b = {0};
    if (!ibuf_puts(&b, "{\"error\":") && !json_string(&b, msg, strlen(msg)) &&
        !ibuf_putc(&b, '}'))
      made = PyUnicode_DecodeUTF8(b.p, (Py_ssize_t)b.len, "replace");
    ibuf_free(&b);
    content = made;
  }
  PyObject *args =
      Py_BuildValue("(ilsO)", (int)st, http, msg, content ? content : Py_None);
  if (args) {
    PyErr_SetObject(core_error, args);
    Py_DECREF(args);
  }
  Py_XDECREF(made);
  return NULL;
}

static PyObject *py_version(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyUnicode_FromString(influx_version());
}

static PyMethodDef methods[] = {
    {"make_lines", (PyCFunction)(void (*)(void))py_make_lines,
     METH_VARARGS | METH_KEYWORDS, "the seed's line_protocol.make_lines"},
    {"quote_ident", py_quote_ident, METH_O, "the seed's quote_ident"},
    {"quote_literal", py_quote_literal, METH_O, "the seed's quote_literal"},
    {"json_loads_all", py_json_loads_all, METH_O,
     "every JSON value of a text, in order"},
    {"version", py_version, METH_NOARGS, "libinfluxc's version"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "influxc._core",
    .m_doc = "influxc's C core", .m_size = -1, .m_methods = methods};

PyMODINIT_FUNC PyInit__core(void) {
  if (encode_init() || frames_init() || results_init() ||
      PyType_Ready(&core_client_type) < 0 ||
      PyType_Ready(&chunk_iter_type) < 0 || PyType_Ready(&core_writer_type) < 0)
    return NULL;
  PyObject *m = PyModule_Create(&module);
  if (!m)
    return NULL;
  core_error = PyErr_NewException("influxc._core.Error", NULL, NULL);
  if (!core_error || PyModule_AddObjectRef(m, "Error", core_error) ||
      PyModule_AddObjectRef(m, "Client", (PyObject *)&core_client_type) ||
      PyModule_AddObjectRef(m, "Writer", (PyObject *)&core_writer_type) ||
      PyModule_AddObjectRef(m, "Statement", (PyObject *)&statement_type)) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
