/* Private: number formatting for the encoders, inline because it is most
 * of their work. Locale-independent; each writes a NUL after the text and
 * returns its length. */
#ifndef INFLUXC_FMT_IMPL_H
#define INFLUXC_FMT_IMPL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Timestamps of a batch usually share all but their last 8 digits: the
 * text of v / 10^8 is kept here and reused. Zero-initialise. */
typedef struct fmt_cache {
  uint64_t hi;
  int len;
  char txt[24];
} fmt_cache;

/* The general case of fmt_double: printf with as few digits as round-trip. */
INFLUX_PRIVATE int fmt_double_slow(double v, char *out);
/* Shortest round-trip text in plain notation for magnitudes in [1e-6, 1e21)
 * (as influxd's JSON writes numbers), exponent form outside; NaN, +Inf and
 * -Inf by name. `out` >= 40 bytes. */
INFLUX_PRIVATE int fmt_double_plain(double v, char *out);
/* Python's repr() of a float ("12.0", "1e-05", "1e+16"): the seed's text. */
INFLUX_PRIVATE int fmt_double_repr(double v, char *out);

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* Writes the 8 digits of v < 10^8 (leading zeros included) at o. On
 * little-endian machines all pairs are split at once (SWAR): 4-digit
 * halves in 32-bit lanes, then 2-digit and 1-digit lanes, each split by
 * multiplying with a reciprocal (x * 10486 >> 20 is x / 100 for x < 10^4,
 * x * 103 >> 10 is x / 10 for x < 100), so no division waits on another. */
static inline void put8(char *o, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint32_t hi = v / 10000, lo = v - hi * 10000;
  uint64_t x = hi | (uint64_t)lo << 32;
  uint64_t q = (x * 10486 >> 20) & 0x0000007f0000007full;
  x = q | (x - q * 100) << 16;
  q = (x * 103 >> 10) & 0x000f000f000f000full;
  x = q | (x - q * 10) << 8;
  x |= 0x3030303030303030ull;
  memcpy(o, &x, 8);
#else
  char *e = o + 8;
  for (int i = 0; i < 4; i++) {
    uint32_t r = v % 100;
    v /= 100;
    e -= 2;
    e[0] = digit_pairs[2 * r];
    e[1] = digit_pairs[2 * r + 1];
  }
#endif
}

/* 10^0 .. 10^19: every power of ten a uint64_t holds. */
static const uint64_t pow10_u64[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};

static inline int digits_u64(uint64_t v) {
  /* floor(bits * log10(2)) (1233/4096) is the digit count or one less. */
  int bits = v ? 64 - __builtin_clzll(v) : 1;
  int t = (bits * 1233) >> 12;
  return t + 1 - (t > 0 && v < pow10_u64[t]);
}

static inline int fmt_u64(uint64_t v, char *out) {
  if (v < 10) {
    out[0] = (char)('0' + v);
    out[1] = 0;
    return 1;
  }
  if (v < 100) {
    out[0] = digit_pairs[2 * v];
    out[1] = digit_pairs[2 * v + 1];
    out[2] = 0;
    return 2;
  }
  /* Digits are written in place from the end: no temporary and no copy. */
  int n = digits_u64(v);
  char *p = out + n;
  *p = 0;
  /* Full 8-digit groups first: cheaper 32-bit divisions. */
  while (v >= 100000000u) {
    uint32_t low = (uint32_t)(v % 100000000u);
    v /= 100000000u;
    p -= 8;
    put8(p, low);
  }
  uint32_t w = (uint32_t)v;
  while (w >= 100) {
    uint32_t r = w % 100;
    w /= 100;
    p -= 2;
    p[0] = digit_pairs[2 * r];
    p[1] = digit_pairs[2 * r + 1];
  }
  if (w >= 10) {
    p -= 2;
    p[0] = digit_pairs[2 * w];
    p[1] = digit_pairs[2 * w + 1];
  } else {
    *--p = (char)('0' + w);
  }
  return n;
}

static inline int fmt_i64(int64_t v, char *out) {
  if (v < 0) {
    out[0] = '-';
    return 1 + fmt_u64((uint64_t)0 - (uint64_t)v, out + 1);
  }
  return fmt_u64((uint64_t)v, out);
}

/* fmt_i64 through a cache; `out` >= 32 bytes. */
static inline int fmt_i64_cached(int64_t v, char *out, fmt_cache *c) {
  if (v < 100000000)
    return fmt_i64(v, out);
  uint64_t u = (uint64_t)v, hi = u / 100000000u;
  if (hi != c->hi) { /* hi >= 1, so a zeroed cache never matches */
    c->len = fmt_u64(hi, c->txt);
    c->hi = hi;
  }
  memcpy(out, c->txt, 16); /* hi < 10^11: the text and its NUL fit */
  put8(out + c->len, (uint32_t)(u - hi * 100000000u));
  out[c->len + 8] = 0;
  return c->len + 8;
}

/* Shortest text that parses back to the same double, independent of the
 * locale. Fast path: the value is m / 10^k with m < 2^53 exactly
 * representable; because m and 10^k are exact doubles, IEEE division is
 * correctly rounded, so if m / 10^k == v then the decimal text of m with k
 * fraction digits parses back to v. The smallest such k is the shortest
 * text. Other values use printf with 15, 16 then 17 significant digits. */
static inline int fmt_double(double v, char *out) {
  static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                               1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
  double a = fabs(v);
  if (a < 9007199254740992.0 && a >= 1e-6) {
    for (int k = 0; k <= 17; k++) {
      double s = a * p10[k];
      if (s >= 9007199254740992.0)
        break;
      /* Any nearby integer will do: the check below decides. s < 2^53,
       * so int64_t conversions (one instruction each way) are exact. */
      double m = (double)(int64_t)(s + 0.5);
      /* Cheap filter first (a multiply); the exact check is a division. */
      if (fabs(s - m) > s * 0x1p-50)
        continue;
      if (m / p10[k] == a) {
        /* From 2^50 on, s (a * 10^k rounded) may be off by a quarter or
         * more, and then m+1 or m-1 may read back as a too and be
         * nearer: the exact difference (fma rounds once) decides, so the
         * text is the nearest of the shortest, as Python's repr. */
        if (s >= 0x1p50) {
          double r = fma(a, p10[k], -m);
          if (r > 0.5 && m + 1 < 9007199254740992.0 && (m + 1) / p10[k] == a)
            m += 1;
          else if (r < -0.5 && (m - 1) / p10[k] == a)
            m -= 1;
        }
        /* Integer part from a itself, so no division by a variable 10^k;
         * the fraction is what is left of m. */
        uint64_t im = (uint64_t)(int64_t)m, ip = (uint64_t)(int64_t)a;
        uint64_t frac = im - ip * pow10_u64[k];
        if (frac >= pow10_u64[k]) { /* a rounded up to the next integer */
          ip = im / pow10_u64[k];
          frac = im % pow10_u64[k];
        }
        int n = v < 0;
        if (n)
          out[0] = '-';
        n += fmt_u64(ip, out + n);
        if (k) {
          /* exactly k fraction digits, zero-padded, from the end */
          out[n] = '.';
          char *e = out + n + 1 + k;
          int left = k;
          for (; left >= 2; left -= 2) {
            uint32_t r = (uint32_t)(frac % 100);
            frac /= 100;
            e -= 2;
            e[0] = digit_pairs[2 * r];
            e[1] = digit_pairs[2 * r + 1];
          }
          if (left)
            *--e = (char)('0' + frac);
          n += 1 + k;
        }
        out[n] = 0;
        return n;
      }
    }
  }
  return fmt_double_slow(v, out);
}

#endif
