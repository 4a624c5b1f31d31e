/* Frames: "query" decodes SELECT * FROM cpu into frames and reports their
 * size; "write" builds the benchmark data set as a frame (not timed) and
 * writes it with influx_frame_write, batch 10,000.
 * usage: bench_frame PORT DB query|write [N] */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

/* Bytes the frame's data takes: values, validity bitmaps, string text. */
static size_t frame_bytes(const influx_frame *f) {
  size_t n = influx_frame_row_count(f), b = 8 * n;
  for (size_t c = 0; c < influx_frame_column_count(f); c++) {
    b += (n + 7) / 8;
    switch (influx_frame_column_type(f, c)) {
    case INFLUX_COL_BOOL:
      b += n;
      break;
    case INFLUX_COL_STRING:
    case INFLUX_COL_TAG:
      b += 8 * n;
      for (size_t r = 0; r < n; r++) {
        const char *s = influx_frame_get_string(f, r, c);
        b += s ? strlen(s) + 1 : 0;
      }
      break;
    default:
      b += 8 * n;
    }
  }
  return b;
}

static int query(influx_client *c, const char *db) {
  influx_frame_query_options o = {.database = db};
  influx_frame_set *fs;
  influx_error err;
  double t0 = bench_now();
  if (influx_query_frames(c, "SELECT * FROM cpu", &o, &fs, &err)) {
    fprintf(stderr, "query: %s\n", err.message);
    return 1;
  }
  double dt = bench_now() - t0;
  size_t rows = 0, bytes = 0;
  for (size_t i = 0; i < influx_frame_set_count(fs, 0); i++) {
    rows += influx_frame_row_count(influx_frame_set_frame(fs, 0, i));
    bytes += frame_bytes(influx_frame_set_frame(fs, 0, i));
  }
  printf("rows %zu seconds %.3f rows_per_s %.0f frame_mb %.1f\n", rows, dt,
         (double)rows / dt, (double)bytes / 1048576.0);
  influx_frame_set_free(fs);
  return 0;
}

static int write_frame(influx_client *c, const char *db, size_t n) {
  int64_t *t = malloc(n * sizeof *t), *cnt = malloc(n * sizeof *cnt);
  double *usage = malloc(n * sizeof *usage);
  const char **host = malloc(n * sizeof *host),
             **region = malloc(n * sizeof *region);
  const char **status = malloc(n * sizeof *status);
  if (!t || !cnt || !usage || !host || !region || !status)
    return 1;
  for (size_t i = 0; i < n; i++) {
    bench_point bp;
    bench_fill(&bp, i);
    t[i] = bp.p.time;
    host[i] = bp.tags[0].value;
    region[i] = bp.tags[1].value;
    usage[i] = bp.fields[0].v.f;
    cnt[i] = bp.fields[1].v.i;
    status[i] = bp.fields[2].v.s;
  }
  influx_frame *f;
  influx_error err;
  if (influx_frame_new(&f, &err) || influx_frame_set_time(f, t, n, 1, &err) ||
      influx_frame_add_strings(f, "host", INFLUX_COL_TAG, host, n, &err) ||
      influx_frame_add_strings(f, "region", INFLUX_COL_TAG, region, n, &err) ||
      influx_frame_add_float(f, "usage", usage, NULL, n, 1, &err) ||
      influx_frame_add_int(f, "count", cnt, NULL, n, 1, &err) ||
      influx_frame_add_strings(f, "status", INFLUX_COL_STRING, status, n,
                               &err)) {
    fprintf(stderr, "frame: %s\n", err.message);
    return 1;
  }
  influx_frame_write_options wo = {
      .measurement = "cpu", .database = db, .batch_size = 10000};
  influx_frame_write_report rep;
  double t0 = bench_now();
  if (influx_frame_write(c, f, &wo, &rep, &err)) {
    fprintf(stderr, "write: %s\n", err.message);
    return 1;
  }
  double dt = bench_now() - t0;
  printf("rows %zu seconds %.3f rows_per_s %.0f\n", rep.rows_written, dt,
         (double)rep.rows_written / dt);
  influx_frame_free(f);
  free(t);
  free(cnt);
  free(usage);
  free(host);
  free(region);
  free(status);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4)
    return 2;
  influx_options o = {
      .host = "127.0.0.1", .port = atoi(argv[1]), .pool_size = 1};
  influx_client *c;
  influx_error err;
  if (influx_client_new(&o, &c, &err))
    return 1;
  size_t n = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000000;
  int rc = !strcmp(argv[3], "query") ? query(c, argv[2])
                                     : write_frame(c, argv[2], n);
  influx_client_free(c);
  return rc;
}
