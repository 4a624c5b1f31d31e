/* Query 1M rows: a full result set, or a chunked stream consumed row by
 * row. usage: bench_query PORT DB full|stream json|msgpack [QUERY] */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

typedef struct acc {
  size_t rows;
  double sum;
  double values_bytes; /* the decoded values: cells plus string bytes */
} acc;

static void measure(acc *a, const influx_series *s) {
  size_t nr = influx_series_row_count(s), nc = influx_series_column_count(s);
  a->values_bytes += (double)(nr * nc * sizeof(influx_value));
  for (size_t r = 0; r < nr; r++)
    for (size_t c = 0; c < nc; c++) {
      const influx_value *v = influx_series_value(s, r, c);
      if (v->type == INFLUX_VALUE_STRING)
        a->values_bytes += v->len + 1;
    }
}

static int on_series(void *u, int stmt, const influx_series *s) {
  acc *a = u;
  (void)stmt;
  size_t nr = influx_series_row_count(s), nc = influx_series_column_count(s);
  for (size_t r = 0; r < nr; r++) {
    const influx_value *v = influx_series_value(s, r, nc > 3 ? 3 : 0);
    a->sum += v->type == INFLUX_VALUE_FLOAT ? v->v.f : 0;
  }
  a->rows += nr;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 5)
    return 2;
  influx_options o = {.host = "127.0.0.1",
                      .port = atoi(argv[1]),
                      .database = argv[2],
                      .username = ""};
  const char *q = argc > 5 ? argv[5] : "SELECT * FROM cpu";
  influx_client *c;
  influx_error err;
  if (influx_client_new(&o, &c, &err))
    return 1;
  influx_query_options qo = {.format = !strcmp(argv[4], "json")
                                           ? INFLUX_FORMAT_JSON
                                           : INFLUX_FORMAT_MSGPACK};
  acc a = {0};
  double t0 = bench_now();
  if (!strcmp(argv[3], "stream")) {
    qo.chunked = 1;
    qo.chunk_size = 10000;
    influx_stream_handlers h = {
        .on_series = on_series, .on_error = NULL, .user = &a};
    if (influx_query_stream(c, q, &qo, &h, &err)) {
      fprintf(stderr, "query: %s\n", err.message);
      return 1;
    }
  } else {
    influx_result *r = NULL;
    if (influx_query(c, q, &qo, &r, &err)) {
      fprintf(stderr, "query: %s\n", err.message);
      return 1;
    }
    for (size_t j = 0; j < influx_result_series_count(r, 0); j++)
      on_series(&a, 0, influx_result_series(r, 0, j));
    double dt = bench_now() - t0;
    for (size_t j = 0; j < influx_result_series_count(r, 0); j++)
      measure(&a, influx_result_series(r, 0, j));
    influx_result_free(r);
    printf("rows %zu seconds %.3f rows_per_s %.0f checksum %.1f values_mb "
           "%.1f\n",
           a.rows, dt, (double)a.rows / dt, a.sum, a.values_bytes / 1048576.0);
    influx_client_free(c);
    return 0;
  }
  double dt = bench_now() - t0;
  printf("rows %zu seconds %.3f rows_per_s %.0f checksum %.1f\n", a.rows, dt,
         (double)a.rows / dt, a.sum);
  influx_client_free(c);
  return 0;
}
