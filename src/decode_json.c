/* The response shape machine and the JSON push decoder (yajl). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "decode_impl.h"

enum ctx {
  C_TOP = 1,
  C_RESULTS,
  C_RESULT,
  C_SERIES_ARR,
  C_SERIES,
  C_TAGS,
  C_COLUMNS,
  C_VALUES,
  C_ROW
};
enum key {
  K_OTHER = 0,
  K_RESULTS,
  K_ERROR,
  K_STATEMENT_ID,
  K_SERIES,
  K_PARTIAL,
  K_NAME,
  K_TAGS,
  K_COLUMNS,
  K_VALUES
};

static int bad_shape(shape *s, const char *what) {
  char m[128];
  snprintf(m, sizeof m, "unexpected response shape: %s", what);
  return rb_fail(s->rb, INFLUX_ERR_PARSE, m);
}

static int push(shape *s, int c) {
  if (s->depth >= SHAPE_MAX_DEPTH)
    return bad_shape(s, "nesting too deep");
  s->stack[s->depth++] = (unsigned char)c;
  s->key = K_OTHER;
  return 0;
}

static int top(const shape *s) { return s->depth ? s->stack[s->depth - 1] : 0; }

void shape_free(shape *s) {
  ibuf_free(&s->tagkey);
  ibuf_free(&s->deferred);
}

/* ---- rows held until their series' columns come ---- */

enum { EV_ROW = 'R', EV_END = 'E', EV_VALUE = 'V' };

static int defer(shape *s, char ev, const influx_value *v) {
  size_t more =
      1 + (v ? sizeof *v + (v->type == INFLUX_VALUE_STRING ? v->len : 0) : 0);
  if (s->deferred.len + more > SHAPE_MAX_DEFERRED)
    return rb_fail(s->rb, INFLUX_ERR_PARSE,
                   "a series sends over 64 MB of values before its columns");
  int bad = ibuf_append(&s->deferred, &ev, 1);
  if (v) {
    bad |= ibuf_append(&s->deferred, (const char *)v, sizeof *v);
    if (v->type == INFLUX_VALUE_STRING && v->len)
      bad |= ibuf_append(&s->deferred, v->v.s, v->len);
  }
  return bad ? rb_fail(s->rb, INFLUX_ERR_NOMEM, "out of memory") : 0;
}

/* Hands the held rows to the builder, in order. */
static int replay(shape *s) {
  const char *p = s->deferred.p, *e = p + s->deferred.len;
  int rc = 0;
  while (!rc && p < e) {
    char ev = *p++;
    if (ev == EV_ROW) {
      rc = rb_row_begin(s->rb);
    } else if (ev == EV_END) {
      rc = rb_row_end(s->rb);
    } else {
      influx_value v;
      memcpy(&v, p, sizeof v);
      p += sizeof v;
      if (v.type == INFLUX_VALUE_STRING) {
        v.v.s = p;
        p += v.len;
      }
      rc = rb_value(s->rb, &v);
    }
  }
  s->deferred.len = 0;
  return rc;
}

int shape_idle(const shape *s) { return s->depth == 0 && s->skip == 0; }

/* Values under keys the shape does not know are skipped, but not without
 * bound: influxd's answers are a few levels deep, a hostile one may not be. */
static int skip_deeper(shape *s) {
  if (s->depth + ++s->skip > JSON_MAX_NESTING)
    return bad_shape(s, "nesting too deep");
  return 0;
}

int shape_map_start(shape *s) {
  if (s->skip)
    return skip_deeper(s);
  int t = top(s);
  if (t == 0)
    return push(s, C_TOP);
  if (t == C_RESULTS)
    return push(s, C_RESULT) || rb_result_begin(s->rb);
  if (t == C_SERIES_ARR) {
    s->cols = 0;
    s->deferred.len = 0;
    return push(s, C_SERIES) || rb_series_begin(s->rb);
  }
  if (t == C_SERIES && s->key == K_TAGS)
    return push(s, C_TAGS);
  if ((t == C_TOP && s->key == K_RESULTS) ||
      (t == C_RESULT && s->key == K_SERIES) ||
      (t == C_SERIES && (s->key == K_COLUMNS || s->key == K_VALUES)))
    return bad_shape(s, "object where an array was expected");
  if (t == C_ROW || t == C_COLUMNS || t == C_VALUES || t == C_TAGS)
    return bad_shape(s, "object where a value was expected");
  s->skip = 1;
  return 0;
}

int shape_map_end(shape *s) {
  if (s->skip) {
    s->skip--;
    return 0;
  }
  int t = top(s);
  if (t != C_TOP && t != C_RESULT && t != C_SERIES && t != C_TAGS)
    return bad_shape(s, "unbalanced object");
  s->depth--;
  s->key = K_OTHER;
  if (t == C_RESULT)
    return rb_result_end(s->rb);
  if (t == C_SERIES)
    return (s->deferred.len && replay(s)) || rb_series_end(s->rb);
  return 0;
}

int shape_array_start(shape *s) {
  if (s->skip)
    return skip_deeper(s);
  int t = top(s);
  if (t == C_TOP && s->key == K_RESULTS)
    return push(s, C_RESULTS);
  if (t == C_RESULT && s->key == K_SERIES)
    return push(s, C_SERIES_ARR);
  if (t == C_SERIES && s->key == K_COLUMNS)
    return push(s, C_COLUMNS);
  if (t == C_SERIES && s->key == K_VALUES) {
    s->deferring = !s->cols;
    return push(s, C_VALUES);
  }
  if (t == C_VALUES)
    return push(s, C_ROW) ||
           (s->deferring ? defer(s, EV_ROW, NULL) : rb_row_begin(s->rb));
  if (t == C_SERIES && s->key == K_TAGS)
    return bad_shape(s, "tags is not an object");
  if (t == 0 || t == C_ROW || t == C_COLUMNS || t == C_TAGS || t == C_RESULTS ||
      t == C_SERIES_ARR)
    return bad_shape(s, "array where it does not belong");
  s->skip = 1;
  return 0;
}

int shape_array_end(shape *s) {
  if (s->skip) {
    s->skip--;
    return 0;
  }
  int t = top(s);
  if (t != C_RESULTS && t != C_SERIES_ARR && t != C_COLUMNS && t != C_VALUES &&
      t != C_ROW)
    return bad_shape(s, "unbalanced array");
  s->depth--;
  s->key = K_OTHER;
  if (t == C_ROW)
    return s->deferring ? defer(s, EV_END, NULL) : rb_row_end(s->rb);
  if (t == C_VALUES)
    s->deferring = 0;
  if (t == C_COLUMNS) {
    s->cols = 1;
    if (s->deferred.len)
      return replay(s);
  }
  return 0;
}

static int key_id(const char *k, size_t n) {
  static const struct {
    const char *name;
    int id;
  } keys[] = {{"results", K_RESULTS},
              {"error", K_ERROR},
              {"statement_id", K_STATEMENT_ID},
              {"series", K_SERIES},
              {"partial", K_PARTIAL},
              {"name", K_NAME},
              {"tags", K_TAGS},
              {"columns", K_COLUMNS},
              {"values", K_VALUES}};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    if (strlen(keys[i].name) == n && !memcmp(keys[i].name, k, n))
      return keys[i].id;
  return K_OTHER;
}

int shape_key(shape *s, const char *k, size_t n) {
  if (s->skip)
    return 0;
  if (top(s) == C_TAGS) {
    s->tagkey.len = 0;
    if (ibuf_append(&s->tagkey, k, n))
      return rb_fail(s->rb, INFLUX_ERR_NOMEM, "out of memory");
    return 0;
  }
  s->key = key_id(k, n);
  return 0;
}

int shape_scalar(shape *s, const influx_value *v) {
  if (s->skip)
    return 0;
  rbuilder *rb = s->rb;
  int t = top(s);
  int str = v->type == INFLUX_VALUE_STRING;
  switch (t) {
  case C_ROW:
    return s->deferring ? defer(s, EV_VALUE, v) : rb_value(rb, v);
  case C_COLUMNS:
    if (!str)
      return bad_shape(s, "column name is not a string");
    return rb_series_column(rb, v->v.s, v->len);
  case C_TAGS:
    if (v->type == INFLUX_VALUE_NULL)
      return rb_series_tag(rb, s->tagkey.p ? s->tagkey.p : "", s->tagkey.len,
                           "", 0);
    if (!str)
      return bad_shape(s, "tag value is not a string");
    return rb_series_tag(rb, s->tagkey.p ? s->tagkey.p : "", s->tagkey.len,
                         v->v.s, v->len);
  case C_TOP:
    if (s->key == K_ERROR && str)
      return rb_top_error(rb, v->v.s, v->len);
    return 0;
  case C_RESULT:
    if (s->key == K_STATEMENT_ID) {
      if (v->type == INFLUX_VALUE_INT)
        return rb_statement_id(rb, v->v.i);
      if (v->type == INFLUX_VALUE_UINT && v->v.u < 1000000000)
        return rb_statement_id(rb, (int64_t)v->v.u);
      return bad_shape(s, "statement_id is not an integer");
    }
    if (s->key == K_ERROR && str)
      return rb_statement_error(rb, v->v.s, v->len);
    if (s->key == K_PARTIAL && v->type == INFLUX_VALUE_BOOL)
      return rb_statement_partial(rb, v->v.b);
    return 0;
  case C_SERIES:
    if (s->key == K_NAME && str)
      return rb_series_name(rb, v->v.s, v->len);
    if (s->key == K_PARTIAL && v->type == INFLUX_VALUE_BOOL)
      return rb_series_partial(rb, v->v.b);
    if (s->key == K_NAME || s->key == K_PARTIAL)
      return bad_shape(s, "series name/partial has the wrong type");
    return 0;
  case C_RESULTS:
  case C_SERIES_ARR:
  case C_VALUES:
    return bad_shape(s, "scalar where an object or array was expected");
  default:
    return bad_shape(s, "top-level value is not an object");
  }
}

/* ---- JSON via yajl ---- */

struct json_dec {
  yajl_handle y;
  shape *s;
};

static int j_null(void *u) {
  influx_value v = {.type = INFLUX_VALUE_NULL};
  return !shape_scalar(((json_dec *)u)->s, &v);
}

static int j_bool(void *u, int b) {
  influx_value v = {.type = INFLUX_VALUE_BOOL, .v.b = !!b};
  return !shape_scalar(((json_dec *)u)->s, &v);
}

/* Integers stay exact (int64, or uint64 above); others are doubles parsed
 * independently of the locale. */
static int j_number(void *u, const char *p, size_t n) {
  influx_value v = {.type = INFLUX_VALUE_INT};
  int is_int = 1;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '.' || p[i] == 'e' || p[i] == 'E')
      is_int = 0;
  if (is_int) {
    size_t i = p[0] == '-';
    uint64_t acc = 0;
    int over = 0;
    for (; i < n; i++) {
      unsigned d = (unsigned)(p[i] - '0');
      if (acc > (UINT64_MAX - d) / 10)
        over = 1;
      acc = acc * 10 + d;
    }
    if (!over) {
      if (p[0] == '-' && acc <= (uint64_t)INT64_MAX + 1) {
        v.v.i = (int64_t)(0 - acc);
        return !shape_scalar(((json_dec *)u)->s, &v);
      }
      if (p[0] != '-' && acc <= (uint64_t)INT64_MAX) {
        v.v.i = (int64_t)acc;
        return !shape_scalar(((json_dec *)u)->s, &v);
      }
      if (p[0] != '-') {
        v.type = INFLUX_VALUE_UINT;
        v.v.u = acc;
        return !shape_scalar(((json_dec *)u)->s, &v);
      }
    }
  }
  char tmp[64];
  char *buf = n < sizeof tmp ? tmp : malloc(n + 1);
  if (!buf)
    return !rb_fail(((json_dec *)u)->s->rb, INFLUX_ERR_NOMEM, "out of memory");
  memcpy(buf, p, n);
  buf[n] = 0;
  v.type = INFLUX_VALUE_FLOAT;
  v.v.f = c_strtod(buf, NULL);
  if (buf != tmp)
    free(buf);
  return !shape_scalar(((json_dec *)u)->s, &v);
}

static int j_string(void *u, const unsigned char *p, size_t n) {
  if (n > UINT32_MAX)
    return !rb_fail(((json_dec *)u)->s->rb, INFLUX_ERR_PARSE,
                    "string too long");
  influx_value v = {
      .type = INFLUX_VALUE_STRING, .len = (uint32_t)n, .v.s = (const char *)p};
  return !shape_scalar(((json_dec *)u)->s, &v);
}

static int j_map_start(void *u) { return !shape_map_start(((json_dec *)u)->s); }
static int j_map_end(void *u) { return !shape_map_end(((json_dec *)u)->s); }
static int j_arr_start(void *u) {
  return !shape_array_start(((json_dec *)u)->s);
}
static int j_arr_end(void *u) { return !shape_array_end(((json_dec *)u)->s); }
static int j_key(void *u, const unsigned char *k, size_t n) {
  return !shape_key(((json_dec *)u)->s, (const char *)k, n);
}

static const yajl_callbacks jcb = {j_null,    j_bool,      NULL,        NULL,
                                   j_number,  j_string,    j_map_start, j_key,
                                   j_map_end, j_arr_start, j_arr_end};

json_dec *json_dec_new(shape *s) {
  json_dec *d = calloc(1, sizeof *d);
  if (!d)
    return NULL;
  d->s = s;
  d->y = yajl_alloc(&jcb, NULL, d);
  if (!d->y) {
    free(d);
    return NULL;
  }
  /* Chunked responses are JSON documents one after another. */
  yajl_config(d->y, yajl_allow_multiple_values, 1);
  return d;
}

static int j_status(json_dec *d, yajl_status st, const char *p, size_t n,
                    char *msg, size_t msz) {
  if (st == yajl_status_ok)
    return 0;
  if (st == yajl_status_client_canceled || d->s->rb->st)
    return -1;
  unsigned char *e = yajl_get_error(d->y, 0, (const unsigned char *)p, n);
  snprintf(msg, msz, "malformed JSON response: %s", e ? (char *)e : "?");
  if (e)
    yajl_free_error(d->y, e);
  /* yajl's message ends with a newline. */
  size_t l = strlen(msg);
  while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
    msg[--l] = 0;
  return 1;
}

int json_dec_feed(json_dec *d, const char *p, size_t n, char *msg, size_t msz) {
  yajl_status st = yajl_parse(d->y, (const unsigned char *)p, n);
  return j_status(d, st, p, n, msg, msz);
}

int json_dec_finish(json_dec *d, char *msg, size_t msz) {
  yajl_status st = yajl_complete_parse(d->y);
  if (st == yajl_status_ok && !shape_idle(d->s)) {
    snprintf(msg, msz, "malformed JSON response: truncated");
    return 1;
  }
  return j_status(d, st, "", 0, msg, msz);
}

void json_dec_free(json_dec *d) {
  if (!d)
    return;
  yajl_free(d->y);
  free(d);
}
