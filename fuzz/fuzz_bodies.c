/* libFuzzer harness: what a server or a file hands us outside the result
 * decoders. The first byte picks the target:
 *   0 mod 4: a JSON points file (influx_point_set_parse_json), encoded;
 *   1: an error body, as the transport reads it, under a Content-Type
 *      picked by the second byte (JSON, msgpack, text, none);
 *   2: a query answer whose Content-Type is the text up to the first NUL,
 *      the rest fed to the decoder (influx_decoder_set_content_type);
 *   3: server text made safe for a terminal and measured (cli/term.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client_impl.h"
#include "influxc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  int mode = data[0] & 3;
  const char *text = (const char *)data + 1;
  size_t n = size - 1;
  if (mode == 0) {
    influx_point_set *set = NULL;
    if (!influx_point_set_parse_json(text, n, &set, NULL)) {
      char *out = NULL;
      influx_make_lines(influx_point_set_points(set),
                        influx_point_set_count(set), NULL, &out, NULL, NULL);
      free(out);
    }
    influx_point_set_free(set);
  } else if (mode == 1) {
    static const char *const types[] = {
        "application/json", "application/x-msgpack", "text/plain", NULL};
    char msg[512];
    error_message(types[data[1] & 3], text + 1, n - 1, msg, sizeof msg);
    influx_error err;
    http_status_error(400 + (data[1] >> 4), types[(data[1] >> 2) & 3], text + 1,
                      n - 1, &err);
  } else if (mode == 2) {
    size_t cl = strnlen(text, n);
    char *ctype = strndup(text, cl);
    influx_decoder *d = NULL;
    if (ctype &&
        !influx_decoder_new(INFLUX_FORMAT_MSGPACK, NULL, NULL, &d, NULL) &&
        !influx_decoder_set_content_type(d, *ctype ? ctype : NULL, NULL)) {
      size_t at = cl < n ? cl + 1 : n;
      influx_result *r = NULL;
      if (!influx_decoder_feed(d, text + at, n - at, NULL))
        influx_decoder_finish(d, &r, NULL);
      influx_result_free(r);
    }
    influx_decoder_free(d);
    free(ctype);
  } else {
    size_t len;
    char *e = term_escape_dup(text, n, &len);
    if (e && (len != strlen(e) || term_width(e, len) > len * 2))
      abort(); /* escaped text is NUL-free and at most 2 columns a byte */
    free(e);
  }
  return 0;
}
