/* Text from a server or a file, made safe and measured for a terminal:
 * control characters are shown as escapes instead of being obeyed, and
 * widths are counted in terminal columns, not bytes. */
#define _GNU_SOURCE
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli.h"

static locale_t utf8_locale(void) {
  static locale_t loc;
  static int tried;
  if (!tried) {
    tried = 1;
    loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  }
  return loc;
}

/* Decodes one UTF-8 sequence at s (n > 0 bytes); returns its length, or 0
 * for an invalid or truncated one. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp) {
  unsigned c = s[0];
  size_t len;
  unsigned min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2, min = 0x80, c &= 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, min = 0x800, c &= 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, min = 0x10000, c &= 0x07;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = c << 6 | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return len;
}

static int is_control(unsigned cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

size_t term_escape(const char *s, size_t n, char *out) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    unsigned cp;
    size_t l = utf8_next(p + i, n - i, &cp);
    if (!l) {
      if (out)
        sprintf(out + o, "\\x%02x", p[i]);
      o += 4;
      i++;
      continue;
    }
    if (is_control(cp)) {
      const char *named = cp == '\n'   ? "\\n"
                          : cp == '\t' ? "\\t"
                          : cp == '\r' ? "\\r"
                                       : NULL;
      if (named) {
        if (out)
          memcpy(out + o, named, 2);
        o += 2;
      } else if (cp < 0x80) {
        if (out)
          sprintf(out + o, "\\x%02x", cp);
        o += 4;
      } else {
        if (out)
          sprintf(out + o, "\\u%04x", cp);
        o += 6;
      }
    } else {
      if (out)
        memcpy(out + o, s + i, l);
      o += l;
    }
    i += l;
  }
  if (out)
    out[o] = 0;
  return o;
}

char *term_escape_dup(const char *s, size_t n, size_t *len) {
  size_t need = term_escape(s, n, NULL);
  char *out = malloc(need + 1);
  if (out)
    term_escape(s, n, out);
  if (len)
    *len = out ? need : 0;
  return out;
}

void term_fputs(FILE *o, const char *s) {
  size_t len;
  char *e = term_escape_dup(s, strlen(s), &len);
  if (e)
    fwrite(e, 1, len, o);
  free(e);
}

size_t term_width(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  locale_t loc = utf8_locale();
  locale_t old = loc ? uselocale(loc) : (locale_t)0;
  size_t w = 0;
  for (size_t i = 0; i < n;) {
    unsigned cp;
    size_t l = utf8_next(p + i, n - i, &cp);
    if (!l) {
      w++;
      i++;
      continue;
    }
    int cw = cp < 0x80 ? (cp >= 0x20 && cp != 0x7f) : wcwidth((wchar_t)cp);
    w += cw > 0 ? (size_t)cw : 0;
    i += l;
  }
  if (loc)
    uselocale(old);
  return w;
}

void term_pad(FILE *o, const char *s, size_t n, size_t width, int right) {
  size_t w = term_width(s, n);
  if (right)
    for (; w < width; w++)
      fputc(' ', o);
  fwrite(s, 1, n, o);
  if (!right)
    for (; w < width; w++)
      fputc(' ', o);
}
