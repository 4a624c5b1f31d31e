/* Reads points in the seed's JSON form on stdin, prints influxc's line
 * protocol for them (or "ERROR: message"). Used by make_lines_diff.py. */
#include <stdio.h>
#include <stdlib.h>

#include "influxc.h"

int main(int argc, char **argv) {
  const char *precision = argc > 1 ? argv[1] : NULL;
  char *text = NULL;
  size_t len = 0, cap = 0;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      char *p = realloc(text, cap);
      if (!p)
        return 1;
      text = p;
    }
    for (size_t i = 0; i < n; i++)
      text[len + i] = buf[i];
    len += n;
  }
  influx_point_set *set = NULL;
  influx_error err = {0};
  char *out = NULL;
  influx_status st = influx_point_set_parse_json(text, len, &set, &err);
  if (!st)
    st = influx_make_lines(influx_point_set_points(set),
                           influx_point_set_count(set), precision, &out, NULL,
                           &err);
  if (st)
    printf("ERROR: %s\n", err.message);
  else
    fputs(out, stdout);
  free(out);
  free(text);
  influx_point_set_free(set);
  return 0;
}
