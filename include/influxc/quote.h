/* influxc — InfluxQL quoting. Every identifier and literal the library puts
 * into a statement goes through these functions. */
#ifndef INFLUXC_QUOTE_H
#define INFLUXC_QUOTE_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Quotes an identifier: "name" with '"' and '\' escaped. Newlines and
 * other bytes are kept (InfluxQL allows them inside quotes). Fails with
 * INFLUX_ERR_INVALID_ARG for NULL, empty or non-UTF-8 input. Result is a
 * new string; free() it.
 */
INFLUX_EXPORT influx_status influx_quote_ident(const char *name, char **out,
                                               influx_error *err);

/** Quotes a string literal: 'text' with '\'' and '\' escaped. Same rules
 * as influx_quote_ident except that empty text is allowed. */
INFLUX_EXPORT influx_status influx_quote_literal(const char *text, char **out,
                                                 influx_error *err);

#ifdef __cplusplus
}
#endif
#endif
