/* influxc._core.Client: an influx_client, with the GIL released for every
 * network wait. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Optional str argument to UTF-8 (None: NULL). 0, or -1 with an
 * exception. */
int opt_str(PyObject *o, const char **out) {
  *out = NULL;
  if (!o || o == Py_None)
    return 0;
  Py_ssize_t n;
  *out = utf8_of(o, &n);
  if (*out && (size_t)n != strlen(*out)) {
    PyErr_SetString(PyExc_ValueError, "embedded NUL character");
    *out = NULL;
  }
  return *out ? 0 : -1;
}

/* A NULL-ended "name", "value", ... array from a list of (name, value)
 * pairs of str; the strings live as long as `pairs`. PyMem_Free it. */
const char **pair_array(PyObject *pairs) {
  if (!pairs || pairs == Py_None) {
    const char **a = PyMem_Calloc(1, sizeof *a);
    return a ? a : (const char **)PyErr_NoMemory();
  }
  PyObject *seq = PySequence_Fast(pairs, "params must be a sequence");
  if (!seq)
    return NULL;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  const char **a = PyMem_Calloc((size_t)(2 * n + 1), sizeof *a);
  if (!a) {
    Py_DECREF(seq);
    return (const char **)PyErr_NoMemory();
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *kv = PySequence_Fast_GET_ITEM(seq, i);
    if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2 ||
        opt_str(PyTuple_GET_ITEM(kv, 0), &a[2 * i]) ||
        opt_str(PyTuple_GET_ITEM(kv, 1), &a[2 * i + 1]) || !a[2 * i] ||
        !a[2 * i + 1]) {
      if (!PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "params: (str, str) pairs");
      PyMem_Free(a);
      Py_DECREF(seq);
      return NULL;
    }
  }
  /* The strings belong to the items of `pairs`, which the caller keeps. */
  Py_DECREF(seq);
  return a;
}

static int client_init(core_client *self, PyObject *args, PyObject *kw) {
  static char *names[] = {
      "host",       "port",       "username",    "password",  "database",
      "ssl",        "verify_ssl", "timeout",     "retries",   "use_udp",
      "udp_port",   "http_proxy", "https_proxy", "pool_size", "path",
      "cert",       "cert_key",   "ca_cert",     "gzip",      "headers",
      "write_mode", "ack",        "balance",     "spool_dir", NULL};
  PyObject *host = NULL, *user = NULL, *pass = NULL, *db = NULL, *hproxy = NULL,
           *hsproxy = NULL, *path = NULL, *cert = NULL, *key = NULL, *ca = NULL,
           *headers = NULL, *spool = NULL;
  int port = 8086, ssl = 0, verify = 0, retries = 3, udp = 0, udp_port = 4444,
      pool = 10, gzip = 0, mode = 0, ack = 0, balance = 0;
  double timeout = 0;
  if (!PyArg_ParseTupleAndKeywords(
          args, kw, "|OiOOOppdipiOOiOOOOpOiiiO", names, &host, &port, &user,
          &pass, &db, &ssl, &verify, &timeout, &retries, &udp, &udp_port,
          &hproxy, &hsproxy, &pool, &path, &cert, &key, &ca, &gzip, &headers,
          &mode, &ack, &balance, &spool))
    return -1;
  influx_options o = {.port = port,
                      .ssl = ssl,
                      .verify_ssl = verify,
                      .insecure_ssl = ssl && !verify,
                      .use_udp = udp,
                      .udp_port = udp_port,
                      .pool_size = pool,
                      .gzip = gzip,
                      .write_mode = mode,
                      .ack = ack,
                      .balance = balance};
  if (timeout < 0 || timeout > 2e6) {
    PyErr_SetString(PyExc_ValueError, "timeout out of range");
    return -1;
  }
  o.timeout_ms = timeout > 0 ? (int)(timeout * 1000 + 0.5) : 0;
  if (timeout > 0 && !o.timeout_ms)
    o.timeout_ms = 1;
  /* The seed: 0 retries until success. */
  o.retries = retries == 0 ? INFLUX_RETRIES_UNTIL_SUCCESS : retries;
  if (opt_str(host, &o.host) || opt_str(db, &o.database) ||
      opt_str(hproxy, &o.http_proxy) || opt_str(hsproxy, &o.https_proxy) ||
      opt_str(path, &o.path) || opt_str(cert, &o.cert) ||
      opt_str(key, &o.cert_key) || opt_str(ca, &o.ca_cert) ||
      opt_str(spool, &o.spool_dir))
    return -1;
  /* The seed sends no credentials when either is None. */
  if (user == Py_None || pass == Py_None) {
    o.username = "";
    o.password = "";
  } else if (opt_str(user, &o.username) || opt_str(pass, &o.password)) {
    return -1;
  }
  const char **hdrs = NULL;
  if (headers && headers != Py_None) {
    PyObject *seq = PySequence_Fast(headers, "headers: a list of str");
    if (!seq)
      return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    hdrs = PyMem_Calloc((size_t)n + 1, sizeof *hdrs);
    for (Py_ssize_t i = 0; hdrs && i < n; i++)
      if (opt_str(PySequence_Fast_GET_ITEM(seq, i), &hdrs[i]) || !hdrs[i]) {
        PyMem_Free(hdrs);
        Py_DECREF(seq);
        return -1;
      }
    Py_DECREF(seq);
    if (!hdrs) {
      PyErr_NoMemory();
      return -1;
    }
    o.headers = hdrs;
  }
  influx_error err = {0};
  influx_client *c = NULL;
  influx_status st = influx_client_new(&o, &c, &err);
  PyMem_Free(hdrs);
  if (st) {
    if (st == INFLUX_ERR_INVALID_ARG)
      PyErr_SetString(PyExc_ValueError, err.message);
    else
      raise_status(st, &err, NULL);
    return -1;
  }
  influx_client_free(self->c);
  self->c = c;
  self->use_udp = udp;
  return 0;
}

static void client_dealloc(core_client *self) {
  influx_client_free(self->c);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

int need(core_client *self) {
  if (self->c)
    return 0;
  PyErr_SetString(PyExc_RuntimeError, "client is not initialised");
  return -1;
}

static PyObject *client_ping(core_client *self, PyObject *unused) {
  (void)unused;
  if (need(self))
    return NULL;
  char ver[128] = "";
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_ping(self->c, ver, sizeof ver, &err);
  Py_END_ALLOW_THREADS if (st) return raise_status(st, &err, NULL);
  return PyUnicode_DecodeUTF8(ver, (Py_ssize_t)strlen(ver), "replace");
}

/* hosts() -> [dict] of every host's state and counters. */
static PyObject *client_stats(core_client *self, PyObject *unused) {
  (void)unused;
  if (need(self))
    return NULL;
  influx_client_stats st;
  influx_client_get_stats(self->c, &st);
  return Py_BuildValue("{s:K,s:K,s:K}", "requests",
                       (unsigned long long)st.requests, "connections",
                       (unsigned long long)st.connections, "retries",
                       (unsigned long long)st.retries);
}

static PyObject *client_hosts(core_client *self, PyObject *unused) {
  (void)unused;
  if (need(self))
    return NULL;
  static const char *const states[] = {"up", "down", "probing"};
  size_t n = influx_client_host_count(self->c);
  PyObject *out = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; out && i < n; i++) {
    influx_host_status h;
    influx_error err = {0};
    influx_status st;
    Py_BEGIN_ALLOW_THREADS st = influx_client_host_status(self->c, i, &h, &err);
    Py_END_ALLOW_THREADS if (st) {
      Py_DECREF(out);
      return raise_status(st, &err, NULL);
    }
    PyObject *d = Py_BuildValue(
        "{s:s,s:i,s:s,s:i,s:L,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:s}", "host", h.host,
        "port", h.port, "state",
        states[h.state >= 0 && h.state < 3 ? h.state : 0], "failures_in_row",
        h.failures_in_row, "retry_in_ms", (long long)h.retry_in_ms, "requests",
        (unsigned long long)h.requests, "failures",
        (unsigned long long)h.failures, "batches_stored",
        (unsigned long long)h.batches_stored, "points_stored",
        (unsigned long long)h.points_stored, "batches_queued",
        (unsigned long long)h.batches_queued, "bytes_queued",
        (unsigned long long)h.bytes_queued, "batches_dropped",
        (unsigned long long)h.batches_dropped, "last_error", h.last_error);
    if (!d) {
      Py_DECREF(out);
      return NULL;
    }
    PyList_SET_ITEM(out, (Py_ssize_t)i, d);
  }
  return out;
}

/* catch_up(timeout_seconds): replicate mode's queues delivered. */
static PyObject *client_catch_up(core_client *self, PyObject *arg) {
  double t = PyFloat_AsDouble(arg);
  if (need(self) || (t == -1 && PyErr_Occurred()))
    return NULL;
  if (!(t >= 0 && t <= 2e6)) {
    PyErr_SetString(PyExc_ValueError, "timeout out of range");
    return NULL;
  }
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st =
      influx_client_catch_up(self->c, (int)(t * 1000 + 0.5), &err);
  Py_END_ALLOW_THREADS if (st) return raise_status(st, &err, NULL);
  Py_RETURN_NONE;
}

/* request(url, method, params, data, headers, expected) ->
 * (status, content_type, version, body). An unexpected status is not an
 * exception here: the Python layer raises the seed's. */
static PyObject *client_request(core_client *self, PyObject *args,
                                PyObject *kw) {
  static char *names[] = {"url",  "method",  "params",
                          "data", "headers", "expected_response_code",
                          NULL};
  const char *url, *method = "GET";
  PyObject *params = NULL, *data = NULL, *headers = NULL;
  int expected = 200;
  if (need(self) ||
      !PyArg_ParseTupleAndKeywords(args, kw, "s|sOOOi", names, &url, &method,
                                   &params, &data, &headers, &expected))
    return NULL;
  influx_request rq = {
      .method = method, .url = url, .expected_response_code = expected};
  Py_ssize_t dlen = 0;
  if (data && data != Py_None) {
    if (!(rq.data = utf8_of(data, &dlen)))
      return NULL;
    rq.data_len = (size_t)dlen;
    if (!dlen)
      rq.data = NULL;
  }
  const char **pa = pair_array(params), **ha = NULL;
  if (!pa)
    return NULL;
  if (headers && headers != Py_None) {
    PyObject *seq = PySequence_Fast(headers, "headers: a list of str");
    Py_ssize_t n = seq ? PySequence_Fast_GET_SIZE(seq) : 0;
    ha = seq ? PyMem_Calloc((size_t)n + 1, sizeof *ha) : NULL;
    for (Py_ssize_t i = 0; ha && i < n; i++)
      if (opt_str(PySequence_Fast_GET_ITEM(seq, i), &ha[i]) || !ha[i]) {
        PyMem_Free(ha);
        ha = NULL;
      }
    Py_XDECREF(seq);
    if (!ha) {
      PyMem_Free(pa);
      return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    }
  }
  rq.params = pa;
  rq.headers = ha;
  influx_response resp = {0};
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_request_send(self->c, &rq, &resp, &err);
  Py_END_ALLOW_THREADS PyMem_Free(pa);
  PyMem_Free(ha);
  PyObject *r = NULL;
  if (st && !resp.status)
    raise_status(st, &err, NULL);
  else
    r = Py_BuildValue("(lssy#)", resp.status,
                      resp.content_type ? resp.content_type : "",
                      resp.version ? resp.version : "",
                      resp.body ? resp.body : "", (Py_ssize_t)resp.body_len);
  influx_response_clear(&resp);
  return r;
}

/* bind parameters from a dict of str -> str/int/float/bool. */
int bind_params(PyObject *d, influx_param **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!d || d == Py_None)
    return 0;
  if (!PyDict_Check(d)) {
    PyErr_SetString(PyExc_TypeError, "bind_params must be a dict");
    return -1;
  }
  influx_param *p = PyMem_Calloc((size_t)PyDict_GET_SIZE(d) + 1, sizeof *p);
  if (!p) {
    PyErr_NoMemory();
    return -1;
  }
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  size_t i = 0;
  while (PyDict_Next(d, &pos, &k, &v)) {
    if (opt_str(k, &p[i].name) || !p[i].name)
      goto bad;
    if (PyBool_Check(v)) {
      p[i].value = influx_value_bool(v == Py_True);
    } else if (PyLong_Check(v)) {
      long long x = PyLong_AsLongLong(v);
      if (x == -1 && PyErr_Occurred())
        goto bad;
      p[i].value = influx_value_int(x);
    } else if (PyFloat_Check(v)) {
      p[i].value = influx_value_float(PyFloat_AS_DOUBLE(v));
    } else {
      const char *s;
      if (opt_str(v, &s) || !s) {
        if (!PyErr_Occurred())
          PyErr_Format(PyExc_TypeError, "bind parameter %R: unsupported", k);
        goto bad;
      }
      p[i].value = influx_value_string(s);
    }
    i++;
  }
  *out = p;
  *n = i;
  return 0;
bad:
  if (!PyErr_Occurred())
    PyErr_SetString(PyExc_TypeError, "bind_params: str keys");
  PyMem_Free(p);
  return -1;
}

int query_args_parse(PyObject *args, PyObject *kw, query_args *qa) {
  static char *names[] = {
      "q",           "database", "epoch",      "params",
      "bind_params", "method",   "chunk_size", "expected_response_code",
      NULL};
  const char *db = NULL, *epoch = NULL, *method = NULL;
  PyObject *params = NULL, *bind = NULL;
  Py_ssize_t chunk = 0;
  int expected = 200;
  memset(qa, 0, sizeof *qa);
  if (!PyArg_ParseTupleAndKeywords(args, kw, "s|zzOOzni", names, &qa->q, &db,
                                   &epoch, &params, &bind, &method, &chunk,
                                   &expected))
    return -1;
  influx_param *bp = NULL;
  size_t nbp = 0;
  const char **pa = pair_array(params);
  if (!pa || bind_params(bind, &bp, &nbp)) {
    PyMem_Free(pa);
    return -1;
  }
  /* Statement errors stay with their statements (the Python layer raises
   * them, as the seed's ResultSet does); truncated series are flagged. */
  qa->qo = (influx_query_options){.database = db,
                                  .epoch = epoch,
                                  .bind_params = bp,
                                  .nbind_params = nbp,
                                  .params = pa,
                                  .expected_response_code = expected,
                                  .keep_statement_errors = 1,
                                  .allow_partial = 1,
                                  .method = method,
                                  .chunk_size = (size_t)(chunk > 0 ? chunk : 0),
                                  /* The server's time text as it wrote it
                                   * (JSON answers); epoch numbers as
                                   * numbers. */
                                  .raw_time = epoch ? INFLUX_TIME_RAW
                                                    : INFLUX_TIME_TEXT};
  return 0;
}

void query_args_free(query_args *qa) {
  PyMem_Free((void *)qa->qo.params);
  PyMem_Free((void *)qa->qo.bind_params);
  memset(qa, 0, sizeof *qa);
}

/* query(...) -> a list of Statement objects reading the result in C; an
 * HTTP error raises Error with the seed's content. */
static PyObject *client_query(core_client *self, PyObject *args, PyObject *kw) {
  query_args qa;
  if (need(self) || query_args_parse(args, kw, &qa))
    return NULL;
  influx_result *r = NULL;
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_query(self->c, qa.q, &qa.qo, &r, &err);
  Py_END_ALLOW_THREADS query_args_free(&qa);
  if (st && !(st == INFLUX_ERR_STATEMENT && r)) {
    influx_result_free(r);
    return raise_status(st, &err, NULL);
  }
  return statements_of(r); /* takes r */
}

/* The point source of a write_points with batch_size: the library pulls
 * the next points on this thread without the GIL, and they are converted
 * from the dicts with it, so the dicts are read while the batches before
 * them are encoded and sent, with no pause between (influx_write_from). */
typedef struct dict_source {
  conv cv;
  PyObject *it;
  const char *prec;
  PyThreadState *ts;       /* this thread's state while the GIL is released */
  PyObject *et, *ev, *etb; /* an error held back for the next call */
} dict_source;

static long dict_source_next(void *u, influx_point *buf, size_t cap) {
  dict_source *d = u;
  long n = -1;
  PyEval_RestoreThread(d->ts);
  if (d->et) {
    PyErr_Restore(d->et, d->ev, d->etb);
    d->et = d->ev = d->etb = NULL;
  } else if (!conv_reset(&d->cv)) {
    /* (The library is done with the points it had: its contract.) */
    int rc = convert_some(&d->cv, d->it, d->prec, 0, cap);
    if (!rc || d->cv.npts) {
      /* The points before a bad one go first, so that the batch they
       * complete is sent; the error stops the write at the next call. */
      if (rc)
        PyErr_Fetch(&d->et, &d->ev, &d->etb);
      memcpy(buf, d->cv.pts, d->cv.npts * sizeof *buf);
      n = (long)d->cv.npts;
    }
  }
  d->ts = PyEval_SaveThread();
  return n; /* -1: a Python exception is set, and the write stops */
}

/* write_points(points, precision, database, retention_policy, tags,
 * consistency, batch_size) -> number of points written. */
static PyObject *client_write_points(core_client *self, PyObject *args,
                                     PyObject *kw) {
  static char *names[] = {"points",           "precision", "database",
                          "retention_policy", "tags",      "consistency",
                          "batch_size",       NULL};
  PyObject *points, *tags = NULL;
  const char *prec = NULL, *db = NULL, *rp = NULL, *cons = NULL;
  Py_ssize_t batch = 0;
  if (need(self) ||
      !PyArg_ParseTupleAndKeywords(args, kw, "O|zzzOzn", names, &points, &prec,
                                   &db, &rp, &tags, &cons, &batch))
    return NULL;
  conv cv = {.keep = PyList_New(0)};
  influx_tag *st = NULL;
  size_t nst = 0;
  PyObject *it = cv.keep ? PyObject_GetIter(points) : NULL;
  if (!it)
    goto fail;
  if (tags && tags != Py_None) {
    if (!PyDict_Check(tags)) {
      PyErr_SetString(PyExc_TypeError, "tags must be a dict");
      goto fail;
    }
    st = PyMem_Calloc((size_t)PyDict_GET_SIZE(tags) + 1, sizeof *st);
    if (!st) {
      PyErr_NoMemory();
      goto fail;
    }
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(tags, &pos, &k, &v)) {
      if (v == Py_None)
        continue;
      if (!(st[nst].key = keep_text(&cv, k)) ||
          !(st[nst].value = keep_text(&cv, v)))
        goto fail;
      nst++;
    }
  }
  const char *pprec = self->use_udp ? NULL : prec;
  influx_write_options wo = {.database = db,
                             .retention_policy = rp,
                             .precision = pprec,
                             .consistency = cons,
                             .tags = st,
                             .ntags = nst,
                             .batch_size = batch > 0 ? (size_t)batch : 0,
                             /* the bytes the seed's make_lines gives */
                             .line_style = INFLUX_LINES_SEED};
  influx_write_report rep = {0};
  influx_error err = {0};
  influx_status s;
  if (batch > 0 && !self->use_udp) {
    /* The seed writes batch after batch: a bad point stops the write
     * there, and the batches before it are stored. */
    dict_source d = {.it = it, .prec = prec};
    d.ts = PyEval_SaveThread();
    s = influx_write_from(self->c, dict_source_next, &d, &wo, &rep, &err);
    PyEval_RestoreThread(d.ts);
    conv_free(&d.cv);
    /* An error held back is dropped when the write stopped before the
     * next call (the server's error is raised). */
    Py_XDECREF(d.et);
    Py_XDECREF(d.ev);
    Py_XDECREF(d.etb);
    if (PyErr_Occurred())
      goto fail;
  } else {
    /* Without batch_size: one write of everything, as the seed sends one
     * request (every point checked before any is sent). */
    if (convert_points(&cv, it, prec, self->use_udp))
      goto fail;
    Py_BEGIN_ALLOW_THREADS s =
        influx_write_points_ex(self->c, cv.pts, cv.npts, &wo, &rep, &err);
    Py_END_ALLOW_THREADS
  }
  Py_DECREF(it);
  PyMem_Free(st);
  conv_free(&cv);
  if (s) {
    /* The points stored before the write stopped ride along. */
    raise_status(s, &err, NULL);
    add_written(rep.points_written);
    return NULL;
  }
  return PyLong_FromSize_t(rep.points_written);
fail:
  Py_XDECREF(it);
  PyMem_Free(st);
  conv_free(&cv);
  return NULL;
}

/* write(data, database, retention_policy, precision, consistency, params,
 * expected_response_code): line protocol text as it is. */
static PyObject *client_write(core_client *self, PyObject *args, PyObject *kw) {
  static char *names[] = {
      "data",        "database", "retention_policy",       "precision",
      "consistency", "params",   "expected_response_code", NULL};
  PyObject *data, *params = NULL;
  const char *db = NULL, *rp = NULL, *prec = NULL, *cons = NULL;
  int expected = 204;
  if (need(self) ||
      !PyArg_ParseTupleAndKeywords(args, kw, "O|zzzzOi", names, &data, &db, &rp,
                                   &prec, &cons, &params, &expected))
    return NULL;
  Py_ssize_t n;
  const char *p = utf8_of(data, &n);
  const char **pa = p ? pair_array(params) : NULL;
  if (!pa)
    return NULL;
  influx_write_options wo = {.database = db,
                             .retention_policy = rp,
                             .precision = prec,
                             .consistency = cons,
                             .params = pa,
                             .expected_response_code = expected};
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_write(self->c, p, (size_t)n, &wo, &err);
  Py_END_ALLOW_THREADS PyMem_Free(pa);
  if (st)
    return raise_status(st, &err, NULL);
  Py_RETURN_TRUE;
}

static PyObject *client_send_packet(core_client *self, PyObject *arg) {
  Py_ssize_t n;
  const char *p = need(self) ? NULL : utf8_of(arg, &n);
  if (!p)
    return NULL;
  influx_error err = {0};
  influx_status st;
  Py_BEGIN_ALLOW_THREADS st = influx_send_packet(self->c, p, (size_t)n, &err);
  Py_END_ALLOW_THREADS if (st) return raise_status(st, &err, NULL);
  Py_RETURN_NONE;
}

static PyObject *client_switch_database(core_client *self, PyObject *arg) {
  const char *db;
  if (need(self) || opt_str(arg, &db))
    return NULL;
  influx_error err = {0};
  influx_status st = influx_switch_database(self->c, db, &err);
  if (st)
    return raise_status(st, &err, NULL);
  Py_RETURN_NONE;
}

static PyObject *client_switch_user(core_client *self, PyObject *args) {
  PyObject *u, *p;
  const char *us, *ps;
  if (need(self) || !PyArg_ParseTuple(args, "OO", &u, &p))
    return NULL;
  if (u == Py_None || p == Py_None)
    us = ps = "";
  else if (opt_str(u, &us) || opt_str(p, &ps))
    return NULL;
  influx_error err = {0};
  influx_status st = influx_switch_user(self->c, us, ps, &err);
  if (st)
    return raise_status(st, &err, NULL);
  Py_RETURN_NONE;
}

static PyObject *client_close(core_client *self, PyObject *unused) {
  (void)unused;
  if (self->c)
    influx_client_close(self->c);
  Py_RETURN_NONE;
}

static PyMethodDef client_methods[] = {
    {"ping", (PyCFunction)client_ping, METH_NOARGS, "server version"},
    {"hosts", (PyCFunction)client_hosts, METH_NOARGS, "every host's state"},
    {"stats", (PyCFunction)client_stats, METH_NOARGS,
     "the transport's counters: requests, connections, retries"},
    {"catch_up", (PyCFunction)client_catch_up, METH_O,
     "deliver the replicas' queues"},
    {"request", (PyCFunction)(void (*)(void))client_request,
     METH_VARARGS | METH_KEYWORDS, "raw request"},
    {"query", (PyCFunction)(void (*)(void))client_query,
     METH_VARARGS | METH_KEYWORDS, "query -> list of Statement objects"},
    {"write_points", (PyCFunction)(void (*)(void))client_write_points,
     METH_VARARGS | METH_KEYWORDS, "write point dicts"},
    {"write", (PyCFunction)(void (*)(void))client_write,
     METH_VARARGS | METH_KEYWORDS, "write line protocol"},
    {"send_packet", (PyCFunction)client_send_packet, METH_O,
     "line protocol over UDP"},
    {"switch_database", (PyCFunction)client_switch_database, METH_O, NULL},
    {"switch_user", (PyCFunction)client_switch_user, METH_VARARGS, NULL},
    {"close", (PyCFunction)client_close, METH_NOARGS, "close connections"},
    {"query_frames", (PyCFunction)(void (*)(void))client_query_frames,
     METH_VARARGS | METH_KEYWORDS, "query -> frames per statement"},
    {"query_chunks", (PyCFunction)(void (*)(void))client_query_chunks,
     METH_VARARGS | METH_KEYWORDS, "query -> iterator of statement dicts"},
    {"write_frame", (PyCFunction)(void (*)(void))client_write_frame,
     METH_VARARGS | METH_KEYWORDS, "write DataFrame columns"},
    {NULL, NULL, 0, NULL}};

PyTypeObject core_client_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxc._core.Client",
    .tp_basicsize = sizeof(core_client),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)client_init,
    .tp_dealloc = (destructor)client_dealloc,
    .tp_methods = client_methods,
};
