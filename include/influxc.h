/* influxc — C client for InfluxDB 1.x. Umbrella header.
 *
 * The rules every public name and function follows (each header keeps
 * them; a change to one is an ABI change, listed in CHANGELOG.md):
 *
 * Names. Everything public is influx_ (functions, types) or INFLUX_
 * (macros, constants); functions are influx_<object>_<verb>, e.g.
 * influx_frame_add_float. Internal symbols of the library are influx__*
 * and never declared here.
 *
 * Counts and indexes. The number of things is <object>_<things>_count or
 * <object>_count (influx_series_row_count, influx_frame_column_count,
 * influx_result_count); never nrows/ncols. A cell is addressed (row, col)
 * everywhere: series, frames and results alike.
 *
 * Typed access. Getters are _get_<type> with the type names of the value
 * enums: float (double), int (int64_t), uint (uint64_t), bool (int 0/1),
 * string (const char *). A getter returns INFLUX_ERR_INVALID_ARG for a
 * null, a type mismatch or an index out of range (string getters: NULL).
 * Value types have one numbering, influx_type (influxc/types.h); the field,
 * value and column enums use its numbers for the types they allow.
 *
 * Errors. Every fallible call returns influx_status (INFLUX_OK is 0) and
 * takes an optional influx_error * last (NULL when details are not
 * wanted). Arguments are checked: a NULL or bad argument is
 * INFLUX_ERR_INVALID_ARG, never a crash.
 *
 * Ownership and lifetimes.
 *   _new     allocates an object the library owns; the caller ends it
 *            with _free.
 *   _free    releases an object the library allocated and everything it
 *            holds; NULL is ignored; the pointer is dead afterwards.
 *   _clear   releases what the library put into a struct the caller owns
 *            (a list filled by influx_get_list_*, an influx_response) and
 *            zeroes it; the struct itself stays the caller's.
 *   _close   ends an object's activity (connections, threads, flushing)
 *            but keeps the object: its counters can still be read and
 *            _free is still needed. influx_client_close and
 *            influx_writer_close both mean this.
 *   Strings and arrays returned as const pointers are borrowed: valid
 *   until the object they came from is freed (or, for a client, its next
 *   call that says so). Strings the caller passes in are copied unless the
 *   function says it borrows them.
 *
 * Threads. A client may be shared by threads; a writer and a series helper
 * may be fed from many threads; every other object is used by one thread
 * at a time.
 *
 * ABI. Structs the caller allocates and the library reads or fills
 * (options, reports, statistics) end in INFLUX_RESERVED: new fields take
 * those slots, so sizes and layouts do not change within an ABI, and a
 * zero in a new field always means the earlier behaviour. Initialise such
 * structs with = {0} or designated initializers, never leave them
 * uninitialised. Element structs passed in arrays (influx_point,
 * influx_field, influx_tag, influx_value, influx_param) are frozen.
 * Enums are only appended to. Exported symbols carry the version node
 * INFLUXC_<SOVERSION> (src/influxc.map); the SOVERSION is the major
 * version from 1.0 on, and any incompatible change bumps it. */
#ifndef INFLUXC_H
#define INFLUXC_H

#include "influxc/admin.h"
#include "influxc/async.h"
#include "influxc/client.h"
#include "influxc/error.h"
#include "influxc/frame.h"
#include "influxc/point.h"
#include "influxc/query.h"
#include "influxc/quote.h"
#include "influxc/series_helper.h"
#include "influxc/version.h"
#include "influxc/write.h"
#include "influxc/writer.h"

#endif
