/* Status codes and error details. */
#include <string.h>

#include "internal.h"

const char *influx_strerror(influx_status code) {
  switch (code) {
  case INFLUX_OK:
    return "success";
  case INFLUX_ERR_INVALID_ARG:
    return "invalid argument";
  case INFLUX_ERR_NOMEM:
    return "out of memory";
  case INFLUX_ERR_NETWORK:
    return "network error";
  case INFLUX_ERR_TIMEOUT:
    return "timed out";
  case INFLUX_ERR_TLS:
    return "TLS error";
  case INFLUX_ERR_CLIENT:
    return "client error (HTTP 4xx)";
  case INFLUX_ERR_SERVER:
    return "server error (HTTP 5xx)";
  case INFLUX_ERR_AUTH:
    return "authentication failed";
  case INFLUX_ERR_PARSE:
    return "malformed response";
  case INFLUX_ERR_STATEMENT:
    return "statement failed";
  case INFLUX_ERR_PARTIAL:
    return "partial result";
  case INFLUX_ERR_IO:
    return "I/O error";
  case INFLUX_ERR_ABORTED:
    return "aborted by callback";
  case INFLUX_ERR_TOO_LARGE:
    return "too large";
  case INFLUX_ERR_UNEXPECTED:
    return "unexpected HTTP status";
  case INFLUX_ERR_ACK:
    return "too few hosts stored the write";
  }
  return "unknown status";
}

void influx_error_clear(influx_error *err) {
  if (err) {
    err->code = INFLUX_OK;
    err->http_status = 0;
    err->message[0] = 0;
  }
}
