/* Private: pieces of the write path shared with the batching writer. */
#ifndef INFLUXC_WRITE_IMPL_H
#define INFLUXC_WRITE_IMPL_H

#include "client_impl.h"
#include "influxc/write.h"

INFLUX_PRIVATE influx_status write_check_options(const influx_client *c,
                                                 const influx_write_options *o,
                                                 influx_error *err);
INFLUX_PRIVATE int write_build_qs(const influx_client *c,
                                  const influx_write_options *o, ibuf *qs);
/* POSTs one body to /write (gzip if the client says so); with no_retry
 * the client's own retries are skipped (the caller retries). */
INFLUX_PRIVATE influx_status write_post(influx_client *c, const char *qs,
                                        const char *body, size_t len,
                                        long expected, int no_retry, ibuf *gz,
                                        http_result *res, influx_error *err);

#endif
