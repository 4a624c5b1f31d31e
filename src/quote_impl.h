/* Private: quoting into a buffer, used to build every statement. */
#ifndef INFLUXC_QUOTE_IMPL_H
#define INFLUXC_QUOTE_IMPL_H

#include "internal.h"

/* Appends `s` quoted with `q` ('"' or '\''). Fails (INVALID_ARG) for NULL,
 * empty (identifiers) or invalid UTF-8; `what` names the argument. */
INFLUX_PRIVATE influx_status quote_append(ibuf *b, const char *s, char q,
                                          const char *what, influx_error *err);

/* Appends `s` as a JSON string (with quotes). */
INFLUX_PRIVATE int json_string(ibuf *b, const char *s, size_t n);

#endif
