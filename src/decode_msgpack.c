/* The msgpack push decoder. Bytes are consumed token by token; a token cut
 * by a chunk boundary waits in a small carry buffer for the rest. Container
 * sizes come from headers, so ends are synthesised when counts run out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_impl.h"

#define MP_MAX_DEPTH 64

typedef struct frame {
  uint64_t left; /* elements still to come (map: keys + values) */
  int is_map;
} frame;

struct mp_dec {
  shape *s;
  frame st[MP_MAX_DEPTH];
  int depth;
  ibuf carry;
  int failed;
};

mp_dec *mp_dec_new(shape *s) {
  mp_dec *d = calloc(1, sizeof *d);
  if (d)
    d->s = s;
  return d;
}

void mp_dec_free(mp_dec *d) {
  if (!d)
    return;
  ibuf_free(&d->carry);
  free(d);
}

static uint64_t be(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++)
    v = v << 8 | p[i];
  return v;
}

static int fail(mp_dec *d, char *msg, size_t msz, const char *why) {
  snprintf(msg, msz, "malformed msgpack response: %s", why);
  d->failed = 1;
  return 1;
}

/* One element finished: count it and close containers that are full. */
static int element_done(mp_dec *d) {
  while (d->depth > 0) {
    frame *f = &d->st[d->depth - 1];
    f->left--;
    if (f->left)
      return 0;
    d->depth--;
    int rc = f->is_map ? shape_map_end(d->s) : shape_array_end(d->s);
    if (rc)
      return rc;
  }
  return 0;
}

static int at_key(const mp_dec *d) {
  if (!d->depth)
    return 0;
  const frame *f = &d->st[d->depth - 1];
  return f->is_map && f->left % 2 == 0;
}

static int open_container(mp_dec *d, uint64_t n, int is_map, char *msg,
                          size_t msz) {
  if (at_key(d))
    return fail(d, msg, msz, "map key is a container");
  int rc = is_map ? shape_map_start(d->s) : shape_array_start(d->s);
  if (rc)
    return rc;
  if (n == 0) {
    rc = is_map ? shape_map_end(d->s) : shape_array_end(d->s);
    return rc ? rc : element_done(d);
  }
  if (d->depth >= MP_MAX_DEPTH)
    return fail(d, msg, msz, "nesting too deep");
  if (is_map && n > UINT64_MAX / 2)
    return fail(d, msg, msz, "map too large");
  d->st[d->depth].left = is_map ? n * 2 : n;
  d->st[d->depth].is_map = is_map;
  d->depth++;
  return 0;
}

static int scalar(mp_dec *d, const influx_value *v, char *msg, size_t msz) {
  int rc;
  if (at_key(d)) {
    if (v->type != INFLUX_VALUE_STRING)
      return fail(d, msg, msz, "map key is not a string");
    rc = shape_key(d->s, v->v.s, v->len);
  } else {
    if (d->depth == 0)
      return fail(d, msg, msz, "top-level value is not a map");
    rc = shape_scalar(d->s, v);
  }
  return rc ? rc : element_done(d);
}

/* Decodes one token at p[0..n). Returns bytes used, 0 if incomplete, or
 * (size_t)-1 on error. */
static size_t token(mp_dec *d, const unsigned char *p, size_t n, char *msg,
                    size_t msz) {
  unsigned t = p[0];
  influx_value v = {.type = INFLUX_VALUE_NULL};
  size_t hdr = 1, len = 0;
  int rc = 0;
#define NEED(k)                                                                \
  if (n < (k))                                                                 \
  return 0
  if (t <= 0x7f) {
    v.type = INFLUX_VALUE_INT;
    v.v.i = t;
  } else if (t >= 0xe0) {
    v.type = INFLUX_VALUE_INT;
    v.v.i = (int8_t)t;
  } else if ((t & 0xf0) == 0x80 || (t & 0xf0) == 0x90) {
    rc = open_container(d, t & 0x0f, (t & 0xf0) == 0x80, msg, msz);
    return rc ? (size_t)-1 : 1;
  } else if ((t & 0xe0) == 0xa0) {
    len = t & 0x1f;
    goto str;
  } else {
    switch (t) {
    case 0xc0:
      break;
    case 0xc2:
    case 0xc3:
      v.type = INFLUX_VALUE_BOOL;
      v.v.b = t == 0xc3;
      break;
    case 0xc4:
    case 0xd9:
      NEED(2);
      len = p[1];
      hdr = 2;
      goto str;
    case 0xc5:
    case 0xda:
      NEED(3);
      len = be(p + 1, 2);
      hdr = 3;
      goto str;
    case 0xc6:
    case 0xdb:
      NEED(5);
      len = be(p + 1, 4);
      hdr = 5;
      goto str;
    case 0xca: {
      NEED(5);
      uint32_t b = (uint32_t)be(p + 1, 4);
      float f;
      memcpy(&f, &b, 4);
      v.type = INFLUX_VALUE_FLOAT;
      v.v.f = f;
      hdr = 5;
      break;
    }
    case 0xcb: {
      NEED(9);
      uint64_t b = be(p + 1, 8);
      v.type = INFLUX_VALUE_FLOAT;
      memcpy(&v.v.f, &b, 8);
      hdr = 9;
      break;
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
      int k = 1 << (t - 0xcc);
      NEED((size_t)k + 1);
      uint64_t u = be(p + 1, k);
      if (u > INT64_MAX) {
        v.type = INFLUX_VALUE_UINT;
        v.v.u = u;
      } else {
        v.type = INFLUX_VALUE_INT;
        v.v.i = (int64_t)u;
      }
      hdr = (size_t)k + 1;
      break;
    }
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      int k = 1 << (t - 0xd0);
      NEED((size_t)k + 1);
      uint64_t u = be(p + 1, k);
      v.type = INFLUX_VALUE_INT;
      if (k == 1)
        v.v.i = (int8_t)u;
      else if (k == 2)
        v.v.i = (int16_t)u;
      else if (k == 4)
        v.v.i = (int32_t)u;
      else
        v.v.i = (int64_t)u;
      hdr = (size_t)k + 1;
      break;
    }
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      int k = (t == 0xdc || t == 0xde) ? 2 : 4;
      NEED((size_t)k + 1);
      rc = open_container(d, be(p + 1, k), t >= 0xde, msg, msz);
      return rc ? (size_t)-1 : (size_t)k + 1;
    }
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      NEED(2);
      len = (size_t)1 << (t - 0xd4);
      hdr = 2;
      goto ext;
    case 0xc7:
      NEED(3);
      len = p[1];
      hdr = 3;
      goto ext;
    case 0xc8:
      NEED(4);
      len = be(p + 1, 2);
      hdr = 4;
      goto ext;
    case 0xc9:
      NEED(6);
      len = be(p + 1, 4);
      hdr = 6;
      goto ext;
    default:
      fail(d, msg, msz, "invalid type byte");
      return (size_t)-1;
    }
  }
  rc = scalar(d, &v, msg, msz);
  return rc ? (size_t)-1 : hdr;
str:
  NEED(hdr + len);
  v.type = INFLUX_VALUE_STRING;
  v.len = (uint32_t)len;
  v.v.s = (const char *)p + hdr;
  /* The builder copies strings with their length; no terminator needed. */
  rc = scalar(d, &v, msg, msz);
  return rc ? (size_t)-1 : hdr + len;
ext:
  NEED(hdr + len);
  {
    int8_t type = (int8_t)p[hdr - 1];
    const unsigned char *b = p + hdr;
    /* influxd's time extension: type 5, int64 seconds + uint32 nanos. */
    if (type == 5 && len == 12) {
      int64_t secs = (int64_t)be(b, 8);
      uint32_t nanos = (uint32_t)be(b + 8, 4);
      int64_t t2;
      if (nanos >= 1000000000u ||
          __builtin_mul_overflow(secs, 1000000000LL, &t2) ||
          __builtin_add_overflow(t2, (int64_t)nanos, &t2)) {
        fail(d, msg, msz, "time out of range");
        return (size_t)-1;
      }
      v.type = INFLUX_VALUE_TIME;
      v.v.i = t2;
    } else {
      fail(d, msg, msz, "unknown extension type");
      return (size_t)-1;
    }
  }
  rc = scalar(d, &v, msg, msz);
  return rc ? (size_t)-1 : hdr + len;
#undef NEED
}

static int run(mp_dec *d, const unsigned char *p, size_t n, size_t *used,
               char *msg, size_t msz) {
  size_t off = 0;
  while (off < n) {
    size_t k = token(d, p + off, n - off, msg, msz);
    if (k == (size_t)-1)
      return 1;
    if (k == 0)
      break;
    off += k;
  }
  *used = off;
  return 0;
}

int mp_dec_feed(mp_dec *d, const char *p, size_t n, char *msg, size_t msz) {
  if (d->failed)
    return 1;
  size_t used = 0;
  if (d->carry.len) {
    /* Finish the cut token with as few new bytes as possible. */
    if (ibuf_append(&d->carry, p, n))
      return fail(d, msg, msz, "out of memory");
    if (run(d, (const unsigned char *)d->carry.p, d->carry.len, &used, msg,
            msz))
      return 1;
    memmove(d->carry.p, d->carry.p + used, d->carry.len - used);
    d->carry.len -= used;
    return 0;
  }
  if (run(d, (const unsigned char *)p, n, &used, msg, msz))
    return 1;
  if (used < n && ibuf_append(&d->carry, p + used, n - used))
    return fail(d, msg, msz, "out of memory");
  return 0;
}

int mp_dec_finish(mp_dec *d, char *msg, size_t msz) {
  if (d->failed)
    return 1;
  if (d->carry.len || d->depth || !shape_idle(d->s))
    return fail(d, msg, msz, "truncated");
  return 0;
}
