/* influxc — the series helper.
 *
 * Seed: SeriesHelper (Meta: series_name, fields, tags, client, bulk_size,
 * autocommit, retention_policy, time_precision; commit(client)). */
#ifndef INFLUXC_SERIES_HELPER_H
#define INFLUXC_SERIES_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "point.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Declaration of a series helper (the seed's Meta). */
typedef struct influx_series_helper_options {
  /** Measurement name template; {name} is replaced by that tag's or
   * field's value in each row, e.g. "events.stats.{server_name}". */
  const char *series_name;
  const char *const *fields; /**< field names, NULL-ended */
  const char *const *tags;   /**< tag names, NULL-ended (may be NULL) */
  influx_client *client;     /**< used by autocommit and commit(NULL) */
  size_t bulk_size;          /**< rows kept before autocommit (default 1) */
  int autocommit;            /**< commit when bulk_size rows are held */
  const char *retention_policy;
  const char *time_precision; /**< precision of row times (default n) */
  INFLUX_RESERVED;            /**< room to grow: leave zero (see influxc.h) */
} influx_series_helper_options;

typedef struct influx_series_helper influx_series_helper;

/** Creates a helper; every name in series_name must be a declared tag or
 * field. */
INFLUX_EXPORT influx_status
influx_series_helper_new(const influx_series_helper_options *o,
                         influx_series_helper **out, influx_error *err);
/**
 * Adds a row. `names`/`values` give one entry per declared tag and field
 * (in any order; unknown or missing names are errors). Field values are
 * typed; tags are strings (use INFLUX_F_STRING). `time` is in
 * time_precision units; has_time 0 means now. Thread-safe. With
 * autocommit, the row that reaches bulk_size commits the helper; if that
 * commit fails, the error is the commit's and the row stays held with the
 * others (do not add it again: commit later).
 */
INFLUX_EXPORT influx_status influx_series_helper_add(influx_series_helper *h,
                                                     const influx_field *values,
                                                     size_t n, int has_time,
                                                     int64_t time,
                                                     influx_error *err);
/** Rows held (not yet committed). */
INFLUX_EXPORT size_t influx_series_helper_pending(influx_series_helper *h);
/** Writes the held rows with `c` (NULL: the declared client) and clears
 * them. On failure the rows are kept, so a later commit can retry. */
INFLUX_EXPORT influx_status influx_series_helper_commit(influx_series_helper *h,
                                                        influx_client *c,
                                                        influx_error *err);
INFLUX_EXPORT void influx_series_helper_free(influx_series_helper *h);

#ifdef __cplusplus
}
#endif

#endif
