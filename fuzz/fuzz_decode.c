/* libFuzzer harness: the response decoders (JSON and msgpack). The first
 * byte picks the format and options; the rest is fed in pieces whose sizes
 * come from the data, so chunk boundaries fall everywhere. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "influxc.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT INFLUX_FORMAT_JSON
#endif

static int on_series(void *u, int stmt, const influx_series *s) {
  (void)u;
  (void)stmt;
  /* Touch every cell. */
  size_t acc = 0;
  for (size_t r = 0; r < influx_series_row_count(s); r++)
    for (size_t c = 0; c < influx_series_column_count(s); c++)
      acc += (size_t)influx_series_value(s, r, c)->type;
  return acc == (size_t)-1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t mode = data[0];
  data++;
  size--;
  influx_query_options o = {.chunked = mode & 1,
                            .raw_time = (mode >> 1) & 1,
                            .epoch = (mode & 4) ? "ms" : NULL};
  influx_stream_handlers h = {
      .on_series = on_series, .on_error = NULL, .user = NULL};
  influx_decoder *d = NULL;
  if (influx_decoder_new(FUZZ_FORMAT, &o, (mode & 8) ? &h : NULL, &d, NULL))
    return 0;
  size_t step = (size_t)(mode >> 4) + 1;
  influx_status st = INFLUX_OK;
  for (size_t i = 0; i < size && !st; i += step)
    st = influx_decoder_feed(d, (const char *)data + i,
                             size - i < step ? size - i : step, NULL);
  influx_result *r = NULL;
  if (!st && influx_decoder_finish(d, &r, NULL) == INFLUX_OK && r) {
    for (size_t i = 0; i < influx_result_count(r); i++) {
      (void)influx_result_error(r, i);
      (void)influx_result_partial(r, i);
      for (size_t j = 0; j < influx_result_series_count(r, i); j++)
        on_series(NULL, 0, influx_result_series(r, i, j));
      size_t cur = 0;
      influx_tag t = {"host", "a"};
      while (influx_result_find(r, i, "cpu", &t, 1, &cur))
        ;
    }
  }
  influx_result_free(r);
  influx_decoder_free(d);
  return 0;
}
