/* Frames as CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_impl.h"
#include "frame_impl.h"
#include "influxc/write.h"

void influx_csv_field(FILE *o, const char *s, size_t n) {
  if (!o || !s)
    return;
  if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
      !memchr(s, '\r', n)) {
    fwrite(s, 1, n, o);
    return;
  }
  fputc('"', o);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"')
      fputc('"', o);
    fputc(s[i], o);
  }
  fputc('"', o);
}

static void csv_text(FILE *o, const char *s) {
  influx_csv_field(o, s, strlen(s));
}

influx_status influx_frame_write_csv(const influx_frame *f, FILE *out,
                                     const influx_frame_csv_options *o,
                                     influx_error *err) {
  static const influx_frame_csv_options none;
  if (!f || !out)
    return ierr(err, INFLUX_ERR_INVALID_ARG, "frame_write_csv: NULL argument");
  if (!o)
    o = &none;
  int64_t div = 1;
  if (o->epoch) {
    div = !strcmp(o->epoch, "ns") ? 1 : precision_factor(o->epoch);
    if (!div || !strcmp(o->epoch, "n"))
      return ierr(err, INFLUX_ERR_INVALID_ARG,
                  "frame_write_csv: epoch \"%.20s\" is not h, m, s, ms, u or "
                  "ns",
                  o->epoch);
  }
  if (!o->no_header) {
    if (o->name)
      fputs("name,tags,", out);
    fputs("time", out);
    for (size_t k = 0; k < f->ncols; k++) {
      fputc(',', out);
      csv_text(out, f->cols[k].name);
    }
    fputc('\n', out);
  }
  char buf[64];
  for (size_t r = 0; r < f->nrows; r++) {
    if (o->name) {
      csv_text(out, o->name);
      fputc(',', out);
      csv_text(out, o->tags ? o->tags : "");
      fputc(',', out);
    }
    int64_t t = f->time ? f->time[r] : 0;
    if (o->epoch) {
      /* Floored, as export does: before 1970 too. */
      fprintf(out, "%lld", (long long)(t / div - (t % div < 0)));
    } else {
      rfc3339_format(t, buf);
      fputs(buf, out);
    }
    for (size_t k = 0; k < f->ncols; k++) {
      const fcol *c = &f->cols[k];
      fputc(',', out);
      if (influx_frame_is_null(f, r, k))
        continue;
      switch (c->type) {
      case INFLUX_COL_FLOAT:
        fmt_double_plain(((const double *)c->values)[r], buf);
        fputs(buf, out);
        break;
      case INFLUX_COL_INT:
        fmt_i64(((const int64_t *)c->values)[r], buf);
        fputs(buf, out);
        break;
      case INFLUX_COL_BOOL:
        fputs(((const uint8_t *)c->values)[r] ? "true" : "false", out);
        break;
      default:
        csv_text(out, c->arena.p + ((const size_t *)c->values)[r]);
      }
    }
    fputc('\n', out);
  }
  if (ferror(out))
    return ierr(err, INFLUX_ERR_IO, "frame_write_csv: write failed");
  return INFLUX_OK;
}
