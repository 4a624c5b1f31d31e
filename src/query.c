/* Queries: request building (bind params, method choice), the public push
 * decoder, and streaming the response body into it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_impl.h"
#include "decode_impl.h"
#include "fmt_impl.h"
#include "query_impl.h"
#include "quote_impl.h"

struct influx_decoder {
  influx_format format;
  influx_result *r;
  rbuilder rb;
  shape sh;
  json_dec *json;
  mp_dec *mp;
  size_t fed;
  int keep_raw;
  int sniff; /* no Content-Type: the first byte picks the format */
  ibuf raw;
  influx_error err;
};

/* Replaces the byte decoder by one for `format` (before any input). */
static int use_format(influx_decoder *d, influx_format format) {
  if (d->format == format && (d->json || d->mp))
    return 0;
  json_dec_free(d->json);
  mp_dec_free(d->mp);
  d->json = NULL;
  d->mp = NULL;
  d->format = format;
  if (format == INFLUX_FORMAT_JSON)
    d->json = json_dec_new(&d->sh);
  else
    d->mp = mp_dec_new(&d->sh);
  return d->json || d->mp ? 0 : -1;
}

influx_status influx_decoder_new(influx_format format,
                                 const influx_query_options *o,
                                 const influx_stream_handlers *h,
                                 influx_decoder **out, influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "decoder_new: out is NULL");
  *out = NULL;
  if (format != INFLUX_FORMAT_AUTO && format != INFLUX_FORMAT_JSON &&
      format != INFLUX_FORMAT_MSGPACK)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "unknown response format %d",
                (int)format);
  int64_t ef = 0;
  if (o && (o->raw_time < 0 || o->raw_time > INFLUX_TIME_TEXT))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "raw_time %d is not 0, INFLUX_TIME_RAW or INFLUX_TIME_TEXT",
                o->raw_time);
  if (o && o->epoch && !(ef = precision_factor(o->epoch)))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "epoch \"%.20s\" is not one of h, m, s, ms, u, ns", o->epoch);
  influx_decoder *d = calloc(1, sizeof *d);
  if (!d || !(d->r = calloc(1, sizeof *d->r))) {
    free(d);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  d->format =
      format == INFLUX_FORMAT_JSON ? INFLUX_FORMAT_JSON : INFLUX_FORMAT_MSGPACK;
  rb_init(&d->rb, d->r);
  d->rb.err = &d->err;
  d->rb.epoch_factor = ef;
  d->rb.raw_time = o ? o->raw_time : 0;
  d->rb.merge = o ? !o->unchunked : 1;
  d->rb.h = h;
  d->rb.keep_errors = o ? o->keep_statement_errors : 0;
  d->keep_raw = o ? o->keep_raw : 0;
  d->sh.rb = &d->rb;
  if (use_format(d, d->format)) {
    influx_decoder_free(d);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  *out = d;
  return INFLUX_OK;
}

static influx_status dec_error(influx_decoder *d, const char *msg,
                               influx_error *err) {
  if (d->rb.st) {
    if (err)
      *err = d->err;
    return d->rb.st;
  }
  d->rb.st = INFLUX_ERR_PARSE;
  ierr(&d->err, INFLUX_ERR_PARSE, "%s", msg);
  if (err)
    *err = d->err;
  return INFLUX_ERR_PARSE;
}

influx_status influx_decoder_set_content_type(influx_decoder *d,
                                              const char *ctype,
                                              influx_error *err) {
  if (!d)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "decoder_set_content_type: NULL decoder");
  if (d->fed)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "decoder_set_content_type: input has already been fed");
  int kind = media_type_format(ctype);
  d->sniff = kind < 0;
  if (kind < 0)
    return INFLUX_OK;
  if (kind == 0) {
    char m[160];
    snprintf(m, sizeof m,
             "the server answered with Content-Type \"%.80s\", not JSON or "
             "msgpack",
             ctype);
    for (char *c = m; *c; c++) /* a header is no place for controls */
      if ((unsigned char)*c < 0x20 || *c == 0x7f)
        *c = '?';
    return dec_error(d, m, err);
  }
  if (use_format(d, (influx_format)kind))
    return dec_error(d, "out of memory", err);
  return INFLUX_OK;
}

influx_status influx_decoder_feed(influx_decoder *d, const char *data,
                                  size_t len, influx_error *err) {
  if (!d || (!data && len))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "decoder_feed: NULL argument");
  if (d->rb.st) {
    if (err)
      *err = d->err;
    return d->rb.st;
  }
  if (!len)
    return INFLUX_OK;
  if (d->sniff && !d->fed) {
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                       data[i] == '\t'))
      i++;
    if (i < len) {
      d->sniff = 0;
      if (use_format(d, data[i] == '{' ? INFLUX_FORMAT_JSON
                                       : INFLUX_FORMAT_MSGPACK))
        return dec_error(d, "out of memory", err);
    }
  }
  d->fed += len;
  if (d->keep_raw && ibuf_append(&d->raw, data, len))
    return dec_error(d, "out of memory keeping the raw response", err);
  char msg[256] = "";
  int rc = d->json ? json_dec_feed(d->json, data, len, msg, sizeof msg)
                   : mp_dec_feed(d->mp, data, len, msg, sizeof msg);
  if (rc || d->rb.st)
    return dec_error(d, msg[0] ? msg : "malformed response", err);
  return INFLUX_OK;
}

influx_status influx_decoder_finish(influx_decoder *d, influx_result **out,
                                    influx_error *err) {
  if (out)
    *out = NULL;
  if (!d)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "decoder_finish: NULL decoder");
  if (d->rb.st) {
    if (err)
      *err = d->err;
    return d->rb.st;
  }
  char msg[256] = "";
  int rc;
  if (!d->fed)
    rc = (snprintf(msg, sizeof msg, "empty response body"), 1);
  else
    rc = d->json ? json_dec_finish(d->json, msg, sizeof msg)
                 : mp_dec_finish(d->mp, msg, sizeof msg);
  if (rc || d->rb.st)
    return dec_error(d, msg[0] ? msg : "malformed response", err);
  if (d->keep_raw) {
    d->r->raw_len = d->raw.len;
    d->r->raw = ibuf_take(&d->raw);
  }
  if (out && !d->rb.h) {
    *out = d->r;
    d->r = NULL;
  }
  return INFLUX_OK;
}

void influx_decoder_free(influx_decoder *d) {
  if (!d)
    return;
  json_dec_free(d->json);
  mp_dec_free(d->mp);
  rb_free(&d->rb);
  shape_free(&d->sh);
  ibuf_free(&d->raw);
  influx_result_free(d->r);
  free(d);
}

/* ---- request building ---- */

/* POST for statements that change things, as the server requires. Any bare
 * (unquoted) keyword of that kind is enough; a false positive only costs a
 * POST, which the server accepts for reads too. */
static int query_writes(const char *q) {
  static const char *const kw[] = {"INTO",   "CREATE", "DROP", "ALTER", "GRANT",
                                   "REVOKE", "DELETE", "KILL", "SET",   NULL};
  const char *p = q;
  while (*p) {
    char c = *p;
    if (c == '\'' || c == '"') {
      p++;
      while (*p && *p != c) {
        if (*p == '\\' && p[1])
          p++;
        p++;
      }
      if (*p)
        p++;
      continue;
    }
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') {
      const char *s = p;
      while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
             (*p >= '0' && *p <= '9') || *p == '_')
        p++;
      char w[8];
      size_t n = (size_t)(p - s);
      if (n < sizeof w) {
        memcpy(w, s, n);
        w[n] = 0;
        for (const char *const *k = kw; *k; k++)
          if (istrcaseeq(w, *k))
            return 1;
      }
      continue;
    }
    p++;
  }
  return 0;
}

static influx_status bind_json(const influx_query_options *o, ibuf *b,
                               influx_error *err) {
  ibuf_putc(b, '{');
  for (size_t i = 0; i < o->nbind_params; i++) {
    const influx_param *p = &o->bind_params[i];
    if (!p->name || !*p->name)
      return ierr(err, INFLUX_ERR_INVALID_ARG, "bind parameter %zu has no name",
                  i);
    size_t nl = strlen(p->name);
    if (utf8_check(p->name, nl) != nl)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "bind parameter %zu name is not valid UTF-8", i);
    if (i)
      ibuf_putc(b, ',');
    json_string(b, p->name, nl);
    ibuf_putc(b, ':');
    char num[40];
    switch (p->value.type) {
    case INFLUX_VALUE_INT:
      fmt_i64(p->value.v.i, num);
      ibuf_puts(b, num);
      break;
    case INFLUX_VALUE_UINT:
      fmt_u64(p->value.v.u, num);
      ibuf_puts(b, num);
      break;
    case INFLUX_VALUE_FLOAT:
      if (!isfinite(p->value.v.f))
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "bind parameter \"%.60s\" is not a finite number", p->name);
      fmt_double(p->value.v.f, num);
      ibuf_puts(b, num);
      /* Keep it a float for the server: 2 would bind as an integer. */
      if (!strpbrk(num, ".eE"))
        ibuf_puts(b, ".0");
      break;
    case INFLUX_VALUE_BOOL:
      ibuf_puts(b, p->value.v.b ? "true" : "false");
      break;
    case INFLUX_VALUE_STRING: {
      const char *s = p->value.v.s;
      if (!s)
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "bind parameter \"%.60s\" string is NULL", p->name);
      size_t sl = p->value.len ? p->value.len : strlen(s);
      if (utf8_check(s, sl) != sl)
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "bind parameter \"%.60s\" is not valid UTF-8", p->name);
      json_string(b, s, sl);
      break;
    }
    case INFLUX_VALUE_TIME: {
      char t[48];
      rfc3339_format(p->value.v.i, t);
      json_string(b, t, strlen(t));
      break;
    }
    default:
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "bind parameter \"%.60s\" has an unsupported type", p->name);
    }
  }
  if (ibuf_putc(b, '}'))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  return INFLUX_OK;
}

typedef query_run qreq;

static influx_status build_query(influx_client *c, const char *q,
                                 const influx_query_options *o, qreq *r,
                                 influx_error *err) {
  memset(r, 0, sizeof *r);
  if (!q || !*q)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "query is empty");
  size_t ql = strlen(q);
  if (utf8_check(q, ql) != ql)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "query is not valid UTF-8");
  if (o->epoch && !precision_factor(o->epoch))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "epoch \"%.20s\" is not one of h, m, s, ms, u, ns", o->epoch);
  if (o->nbind_params && !o->bind_params)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "bind_params is NULL with nbind_params > 0");
  if (o->format != INFLUX_FORMAT_AUTO && o->format != INFLUX_FORMAT_JSON &&
      o->format != INFLUX_FORMAT_MSGPACK)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "unknown format %d",
                (int)o->format);
  const char *method = o->method;
  if (method && strcmp(method, "GET") && strcmp(method, "POST"))
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "method \"%.20s\" is not GET or POST", method);
  if (!method)
    method = query_writes(q) ? "POST" : "GET";
  influx_status st = INFLUX_OK;
  ibuf *dst = !strcmp(method, "POST") ? &r->body : &r->qs;
  int bad = qs_add(dst, "q", q);
  const char *db = o->database ? o->database : c->database;
  if (db)
    bad |= qs_add(&r->qs, "db", db);
  if (o->epoch) {
    const char *e = precision_canon(o->epoch);
    bad |= qs_add(&r->qs, "epoch", !strcmp(e, "n") ? "ns" : e);
  }
  if (!o->unchunked) {
    bad |= qs_add(&r->qs, "chunked", "true");
    if (o->chunk_size) {
      char n[24];
      snprintf(n, sizeof n, "%zu", o->chunk_size);
      bad |= qs_add(&r->qs, "chunk_size", n);
    }
  }
  for (const char *const *p = o->params; p && *p; p += 2) {
    if (!p[1])
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "parameter \"%.60s\" has no value", p[0]);
    /* bind_params take precedence over params["params"], as in the seed */
    if (!strcmp(p[0], "params") && o->nbind_params)
      continue;
    bad |= qs_add(&r->qs, p[0], p[1]);
  }
  if (o->nbind_params) {
    ibuf js = {0};
    st = bind_json(o, &js, err);
    if (!st)
      bad |= qs_add(dst, "params", js.p);
    ibuf_free(&js);
    if (st)
      return st;
  }
  if (bad)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  http_call *call = &r->call;
  call->method = method;
  call->path = "query";
  call->qs = r->qs.p;
  if (r->body.p) {
    call->body = r->body.p;
    call->body_len = r->body.len;
    call->content_type = "application/x-www-form-urlencoded";
  }
  call->accept = o->format == INFLUX_FORMAT_JSON ? "application/json"
                                                 : "application/x-msgpack";
  call->expected = o->expected_response_code;
  /* Reads may be repeated after a 5xx; statements that change things not. */
  call->retry_5xx = !strcmp(method, "GET");
  return INFLUX_OK;
}

static int feed_cb(void *u, const char *data, size_t len) {
  influx_decoder *d = u;
  return influx_decoder_feed(d, data, len, NULL) != INFLUX_OK;
}

static int start_cb(void *u, const char *ctype) {
  influx_decoder *d = u;
  return influx_decoder_set_content_type(d, ctype, NULL) != INFLUX_OK;
}

/* Reports statement errors and truncation found in a whole result. */
static influx_status check_result(const influx_result *r,
                                  const influx_query_options *o,
                                  influx_error *err) {
  if (r->top_error)
    return ierr(err, INFLUX_ERR_STATEMENT, "%s", r->top_error);
  if (!o->keep_statement_errors)
    for (size_t i = 0; i < r->nst; i++)
      if (r->st[i].error)
        return ierr(err, INFLUX_ERR_STATEMENT, "statement %d: %s", r->st[i].id,
                    r->st[i].error);
  if (!o->allow_partial)
    for (size_t i = 0; i < r->nst; i++)
      if (influx_result_partial(r, i))
        return ierr(err, INFLUX_ERR_PARTIAL,
                    "statement %d: the server returned a partial result "
                    "(truncated by max-row-limit, or flagged so by influxd "
                    "1.6 for a long series: query chunked to be sure)",
                    r->st[i].id);
  return INFLUX_OK;
}

influx_status query_start(influx_client *c, const char *q,
                          const influx_query_options *o,
                          const influx_stream_handlers *h, query_run *qr,
                          influx_error *err) {
  static const influx_query_options none;
  if (!o)
    o = &none;
  influx_status st = build_query(c, q, o, qr, err);
  if (!st)
    st = influx_decoder_new(o->format, o, h, &qr->d, err);
  if (st) {
    ibuf_free(&qr->qs);
    ibuf_free(&qr->body);
    return st;
  }
  qr->o = o;
  qr->h = h;
  qr->call.on_body = feed_cb;
  qr->call.on_start = start_cb;
  qr->call.user = qr->d;
  return INFLUX_OK;
}

influx_status query_end(query_run *qr, influx_status st, influx_result **out,
                        influx_error *err) {
  influx_decoder *d = qr->d;
  const influx_query_options *o = qr->o;
  if (st == INFLUX_ERR_ABORTED && d->rb.st) {
    st = d->rb.st;
    if (err)
      *err = d->err;
  } else if (st == INFLUX_OK) {
    influx_result *result = NULL;
    st = influx_decoder_finish(d, &result, err);
    if (st == INFLUX_OK && result) {
      st = check_result(result, o, err);
      if (out)
        *out = result;
      else
        influx_result_free(result);
    } else if (st == INFLUX_OK && qr->h) {
      /* Streaming: truncation shows as a partial flag at the very end. */
      if (d->r->nst && !o->allow_partial && d->r->st[d->r->nst - 1].partial &&
          d->rb.cur.partial)
        st = ierr(err, INFLUX_ERR_PARTIAL,
                  "the server returned a partial result (truncated)");
      if (d->r->top_error)
        st = ierr(err, INFLUX_ERR_STATEMENT, "%s", d->r->top_error);
    }
  }
  influx_decoder_free(d);
  ibuf_free(&qr->qs);
  ibuf_free(&qr->body);
  memset(qr, 0, sizeof *qr);
  return st;
}

static influx_status run_query(influx_client *c, const char *q,
                               const influx_query_options *o,
                               const influx_stream_handlers *h,
                               influx_result **out, influx_error *err) {
  if (out)
    *out = NULL;
  if (!c)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "query: client is NULL");
  query_run r;
  influx_status st = query_start(c, q, o, h, &r, err);
  if (st)
    return st;
  http_result res;
  st = http_perform(c, &r.call, &res, err);
  ibuf_free(&res.body);
  return query_end(&r, st, out, err);
}

influx_status influx_query(influx_client *c, const char *query,
                           const influx_query_options *o, influx_result **out,
                           influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "query: out is NULL");
  return run_query(c, query, o, NULL, out, err);
}

influx_status influx_query_stream(influx_client *c, const char *query,
                                  const influx_query_options *o,
                                  const influx_stream_handlers *h,
                                  influx_error *err) {
  if (!h || !h->on_series)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "query_stream: handlers with on_series are required");
  return run_query(c, query, o, h, NULL, err);
}
