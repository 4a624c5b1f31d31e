/* Shared by the benchmarks: the standard data set and a clock. */
#ifndef INFLUXC_BENCH_COMMON_H
#define INFLUXC_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "influxc.h"

/* The data set of the issues: measurement cpu, 2 tags, 3 fields (float,
 * int, string), explicit ns times. Point i is fully determined by i. */
#define BENCH_T0 1600000000000000000LL

typedef struct bench_point {
  influx_tag tags[2];
  influx_field fields[3];
  influx_point p;
} bench_point;

static const char *const bench_hosts[] = {
    "server00", "server01", "server02", "server03", "server04",
    "server05", "server06", "server07", "server08", "server09"};
static const char *const bench_regions[] = {"us-west", "us-east", "eu-central",
                                            "ap-south"};
static const char *const bench_status[] = {"ok", "warn", "crit"};

static inline void bench_fill(bench_point *b, size_t i) {
  b->tags[0] = (influx_tag){"host", bench_hosts[i % 10]};
  b->tags[1] = (influx_tag){"region", bench_regions[i % 4]};
  b->fields[0] =
      (influx_field)INFLUX_F_FLOAT("usage", (double)(i % 1000) / 10.0 + 0.25);
  b->fields[1] = (influx_field)INFLUX_F_INT("count", (int64_t)i);
  b->fields[2] = (influx_field)INFLUX_F_STRING("status", bench_status[i % 3]);
  b->p = (influx_point){
      "cpu", b->tags, 2, b->fields, 3, BENCH_T0 + (int64_t)i * 1000, 1, NULL};
}

static int bench_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Sorts n timings in place, fastest first. */
static inline void bench_sort(double *v, size_t n) {
  qsort(v, n, sizeof *v, bench_cmp_double);
}

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
