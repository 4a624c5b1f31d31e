/* A downstream C program. It defines functions named like helpers inside
 * the library: with the static library they must not collide. */
#include <influxc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ibuf_free(void *p);
void ibuf_free(void *p) { free(p); }
int url_encode(void);
int url_encode(void) { return 42; }
int json_string(void);
int json_string(void) { return 7; }

int main(void) {
  influx_tag tags[] = {{"host", "a b"}};
  influx_field fields[] = {INFLUX_F_FLOAT("v", 630), INFLUX_F_INT("n", 3)};
  influx_point p = {"cpu", tags, 1, fields, 2, 1, 1, NULL};
  char *out = NULL;
  influx_error err;
  if (influx_make_lines(&p, 1, NULL, &out, NULL, &err)) {
    fprintf(stderr, "make_lines: %s\n", err.message);
    return 1;
  }
  int ok = !strcmp(out, "cpu,host=a\\ b v=630,n=3i 1\n") &&
           url_encode() == 42 && json_string() == 7;
  printf("%s %s", influx_version(), out);
  ibuf_free(out);
  return ok ? 0 : 1;
}
