/* The retry policy shared by the client and the batching writer. */
#include <stdlib.h>

#include "retry.h"

long retry_delay_ms(const retry_policy *p, int attempt, const char *retry_after,
                    unsigned r) {
  double d = p->base_ms;
  for (int i = 1; i < attempt && d < p->max_ms; i++)
    d *= p->factor;
  if (d > p->max_ms)
    d = p->max_ms;
  long ms = (long)(d / 2) + (long)(r % (unsigned long)(d / 2 + 1));
  if (retry_after && *retry_after) {
    char *end;
    long s = strtol(retry_after, &end, 10);
    if (end != retry_after && s > 0 && s < 86400 && s * 1000 > ms)
      ms = s * 1000.0 > p->max_ms ? (long)p->max_ms : s * 1000;
  }
  return ms;
}

int retry_http_status(long status) {
  return status == 429 || (status >= 500 && status != 501);
}
