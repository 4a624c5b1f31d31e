/* libFuzzer harness: DSN parsing, host lists and InfluxQL quoting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "influxc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = 0;
  influx_options o;
  char *storage = NULL;
  influx_error err;
  if (influx_dsn_parse(s, &o, &storage, &err) == INFLUX_OK) {
    if (o.host && !*o.host)
      abort();
    /* The client parses a host list (no connection is made). */
    influx_client *c = NULL;
    if (influx_client_new(&o, &c, &err) == INFLUX_OK) {
      size_t n = influx_client_host_count(c);
      if (n < 1 || n > 64)
        abort();
      for (size_t i = 0; i < n; i++) {
        influx_host_status hs;
        if (influx_client_host_status(c, i, &hs, &err) || !hs.host[0] ||
            hs.port < 1 || hs.port > 65535)
          abort();
      }
      influx_client_free(c);
    }
  }
  free(storage);
  /* The input as a host list itself. */
  influx_options h = {.host = s};
  influx_client *c = NULL;
  if (influx_client_new(&h, &c, &err) == INFLUX_OK)
    influx_client_free(c);
  char *q = NULL;
  if (influx_quote_ident(s, &q, NULL) == INFLUX_OK) {
    /* A quoted identifier never has an unescaped inner quote. */
    size_t n = strlen(q);
    for (size_t i = 1; i + 1 < n; i++) {
      if (q[i] == '\\')
        i++;
      else if (q[i] == '"' || q[i] == '\n')
        abort();
    }
  }
  free(q);
  q = NULL;
  (void)influx_quote_literal(s, &q, NULL);
  free(q);
  free(s);
  return 0;
}
