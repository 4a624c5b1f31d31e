/* influxc — writing: write, write_points, send_packet (UDP).
 * Seed: write(data, params, expected_response_code, protocol),
 * write_points(points, time_precision, database, retention_policy, tags,
 * batch_size, protocol, consistency), send_packet(packet, protocol,
 * time_precision). */
#ifndef INFLUXC_WRITE_H
#define INFLUXC_WRITE_H

#include "client.h"
#include "point.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The defaults, in one place (the library, the writer, frames and the
 * CLI use these): bytes in one request, under influxd's default
 * max-body-size of 25 MB; points in one batch of the batching writer,
 * frames and the CLI; bytes in one batch of the batching writer. */
#define INFLUX_MAX_BODY_BYTES 24000000u
#define INFLUX_DEFAULT_BATCH_SIZE 5000
#define INFLUX_DEFAULT_BATCH_BYTES 4000000u

/** Options of a write. Zero-initialise; zero fields take the defaults. */
typedef struct influx_write_options {
  const char *database;         /**< default: the client's database */
  const char *retention_policy; /**< default: the database's default RP */
  const char *precision;        /**< time_precision: n,u,ms,s,m,h (default n);
                                     sent to the server and used for times */
  const char *consistency;      /**< any, one, quorum, all (clusters) */
  const influx_tag *tags;       /**< tags merged under every point's tags */
  size_t ntags;
  size_t batch_size;          /**< points per request; 0: all at once,
                                   split only to stay under max_body_size */
  size_t max_body_size;       /**< bytes per request; 0: 24,000,000
                                   (influxd's default limit is 25 MB) */
  int parallel;               /**< requests in flight; 0: the client's
                                   pool_size */
  int expected_response_code; /**< 0: 204 */
  const char *const *params;  /**< extra query parameters: name, value, ...,
                                   NULL */
  int line_style;             /**< influx_line_style of encoded points
                                   (write_points, write_from); 0: exact */
  INFLUX_RESERVED;            /**< room to grow: leave zero (see influxc.h) */
} influx_write_options;

/** What a write did; pass to the *_ex functions (may be NULL). */
typedef struct influx_write_report {
  size_t points_written;   /**< points the server accepted */
  size_t batches_written;  /**< requests that succeeded */
  size_t batches_failed;   /**< requests that failed */
  long first_failed_batch; /**< index of the first failed batch, -1: none */
  INFLUX_RESERVED;         /**< room to grow: leave zero (see influxc.h) */
} influx_write_report;

/**
 * How many of `npoints` points sent in one request influxd did not store,
 * from its error message: a "partial write" lists each line it could not
 * parse and counts the others it dropped ("dropped=N"); any other refusal
 * stored none. Used to tell a partial write from a refused one.
 */
INFLUX_EXPORT size_t influx_write_not_stored(const char *message,
                                             size_t npoints);

/**
 * Ordering, for every write of this header: with parallel > 1 several
 * requests may be in flight, but never two holding the same series
 * (measurement and tag set, in any tag order): each line goes to its
 * series' lane, and a lane sends its batches one at a time, in order,
 * retries included. So for a series and time written twice the server
 * keeps the later value, within one call and across calls from one thread
 * (a call returns when its batches are settled). A batch then holds the
 * points of its lane, not a run of the input: with one lane (parallel 1),
 * or points of one series, batches are runs, as the seed's. The first
 * batch of the k-th lane to get points holds (n-k)/n of batch_size, so
 * that lanes fed alike send one after another rather than in lockstep.
 *
 * Refusals: once a batch is refused no batch is started after it; batches
 * before it are still sent, those of other lanes already in flight
 * finish. In replicate mode a batch too few hosts took (INFLUX_ERR_ACK)
 * is no refusal: the other hosts have it queued, the batches after it are
 * sent, and the call returns INFLUX_ERR_ACK. The error says what was stored and
 * which batch failed ("2000 points stored, then batch 3 (points 30000-39999):
 * HTTP 400: partial write: ..."); report->points_written counts the points the
 * server kept (of a partial write, the lines it did not list).
 */

/**
 * Writes points (seed write_points with protocol "json": structured points).
 * Points are encoded and sent in batches; with several batches and
 * parallel > 1 requests of different series overlap (see Ordering above).
 * On error, `err` names the failing point or batch.
 * Over UDP (client use_udp) points go out as datagrams (see send_packet).
 */
INFLUX_EXPORT influx_status influx_write_points(influx_client *c,
                                                const influx_point *pts,
                                                size_t n,
                                                const influx_write_options *o,
                                                influx_error *err);
/** As influx_write_points, filling `report` (may be NULL). */
INFLUX_EXPORT influx_status
influx_write_points_ex(influx_client *c, const influx_point *pts, size_t n,
                       const influx_write_options *o,
                       influx_write_report *report, influx_error *err);

/**
 * Fills `buf` with up to `cap` points and returns how many; 0 ends the
 * write, a negative value aborts it. The points (and their strings) must
 * stay valid until the next call.
 */
typedef long (*influx_point_source)(void *user, influx_point *buf, size_t cap);

/**
 * Streams points from `fn` in constant memory: encoded straight into
 * batch buffers (one per request in flight) and sent while the source
 * produces the next ones. `fn` is called on the calling thread only, one
 * call at a time (a caller may hand it a thread-bound state). Unlike
 * influx_write_points(), which checks every point before sending any, a stream
 * can only be checked as it goes: on a bad point the write stops, earlier
 * batches stay written, and `report` (may be NULL) says how many points the
 * server accepted.
 */
INFLUX_EXPORT influx_status influx_write_from(influx_client *c,
                                              influx_point_source fn,
                                              void *user,
                                              const influx_write_options *o,
                                              influx_write_report *report,
                                              influx_error *err);

/** Writes line-protocol strings (seed write_points with protocol "line"). */
INFLUX_EXPORT influx_status influx_write_lines(influx_client *c,
                                               const char *const *lines,
                                               size_t n,
                                               const influx_write_options *o,
                                               influx_error *err);

/** Sends an already encoded buffer, split into batches as `o` says. */
INFLUX_EXPORT influx_status influx_write_buffer(influx_client *c,
                                                const influx_lines *lb,
                                                const influx_write_options *o,
                                                influx_write_report *report,
                                                influx_error *err);

/**
 * Seed write(): sends `data` (line protocol) as one request, unchanged.
 * `o` supplies database, retention_policy, precision, consistency, params
 * and expected_response_code; its batching fields are ignored.
 */
INFLUX_EXPORT influx_status influx_write(influx_client *c, const char *data,
                                         size_t len,
                                         const influx_write_options *o,
                                         influx_error *err);

/**
 * Seed send_packet(): sends line protocol over UDP to host:udp_port, in
 * datagrams of at most udp_payload_size bytes, split between lines. A single
 * line longer than that is INFLUX_ERR_TOO_LARGE and nothing is sent.
 */
INFLUX_EXPORT influx_status influx_send_packet(influx_client *c,
                                               const char *data, size_t len,
                                               influx_error *err);

#ifdef __cplusplus
}
#endif
#endif
