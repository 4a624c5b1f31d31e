/* The seed's point dicts: their times, make_lines' text, quote_ident and
 * quote_literal. */
#include <string.h>

#include <sys/mman.h>

#include "core.h"
/* After Python.h (core.h). */
#include <datetime.h>

const char *utf8_of(PyObject *o, Py_ssize_t *len) {
  if (PyUnicode_Check(o))
    return PyUnicode_AsUTF8AndSize(o, len);
  if (PyBytes_Check(o)) {
    *len = PyBytes_GET_SIZE(o);
    return PyBytes_AS_STRING(o);
  }
  PyErr_Format(PyExc_TypeError, "expected str or bytes, not %.80s",
               Py_TYPE(o)->tp_name);
  return NULL;
}

/* Line protocol is mostly ASCII: checking that a word at a time and
 * copying is several times faster than CPython's UTF-8 decoder. */
void str_huge_pages(PyObject *s, size_t n) {
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)2 << 20;
  if (n < 4 * huge)
    return;
  uintptr_t p = (uintptr_t)PyUnicode_DATA(s);
  uintptr_t a = (p + huge - 1) & ~(huge - 1), e = (p + n) & ~(huge - 1);
  if (e > a)
    (void)madvise((void *)a, e - a, MADV_HUGEPAGE); /* a hint: may fail */
#else
  (void)s;
  (void)n;
#endif
}

int is_ascii(const char *p, size_t n) {
  size_t i = 0;
  for (uint64_t w; i + 8 <= n; i += 8) {
    memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ull)
      return 0;
  }
  while (i < n && !(p[i] & 0x80))
    i++;
  return i == n;
}

PyObject *utf8_str(const char *p, size_t n) {
  if (!is_ascii(p, n))
    return PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "strict");
  PyObject *s = PyUnicode_New((Py_ssize_t)n, 127);
  if (s) {
    str_huge_pages(s, n);
    memcpy(PyUnicode_DATA(s), p, n);
  }
  return s;
}

/* Days from 1970-01-01 to a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* ns since the epoch of a datetime (naive ones are UTC), with a pandas
 * Timestamp's nanoseconds. -1 with an exception on failure. */
static int datetime_ns(PyObject *dt, int64_t *out) {
  int64_t days =
      days_from_civil(PyDateTime_GET_YEAR(dt), PyDateTime_GET_MONTH(dt),
                      PyDateTime_GET_DAY(dt));
  int64_t secs = days * 86400 + PyDateTime_DATE_GET_HOUR(dt) * 3600 +
                 PyDateTime_DATE_GET_MINUTE(dt) * 60 +
                 PyDateTime_DATE_GET_SECOND(dt);
  int64_t ns = PyDateTime_DATE_GET_MICROSECOND(dt) * (int64_t)1000;
  PyObject *tz = PyDateTime_DATE_GET_TZINFO(dt);
  if (tz != Py_None) {
    PyObject *off = PyObject_CallMethod(dt, "utcoffset", NULL);
    if (!off)
      return -1;
    if (PyDelta_Check(off)) {
      secs -= (int64_t)PyDateTime_DELTA_GET_DAYS(off) * 86400 +
              PyDateTime_DELTA_GET_SECONDS(off);
      ns -= PyDateTime_DELTA_GET_MICROSECONDS(off) * (int64_t)1000;
    }
    Py_DECREF(off);
  }
  PyObject *nano = PyObject_GetAttrString(dt, "nanosecond");
  if (nano) {
    long n = PyLong_AsLong(nano);
    Py_DECREF(nano);
    if (n == -1 && PyErr_Occurred())
      return -1;
    ns += n;
  } else {
    PyErr_Clear();
  }
  if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1) {
    PyErr_SetString(PyExc_ValueError, "time out of range for nanoseconds");
    return -1;
  }
  *out = secs * 1000000000 + ns;
  return 0;
}

/* The seed's _convert_timestamp, exact: integers are taken as they are
 * (already in the precision), text is RFC3339 (or anything dateutil
 * reads), datetimes are converted and cut (toward zero) to the
 * precision. */
int point_time(PyObject *t, const char *precision, int64_t *out) {
  if (PyLong_Check(t)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(t, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred())) {
      if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "time does not fit in 64 bits");
      return -1;
    }
    *out = v;
    return 0;
  }
  PyObject *dt = NULL;
  if (PyUnicode_Check(t) || PyBytes_Check(t)) {
    Py_ssize_t n;
    const char *s = utf8_of(t, &n);
    if (!s)
      return -1;
    int64_t ns;
    if ((size_t)n == strlen(s) && influx_time_parse(s, &ns) == INFLUX_OK) {
      int64_t f = precision_factor(precision);
      *out = ns / (f ? f : 1);
      return 0;
    }
    /* Not RFC3339: the seed reads any date dateutil reads. */
    PyObject *mod = PyImport_ImportModule("dateutil.parser");
    if (!mod)
      return -1;
    PyObject *str = PyUnicode_Check(t) ? (Py_INCREF(t), t)
                                       : PyUnicode_DecodeUTF8(s, n, "strict");
    if (str)
      dt = PyObject_CallMethod(mod, "parse", "O", str);
    Py_XDECREF(str);
    Py_DECREF(mod);
    if (!dt)
      return -1;
  } else if (PyDateTime_Check(t)) {
    dt = t;
    Py_INCREF(dt);
  } else {
    PyErr_Format(PyExc_ValueError, "unsupported time %R", t);
    return -1;
  }
  int64_t ns;
  int rc = datetime_ns(dt, &ns);
  Py_DECREF(dt);
  if (rc)
    return -1;
  int64_t f = precision_factor(precision);
  *out = ns / (f ? f : 1);
  return 0;
}

/* The seed's _get_unicode(v, force=True): bytes decoded, None is "",
 * anything else str(v). New reference. */
static PyObject *text_of(PyObject *v) {
  if (v == Py_None)
    return PyUnicode_FromStringAndSize("", 0);
  if (PyBytes_Check(v))
    return PyUnicode_DecodeUTF8(PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v),
                                "strict");
  return PyObject_Str(v);
}

/* The seed's _escape_tag, on `s`: \ , space, comma, = and newline. */
static int put_tag_text(ibuf *b, PyObject *v) {
  PyObject *s = text_of(v);
  if (!s)
    return -1;
  Py_ssize_t n;
  const char *p = PyUnicode_AsUTF8AndSize(s, &n);
  int rc = p ? 0 : -1;
  for (Py_ssize_t i = 0; p && i < n && !rc; i++) {
    char c = p[i];
    if (c == '\\' || c == ' ' || c == ',' || c == '=')
      rc = ibuf_putc(b, '\\') || ibuf_putc(b, c);
    else if (c == '\n')
      rc = ibuf_puts(b, "\\n");
    else
      rc = ibuf_putc(b, c);
  }
  Py_DECREF(s);
  if (rc > 0)
    PyErr_NoMemory();
  return rc ? -1 : 0;
}

/* The seed's quote_ident / quote_literal text (escaping \ and the quote,
 * and newlines for identifiers) into `b`. */
static int put_quoted(ibuf *b, const char *p, Py_ssize_t n, char q) {
  int rc = ibuf_putc(b, q);
  for (Py_ssize_t i = 0; i < n && !rc; i++) {
    if (p[i] == '\\' || p[i] == q)
      rc = ibuf_putc(b, '\\') || ibuf_putc(b, p[i]);
    else if (p[i] == '\n' && q == '"')
      rc = ibuf_puts(b, "\\n");
    else
      rc = ibuf_putc(b, p[i]);
  }
  return rc || ibuf_putc(b, q) ? -1 : 0;
}

static PyObject *quoted(PyObject *arg, char q) {
  Py_ssize_t n;
  const char *p = utf8_of(arg, &n);
  if (!p)
    return NULL;
  ibuf b = {0};
  if (put_quoted(&b, p, n, q)) {
    ibuf_free(&b);
    return PyErr_NoMemory();
  }
  PyObject *r = utf8_str(b.p, b.len);
  ibuf_free(&b);
  return r;
}

PyObject *py_quote_ident(PyObject *self, PyObject *arg) {
  (void)self;
  return quoted(arg, '"');
}

PyObject *py_quote_literal(PyObject *self, PyObject *arg) {
  (void)self;
  return quoted(arg, '\'');
}

/* A field value as the seed's _escape_value writes it; 0 when the value
 * is None (left out). */
static int put_field_value(ibuf *b, PyObject *v) {
  if (v == Py_None)
    return 0;
  if (PyUnicode_Check(v) || PyBytes_Check(v)) {
    Py_ssize_t n;
    PyObject *s = text_of(v);
    const char *p = s ? PyUnicode_AsUTF8AndSize(s, &n) : NULL;
    int rc = p ? put_quoted(b, p, n, '"') : -1;
    Py_XDECREF(s);
    return rc ? -1 : 1;
  }
  if (PyBool_Check(v))
    return ibuf_puts(b, v == Py_True ? "True" : "False") ? -1 : 1;
  if (PyLong_Check(v)) {
    PyObject *s = PyObject_Str(v);
    const char *p = s ? PyUnicode_AsUTF8(s) : NULL;
    int rc = p ? ibuf_puts(b, p) || ibuf_putc(b, 'i') : -1;
    Py_XDECREF(s);
    return rc ? -1 : 1;
  }
  double d = PyFloat_AsDouble(v);
  if (d == -1.0 && PyErr_Occurred()) {
    /* Neither text, integer nor float-like: the seed writes str(v). */
    PyErr_Clear();
    PyObject *s = PyObject_Str(v);
    const char *p = s ? PyUnicode_AsUTF8(s) : NULL;
    int rc = p ? ibuf_puts(b, p) : -1;
    Py_XDECREF(s);
    return rc ? -1 : 1;
  }
  char *r = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
  if (!r)
    return -1;
  int rc = ibuf_puts(b, r);
  PyMem_Free(r);
  return rc ? -1 : 1;
}

/* Appends "key=value" items of `d` (sorted by key) after `sep`;
 * `fields` picks field values, else tag values. Returns how many. */
static int put_items(ibuf *b, PyObject *d, int fields, char first_sep) {
  PyObject *keys = PyDict_Keys(d);
  if (!keys || PyList_Sort(keys)) {
    Py_XDECREF(keys);
    return -1;
  }
  int count = 0;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++) {
    PyObject *k = PyList_GET_ITEM(keys, i);
    PyObject *v = PyDict_GetItemWithError(d, k);
    if (!v) {
      count = -1;
      break;
    }
    ibuf item = {0};
    int rc = put_tag_text(&item, k);
    size_t klen = item.len;
    if (!rc && ibuf_putc(&item, '='))
      rc = -1;
    size_t before = item.len;
    if (!rc) {
      if (fields)
        rc = put_field_value(&item, v) < 0 ? -1 : 0;
      else
        rc = put_tag_text(&item, v);
    }
    /* The seed leaves out empty keys and empty values. */
    if (!rc && klen && item.len > before)
      rc = ibuf_putc(b, count ? ',' : first_sep) ||
                   ibuf_append(b, item.p, item.len)
               ? -1
               : (count++, 0);
    ibuf_free(&item);
    if (rc) {
      if (!PyErr_Occurred())
        PyErr_NoMemory();
      count = -1;
      break;
    }
  }
  Py_DECREF(keys);
  return count;
}

/* One line of the seed's make_line. */
static int put_line(ibuf *b, PyObject *measurement, PyObject *tags,
                    PyObject *fields, PyObject *time, const char *precision) {
  if (put_tag_text(b, measurement))
    return -1;
  if (tags && put_items(b, tags, 0, ',') < 0)
    return -1;
  if (fields && put_items(b, fields, 1, ' ') < 0)
    return -1;
  if (time && time != Py_None) {
    int64_t t;
    if (point_time(time, precision, &t) ||
        ibuf_printf(b, " %lld", (long long)t))
      return -1;
  }
  return ibuf_putc(b, '\n') ? -1 : 0;
}

/* dict.get(key) as a borrowed reference, NULL when absent or not a dict
 * (no exception). */
static PyObject *get(PyObject *d, PyObject *key) {
  if (!d || !PyDict_Check(d))
    return NULL;
  PyObject *v = PyDict_GetItem(d, key);
  return v == Py_None ? NULL : v;
}

Py_ssize_t encode_points(ibuf *out, PyObject *points, PyObject *tags,
                         PyObject *measurement, const char *precision) {
  PyObject *it = PyObject_GetIter(points);
  if (!it)
    return -1;
  Py_ssize_t n = 0;
  for (PyObject *p; (p = PyIter_Next(it)); Py_DECREF(p)) {
    if (!PyDict_Check(p)) {
      PyErr_Format(PyExc_TypeError, "point %zd is not a dict", n);
      Py_DECREF(p);
      break;
    }
    PyObject *ptags = get(p, key_tags), *merged = NULL;
    if (tags && PyDict_Check(tags) && PyDict_GET_SIZE(tags)) {
      merged = PyDict_Copy(tags);
      if (!merged || (ptags && PyDict_Update(merged, ptags))) {
        Py_XDECREF(merged);
        Py_DECREF(p);
        break;
      }
    }
    PyObject *m = PyDict_GetItem(p, key_measurement);
    if (!m)
      m = measurement ? measurement : Py_None;
    int rc = put_line(out, m, merged ? merged : ptags, get(p, key_fields),
                      get(p, key_time), precision);
    Py_XDECREF(merged);
    if (rc) {
      if (!PyErr_Occurred())
        PyErr_NoMemory();
      Py_DECREF(p);
      break;
    }
    n++;
  }
  Py_DECREF(it);
  return PyErr_Occurred() ? -1 : n;
}

PyObject *py_make_lines(PyObject *self, PyObject *args, PyObject *kw) {
  (void)self;
  static char *names[] = {"data", "precision", NULL};
  PyObject *data;
  const char *precision = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|z", names, &data, &precision))
    return NULL;
  PyObject *points = PyMapping_GetItemString(data, "points");
  if (!points)
    return NULL;
  ibuf b = {0};
  Py_ssize_t n = encode_points(&b, points, get(data, key_tags),
                               get(data, key_measurement), precision);
  Py_DECREF(points);
  if (n < 0) {
    ibuf_free(&b);
    return NULL;
  }
  /* The seed joins lines with '\n' and ends with one: no points is "\n". */
  PyObject *r = n ? utf8_str(b.p, b.len) : PyUnicode_FromString("\n");
  ibuf_free(&b);
  return r;
}

PyObject *key_measurement, *key_tags, *key_fields, *key_time;

int encode_init(void) {
  PyDateTime_IMPORT;
  key_measurement = PyUnicode_InternFromString("measurement");
  key_tags = PyUnicode_InternFromString("tags");
  key_fields = PyUnicode_InternFromString("fields");
  key_time = PyUnicode_InternFromString("time");
  return PyDateTimeAPI && key_measurement && key_tags && key_fields && key_time
             ? 0
             : -1;
}
