/* Encode-only throughput: 1M points into line protocol, 10,000 per buffer.
 * usage: bench_encode [N] [--dump FILE]  (dump writes the batches to FILE
 * for the curl ceiling). Prints "points_per_s <x>". */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
  FILE *dump = NULL;
  if (argc > 3 && !strcmp(argv[2], "--dump"))
    dump = fopen(argv[3], "wb");
  /* Points are built up front (as an application holding structs would):
   * only encoding is timed. */
  bench_point *pts = malloc(n * sizeof *pts);
  if (!pts)
    return 1;
  for (size_t i = 0; i < n; i++)
    bench_fill(&pts[i], i);
  influx_lines *lb = influx_lines_new();
  influx_error err;
  size_t bytes = 0;
  double t0 = bench_now();
  for (size_t i = 0; i < n; i++) {
    if (influx_lines_append(lb, &pts[i].p, &err)) {
      fprintf(stderr, "%s\n", err.message);
      return 1;
    }
    if (influx_lines_count(lb) == 10000 || i + 1 == n) {
      bytes += influx_lines_len(lb);
      if (dump)
        fwrite(influx_lines_data(lb), 1, influx_lines_len(lb), dump);
      influx_lines_reset(lb);
    }
  }
  double dt = bench_now() - t0;
  printf("points %zu bytes %zu seconds %.4f points_per_s %.0f\n", n, bytes, dt,
         (double)n / dt);
  if (dump)
    fclose(dump);
  influx_lines_free(lb);
  free(pts);
  return 0;
}
