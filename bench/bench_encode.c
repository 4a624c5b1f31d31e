/* Encode-only throughput: N points into line protocol, 10,000 per buffer.
 * usage: bench_encode [N] [--passes K] [--dump FILE]
 * Encodes the N points K times (default 1) and prints the median pass
 * ("seconds", "points_per_s") and the fastest ("best_seconds"): one pass
 * of 1M points takes ~60 ms, short enough for a scheduler hiccup to move a
 * single timing by 30%. --dump writes one pass's batches to FILE (for the
 * curl ceiling). */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

int main(int argc, char **argv) {
  size_t n = 1000000, passes = 1;
  FILE *dump = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
      if (!(dump = fopen(argv[++i], "wb"))) {
        perror(argv[i]);
        return 1;
      }
    } else if (!strcmp(argv[i], "--passes") && i + 1 < argc) {
      passes = strtoul(argv[++i], NULL, 10);
    } else {
      n = strtoul(argv[i], NULL, 10);
    }
  }
  if (!n || !passes || passes > 1000) {
    fprintf(stderr, "usage: bench_encode [N] [--passes K] [--dump FILE]\n");
    return 2;
  }
  /* Points are built up front (as an application holding structs would):
   * only encoding is timed. */
  bench_point *pts = malloc(n * sizeof *pts);
  double *times = malloc(passes * sizeof *times);
  if (!pts || !times)
    return 1;
  for (size_t i = 0; i < n; i++)
    bench_fill(&pts[i], i);
  influx_lines *lb = influx_lines_new();
  influx_error err;
  size_t bytes = 0;
  for (size_t k = 0; k < passes; k++) {
    bytes = 0;
    double t0 = bench_now();
    for (size_t i = 0; i < n; i++) {
      if (influx_lines_append(lb, &pts[i].p, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
      }
      if (influx_lines_count(lb) == 10000 || i + 1 == n) {
        bytes += influx_lines_len(lb);
        if (dump && k == 0)
          fwrite(influx_lines_data(lb), 1, influx_lines_len(lb), dump);
        influx_lines_reset(lb);
      }
    }
    times[k] = bench_now() - t0;
  }
  bench_sort(times, passes);
  double median = passes % 2 ? times[passes / 2]
                             : (times[passes / 2 - 1] + times[passes / 2]) / 2;
  printf("points %zu bytes %zu passes %zu seconds %.4f best_seconds %.4f "
         "points_per_s %.0f\n",
         n, bytes, passes, median, times[0], (double)n / median);
  if (dump)
    fclose(dump);
  influx_lines_free(lb);
  free(times);
  free(pts);
  return 0;
}
