/* Private helpers shared by the library's source files. */
#ifndef INFLUXC_INTERNAL_H
#define INFLUXC_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "influxc/error.h"
#include "namespace.h"

#define INFLUX_PRIVATE __attribute__((visibility("hidden")))

/* A growable byte buffer. `p` is always NUL-terminated when non-NULL. */
typedef struct ibuf {
  char *p;
  size_t len;
  size_t cap;
} ibuf;

INFLUX_PRIVATE int ibuf_reserve(ibuf *b, size_t extra);
INFLUX_PRIVATE int ibuf_append(ibuf *b, const void *data, size_t n);
INFLUX_PRIVATE int ibuf_puts(ibuf *b, const char *s);
INFLUX_PRIVATE int ibuf_putc(ibuf *b, char c);
INFLUX_PRIVATE int ibuf_printf(ibuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
INFLUX_PRIVATE void ibuf_free(ibuf *b);
/* Hands the bytes to the caller (never NULL on success) and resets `b`. */
INFLUX_PRIVATE char *ibuf_take(ibuf *b);

/* Fills `err` (may be NULL) and returns `code`. */
/* Deepest nesting of arrays and objects in JSON text (strings skipped),
 * counted without recursion; stops counting past `limit` + 1. Parsers that
 * recurse (yajl's tree) are only handed text within their bound. */
INFLUX_PRIVATE int json_nesting(const char *s, size_t n, int limit);
/* Nesting allowed for JSON given to recursive parsers: points are 3
 * levels deep, influxd's answers 6. */
#define JSON_MAX_NESTING 64

/* What a Content-Type says a body is: 1 JSON, 2 msgpack (the values of
 * INFLUX_FORMAT_JSON / _MSGPACK), 0 anything else, -1 none given. The media
 * type is compared without case and parameters. */
INFLUX_PRIVATE int media_type_format(const char *ctype);

/* Copies formatted text of length n into a caller's buffer of `size`
 * bytes (cut, NUL-terminated; out may be NULL) and returns n. */
INFLUX_PRIVATE int text_out(const char *text, int n, char *out, size_t size);

/* Makes room for `need` elements of `elt` bytes in *arr (capacity *cap),
 * doubling; 0, or -1 without touching *arr when memory or size_t runs
 * out. The library's one growth rule. */
INFLUX_PRIVATE int grow_array_slow(void **arr, size_t *cap, size_t need,
                                   size_t elt);
/* The check inline: the encoder calls this for every point. */
static inline int grow_array(void **arr, size_t *cap, size_t need, size_t elt) {
  return need <= *cap ? 0 : grow_array_slow(arr, cap, need, elt);
}

INFLUX_PRIVATE influx_status ierr(influx_error *err, influx_status code,
                                  const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
INFLUX_PRIVATE influx_status ierr_http(influx_error *err, influx_status code,
                                       long http_status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

INFLUX_PRIVATE char *istrdup(const char *s);
INFLUX_PRIVATE char *istrndup(const char *s, size_t n);
/* ASCII case-insensitive compare, locale-independent. */
INFLUX_PRIVATE int istrcaseeq(const char *a, const char *b);

/* Validates UTF-8; returns the offset of the first bad byte or n if OK. */
INFLUX_PRIVATE size_t utf8_check(const char *s, size_t n);
/* The number written in s[0..n) with digits only, read while it stays
 * under a port's size (so at most 655359); -1 for anything else. */
INFLUX_PRIVATE long port_digits(const char *s, size_t n);

/* Appends `s` percent-encoded for a URL query component. */
INFLUX_PRIVATE int url_encode(ibuf *b, const char *s, size_t n);

/* gzip-compresses `in` into `out` (replacing its content). */
INFLUX_PRIVATE int gzip_compress(const char *in, size_t n, ibuf *out);

/* Precision name ("n","u","ms","s","m","h"; "ns","us" accepted) to
 * nanoseconds per unit; 0 if unknown. NULL/"" gives 1 (nanoseconds). */
INFLUX_PRIVATE int64_t precision_factor(const char *p);
/* Canonical server spelling of a precision ("n","u","ms","s","m","h"). */
INFLUX_PRIVATE const char *precision_canon(const char *p);

/* Parses RFC3339 with optional fraction into ns since the epoch. */
INFLUX_PRIVATE int rfc3339_parse(const char *s, size_t n, int64_t *out);
/* Formats ns since the epoch as RFC3339 with up to 9 fraction digits
 * (trailing zeros dropped, like influxd). `out` >= 40 bytes. */
INFLUX_PRIVATE int rfc3339_format(int64_t ns, char *out);

#endif
