/* libFuzzer harness: query responses (JSON or msgpack, by the first byte)
 * decoded straight into frames, then exported through Arrow and CSV, every
 * string cell read back, and the frame encoded as line protocol in pieces
 * (its string columns as tags or fields). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "frame_impl.h"
#include "influxc.h"

static void use_frame(const influx_frame *f, uint8_t mode) {
  size_t rows = influx_frame_row_count(f), cols = influx_frame_column_count(f);
  size_t total = 0;
  for (size_t c = 0; c < cols; c++)
    for (size_t r = 0; r < rows; r++) {
      const char *t = influx_frame_get_string(f, r, c);
      total += t ? strlen(t) : 0;
    }
  (void)total;
  influx_frame_write_options o = {.measurement = "m",
                                  .numeric_precision =
                                      mode & 1 ? INFLUX_NUMERIC_FULL : 0};
  influx_frame_encoder *e;
  influx_lines *lb = influx_lines_new();
  if (lb && influx_frame_encoder_new(f, &o, &e, NULL) == INFLUX_OK) {
    int done = 0;
    while (!done && influx_frame_encoder_next(e, lb, (mode >> 5) + 1, &done,
                                              NULL) == INFLUX_OK)
      influx_lines_reset(lb);
    influx_frame_encoder_free(e);
  }
  influx_lines_free(lb);
  struct ArrowSchema s;
  struct ArrowArray a;
  if (influx_frame_export_arrow(f, &s, &a, NULL) == INFLUX_OK) {
    s.release(&s);
    a.release(&a);
  }
  FILE *null = fopen("/dev/null", "w");
  if (null) {
    influx_frame_write_csv(f, null, NULL, NULL);
    fclose(null);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t mode = data[0];
  data++;
  size--;
  const char *index[] = {"a", "time", NULL};
  influx_frame_query_options fo = {.keep_null_columns = mode & 2,
                                   .data_frame_index =
                                       (mode & 4) ? index : NULL};
  influx_frame_set *set = frame_set_new(&fo);
  if (!set)
    return 0;
  influx_query_options qo = {.epoch = (mode & 8) ? "ns" : NULL};
  influx_stream_handlers h = {
      .on_series = frame_set_piece, .on_error = NULL, .user = set};
  influx_decoder *d = NULL;
  influx_status st = influx_decoder_new((mode & 1) ? INFLUX_FORMAT_MSGPACK
                                                   : INFLUX_FORMAT_JSON,
                                        &qo, &h, &d, NULL);
  if (!st) {
    size_t step = (size_t)(mode >> 4) + 1;
    for (size_t i = 0; i < size && !st; i += step)
      st = influx_decoder_feed(d, (const char *)data + i,
                               size - i < step ? size - i : step, NULL);
    if (!st)
      st = influx_decoder_finish(d, NULL, NULL);
    influx_decoder_free(d);
  }
  if (frame_set_end(set, st, NULL) == INFLUX_OK)
    for (size_t k = 0; k < influx_frame_set_statements(set); k++)
      for (size_t i = 0; i < influx_frame_set_count(set, k); i++)
        use_frame(influx_frame_set_frame(set, k, i), mode);
  influx_frame_set_free(set);
  return 0;
}
