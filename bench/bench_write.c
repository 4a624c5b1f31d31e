/* End-to-end write: N points from structs with write_points, batch 10,000.
 * Points are produced in slices of 100,000 (as a streaming producer would)
 * so the client's memory stays bounded.
 * usage: bench_write PORT DB POOL_SIZE [N] */
#include <stdlib.h>

#include "bench_common.h"

typedef struct gen {
  size_t next, n;
  bench_point pts[256];
} gen;

/* Produces the data set on the fly: the client holds no more than a few
 * batch buffers, whatever N is. */
static long produce(void *u, influx_point *buf, size_t cap) {
  gen *g = u;
  size_t k = 0;
  for (; k < cap && k < 256 && g->next < g->n; k++, g->next++) {
    bench_fill(&g->pts[k], g->next);
    buf[k] = g->pts[k].p;
  }
  return (long)k;
}

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
  static gen g;
  g.n = n;
  influx_write_options wo = {.batch_size = 10000};
  double t0 = bench_now();
  if (influx_write_from(c, produce, &g, &wo, NULL, &err)) {
    fprintf(stderr, "write: %s\n", err.message);
    return 1;
  }
  double dt = bench_now() - t0;
  printf("points %zu pool %d seconds %.3f points_per_s %.0f\n", n, pool, dt,
         (double)n / dt);
  influx_client_free(c);
  return 0;
}
