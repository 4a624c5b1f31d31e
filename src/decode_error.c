/* Error bodies: the server's message from a refused request, read as its
 * Content-Type says, and the status it maps to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "client_impl.h"
#include "influxc/query.h"

/* Reads {"error": "..."} from a msgpack body; 0 if it is not that. */
static int msgpack_error(const unsigned char *b, size_t len, char *out,
                         size_t outsz) {
  if (len <= 8 || b[0] != 0x81 || b[1] != 0xa5 || memcmp(b + 2, "error", 5))
    return 0;
  size_t n = 0, off = 0;
  unsigned t = b[7];
  if ((t & 0xe0) == 0xa0) {
    n = t & 31;
    off = 8;
  } else if (t == 0xd9 && len > 8) {
    n = b[8];
    off = 9;
  } else if (t == 0xda && len > 9) {
    n = (size_t)b[8] << 8 | b[9];
    off = 10;
  }
  if (!off || off + n > len)
    return 0;
  if (n >= outsz)
    n = outsz - 1;
  memcpy(out, b + off, n);
  out[n] = 0;
  return 1;
}

/* Reads {"error": "..."} from JSON text; 0 if it is not that. */
static int json_error(const char *body, size_t len, char *out, size_t outsz) {
  /* yajl's tree recurses: a hostile body nested 500k deep must not reach
   * it. influxd's error bodies are one level deep. */
  if (json_nesting(body, len, JSON_MAX_NESTING) > JSON_MAX_NESTING)
    return 0;
  char *tmp = istrndup(body, len);
  if (!tmp)
    return 0;
  yajl_val v = yajl_tree_parse(tmp, NULL, 0);
  const char *path[] = {"error", NULL};
  yajl_val e = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;
  if (e)
    snprintf(out, outsz, "%s", YAJL_GET_STRING(e));
  yajl_tree_free(v);
  free(tmp);
  return e != NULL;
}

/* Extracts the server's "error" message from a body, read as what its
 * Content-Type says (without one: msgpack or JSON by their first bytes);
 * else the first line of the text. */
void error_message(const char *ctype, const char *body, size_t len, char *out,
                   size_t outsz) {
  out[0] = 0;
  if (!body || !len)
    return;
  int kind = media_type_format(ctype);
  const unsigned char *b = (const unsigned char *)body;
  if ((kind == INFLUX_FORMAT_MSGPACK || kind < 0) &&
      msgpack_error(b, len, out, outsz))
    return;
  if ((kind == INFLUX_FORMAT_JSON || kind < 0) &&
      json_error(body, len, out, outsz))
    return;
  if (kind == INFLUX_FORMAT_MSGPACK) {
    snprintf(out, outsz, "(a msgpack body without an error message)");
    return;
  }
  /* Not a known error shape: the first line of the text, trimmed. */
  size_t n = 0;
  while (n < len && n < 300 && body[n] != '\r' && body[n] != '\n' && body[n])
    n++;
  if (n >= outsz)
    n = outsz - 1;
  memcpy(out, body, n);
  out[n] = 0;
}

influx_status http_status_error(long status, const char *ctype,
                                const char *body, size_t len,
                                influx_error *err) {
  char msg[INFLUX_ERROR_MSG_SIZE - 40];
  error_message(ctype, body, len, msg, sizeof msg);
  influx_status code = status == 401 || status == 403 ? INFLUX_ERR_AUTH
                       : status >= 500                ? INFLUX_ERR_SERVER
                       : status >= 400                ? INFLUX_ERR_CLIENT
                                                      : INFLUX_ERR_UNEXPECTED;
  return ierr_http(err, code, status, "HTTP %ld: %s", status,
                   msg[0] ? msg : "(no message)");
}
