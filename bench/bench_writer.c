/* The batching writer: N points from PRODUCERS threads (each writing its
 * share in calls of 1,000), batch 10,000, then close(). Also measures the
 * latency the writer adds to one point (write + flush, against a direct
 * single-point write), and reports its buffer limit.
 * usage: bench_writer PORT DB PRODUCERS [N] [BUFFER_MB] [PARALLEL] */
#include <pthread.h>
#include <stdlib.h>

#include "bench_common.h"

typedef struct prod {
  influx_writer *w;
  size_t from, to;
} prod;

static void *produce(void *u) {
  prod *p = u;
  bench_point bp[1000];
  influx_point pts[1000];
  influx_error err;
  for (size_t i = p->from; i < p->to;) {
    size_t k = 0;
    for (; k < 1000 && i < p->to; k++, i++) {
      bench_fill(&bp[k], i);
      pts[k] = bp[k].p;
    }
    if (influx_writer_write(p->w, pts, k, &err)) {
      fprintf(stderr, "write: %s\n", err.message);
      exit(1);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 4)
    return 2;
  int port = atoi(argv[1]);
  const char *db = argv[2];
  int nprod = atoi(argv[3]);
  size_t n = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000000;
  size_t buf_mb = argc > 5 ? strtoul(argv[5], NULL, 10) : 64;
  int par = argc > 6 ? atoi(argv[6]) : 1;
  influx_options o = {
      .host = "127.0.0.1", .port = port, .database = db, .pool_size = par};
  influx_client *c;
  influx_error err;
  if (influx_client_new(&o, &c, &err) || nprod < 1 || nprod > 64)
    return 1;
  influx_writer_options wo = {.batch_size = 10000,
                              .batch_bytes = 8000000,
                              .buffer_limit = buf_mb << 20,
                              .parallel = par};
  influx_writer *w;
  if (influx_writer_new(c, &wo, &w, &err)) {
    fprintf(stderr, "writer: %s\n", err.message);
    return 1;
  }
  pthread_t th[64];
  prod ps[64];
  double t0 = bench_now();
  for (int i = 0; i < nprod; i++) {
    ps[i] = (prod){w, n * (size_t)i / (size_t)nprod,
                   n * (size_t)(i + 1) / (size_t)nprod};
    pthread_create(&th[i], NULL, produce, &ps[i]);
  }
  for (int i = 0; i < nprod; i++)
    pthread_join(th[i], NULL);
  if (influx_writer_flush(w, &err)) {
    fprintf(stderr, "flush: %s\n", err.message);
    return 1;
  }
  double dt = bench_now() - t0;
  /* Added latency: one point through the writer (write + flush) against
   * the same point written directly; medians of 200. */
  enum { R = 200 };
  double via[R], direct[R];
  for (int r = 0; r < R; r++) {
    bench_point bp;
    bench_fill(&bp, n + (size_t)r);
    double a = bench_now();
    if (influx_writer_write(w, &bp.p, 1, &err) || influx_writer_flush(w, &err))
      return 1;
    via[r] = bench_now() - a;
    bench_fill(&bp, n + R + (size_t)r);
    a = bench_now();
    if (influx_write_points(c, &bp.p, 1, NULL, &err))
      return 1;
    direct[r] = bench_now() - a;
  }
  bench_sort(via, R);
  bench_sort(direct, R);
  influx_writer_stats st;
  influx_status cst = influx_writer_close(w, &st, &err);
  influx_writer_free(w);
  if (cst)
    return 1;
  printf("points %zu producers %d seconds %.3f points_per_s %.0f "
         "latency_us %.0f direct_us %.0f buffer_mb %zu written %llu\n",
         n, nprod, dt, (double)n / dt, via[R / 2] * 1e6, direct[R / 2] * 1e6,
         buf_mb, (unsigned long long)st.written);
  influx_client_free(c);
  return 0;
}
