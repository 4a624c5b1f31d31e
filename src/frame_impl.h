/* Private: building a frame set from series pieces, without a server
 * (the query path and the fuzz harness share it). */
#ifndef INFLUXC_FRAME_IMPL_H
#define INFLUXC_FRAME_IMPL_H

#include "influxc/frame.h"
#include "internal.h"

/* A set to fill; `o` (may be NULL) must live until frame_set_end(). */
INFLUX_PRIVATE influx_frame_set *
frame_set_new(const influx_frame_query_options *o);
/* A stream handler: appends a series piece (non-zero: stop). */
INFLUX_PRIVATE int frame_set_piece(void *set, int stmt, const influx_series *p);
/* Applies dropna and the index once every piece is in; returns `st`
 * unless building failed. */
INFLUX_PRIVATE influx_status frame_set_end(influx_frame_set *s,
                                           influx_status st, influx_error *err);

#endif
