/* Private: the one retry policy of the client's requests and the batching
 * writer's batches. */
#ifndef INFLUXC_RETRY_H
#define INFLUXC_RETRY_H

#include "internal.h"

/* Exponential backoff: the first delay, its growth per attempt and the
 * cap on any one delay (Retry-After included). */
typedef struct retry_policy {
  double base_ms, factor, max_ms;
} retry_policy;

/* The delay after `attempt` failed attempts (1, 2, ...): base * factor^
 * (attempt-1), capped, with jitter (anywhere in [d/2, d] by the random
 * `r`), raised to the server's Retry-After seconds when it asks for more,
 * but never past the cap. */
INFLUX_PRIVATE long retry_delay_ms(const retry_policy *p, int attempt,
                                   const char *retry_after, unsigned r);
/* Whether an HTTP status may succeed when repeated: 429 and 5xx but 501. */
INFLUX_PRIVATE int retry_http_status(long status);

#endif
