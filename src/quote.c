/* InfluxQL quoting: the one place identifiers and literals are escaped. */
#include <stdlib.h>
#include <string.h>

#include "influxc/quote.h"
#include "quote_impl.h"

influx_status quote_append(ibuf *b, const char *s, char q, const char *what,
                           influx_error *err) {
  if (!s)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "%s is NULL", what);
  size_t n = strlen(s);
  if (!n && q == '"')
    return ierr(err, INFLUX_ERR_INVALID_ARG, "%s is empty", what);
  if (utf8_check(s, n) != n)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "%s is not valid UTF-8", what);
  if (ibuf_reserve(b, 2 * n + 2))
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  char *o = b->p + b->len;
  *o++ = q;
  /* InfluxQL's string scanner knows \\, \' , \" and \n; a raw newline
   * inside quotes is a syntax error, so it is written as \n. */
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\n') {
      *o++ = '\\';
      *o++ = 'n';
      continue;
    }
    if (s[i] == q || s[i] == '\\')
      *o++ = '\\';
    *o++ = s[i];
  }
  *o++ = q;
  *o = 0;
  b->len = (size_t)(o - b->p);
  return INFLUX_OK;
}

static influx_status quote_new(const char *s, char q, const char *what,
                               char **out, influx_error *err) {
  if (!out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "out is NULL");
  *out = NULL;
  ibuf b = {0};
  influx_status st = quote_append(&b, s, q, what, err);
  if (st) {
    ibuf_free(&b);
    return st;
  }
  *out = b.p;
  return INFLUX_OK;
}

influx_status influx_quote_ident(const char *name, char **out,
                                 influx_error *err) {
  return quote_new(name, '"', "identifier", out, err);
}

influx_status influx_quote_literal(const char *text, char **out,
                                   influx_error *err) {
  return quote_new(text, '\'', "literal", out, err);
}

int json_string(ibuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (ibuf_reserve(b, 6 * n + 2))
    return -1;
  char *o = b->p + b->len;
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c == '\n') {
      *o++ = '\\';
      *o++ = 'n';
    } else if (c == '\t') {
      *o++ = '\\';
      *o++ = 't';
    } else if (c == '\r') {
      *o++ = '\\';
      *o++ = 'r';
    } else if (c < 0x20 || c == 0x7f) {
      memcpy(o, "\\u00", 4);
      o += 4;
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  *o = 0;
  b->len = (size_t)(o - b->p);
  return 0;
}
