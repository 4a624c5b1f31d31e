/* A tour of influxc against a server on localhost:8086 (database "tour"):
 * write points, query them back, stream a big result, keep a batching
 * writer running, and move a frame in and out.
 * usage: tour [DSN]   (default influxdb://127.0.0.1:8086/tour) */
#include <stdio.h>
#include <stdlib.h>

#include <influxc.h>

static int print_series(void *user, int stmt, const influx_series *s) {
  (void)user;
  printf("statement %d: %s, %zu rows\n", stmt, influx_series_name(s),
         influx_series_row_count(s));
  return 0; /* non-zero stops the stream */
}

static void on_rejected(void *user, const influx_writer_batch *b,
                        influx_status st, const influx_error *e) {
  (void)user;
  (void)st;
  fprintf(stderr, "batch from point %llu: %zu of %zu points not stored: %s\n",
          (unsigned long long)b->first_seq, b->rejected, b->npoints,
          e->message);
}

int main(int argc, char **argv) {
  const char *dsn = argc > 1 ? argv[1] : "influxdb://127.0.0.1:8086/tour";
  influx_error err;
  influx_client *c;
  if (influx_client_from_dsn(dsn, NULL, &c, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  char version[64];
  if (influx_ping(c, version, sizeof version, &err)) {
    fprintf(stderr, "ping: %s\n", err.message);
    return 1;
  }
  printf("InfluxDB %s\n", version);
  influx_create_database(c, "tour", &err);

  /* Points from structs. */
  influx_tag tags[] = {{"host", "server01"}, {"region", "us-west"}};
  influx_field fields[] = {INFLUX_F_FLOAT("value", 0.64), INFLUX_F_INT("n", 3)};
  influx_point p = {.measurement = "cpu",
                    .tags = tags,
                    .ntags = 2,
                    .fields = fields,
                    .nfields = 2,
                    .time = 1700000000,
                    .has_time = 1};
  influx_write_options wo = {.precision = "s"};
  if (influx_write_points(c, &p, 1, &wo, &err))
    fprintf(stderr, "write: %s\n", err.message);

  /* A query with a bind parameter (never paste untrusted text into
   * InfluxQL). */
  influx_param bp[] = {{"h", influx_value_string("server01")}};
  influx_query_options qo = {.bind_params = bp, .nbind_params = 1};
  influx_result *r = NULL;
  if (influx_query(c, "SELECT value FROM cpu WHERE host = $h", &qo, &r, &err))
    fprintf(stderr, "query: %s\n", err.message);
  const influx_series *s = influx_result_series(r, 0, 0);
  for (size_t i = 0; s && i < influx_series_row_count(s); i++) {
    double v;
    int64_t t;
    influx_series_get_int(s, i, 0, &t);
    influx_series_get_float(s, i, 1, &v);
    printf("%lld ns: %g\n", (long long)t, v);
  }
  influx_result_free(r);

  /* Streaming: memory bounded by one chunk, whatever the result size. */
  influx_query_options big = {.chunk_size = 10000};
  influx_stream_handlers h = {.on_series = print_series};
  influx_query_stream(c, "SELECT * FROM cpu", &big, &h, &err);

  /* A batching writer: many threads may call write; delivery, retries and
   * batching happen in the background; close() says what was not stored. */
  influx_writer_options o = {
      .batch_size = 5000, .flush_interval_ms = 500, .on_error = on_rejected};
  influx_writer *w;
  if (!influx_writer_new(c, &o, &w, &err)) {
    for (int i = 0; i < 20000; i++) {
      influx_field f[] = {INFLUX_F_INT("i", i)};
      influx_point q = {.measurement = "ticks",
                        .fields = f,
                        .nfields = 1,
                        .time = 1700000000000000000LL + i,
                        .has_time = 1};
      influx_writer_write(w, &q, 1, &err);
    }
    influx_writer_stats st;
    if (influx_writer_close(w, &st, &err))
      fprintf(stderr, "writer: %s\n", err.message);
    influx_writer_free(w);
    printf("writer: %llu written, %llu rejected\n",
           (unsigned long long)st.written, (unsigned long long)st.rejected);
  }

  /* Frames: query into columns, export as CSV (or Arrow). */
  influx_frame_set *fs;
  if (!influx_query_frames(c, "SELECT * FROM cpu", NULL, &fs, &err)) {
    for (size_t i = 0; i < influx_frame_set_count(fs, 0); i++)
      influx_frame_write_csv(influx_frame_set_frame(fs, 0, i), stdout, NULL,
                             &err);
    influx_frame_set_free(fs);
  }
  influx_client_free(c);
  return 0;
}
