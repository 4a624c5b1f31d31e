/* The line-protocol encoder. Escaping follows what influxd 1.x parses
 * (see DESIGN.md): measurement escapes ',' and ' '; tag keys, tag values
 * and field keys escape ',', '=' and ' '; string field values escape '"'
 * and '\'. Whatever the server cannot read back identically is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "influxc/point.h"
#include "internal.h"
#include "lines_impl.h"

influx_lines *influx_lines_new(void) {
  influx_lines *lb = calloc(1, sizeof *lb);
  if (lb)
    lb->prec_factor = 1;
  return lb;
}

void influx_lines_free(influx_lines *lb) {
  if (!lb)
    return;
  ibuf_free(&lb->buf);
  ibuf_free(&lb->dtag_store);
  ibuf_free(&lb->arena);
  free(lb->dtags);
  free(lb->btags);
  free(lb->bfields);
  free(lb->sorted);
  free(lb->ftmp);
  free(lb->lens);
  free(lb->ford);
  free(lb);
}

void influx_lines_reset(influx_lines *lb) {
  if (!lb)
    return;
  lb->buf.len = 0;
  if (lb->buf.p)
    lb->buf.p[0] = 0;
  lb->count = 0;
  lb->building = 0;
}

const char *influx_lines_data(const influx_lines *lb) {
  return lb && lb->buf.p ? lb->buf.p : "";
}
size_t influx_lines_len(const influx_lines *lb) { return lb ? lb->buf.len : 0; }
size_t influx_lines_count(const influx_lines *lb) { return lb ? lb->count : 0; }

influx_status influx_lines_set_precision(influx_lines *lb, const char *p,
                                         influx_error *err) {
  if (!lb)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "lines is NULL");
  int64_t f = precision_factor(p);
  if (!f)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "precision \"%.20s\" is not one of n, u, ms, s, m, h", p);
  lb->prec_factor = f;
  return INFLUX_OK;
}

influx_status influx_lines_set_style(influx_lines *lb, influx_line_style style,
                                     influx_error *err) {
  if (!lb)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "lines is NULL");
  if (style != INFLUX_LINES_EXACT && style != INFLUX_LINES_SEED)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "line style %d is unknown",
                (int)style);
  lb->style = style;
  return INFLUX_OK;
}

influx_status influx_lines_set_default_tags(influx_lines *lb,
                                            const influx_tag *tags, size_t n,
                                            influx_error *err) {
  if (!lb || (n && !tags))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "set_default_tags: NULL argument");
  for (size_t i = 0; i < n; i++)
    if (!tags[i].key || !tags[i].value)
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "default tag %zu has a NULL key or value", i);
  ibuf store = {0};
  size_t *offs = malloc((n ? n : 1) * 2 * sizeof *offs);
  influx_tag *t = malloc((n ? n : 1) * sizeof *t);
  int oom = !offs || !t;
  for (size_t i = 0; i < n && !oom; i++) {
    offs[2 * i] = store.len;
    oom |= ibuf_append(&store, tags[i].key, strlen(tags[i].key) + 1) != 0;
    offs[2 * i + 1] = store.len;
    oom |= ibuf_append(&store, tags[i].value, strlen(tags[i].value) + 1) != 0;
  }
  if (oom) {
    free(offs);
    free(t);
    ibuf_free(&store);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    t[i].key = store.p + offs[2 * i];
    t[i].value = store.p + offs[2 * i + 1];
  }
  free(offs);
  ibuf_free(&lb->dtag_store);
  free(lb->dtags);
  lb->dtag_store = store;
  lb->dtags = t;
  lb->ndtags = n;
  return INFLUX_OK;
}

/* ---- validation ---- */

static influx_status bad(influx_lines *lb, influx_error *err, const char *meas,
                         const char *fmt, const char *what,
                         const char *detail) {
  char m[64];
  snprintf(m, sizeof m, "%s", meas ? meas : "");
  if (err) {
    err->code = INFLUX_ERR_INVALID_ARG;
    err->http_status = 0;
    int k = snprintf(err->message, sizeof err->message,
                     "point %zu (measurement \"%s\"): ", lb->index, m);
    if (k < 0 || (size_t)k >= sizeof err->message)
      k = 0;
    snprintf(err->message + k, sizeof err->message - (size_t)k, fmt, what,
             detail);
  }
  return INFLUX_ERR_INVALID_ARG;
}

/* Checks a name (measurement, tag key/value, field key). Returns NULL if
 * fine, else the reason. `kind` 0: measurement, 1: tag key, 2: field key,
 * 3: tag value. Sets *split_risk for a tag with an odd run of backslashes
 * before ',', '=' or ' ' (see encode_point). */
static const char *name_problem(const char *s, size_t n, int kind,
                                int *split_risk) {
  if (n == 0)
    return "is empty";
  if (utf8_check(s, n) != n)
    return "is not valid UTF-8";
  size_t run = 0; /* backslashes just before s[i] */
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\n' || c == '\r')
      return "contains a line break, which line protocol cannot carry";
    int special = c == ',' || c == '=' || c == ' ';
    if (special && run && kind == 2)
      return "has a backslash before ',', '=' or ' ', which influxd cannot "
             "read back in a field key";
    /* influxd's line splitter pairs backslashes while its tag scanner
     * looks at one byte back: after an odd run the two disagree about
     * where the fields start. Measured on 1.6.7, such tags round-trip
     * unless that moves the line's end (a '"' later in the line at the
     * wrong place): the whole line is checked once it is written. */
    if (special && run % 2 == 1 && kind != 0)
      *split_risk = 1;
    /* Measured on 1.6.7: such a measurement is stored, listed by SHOW
     * MEASUREMENTS, and matched by no SELECT, not even a regex. */
    if (kind == 0 && (special || c == '"') && run)
      return "has a backslash before ',', ' ', '=' or '\"', which influxd "
             "stores but can never query back";
    run = c == '\\' ? run + 1 : 0;
  }
  if (s[n - 1] == '\\')
    return "ends with a backslash, which influxd cannot read back";
  if ((kind == 1 || kind == 2) && n == 4 && !memcmp(s, "time", 4))
    return "is \"time\", which influxd refuses as a tag or field key";
  if (kind == 0 && s[0] == '#')
    return "starts with '#', which influxd takes for a comment";
  if ((kind == 0 || kind == 2) && s[0] == '\t')
    return "starts with a tab, which influxd skips";
  return NULL;
}

/* ---- escaping writers (buffer already reserved for the worst case) ---- */

static char *put_escaped(char *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ',' || c == ' ' || c == '=')
      *o++ = '\\';
    *o++ = c;
  }
  return o;
}

/* Field keys are unescaped by a scan that also turns `\"` into '"', so a
 * backslash right before '"' needs one more. */
static char *put_field_key(char *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ',' || c == ' ' || c == '=' ||
        (c == '"' && i > 0 && s[i - 1] == '\\'))
      *o++ = '\\';
    *o++ = c;
  }
  return o;
}

/* Measurements escape ',' and ' ' only. */
static char *put_measurement(char *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ',' || s[i] == ' ')
      *o++ = '\\';
    *o++ = s[i];
  }
  return o;
}

static char *put_string_value(char *o, const char *s, size_t n) {
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"' || c == '\\')
      *o++ = '\\';
    *o++ = c;
  }
  *o++ = '"';
  return o;
}

/* Converts `t` in units of `from` ns to units of `to` ns, exactly. */
static int convert_time(int64_t t, int64_t from, int64_t to, int64_t *out) {
  if (from == to) {
    *out = t;
    return 0;
  }
  if (from > to) {
    int64_t k = from / to;
    if (__builtin_mul_overflow(t, k, out))
      return -1;
    return 0;
  }
  int64_t k = to / from;
  if (t % k)
    return -2;
  *out = t / k;
  return 0;
}

/* Bytes that stop a plain copy: the terminating NUL, and those that need
 * a closer look: escapes, quotes, line breaks, tabs and everything outside
 * ASCII (UTF-8 validation). Plain strings are copied as they are. */
static const unsigned char plain_tbl[256] = {
    [0] = 1,    ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1,
    ['"'] = 1,  [','] = 1,  ['='] = 1,  ['\\'] = 1,
#define HI16(x)                                                                \
  [x] = 1, [x + 1] = 1, [x + 2] = 1, [x + 3] = 1, [x + 4] = 1, [x + 5] = 1,    \
  [x + 6] = 1, [x + 7] = 1, [x + 8] = 1, [x + 9] = 1, [x + 10] = 1,            \
  [x + 11] = 1, [x + 12] = 1, [x + 13] = 1, [x + 14] = 1, [x + 15] = 1
    HI16(0x80), HI16(0x90), HI16(0xa0), HI16(0xb0), HI16(0xc0),
    HI16(0xd0), HI16(0xe0), HI16(0xf0)
#undef HI16
};

/* Output: the encoder writes through a local pointer into lb->buf; nothing
 * counts until the point is complete (lb->buf.len moves only then), so an
 * error anywhere leaves the buffer as it was. A name is copied on the fast
 * path only if it ends before `lim`, which keeps SLACK bytes free behind
 * it: room for the punctuation, number or time that follows, so those need
 * no check of their own. Whatever leaves the fast path reserves its worst
 * case plus SLACK. */
enum { SLACK = 64 };

/* Makes room for n bytes plus SLACK at offset `at`; 0 or -1. */
static int reserve_at(influx_lines *lb, size_t at, size_t n) {
  if (at + n + SLACK + 1 <= lb->buf.cap)
    return 0;
  size_t keep = lb->buf.len;
  lb->buf.len = at;
  int rc = ibuf_reserve(&lb->buf, n + SLACK);
  lb->buf.len = keep;
  return rc;
}

static inline char *out_lim(const influx_lines *lb) {
  return lb->buf.p + lb->buf.cap - SLACK - 1;
}

static inline size_t avail_at(const char *o, const char *lim) {
  return o < lim ? (size_t)(lim - o) : 0;
}

/* Copies the plain bytes of s to o, up to `avail` bytes; returns how many
 * (s[return] is the byte that stopped the copy, or the copy ran out of
 * room). Unrolled so that the room check is made once per 8 bytes and each
 * byte costs one table lookup; no byte after a stop is read. */
static inline size_t copy_plain(char *o, const unsigned char *p, size_t avail) {
  size_t i = 0;
  while (avail - i >= 8) {
#define STEP(j)                                                                \
  do {                                                                         \
    if (plain_tbl[p[i + j]])                                                   \
      return i + j;                                                            \
    o[i + j] = (char)p[i + j];                                                 \
  } while (0)
    STEP(0);
    STEP(1);
    STEP(2);
    STEP(3);
    STEP(4);
    STEP(5);
    STEP(6);
    STEP(7);
#undef STEP
    i += 8;
  }
  return i;
}

/* The slow path of a name at offset *at: full validation and escaping.
 * Returns NULL or the reason the name cannot be written. */
static const char *name_slow(influx_lines *lb, size_t *at, const char *s,
                             int kind, size_t *len,
                             char *(*esc)(char *, const char *, size_t)) {
  size_t n = strlen(s);
  const char *why = name_problem(s, n, kind, &lb->split_risk);
  if (why)
    return why;
  if (reserve_at(lb, *at, 2 * n + 2))
    return "could not be encoded: out of memory";
  char *e = esc(lb->buf.p + *at, s, n);
  *at = (size_t)(e - lb->buf.p);
  *len = n;
  return NULL;
}

/* Writes a name at *o: a plain name is copied while it is scanned (`kind`
 * is a constant at each call, so the checks below fold away); anything
 * else goes through name_slow. Returns NULL or the reason the name cannot
 * be written; *len receives its length. */
static inline const char *put_name(influx_lines *lb, char **o, char **lim,
                                   const char *s, int kind, size_t *len,
                                   char *(*esc)(char *, const char *, size_t)) {
  size_t n = copy_plain(*o, (const unsigned char *)s, avail_at(*o, *lim));
  if (!s[n] && n && !(kind == 0 && s[0] == '#') &&
      !((kind == 1 || kind == 2) && n == 4 && s[0] == 't' && s[1] == 'i' &&
        s[2] == 'm' && s[3] == 'e')) {
    *o += n;
    *len = n;
    return NULL;
  }
  size_t at = (size_t)(*o - lb->buf.p);
  const char *why = name_slow(lb, &at, s, kind, len, esc);
  *o = lb->buf.p + at;
  *lim = out_lim(lb);
  return why;
}

static const char *value_slow(influx_lines *lb, size_t *at, const char *s) {
  size_t n = strlen(s);
  if (utf8_check(s, n) != n)
    return "is not valid UTF-8";
  if (reserve_at(lb, *at, 2 * n + 2))
    return "could not be encoded: out of memory";
  char *e = put_string_value(lb->buf.p + *at, s, n);
  *at = (size_t)(e - lb->buf.p);
  return NULL;
}

/* A string field value, quoted; NULL or the problem. */
static inline const char *put_value(influx_lines *lb, char **o, char **lim,
                                    const char *s) {
  char *q = *o;
  q[0] = '"';
  size_t n = copy_plain(q + 1, (const unsigned char *)s, avail_at(q + 1, *lim));
  if (!s[n]) {
    q[n + 1] = '"';
    *o = q + n + 2;
    return NULL;
  }
  size_t at = (size_t)(q - lb->buf.p);
  const char *why = value_slow(lb, &at, s);
  *o = lb->buf.p + at;
  *lim = out_lim(lb);
  return why;
}

/* strcmp for short keys, inline: tag keys usually differ in the first
 * byte, and a library call costs more than the whole comparison. */
static inline int key_cmp(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (unsigned char)*a - (unsigned char)*b;
}

static influx_status encode_point(influx_lines *lb, const influx_point *p,
                                  influx_error *err) {
  const char *meas = p->measurement;
  const char *why;
  lb->split_risk = 0;
  if (!meas)
    return bad(lb, err, "", "measurement %s%s", "is NULL", "");
  if (!p->nfields || !p->fields)
    return bad(lb, err, meas, "has no fields %s%s",
               "(a point needs at least one)", "");
  if (p->ntags && !p->tags)
    return bad(lb, err, meas, "tags %s%s", "is NULL with ntags > 0", "");

  if (grow_array((void **)&lb->lens, &lb->lens_cap, p->nfields,
                 sizeof *lb->lens))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  int64_t t = 0;
  if (p->has_time) {
    int64_t from =
        p->precision ? precision_factor(p->precision) : lb->prec_factor;
    if (!from)
      return bad(lb, err, meas, "precision \"%.20s\" %s", p->precision,
                 "is not one of n, u, ms, s, m, h");
    int rc = convert_time(p->time, from, lb->prec_factor, &t);
    if (rc == -1)
      return bad(lb, err, meas, "time %s%s",
                 "overflows int64 after precision conversion", "");
    if (rc == -2)
      return bad(lb, err, meas, "time %s%s",
                 "is not a whole number of the write's precision", "");
  }

  if (reserve_at(lb, lb->buf.len, 512))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory encoding a point");
  char *o = lb->buf.p + lb->buf.len, *lim = out_lim(lb);
  size_t n;
  /* The seed escapes '=' in measurements too (influxd reads both). */
  if ((why = put_name(lb, &o, &lim, meas, 0, &n,
                      lb->style == INFLUX_LINES_SEED ? put_escaped
                                                     : put_measurement)))
    return bad(lb, err, meas, "measurement %s%s", why, "");
  /* The common case, no default tags and point tags given in key order
   * with values, is written straight from the point's array in one pass.
   * Anything else (or any problem) starts the tags over on the general
   * path: merge point tags over default tags, drop empty values, sort by
   * key, and report what is wrong. */
  size_t tags_at = (size_t)(o - lb->buf.p), ti = 0;
  if (!lb->ndtags) {
    for (; ti < p->ntags; ti++) {
      const influx_tag *tg = &p->tags[ti];
      if (!tg->key || !tg->value || !tg->value[0] ||
          (ti && key_cmp(tg[-1].key, tg->key) >= 0))
        break;
      *o++ = ',';
      if (put_name(lb, &o, &lim, tg->key, 1, &n, put_escaped))
        break;
      *o++ = '=';
      if (put_name(lb, &o, &lim, tg->value, 3, &n, put_escaped))
        break;
    }
  }
  if (lb->ndtags || ti < p->ntags) {
    o = lb->buf.p + tags_at;
    /* Merge point tags over default tags, drop empty values, sort by key. */
    size_t nt = p->ntags + lb->ndtags;
    if (grow_array((void **)&lb->sorted, &lb->sorted_cap, nt ? nt : 1,
                   sizeof *lb->sorted))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
      int dflt = i >= p->ntags;
      const influx_tag *tg = dflt ? &lb->dtags[i - p->ntags] : &p->tags[i];
      if (!tg->key)
        return bad(lb, err, meas, "tag %s%s", "with a NULL key", "");
      if (!tg->value)
        return bad(lb, err, meas, "tag \"%.60s\" %s", tg->key,
                   "has a NULL value");
      if (!tg->value[0])
        continue;
      if (dflt) {
        int dup = 0;
        for (size_t j = 0; j < p->ntags && !dup; j++)
          dup = p->tags[j].key && !strcmp(p->tags[j].key, tg->key);
        if (dup)
          continue;
      }
      /* Insertion sort: tag counts are small and often already sorted. */
      size_t j = k++;
      int c = 1;
      while (j > 0 && (c = key_cmp(lb->sorted[j - 1]->key, tg->key)) > 0) {
        lb->sorted[j] = lb->sorted[j - 1];
        j--;
      }
      if (c == 0)
        return bad(lb, err, meas, "tag key \"%.60s\" %s", tg->key,
                   "appears twice");
      lb->sorted[j] = tg;
    }

    for (size_t i = 0; i < k; i++) {
      const influx_tag *tg = lb->sorted[i];
      *o++ = ',';
      const char *kwhy = put_name(lb, &o, &lim, tg->key, 1, &n, put_escaped);
      if (!kwhy) {
        *o++ = '=';
        why = put_name(lb, &o, &lim, tg->value, 3, &n, put_escaped);
      }
      if (kwhy || why) {
        uintptr_t a = (uintptr_t)tg, d0 = (uintptr_t)lb->dtags;
        int dflt = lb->ndtags && a >= d0 && a < d0 + lb->ndtags * sizeof *tg;
        if (kwhy)
          return bad(lb, err, meas,
                     dflt ? "default tag key \"%.60s\" %s"
                          : "tag key \"%.60s\" %s",
                     tg->key, kwhy);
        return bad(lb, err, meas,
                   dflt ? "value of default tag \"%.60s\" %s"
                        : "value of tag \"%.60s\" %s",
                   tg->key, why);
      }
    }
  }
  *o++ = ' ';
  /* The seed's style: fields sorted by key (insertion sort: few). */
  const size_t *ord = NULL;
  if (lb->style == INFLUX_LINES_SEED) {
    if (grow_array((void **)&lb->ford, &lb->ford_cap, p->nfields,
                   sizeof *lb->ford))
      return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < p->nfields; i++) {
      const char *k = p->fields[i].key;
      if (!k)
        return bad(lb, err, meas, "field %s%s", "with a NULL key", "");
      size_t j = i;
      while (j > 0 && key_cmp(p->fields[lb->ford[j - 1]].key, k) > 0) {
        lb->ford[j] = lb->ford[j - 1];
        j--;
      }
      lb->ford[j] = i;
    }
    ord = lb->ford;
  }
#define FIELD(i) (&p->fields[ord ? ord[i] : (i)])
  for (size_t i = 0; i < p->nfields; i++) {
    const influx_field *f = FIELD(i);
    if (!f->key)
      return bad(lb, err, meas, "field %s%s", "with a NULL key", "");
    if (i)
      *o++ = ',';
    if ((why = put_name(lb, &o, &lim, f->key, 2, &lb->lens[i], put_field_key)))
      return bad(lb, err, meas, "field key \"%.60s\" %s", f->key, why);
    for (size_t j = 0; j < i; j++)
      if (lb->lens[j] == lb->lens[i] && !key_cmp(FIELD(j)->key, f->key))
        return bad(lb, err, meas, "field key \"%.60s\" %s", f->key,
                   "appears twice");
    *o++ = '=';
    switch (f->type) {
    case INFLUX_FIELD_FLOAT:
      if (!isfinite(f->v.f))
        return bad(lb, err, meas, "field \"%.60s\" %s", f->key,
                   isnan(f->v.f) ? "is NaN, which InfluxDB cannot store"
                                 : "is infinite, which InfluxDB cannot store");
      o += lb->style == INFLUX_LINES_SEED ? fmt_double_repr(f->v.f, o)
                                          : fmt_double(f->v.f, o);
      break;
    case INFLUX_FIELD_INT:
      o += fmt_i64(f->v.i, o);
      *o++ = 'i';
      break;
    case INFLUX_FIELD_UINT:
      o += fmt_u64(f->v.u, o);
      *o++ = 'u';
      break;
    case INFLUX_FIELD_BOOL: {
      static const char *const words[2][2] = {{"false", "true"},
                                              {"False", "True"}};
      const char *w = words[lb->style == INFLUX_LINES_SEED][f->v.b != 0];
      size_t wl = f->v.b ? 4 : 5;
      memcpy(o, w, wl);
      o += wl;
      break;
    }
    case INFLUX_FIELD_STRING:
      if (!f->v.s)
        return bad(lb, err, meas, "field \"%.60s\" %s", f->key,
                   "has a NULL string");
      if ((why = put_value(lb, &o, &lim, f->v.s)))
        return bad(lb, err, meas, "string field \"%.60s\" %s", f->key, why);
      break;
    default:
      return bad(lb, err, meas, "field \"%.60s\" %s", f->key,
                 "has an unknown type");
    }
  }
#undef FIELD
  if (p->has_time) {
    *o++ = ' ';
    o += fmt_i64_cached(t, o, &lb->tcache);
  }
  *o++ = '\n';
  *o = 0;
  if (lb->split_risk) {
    /* influxd must end this line exactly at its newline: simulate its
     * splitter on the line (it starts each line afresh). */
    lb->split_risk = 0;
    const char *line = lb->buf.p + lb->buf.len;
    size_t len = (size_t)(o - line);
    influx_line_splitter sp = {0};
    int complete;
    if (influx_line_split(&sp, line, len, &complete) != len || !complete)
      return bad(lb, err, meas, "%s%s",
                 "has a tag with an odd run of backslashes before ',', '=' "
                 "or ' ', which makes influxd's line splitter end this line "
                 "elsewhere (a '\"' later in the line is read differently)",
                 "");
  }
  lb->buf.len = (size_t)(o - lb->buf.p);
  lb->count++;
  return INFLUX_OK;
}

influx_status lines_encode(influx_lines *lb, const influx_point *p,
                           influx_error *err) {
  influx_status st = encode_point(lb, p, err);
  if (st && lb->buf.p) /* a failed point may have written past the end */
    lb->buf.p[lb->buf.len] = 0;
  return st;
}

influx_status influx_lines_append(influx_lines *lb, const influx_point *p,
                                  influx_error *err) {
  if (!lb || !p)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "lines_append: NULL argument");
  influx_status st = lines_encode(lb, p, err);
  lb->index++;
  return st;
}

influx_status influx_lines_append_raw(influx_lines *lb, const char *line,
                                      size_t len, influx_error *err) {
  if (!lb || !line)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "lines_append_raw: NULL argument");
  size_t idx = lb->index++;
  while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;
  if (!len)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "line %zu is empty", idx);
  /* One line as influxd will split it: no newline may end it early. */
  influx_line_splitter sp = {0};
  int complete;
  size_t used = influx_line_split(&sp, line, len, &complete);
  if (complete || used != len)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "line %zu contains a newline outside a string field", idx);
  return lines_append_split(lb, line, len, idx, err);
}

influx_status lines_append_split(influx_lines *lb, const char *line, size_t len,
                                 size_t idx, influx_error *err) {
  if (utf8_check(line, len) != len)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "line %zu is not valid UTF-8",
                idx);
  if (ibuf_append(&lb->buf, line, len) || ibuf_putc(&lb->buf, '\n'))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  lb->count++;
  return INFLUX_OK;
}

/* ---- builder ---- */

static influx_status need_point(influx_lines *lb, influx_error *err) {
  if (!lb)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "lines is NULL");
  if (!lb->building)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "no point started (call influx_lines_begin first)");
  return INFLUX_OK;
}

static int arena_str(influx_lines *lb, const char *s, size_t *off) {
  *off = lb->arena.len;
  return ibuf_append(&lb->arena, s, strlen(s) + 1);
}

influx_status influx_lines_begin(influx_lines *lb, const char *measurement,
                                 influx_error *err) {
  if (!lb)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "lines is NULL");
  if (!measurement)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "measurement is NULL");
  lb->arena.len = 0;
  lb->nbt = lb->nbf = 0;
  lb->has_time = 0;
  lb->bprec = 0;
  if (arena_str(lb, measurement, &lb->meas_off))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  lb->building = 1;
  return INFLUX_OK;
}

influx_status influx_lines_tag(influx_lines *lb, const char *key,
                               const char *value, influx_error *err) {
  influx_status st = need_point(lb, err);
  if (st)
    return st;
  if (!key || !value)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "tag key or value is NULL");
  if (grow_array((void **)&lb->btags, &lb->bt_cap, lb->nbt + 1,
                 sizeof *lb->btags))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  size_t *kv = lb->btags[lb->nbt];
  if (arena_str(lb, key, &kv[0]) || arena_str(lb, value, &kv[1]))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  lb->nbt++;
  return INFLUX_OK;
}

static influx_status add_field(influx_lines *lb, const char *key,
                               influx_field f, const char *s,
                               influx_error *err) {
  influx_status st = need_point(lb, err);
  if (st)
    return st;
  if (!key)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "field key is NULL");
  if (grow_array((void **)&lb->bfields, &lb->bf_cap, lb->nbf + 1,
                 sizeof *lb->bfields))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  struct bfield *bf = &lb->bfields[lb->nbf];
  bf->f = f;
  if (arena_str(lb, key, &bf->key_off) || (s && arena_str(lb, s, &bf->s_off)))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  lb->nbf++;
  return INFLUX_OK;
}

influx_status influx_lines_float(influx_lines *lb, const char *key, double v,
                                 influx_error *err) {
  influx_field f = {.type = INFLUX_FIELD_FLOAT, .v.f = v};
  return add_field(lb, key, f, NULL, err);
}
influx_status influx_lines_int(influx_lines *lb, const char *key, int64_t v,
                               influx_error *err) {
  influx_field f = {.type = INFLUX_FIELD_INT, .v.i = v};
  return add_field(lb, key, f, NULL, err);
}
influx_status influx_lines_uint(influx_lines *lb, const char *key, uint64_t v,
                                influx_error *err) {
  influx_field f = {.type = INFLUX_FIELD_UINT, .v.u = v};
  return add_field(lb, key, f, NULL, err);
}
influx_status influx_lines_bool(influx_lines *lb, const char *key, int v,
                                influx_error *err) {
  influx_field f = {.type = INFLUX_FIELD_BOOL, .v.b = !!v};
  return add_field(lb, key, f, NULL, err);
}
influx_status influx_lines_string(influx_lines *lb, const char *key,
                                  const char *v, influx_error *err) {
  if (!v)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "string field value is NULL");
  influx_field f = {.type = INFLUX_FIELD_STRING};
  return add_field(lb, key, f, v, err);
}

influx_status influx_lines_time(influx_lines *lb, int64_t t,
                                const char *precision, influx_error *err) {
  influx_status st = need_point(lb, err);
  if (st)
    return st;
  int64_t f = precision ? precision_factor(precision) : lb->prec_factor;
  if (!f)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "precision \"%.20s\" is not one of n, u, ms, s, m, h",
                precision);
  lb->time = t;
  lb->has_time = 1;
  lb->bprec = f;
  return INFLUX_OK;
}

influx_status influx_lines_end(influx_lines *lb, influx_error *err) {
  influx_status st = need_point(lb, err);
  if (st)
    return st;
  lb->building = 0;
  /* Arena offsets become pointers only now: the arena may have moved. */
  if (grow_array((void **)&lb->ftmp, &lb->ftmp_cap, lb->nbf + lb->nbt + 1,
                 sizeof *lb->ftmp))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  influx_field *fs = lb->ftmp;
  influx_tag *ts = (influx_tag *)(void *)(fs + lb->nbf);
  /* influx_tag is no larger than influx_field, so tags fit after fields. */
  for (size_t i = 0; i < lb->nbf; i++) {
    fs[i] = lb->bfields[i].f;
    fs[i].key = lb->arena.p + lb->bfields[i].key_off;
    if (fs[i].type == INFLUX_FIELD_STRING)
      fs[i].v.s = lb->arena.p + lb->bfields[i].s_off;
  }
  for (size_t i = 0; i < lb->nbt; i++) {
    ts[i].key = lb->arena.p + lb->btags[i][0];
    ts[i].value = lb->arena.p + lb->btags[i][1];
  }
  char prec[4] = "";
  const char *pn = NULL;
  if (lb->has_time) {
    for (const char *const *c =
             (const char *const[]){"n", "u", "ms", "s", "m", "h", NULL};
         *c; c++)
      if (precision_factor(*c) == lb->bprec) {
        snprintf(prec, sizeof prec, "%s", *c);
        pn = prec;
      }
  }
  influx_point p = {.measurement = lb->arena.p + lb->meas_off,
                    .tags = ts,
                    .ntags = lb->nbt,
                    .fields = fs,
                    .nfields = lb->nbf,
                    .time = lb->time,
                    .has_time = lb->has_time,
                    .precision = pn};
  return influx_lines_append(lb, &p, err);
}

influx_status influx_make_lines(const influx_point *pts, size_t n,
                                const char *precision, char **out,
                                size_t *out_len, influx_error *err) {
  if (!out || (n && !pts))
    return ierr(err, INFLUX_ERR_INVALID_ARG, "make_lines: NULL argument");
  *out = NULL;
  influx_lines *lb = influx_lines_new();
  if (!lb)
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  influx_status st = influx_lines_set_precision(lb, precision, err);
  for (size_t i = 0; i < n && !st; i++)
    st = influx_lines_append(lb, &pts[i], err);
  if (!st) {
    if (out_len)
      *out_len = lb->buf.len;
    *out = ibuf_take(&lb->buf);
    if (!*out)
      st = ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  influx_lines_free(lb);
  return st;
}

/* Bytes that can change the splitter's state, by section: before the
 * first unescaped space (measurement and tags), in the fields, and inside
 * a quoted string. Everything else is skipped in a tight loop. */
static const unsigned char split_tags[256] = {
    ['\\'] = 1, [' '] = 1, ['\n'] = 1};
static const unsigned char split_fields[256] = {
    ['\\'] = 1, ['='] = 1, [','] = 1, ['"'] = 1, ['\n'] = 1};
static const unsigned char split_quoted[256] = {['\\'] = 1, ['"'] = 1};

size_t influx_line_split(influx_line_splitter *sp, const char *buf, size_t n,
                         int *complete) {
  *complete = 0;
  if (!sp || !buf)
    return 0;
  const unsigned char *b = (const unsigned char *)buf;
  for (size_t i = 0; i < n; i++) {
    if (sp->esc) {
      sp->esc = 0;
      continue;
    }
    const unsigned char *t = sp->quoted   ? split_quoted
                             : sp->fields ? split_fields
                                          : split_tags;
    while (i < n && !t[b[i]])
      i++;
    if (i == n)
      break;
    char c = (char)b[i];
    if (c == '\\') {
      sp->esc = 1;
      continue;
    }
    if (c == ' ')
      sp->fields = 1;
    if (sp->fields) {
      if (!sp->quoted && c == '=') {
        sp->equals++;
        continue;
      }
      if (!sp->quoted && c == ',') {
        sp->commas++;
        continue;
      }
      if (c == '"' && sp->equals > sp->commas) {
        sp->quoted = !sp->quoted;
        continue;
      }
    }
    if (c == '\n' && !sp->quoted) {
      memset(sp, 0, sizeof *sp);
      *complete = 1;
      return i + 1;
    }
  }
  return n;
}
