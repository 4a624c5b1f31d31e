/* End-to-end write: N points from structs with write_points, batch 10,000.
 * Points are produced in slices of 100,000 (as a streaming producer would)
 * so the client's memory stays bounded.
 * usage: bench_write PORT DB POOL_SIZE [N] */
#include <stdlib.h>

#include "bench_common.h"

int main(int argc, char **argv) {
  if (argc < 4)
    return 2;
  int port = atoi(argv[1]);
  const char *db = argv[2];
  int pool = atoi(argv[3]);
  size_t n = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000000;
  influx_options o = {.host = "127.0.0.1",
                      .port = port,
                      .database = db,
                      .pool_size = pool,
                      .username = ""};
  influx_client *c;
  influx_error err;
  if (influx_client_new(&o, &c, &err))
    return 1;
  size_t slice = 100000;
  bench_point *pts = malloc(slice * sizeof *pts);
  influx_point *pp = malloc(slice * sizeof *pp);
  if (!pts || !pp)
    return 1;
  influx_write_options wo = {.batch_size = 10000};
  double t0 = bench_now();
  for (size_t base = 0; base < n; base += slice) {
    size_t k = n - base < slice ? n - base : slice;
    for (size_t i = 0; i < k; i++)
      bench_fill(&pts[i], base + i);
    /* write_points takes a contiguous array of influx_point. */
    for (size_t i = 0; i < k; i++)
      pp[i] = pts[i].p;
    if (influx_write_points(c, pp, k, &wo, &err)) {
      fprintf(stderr, "write: %s\n", err.message);
      return 1;
    }
  }
  double dt = bench_now() - t0;
  printf("points %zu pool %d seconds %.3f points_per_s %.0f\n", n, pool, dt,
         (double)n / dt);
  free(pts);
  free(pp);
  influx_client_free(c);
  return 0;
}
