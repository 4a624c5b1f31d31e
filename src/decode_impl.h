/* Private: the response shape machine shared by the JSON and msgpack
 * decoders. Both turn bytes into the same events (map/array start and end,
 * keys, scalars); this machine maps those events onto the builder, knowing
 * the shape {"results":[{"statement_id","series":[{"name","tags",
 * "columns","values","partial"}],"error","partial"}],"error"}. */
#ifndef INFLUXC_DECODE_IMPL_H
#define INFLUXC_DECODE_IMPL_H

#include "result_impl.h"

#define SHAPE_MAX_DEPTH 16

/* A series' rows that come before its columns (JSON objects and msgpack
 * maps are unordered; proxies reorder keys) are held, up to this many
 * bytes, and replayed once the columns are known. */
#define SHAPE_MAX_DEFERRED ((size_t)64 << 20)

typedef struct shape {
  rbuilder *rb;
  unsigned char stack[SHAPE_MAX_DEPTH];
  int depth;
  int key;       /* id of the key whose value comes next */
  long skip;     /* depth inside a subtree we ignore */
  ibuf tagkey;   /* key of the tag whose value comes next */
  int cols;      /* the current series' columns have been seen */
  int deferring; /* inside a values array that came before the columns */
  ibuf deferred; /* its rows: events to replay (shape.c) */
} shape;

/* Frees what the machine holds. */
INFLUX_PRIVATE void shape_free(shape *s);

INFLUX_PRIVATE int shape_map_start(shape *s);
INFLUX_PRIVATE int shape_map_end(shape *s);
INFLUX_PRIVATE int shape_array_start(shape *s);
INFLUX_PRIVATE int shape_array_end(shape *s);
INFLUX_PRIVATE int shape_key(shape *s, const char *k, size_t n);
INFLUX_PRIVATE int shape_scalar(shape *s, const influx_value *v);
/* Nonzero when no document is open (between top-level values). */
INFLUX_PRIVATE int shape_idle(const shape *s);

/* Format-specific push parsers. */
typedef struct json_dec json_dec;
INFLUX_PRIVATE json_dec *json_dec_new(shape *s);
INFLUX_PRIVATE int json_dec_feed(json_dec *d, const char *p, size_t n,
                                 char *msg, size_t msz);
INFLUX_PRIVATE int json_dec_finish(json_dec *d, char *msg, size_t msz);
INFLUX_PRIVATE void json_dec_free(json_dec *d);

typedef struct mp_dec mp_dec;
INFLUX_PRIVATE mp_dec *mp_dec_new(shape *s);
INFLUX_PRIVATE int mp_dec_feed(mp_dec *d, const char *p, size_t n, char *msg,
                               size_t msz);
INFLUX_PRIVATE int mp_dec_finish(mp_dec *d, char *msg, size_t msz);
INFLUX_PRIVATE void mp_dec_free(mp_dec *d);

#endif
