/* Points in the seed's JSON form (what write_points takes as dicts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "influxc/point.h"
#include "internal.h"
#include "result_impl.h"

struct influx_point_set {
  yajl_val root; /* strings point into it */
  influx_point *pts;
  influx_tag **tags;
  influx_field **fields;
  size_t n;
};

void influx_point_set_free(influx_point_set *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->n; i++) {
    if (s->tags)
      free(s->tags[i]);
    if (s->fields)
      free(s->fields[i]);
  }
  free(s->tags);
  free(s->fields);
  free(s->pts);
  yajl_tree_free(s->root);
  free(s);
}

size_t influx_point_set_count(const influx_point_set *s) {
  return s ? s->n : 0;
}

const influx_point *influx_point_set_points(const influx_point_set *s) {
  return s ? s->pts : NULL;
}

static influx_status parse_tags(influx_point_set *s, size_t i, yajl_val v,
                                influx_error *err) {
  size_t nt = v->u.object.len;
  free(s->tags[i]); /* a repeated "tags" key: the last one wins */
  s->tags[i] = calloc(nt ? nt : 1, sizeof **s->tags);
  if (!s->tags[i])
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  for (size_t t = 0; t < nt; t++) {
    yajl_val tv = v->u.object.values[t];
    s->tags[i][t].key = v->u.object.keys[t];
    if (YAJL_IS_STRING(tv))
      s->tags[i][t].value = YAJL_GET_STRING(tv);
    else if (YAJL_IS_NULL(tv))
      s->tags[i][t].value = "";
    else
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "point %zu: tag \"%.60s\" is not a string", i,
                  v->u.object.keys[t]);
  }
  s->pts[i].tags = s->tags[i];
  s->pts[i].ntags = nt;
  return INFLUX_OK;
}

/* Classifies a JSON number from its text (yajl's own conversion misreads
 * INT64_MIN and depends on the locale): integers stay exact int64, other
 * numbers are doubles. */
static int number(const char *t, influx_field *f) {
  if (!strpbrk(t, ".eE")) {
    errno = 0;
    char *end;
    long long v = strtoll(t, &end, 10);
    if (errno || *end)
      return -1;
    f->type = INFLUX_FIELD_INT;
    f->v.i = v;
    return 0;
  }
  f->type = INFLUX_FIELD_FLOAT;
  f->v.f = c_strtod(t, NULL);
  return 0;
}

static influx_status parse_fields(influx_point_set *s, size_t i, yajl_val v,
                                  influx_error *err) {
  size_t nf = v->u.object.len, kept = 0;
  free(s->fields[i]); /* a repeated "fields" key: the last one wins */
  s->fields[i] = calloc(nf ? nf : 1, sizeof **s->fields);
  if (!s->fields[i])
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  for (size_t f = 0; f < nf; f++) {
    yajl_val fv = v->u.object.values[f];
    influx_field *fd = &s->fields[i][kept];
    fd->key = v->u.object.keys[f];
    if (YAJL_IS_NULL(fv))
      continue;
    if (YAJL_IS_NUMBER(fv)) {
      if (number(YAJL_GET_NUMBER(fv), fd))
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "point %zu: field \"%.60s\" = %.40s is out of range", i,
                    fd->key, YAJL_GET_NUMBER(fv));
    } else if (YAJL_IS_TRUE(fv) || YAJL_IS_FALSE(fv)) {
      fd->type = INFLUX_FIELD_BOOL;
      fd->v.b = YAJL_IS_TRUE(fv);
    } else if (YAJL_IS_STRING(fv)) {
      fd->type = INFLUX_FIELD_STRING;
      fd->v.s = YAJL_GET_STRING(fv);
    } else {
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "point %zu: field \"%.60s\" is not a number, bool or string",
                  i, fd->key);
    }
    kept++;
  }
  s->pts[i].fields = s->fields[i];
  s->pts[i].nfields = kept;
  return INFLUX_OK;
}

static influx_status parse_point(influx_point_set *s, size_t i, yajl_val o,
                                 influx_error *err) {
  if (!YAJL_IS_OBJECT(o))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "point %zu is not an object", i);
  influx_point *p = &s->pts[i];
  influx_status st = INFLUX_OK;
  for (size_t k = 0; k < o->u.object.len && !st; k++) {
    const char *key = o->u.object.keys[k];
    yajl_val v = o->u.object.values[k];
    if (!strcmp(key, "measurement")) {
      if (!YAJL_IS_STRING(v))
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "point %zu: measurement is not a string", i);
      p->measurement = YAJL_GET_STRING(v);
    } else if (!strcmp(key, "tags") && YAJL_IS_OBJECT(v)) {
      st = parse_tags(s, i, v, err);
    } else if (!strcmp(key, "fields") && YAJL_IS_OBJECT(v)) {
      st = parse_fields(s, i, v, err);
    } else if (!strcmp(key, "time")) {
      influx_field tf;
      if (YAJL_IS_NUMBER(v)) {
        if (number(YAJL_GET_NUMBER(v), &tf) || tf.type != INFLUX_FIELD_INT)
          return ierr(err, INFLUX_ERR_INVALID_ARG,
                      "point %zu: time %.40s is not an int64", i,
                      YAJL_GET_NUMBER(v));
        p->time = tf.v.i;
        p->has_time = 1;
      } else if (YAJL_IS_STRING(v)) {
        const char *t = YAJL_GET_STRING(v);
        if (rfc3339_parse(t, strlen(t), &p->time))
          return ierr(err, INFLUX_ERR_INVALID_ARG,
                      "point %zu: time \"%.60s\" is not RFC3339", i, t);
        p->has_time = 1;
        p->precision = "n";
      } else if (!YAJL_IS_NULL(v)) {
        return ierr(err, INFLUX_ERR_INVALID_ARG,
                    "point %zu: time must be an integer or RFC3339 string", i);
      }
    } else if (!strcmp(key, "tags") || !strcmp(key, "fields")) {
      return ierr(err, INFLUX_ERR_INVALID_ARG, "point %zu: %s is not an object",
                  i, key);
    }
  }
  return st;
}

influx_status influx_point_set_parse_json(const char *json, size_t len,
                                          influx_point_set **out,
                                          influx_error *err) {
  if (!out || (!json && len))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "parse_json: NULL argument");
  *out = NULL;
  char *text = istrndup(json ? json : "", len);
  if (!text)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  /* yajl's tree is built and freed recursively: bound the depth first. */
  if (json_nesting(text, len, JSON_MAX_NESTING) > JSON_MAX_NESTING) {
    free(text);
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "invalid JSON: nested deeper than %d levels (points need 3)",
                JSON_MAX_NESTING);
  }
  char ebuf[256] = "";
  yajl_val root = yajl_tree_parse(text, ebuf, sizeof ebuf);
  free(text);
  if (!root) {
    size_t l = strlen(ebuf);
    while (l && (ebuf[l - 1] == '\n' || ebuf[l - 1] == ' '))
      ebuf[--l] = 0;
    return ierr(err, INFLUX_ERR_INVALID_ARG, "invalid JSON: %s", ebuf);
  }
  yajl_val arr = root;
  if (YAJL_IS_OBJECT(root)) {
    const char *path[] = {"points", NULL};
    arr = yajl_tree_get(root, path, yajl_t_array);
  }
  if (!arr || !YAJL_IS_ARRAY(arr)) {
    yajl_tree_free(root);
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "expected a JSON array of points (or {\"points\": [...]})");
  }
  influx_point_set *s = calloc(1, sizeof *s);
  size_t n = arr->u.array.len;
  if (s) {
    s->root = root;
    s->pts = calloc(n ? n : 1, sizeof *s->pts);
    s->tags = calloc(n ? n : 1, sizeof *s->tags);
    s->fields = calloc(n ? n : 1, sizeof *s->fields);
  }
  if (!s || !s->pts || !s->tags || !s->fields) {
    if (s)
      s->n = 0;
    influx_point_set_free(s);
    if (!s)
      yajl_tree_free(root);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  s->n = n;
  for (size_t i = 0; i < n; i++) {
    influx_status st = parse_point(s, i, arr->u.array.values[i], err);
    if (st) {
      influx_point_set_free(s);
      return st;
    }
  }
  *out = s;
  return INFLUX_OK;
}
