/* Private: a query as a request and its decoder, shared by the blocking
 * calls (query.c) and the non-blocking ones (async.c). */
#ifndef INFLUXC_QUERY_IMPL_H
#define INFLUXC_QUERY_IMPL_H

#include "client_impl.h"
#include "decode_impl.h"
#include "influxc/query.h"

typedef struct query_run {
  ibuf qs, body;
  http_call call; /* its body goes to the decoder */
  influx_decoder *d;
  const influx_query_options *o;
  const influx_stream_handlers *h;
} query_run;

/* Builds the request of `q` (o NULL: defaults) and its decoder, streaming
 * to `h` if given. On error nothing is left to free. */
INFLUX_PRIVATE influx_status query_start(influx_client *c, const char *q,
                                         const influx_query_options *o,
                                         const influx_stream_handlers *h,
                                         query_run *qr, influx_error *err);
/* After the transfer ended with `st`: the result (whole queries) and the
 * final status (statement errors, truncation); frees the run. */
INFLUX_PRIVATE influx_status query_end(query_run *qr, influx_status st,
                                       influx_result **out, influx_error *err);

#endif
