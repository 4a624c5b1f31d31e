/* Small shared helpers: buffers, errors, strings, numbers, time. */
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "fmt_impl.h"
#include "influxc/query.h"
#include "internal.h"

int ibuf_reserve(ibuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap)
    return 0;
  size_t need = b->len + extra + 1;
  if (need < b->len) /* overflow */
    return -1;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) {
    if (cap > SIZE_MAX / 2)
      return -1;
    cap *= 2;
  }
  char *p = realloc(b->p, cap);
  if (!p)
    return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

int ibuf_append(ibuf *b, const void *data, size_t n) {
  if (ibuf_reserve(b, n))
    return -1;
  if (n)
    memcpy(b->p + b->len, data, n);
  b->len += n;
  b->p[b->len] = 0;
  return 0;
}

int ibuf_puts(ibuf *b, const char *s) { return ibuf_append(b, s, strlen(s)); }

int ibuf_putc(ibuf *b, char c) {
  if (ibuf_reserve(b, 1))
    return -1;
  b->p[b->len++] = c;
  b->p[b->len] = 0;
  return 0;
}

int ibuf_printf(ibuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    return -1;
  if ((size_t)n < sizeof tmp)
    return ibuf_append(b, tmp, (size_t)n);
  if (ibuf_reserve(b, (size_t)n))
    return -1;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

void ibuf_free(ibuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

char *ibuf_take(ibuf *b) {
  if (!b->p && ibuf_reserve(b, 0))
    return NULL;
  char *p = b->p;
  b->p = NULL;
  b->len = b->cap = 0;
  return p;
}

static influx_status verr(influx_error *err, influx_status code, long http,
                          const char *fmt, va_list ap) {
  if (err) {
    err->code = code;
    err->http_status = http;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
  }
  return code;
}

influx_status ierr(influx_error *err, influx_status code, const char *fmt,
                   ...) {
  va_list ap;
  va_start(ap, fmt);
  verr(err, code, 0, fmt, ap);
  va_end(ap);
  return code;
}

influx_status ierr_http(influx_error *err, influx_status code, long http,
                        const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verr(err, code, http, fmt, ap);
  va_end(ap);
  return code;
}

char *istrdup(const char *s) { return s ? istrndup(s, strlen(s)) : NULL; }

char *istrndup(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (!p)
    return NULL;
  if (n)
    memcpy(p, s, n);
  p[n] = 0;
  return p;
}

int istrcaseeq(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
    if (x >= 'A' && x <= 'Z')
      x = (unsigned char)(x + 32);
    if (y >= 'A' && y <= 'Z')
      y = (unsigned char)(y + 32);
    if (x != y)
      return 0;
    if (!x)
      return 1;
  }
}

size_t utf8_check(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    /* ASCII runs eight bytes at a time. */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull)
        break;
      i += 8;
    }
    if (i >= n)
      break;
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned min;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
      c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
      c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
      c &= 0x07;
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return i;
      c = (c << 6) | (s[i + k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
      return i;
    i += len;
  }
  return n;
}

int url_encode(ibuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  if (ibuf_reserve(b, n * 3))
    return -1;
  char *o = b->p + b->len;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      *o++ = (char)c;
    } else {
      *o++ = '%';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    }
  }
  b->len = (size_t)(o - b->p);
  b->p[b->len] = 0;
  return 0;
}

int gzip_compress(const char *in, size_t n, ibuf *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  /* Level 1: request bodies are compressed to save bandwidth, not disk;
   * higher levels cost far more CPU for little gain on line protocol. */
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  out->len = 0;
  size_t bound = deflateBound(&z, (uLong)n);
  if (ibuf_reserve(out, bound)) {
    deflateEnd(&z);
    return -1;
  }
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  z.next_out = (Bytef *)out->p;
  z.avail_out = (uInt)bound;
  int rc = deflate(&z, Z_FINISH);
  out->len = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END)
    return -1;
  out->p[out->len] = 0;
  return 0;
}

static int put_fixed(char *out, const char *dig, int nd, int point);
static int put_exp(char *out, const char *dig, int nd, int exp10, int width);

/* strtod of `text` (its decimal separator '.' or ','), in the C library's
 * current locale, whatever it is; `text` is normalised to '.'. */
static double read_back(char *text, int n) {
  char *sep = NULL;
  for (int i = 0; i < n; i++)
    if (text[i] == ',' || text[i] == '.')
      sep = text + i;
  struct lconv *lc = localeconv();
  char dp = (lc && lc->decimal_point && lc->decimal_point[0])
                ? lc->decimal_point[0]
                : '.';
  if (sep)
    *sep = dp;
  double back = strtod(text, NULL);
  if (sep)
    *sep = '.';
  return back;
}

static int g_roundtrips(double v, int prec, char *out, int *n) {
  *n = snprintf(out, 32, "%.*g", prec, v);
  return read_back(out, *n) == v;
}

/* The text of `prec` digits on v's other side of the nearest one (which
 * did not read back as v), as %g would write it, if it reads back as v.
 * Next to a power of two the doubles below are twice as dense as above,
 * so the nearest text may miss while the next one up hits (2^-24:
 * 5.960464477539063e-08, 16 digits, where %.16g gives ...062). */
static int other_side(double v, int prec, char *out, int *n) {
  char t[48], dig[24];
  int tn = snprintf(t, sizeof t, "%.*e", prec - 1, v);
  double near = read_back(t, tn);
  const char *e = strchr(t, 'e');
  if (!e || prec > 20)
    return 0;
  int nd = 0, exp10 = atoi(e + 1);
  for (const char *p = t; p < e; p++)
    if (*p >= '0' && *p <= '9')
      dig[nd++] = *p;
  int up = (near < v) == (v > 0); /* away from zero, or towards it */
  int i = nd - 1;
  if (up) {
    for (; i >= 0 && dig[i] == '9'; i--)
      dig[i] = '0';
    if (i < 0) { /* 9.99 -> 10.0 */
      dig[0] = '1';
      exp10++;
    } else {
      dig[i]++;
    }
  } else {
    for (; i >= 0 && dig[i] == '0'; i--)
      dig[i] = '9';
    if (i < 0)
      return 0;
    dig[i]--;
    if (dig[0] == '0') { /* 1.00 -> 0.999: one exponent down, all nines */
      memset(dig, '9', (size_t)nd);
      exp10--;
    }
  }
  while (nd > 1 && dig[nd - 1] == '0')
    nd--;
  int o = v < 0 ? (out[0] = '-', 1) : 0;
  char c[48];
  int cn = o + put_exp(c + o, dig, nd, exp10, 2);
  if (o)
    c[0] = '-';
  c[cn] = 0;
  if (read_back(c, cn) != v)
    return 0;
  if (exp10 < -4 || exp10 >= prec)
    o += put_exp(out + o, dig, nd, exp10, 2);
  else
    o += put_fixed(out + o, dig, nd, exp10 + 1);
  out[o] = 0;
  *n = o;
  return 1;
}

/* The general case of fmt_double (see fmt_impl.h). */
int fmt_double_slow(double v, char *out) {
  double a = fabs(v);
  /* For normal doubles any text of <= 15 significant digits that reads
   * back as v is v rounded to 15 digits (DBL_DIG), so %.15g is shortest
   * when it round-trips. Subnormals carry fewer digits: search them all.
   * At each length the nearest text first, then the one on v's other
   * side: the shortest text, and the nearest of the shortest. */
  int n = 0;
  int first = a != 0 && a < DBL_MIN ? 1 : 15;
  for (int prec = first; prec <= 17; prec++)
    if (g_roundtrips(v, prec, out, &n) ||
        (prec < 17 && other_side(v, prec, out, &n)))
      break;
  return n;
}

int64_t precision_factor(const char *p) {
  if (!p || !*p || !strcmp(p, "n") || !strcmp(p, "ns"))
    return 1;
  if (!strcmp(p, "u") || !strcmp(p, "us") || !strcmp(p, "µ"))
    return 1000;
  if (!strcmp(p, "ms"))
    return 1000000;
  if (!strcmp(p, "s"))
    return 1000000000LL;
  if (!strcmp(p, "m"))
    return 60000000000LL;
  if (!strcmp(p, "h"))
    return 3600000000000LL;
  return 0;
}

const char *precision_canon(const char *p) {
  switch (precision_factor(p)) {
  case 1:
    return "n";
  case 1000:
    return "u";
  case 1000000:
    return "ms";
  case 1000000000LL:
    return "s";
  case 60000000000LL:
    return "m";
  case 3600000000000LL:
    return "h";
  default:
    return NULL;
  }
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = (int64_t)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

long port_digits(const char *s, size_t n) {
  long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9' || v > 65535)
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

static int digits(const char *s, size_t n, size_t at, size_t count,
                  int64_t *out) {
  if (at + count > n)
    return -1;
  int64_t v = 0;
  for (size_t i = 0; i < count; i++) {
    char c = s[at + i];
    if (c < '0' || c > '9')
      return -1;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return 0;
}

int rfc3339_parse(const char *s, size_t n, int64_t *out) {
  int64_t y, mo, d, h, mi, se;
  if (digits(s, n, 0, 4, &y) || n < 20 || s[4] != '-' ||
      digits(s, n, 5, 2, &mo) || s[7] != '-' || digits(s, n, 8, 2, &d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      digits(s, n, 11, 2, &h) || s[13] != ':' || digits(s, n, 14, 2, &mi) ||
      s[16] != ':' || digits(s, n, 17, 2, &se))
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return -1;
  size_t i = 19;
  int64_t frac = 0;
  if (i < n && s[i] == '.') {
    i++;
    int nd = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (nd < 9) {
        frac = frac * 10 + (s[i] - '0');
        nd++;
      }
      i++;
    }
    if (nd == 0)
      return -1;
    for (; nd < 9; nd++)
      frac *= 10;
  }
  int64_t off = 0;
  if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int64_t oh, om;
    if (digits(s, n, i + 1, 2, &oh) || digits(s, n, i + 4, 2, &om))
      return -1;
    off = (oh * 60 + om) * 60;
    if (s[i] == '-')
      off = -off;
    i += 6;
  } else {
    return -1;
  }
  if (i != n)
    return -1;
  int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - off;
  /* int64 ns covers 1677-09-21 .. 2262-04-11. */
  if (secs > INT64_MAX / 1000000000LL - 1 ||
      secs < INT64_MIN / 1000000000LL + 1) {
    /* Edge seconds: compute carefully. */
    __int128 t = (__int128)secs * 1000000000 + frac;
    if (t > INT64_MAX || t < INT64_MIN)
      return -1;
    *out = (int64_t)t;
    return 0;
  }
  *out = secs * 1000000000LL + frac;
  return 0;
}

int rfc3339_format(int64_t ns, char *out) {
  int64_t secs = ns / 1000000000LL;
  int64_t frac = ns % 1000000000LL;
  if (frac < 0) {
    frac += 1000000000LL;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  /* Digits by hand, not snprintf: results format one time per row. */
  int n = 0;
  if (y < 0 || y > 9999) {
    n = snprintf(out, 40, "%04lld", (long long)y);
  } else {
    for (int k = 3; k >= 0; k--, y /= 10)
      out[k] = (char)('0' + y % 10);
    n = 4;
  }
  const int parts[5] = {(int)m, (int)d, (int)(rem / 3600), (int)(rem / 60 % 60),
                        (int)(rem % 60)};
  static const char seps[5] = {'-', '-', 'T', ':', ':'};
  for (int k = 0; k < 5; k++) {
    out[n++] = seps[k];
    out[n++] = (char)('0' + parts[k] / 10);
    out[n++] = (char)('0' + parts[k] % 10);
  }
  if (frac) {
    int digits = 9;
    while (frac % 10 == 0) {
      frac /= 10;
      digits--;
    }
    out[n++] = '.';
    for (int k = digits - 1; k >= 0; k--, frac /= 10)
      out[n + k] = (char)('0' + frac % 10);
    n += digits;
  }
  out[n++] = 'Z';
  out[n] = 0;
  return n;
}

/* fmt_double's digits of a finite v: dig[0..*nd) with no leading or
 * trailing zeros (one "0" for zero) and v = 0.ddd x 10^*decpt. */
static void dbl_digits(double v, char *dig, int *nd, int *decpt, int *neg) {
  char t[40];
  int n = fmt_double(v, t);
  t[n] = 0;
  const char *p = t, *e = memchr(t, 'e', (size_t)n);
  *neg = *p == '-';
  p += *neg;
  int k = 0, intlen = -1;
  for (const char *q = p; q < (e ? e : t + n); q++) {
    if (*q == '.')
      intlen = k;
    else
      dig[k++] = *q;
  }
  int point = (intlen < 0 ? k : intlen) + (e ? atoi(e + 1) : 0);
  int lead = 0;
  while (lead < k - 1 && dig[lead] == '0')
    lead++;
  memmove(dig, dig + lead, (size_t)(k - lead));
  k -= lead;
  point -= lead;
  while (k > 1 && dig[k - 1] == '0')
    k--;
  if (k == 1 && dig[0] == '0')
    point = 1;
  *nd = k;
  *decpt = point;
}

/* The digits dig[0..nd) with the decimal point after `point` of them
 * (zeros added before or after as need be). */
static int put_fixed(char *out, const char *dig, int nd, int point) {
  int o = 0;
  if (point <= 0) {
    out[o++] = '0';
    out[o++] = '.';
    for (int i = 0; i < -point; i++)
      out[o++] = '0';
    memcpy(out + o, dig, (size_t)nd);
    return o + nd;
  }
  if (point >= nd) {
    memcpy(out + o, dig, (size_t)nd);
    o += nd;
    for (int i = nd; i < point; i++)
      out[o++] = '0';
    return o;
  }
  memcpy(out + o, dig, (size_t)point);
  o += point;
  out[o++] = '.';
  memcpy(out + o, dig + point, (size_t)(nd - point));
  return o + nd - point;
}

/* d.ddde+X, the exponent of at least `width` digits. */
static int put_exp(char *out, const char *dig, int nd, int exp10, int width) {
  int o = 0;
  out[o++] = dig[0];
  if (nd > 1) {
    out[o++] = '.';
    memcpy(out + o, dig + 1, (size_t)(nd - 1));
    o += nd - 1;
  }
  return o +
         sprintf(out + o, "e%c%0*d", exp10 < 0 ? '-' : '+', width, abs(exp10));
}

/* Rewrites fmt_double's output as people and influxd's JSON write numbers:
 * plain notation for magnitudes in [1e-6, 1e21), else d.ddde+N with no
 * leading zeros in the exponent (1e+21, 1e-7). Same digits, so the text
 * still reads back as v. */
int fmt_double_plain(double v, char *out) {
  if (v != v)
    return (int)(memcpy(out, "NaN", 4), 3);
  if (v == HUGE_VAL || v == -HUGE_VAL)
    return (int)(strcpy(out, v > 0 ? "+Inf" : "-Inf"), 4);
  char dig[40];
  int nd, decpt, neg;
  dbl_digits(v, dig, &nd, &decpt, &neg);
  double a = fabs(v);
  int o = neg ? (out[0] = '-', 1) : 0;
  if (a == 0 || (a >= 1e-6 && a < 1e21))
    o += put_fixed(out + o, dig, nd, decpt);
  else
    o += put_exp(out + o, dig, nd, decpt - 1, 1);
  out[o] = 0;
  return o;
}

/* Python's repr() of a float (what the seed writes): the same shortest
 * digits, plain notation when the decimal point falls within 16 digits
 * before or 4 after them, "12.0" for whole numbers, else d.ddde+XX with
 * at least two exponent digits (1e+16, 1e-05). */
int fmt_double_repr(double v, char *out) {
  char dig[40];
  int nd, decpt, neg;
  if (!isfinite(v))
    return fmt_double_plain(v, out);
  dbl_digits(v, dig, &nd, &decpt, &neg);
  int o = neg || signbit(v) ? (out[0] = '-', 1) : 0;
  if (decpt <= -4 || decpt > 16) {
    o += put_exp(out + o, dig, nd, decpt - 1, 2);
  } else {
    o += put_fixed(out + o, dig, nd, decpt);
    if (decpt >= nd) { /* a whole number */
      out[o++] = '.';
      out[o++] = '0';
    }
  }
  out[o] = 0;
  return o;
}

int text_out(const char *text, int n, char *out, size_t size) {
  if (out && size)
    snprintf(out, size, "%s", text);
  return n;
}

int influx_format_double(double v, char *out, size_t size) {
  char tmp[48];
  int n = fmt_double_plain(v, tmp);
  return text_out(tmp, n, out, size);
}

int json_nesting(const char *s, size_t n, int limit) {
  int depth = 0, deepest = 0, in_str = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (in_str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_str = 0;
    } else if (c == '"') {
      in_str = 1;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest && (deepest = depth) > limit)
        break;
    } else if ((c == ']' || c == '}') && depth) {
      depth--;
    }
  }
  return deepest;
}

int media_type_format(const char *ctype) {
  if (!ctype)
    return -1;
  while (*ctype == ' ' || *ctype == '\t')
    ctype++;
  size_t n = strcspn(ctype, "; \t");
  if (!n)
    return -1;
  static const struct {
    const char *type;
    int format;
  } known[] = {{"application/json", 1},
               {"application/x-msgpack", 2},
               {"application/msgpack", 2},
               {"application/vnd.msgpack", 2}};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++)
    if (strlen(known[i].type) == n && !strncasecmp(ctype, known[i].type, n))
      return known[i].format;
  return 0;
}

int grow_array_slow(void **arr, size_t *cap, size_t need, size_t elt) {
  if (need <= *cap)
    return 0;
  size_t nc = *cap ? *cap : 4;
  while (nc < need) {
    if (nc > ((size_t)-1) / 2 / elt)
      return -1;
    nc *= 2;
  }
  void *q = realloc(*arr, nc * elt);
  if (!q)
    return -1;
  *arr = q;
  *cap = nc;
  return 0;
}
