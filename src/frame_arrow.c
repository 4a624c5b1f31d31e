/* Frames through the Arrow C Data Interface: numbers and bitmaps shared
 * without copying, strings copied into Arrow's layout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "frame_impl.h"
#include "influxc/write.h"

typedef struct arrow_priv {
  influx_frame *f; /* kept alive while exported */
  void *owned[3];  /* buffers made for this array */
  const void *bufs[3];
  struct ArrowArray **kids;
  struct ArrowArray *kid_store;
  size_t nkids;
} arrow_priv;

typedef struct schema_priv {
  struct ArrowSchema **kids;
  struct ArrowSchema *kid_store;
  char *name;
  size_t nkids;
} schema_priv;

static void release_array(struct ArrowArray *a) {
  if (!a || !a->release)
    return;
  arrow_priv *p = a->private_data;
  for (size_t i = 0; i < p->nkids; i++)
    if (p->kid_store[i].release)
      p->kid_store[i].release(&p->kid_store[i]);
  for (int i = 0; i < 3; i++)
    free(p->owned[i]);
  free(p->kids);
  free(p->kid_store);
  frame_unref(p->f);
  free(p);
  a->release = NULL;
}

static void release_schema(struct ArrowSchema *s) {
  if (!s || !s->release)
    return;
  schema_priv *p = s->private_data;
  for (size_t i = 0; i < p->nkids; i++)
    if (p->kid_store[i].release)
      p->kid_store[i].release(&p->kid_store[i]);
  free(p->kids);
  free(p->kid_store);
  free(p->name);
  free(p);
  s->release = NULL;
}

static int child_schema(struct ArrowSchema *s, const char *format,
                        const char *name, int nullable) {
  schema_priv *p = calloc(1, sizeof *p);
  if (!p || !(p->name = istrdup(name))) {
    free(p);
    return -1;
  }
  *s = (struct ArrowSchema){.format = format,
                            .name = p->name,
                            .flags = nullable ? 2 : 0, /* ARROW_FLAG_NULLABLE */
                            .release = release_schema,
                            .private_data = p};
  return 0;
}

static int child_array(struct ArrowArray *a, influx_frame *f, const fcol *c) {
  arrow_priv *p = calloc(1, sizeof *p);
  if (!p)
    return -1;
  size_t n = f->nrows;
  int64_t nbuf = 2;
  p->bufs[0] = c && c->nnull ? c->valid : NULL;
  if (!c) { /* time */
    p->bufs[1] = f->time;
  } else if (c->type == INFLUX_COL_FLOAT || c->type == INFLUX_COL_INT ||
             c->type == NO_TYPE) {
    p->bufs[1] = c->values;
  } else if (c->type == INFLUX_COL_BOOL) {
    uint8_t *bits = calloc((n + 7) / 8 + 1, 1);
    if (!bits) {
      free(p);
      return -1;
    }
    for (size_t r = 0; r < n; r++)
      if (((const uint8_t *)c->values)[r])
        bit_set(bits, r, 1);
    p->owned[1] = bits;
    p->bufs[1] = bits;
  } else {
    /* utf8: int32 offsets and the bytes, without the NULs. */
    size_t total = 0;
    for (size_t r = 0; r < n; r++)
      if (!c->valid || bit_get(c->valid, r))
        total += strlen(c->arena.p + ((const size_t *)c->values)[r]);
    int32_t *offs = malloc((n + 1) * sizeof *offs);
    char *data = malloc(total ? total : 1);
    if (!offs || !data || total > INT32_MAX) {
      free(offs);
      free(data);
      free(p);
      return -1;
    }
    size_t at = 0;
    offs[0] = 0;
    for (size_t r = 0; r < n; r++) {
      if (!c->valid || bit_get(c->valid, r)) {
        const char *s = c->arena.p + ((const size_t *)c->values)[r];
        size_t l = strlen(s);
        memcpy(data + at, s, l);
        at += l;
      }
      offs[r + 1] = (int32_t)at;
    }
    p->owned[1] = offs;
    p->owned[2] = data;
    p->bufs[1] = offs;
    p->bufs[2] = data;
    nbuf = 3;
  }
  __atomic_add_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
  p->f = f;
  *a = (struct ArrowArray){.length = (int64_t)n,
                           .null_count = c ? (int64_t)c->nnull : 0,
                           .n_buffers = nbuf,
                           .buffers = p->bufs,
                           .release = release_array,
                           .private_data = p};
  return 0;
}

static const char *arrow_format(int type) {
  switch (type) {
  case INFLUX_COL_FLOAT:
    return "g";
  case INFLUX_COL_INT:
    return "l";
  case INFLUX_COL_BOOL:
    return "b";
  case INFLUX_COL_STRING:
  case INFLUX_COL_TAG:
    return "u";
  default:
    return "g"; /* a column that only ever held nulls */
  }
}

influx_status influx_frame_export_arrow(const influx_frame *cf,
                                        struct ArrowSchema *schema,
                                        struct ArrowArray *array,
                                        influx_error *err) {
  if (!cf || !schema || !array)
    return ierr(err, INFLUX_ERR_INVALID_ARG,
                "frame_export_arrow: NULL "
                "argument");
  influx_frame *f = (influx_frame *)(uintptr_t)cf;
  size_t nk = f->ncols + 1;
  schema_priv *sp = calloc(1, sizeof *sp);
  arrow_priv *ap = calloc(1, sizeof *ap);
  if (!sp || !ap) {
    free(sp);
    free(ap);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory");
  }
  sp->kids = calloc(nk, sizeof *sp->kids);
  sp->kid_store = calloc(nk, sizeof *sp->kid_store);
  ap->kids = calloc(nk, sizeof *ap->kids);
  ap->kid_store = calloc(nk, sizeof *ap->kid_store);
  sp->name = istrdup("");
  *schema = (struct ArrowSchema){.format = "+s",
                                 .name = sp->name,
                                 .n_children = (int64_t)nk,
                                 .children = sp->kids,
                                 .release = release_schema,
                                 .private_data = sp};
  __atomic_add_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
  ap->f = f;
  *array = (struct ArrowArray){.length = (int64_t)f->nrows,
                               .n_buffers = 1,
                               .buffers = ap->bufs,
                               .n_children = (int64_t)nk,
                               .children = ap->kids,
                               .release = release_array,
                               .private_data = ap};
  int bad =
      !sp->kids || !sp->kid_store || !ap->kids || !ap->kid_store || !sp->name;
  for (size_t k = 0; !bad && k < nk; k++) {
    const fcol *c = k ? &f->cols[k - 1] : NULL;
    bad = child_schema(&sp->kid_store[k], c ? arrow_format(c->type) : "tsn:UTC",
                       c ? c->name : "time", c != NULL) ||
          child_array(&ap->kid_store[k], f, c);
    sp->kids[k] = &sp->kid_store[k];
    ap->kids[k] = &ap->kid_store[k];
    sp->nkids = ap->nkids = k + 1;
  }
  if (bad) {
    release_schema(schema);
    release_array(array);
    return ierr(err, INFLUX_ERR_NOMEM, "out of memory exporting a frame");
  }
  return INFLUX_OK;
}
