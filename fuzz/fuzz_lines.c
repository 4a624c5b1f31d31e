/* libFuzzer harness: the line-protocol encoder and the JSON points parser.
 * Input: JSON points (seed form). Every point influxc accepts must encode
 * to lines that pass the encoder's own raw-line check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "influxc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  influx_point_set *set = NULL;
  if (influx_point_set_parse_json((const char *)data, size, &set, NULL))
    return 0;
  char *out = NULL;
  size_t len = 0;
  static const char *const precs[] = {NULL, "s", "ms", "h"};
  const char *prec = precs[size % 4];
  if (influx_make_lines(influx_point_set_points(set),
                        influx_point_set_count(set), prec, &out, &len,
                        NULL) == INFLUX_OK) {
    /* Encoded output is valid UTF-8 lines the raw path accepts as one. */
    influx_lines *lb = influx_lines_new();
    if (lb && len && influx_lines_append_raw(lb, out, len, NULL) != INFLUX_OK &&
        influx_point_set_count(set) == 1)
      abort();
    influx_lines_free(lb);
  }
  free(out);
  /* The seed's style takes and refuses the same points; what it writes
   * passes the raw check too. */
  influx_lines *a = influx_lines_new(), *b = influx_lines_new();
  if (a && b && !influx_lines_set_style(b, INFLUX_LINES_SEED, NULL)) {
    const influx_point *pts = influx_point_set_points(set);
    for (size_t i = 0; i < influx_point_set_count(set); i++) {
      influx_status sa = influx_lines_append(a, &pts[i], NULL);
      influx_status sb = influx_lines_append(b, &pts[i], NULL);
      if ((sa == INFLUX_OK) != (sb == INFLUX_OK))
        abort();
    }
    influx_lines *c = influx_lines_new();
    if (c && influx_lines_len(b) &&
        influx_lines_append_raw(c, influx_lines_data(b), influx_lines_len(b),
                                NULL) != INFLUX_OK &&
        influx_lines_count(b) == 1)
      abort();
    influx_lines_free(c);
  }
  influx_lines_free(a);
  influx_lines_free(b);
  influx_point_set_free(set);
  /* The raw path on arbitrary bytes. */
  influx_lines *lb = influx_lines_new();
  if (lb)
    (void)influx_lines_append_raw(lb, (const char *)data, size, NULL);
  influx_lines_free(lb);
  return 0;
}
