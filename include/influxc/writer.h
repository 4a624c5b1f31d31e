/* influxc — a background batching writer: nothing dropped without a word
 * (every batch not stored goes to on_error or on_drop, with its lines),
 * no series reordered, accepted points kept across crashes with a spool.
 *
 * Beyond the seed, in the spirit of influxdb-java's BatchProcessor and
 * influxdb-client-python's WriteApi: batching by points, bytes and time,
 * retries with backoff for what can succeed later, a bounded buffer, and an
 * optional crash-safe spool directory. */
#ifndef INFLUXC_WRITER_H
#define INFLUXC_WRITER_H

#include <stdint.h>

#include "client.h"
#include "point.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What write() does when the buffer is full. */
typedef enum influx_overflow {
  INFLUX_OVERFLOW_BLOCK = 0,      /**< wait until batches are delivered */
  INFLUX_OVERFLOW_DROP_OLDEST = 1 /**< drop the oldest waiting batch and
                                       tell on_drop exactly what it held */
} influx_overflow;

/** One batch, as handed to the callbacks: line protocol, newline-ended
 * lines. Points are numbered (seq) in the order write() accepted them,
 * from 0 for each writer; points recovered from a spool come first.
 * `first_seq` is the seq of the batch's first line; the others follow on
 * (first_seq + k for line k) unless `seqs` is set: with parallel > 1 a
 * batch holds the lines of its lane's series only, and seqs[k] is line k's
 * seq. */
typedef struct influx_writer_batch {
  uint64_t first_seq;
  size_t npoints;
  const char *lines;
  size_t len;
  /** For on_error: how many of the points the server did not store (a
   * "partial write" stores the rest: lines it could not parse are listed
   * in server_message, others counted as dropped=N), and the server's
   * whole error text (or NULL when no response came). */
  size_t rejected;
  const char *server_message;
  const uint64_t *seqs; /**< each line's seq, or NULL (see above) */
} influx_writer_batch;

/** A batch the server refused for good (parse error, field type conflict,
 * missing database, authorization) or that kept failing past the retry
 * limits. Called from a sender thread, never two callbacks (on_error or
 * on_drop) at once; do not call writer functions. */
typedef void (*influx_writer_error_cb)(void *user, const influx_writer_batch *b,
                                       influx_status st,
                                       const influx_error *err);
/** A batch dropped by INFLUX_OVERFLOW_DROP_OLDEST, before it was sent. Called
 * from a producer's thread, outside the writer's lock, never at once with
 * another callback. */
typedef void (*influx_writer_drop_cb)(void *user, const influx_writer_batch *b);

/** Writer options. Zero-initialise; zero fields take the defaults. */
typedef struct influx_writer_options {
  const char *database;         /**< default: the client's database */
  const char *retention_policy; /**< default: the database's default */
  const char *precision;        /**< n,u,ms,s,m,h (default n) */
  const char *consistency;      /**< any, one, quorum, all */
  size_t batch_size;            /**< points per request (default 5000) */
  size_t batch_bytes;           /**< bytes per request (default 4 MB, at most 24
                                     MB: influxd's max-body-size is 25 MB) */
  int flush_interval_ms;        /**< a partly filled batch goes out after this
                                     (default 1000) */
  int jitter_ms;          /**< random extra delay for the interval flush */
  int retry_interval_ms;  /**< first retry delay (default 1000) */
  int max_retries;        /**< default 5; INFLUX_RETRIES_UNTIL_SUCCESS: no
                               limit (max_retry_time still applies) */
  int max_retry_delay_ms; /**< cap on one delay (default 30000) */
  int max_retry_time_ms;  /**< give up on a batch after this long (default
                               180000; -1: never) */
  int exponential_base;   /**< delay growth per retry (default 2) */
  size_t buffer_limit;    /**< bytes held in memory, waiting or in flight
                               (default 64 MiB; at least 2 * batch_bytes) */
  influx_overflow overflow;
  const char *spool_dir; /**< keep accepted points on disk until delivered:
                              they survive a crash and go out on the next
                              start. Created if missing; one writer each. */
  int parallel;          /**< requests in flight (default 1). However many,
                              points of one series (measurement and tag
                              set) are stored in the order write() accepted
                              them: each series has one lane, each lane one
                              request in flight, retries included */
  influx_writer_error_cb on_error;
  influx_writer_drop_cb on_drop;
  void *user;
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_writer_options;

/** Counters, in points unless named otherwise. */
typedef struct influx_writer_stats {
  uint64_t accepted;  /**< taken by write() (and recovered from the spool) */
  uint64_t written;   /**< stored by the server (of a partial write, the
                           points it kept) */
  uint64_t rejected;  /**< not stored: refused or given up (on_error) */
  uint64_t dropped;   /**< dropped on overflow (on_drop) */
  uint64_t recovered; /**< of accepted: read back from the spool at start */
  uint64_t retries;   /**< batches the writer sent again after a failed
                           attempt (resends within one attempt are the
                           client's: influx_client_stats.retries) */
  uint64_t batches;   /**< requests that succeeded */
  uint64_t pending;   /**< accepted, not yet settled */
  size_t pending_bytes;
  /** Every point with seq below this is settled (written, rejected or
   * dropped): a safe resume position. */
  uint64_t settled_through;
  /** Of rejected: given up after the whole batch reached the server and
   * no answer came back (a connection reset, a timeout). The server may
   * have stored them; nobody can tell. */
  uint64_t unconfirmed;
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_writer_stats;

typedef struct influx_writer influx_writer;

/** Starts a writer on `c` (which must outlive it). With a spool directory,
 * batches left there by an earlier run are queued first. */
INFLUX_EXPORT influx_status influx_writer_new(influx_client *c,
                                              const influx_writer_options *o,
                                              influx_writer **out,
                                              influx_error *err);
/**
 * Accepts points: all of them or, on a bad point, none (the error names
 * it). Points without a time get the writer's clock now, so a retried
 * batch can never store a point twice. Safe from many threads. Blocks while
 * the buffer is full (INFLUX_OVERFLOW_BLOCK). With a spool, accepted points
 * are on disk when this returns; if the disk fails part-way the error says
 * how many of these points were accepted.
 */
INFLUX_EXPORT influx_status influx_writer_write(influx_writer *w,
                                                const influx_point *pts,
                                                size_t n, influx_error *err);
/** Accepts line protocol (one or more newline-separated lines). Lines are
 * checked the way influxd splits them; give them times. */
INFLUX_EXPORT influx_status influx_writer_write_lines(influx_writer *w,
                                                      const char *data,
                                                      size_t len,
                                                      influx_error *err);
/**
 * Sends what is buffered and waits until every point accepted before the
 * call is settled. INFLUX_OK if all of them were written; otherwise
 * INFLUX_ERR_PARTIAL with how many were rejected or dropped since the last
 * flush (the callbacks had the details). With unlimited retries and
 * max_retry_time -1 this waits for the server however long it is away.
 */
INFLUX_EXPORT influx_status influx_writer_flush(influx_writer *w,
                                                influx_error *err);
/** Current counters. */
INFLUX_EXPORT void influx_writer_get_stats(influx_writer *w,
                                           influx_writer_stats *s);
/** Flushes and stops the thread(s); writes after it fail. The writer stays
 * (its counters can still be read) until influx_writer_free. `final` (may
 * be NULL) receives the last counters. Returns what a flush would; a second
 * close returns INFLUX_OK. */
INFLUX_EXPORT influx_status influx_writer_close(influx_writer *w,
                                                influx_writer_stats *final,
                                                influx_error *err);
/** Releases the writer, closing it first if it is open (use
 * influx_writer_close to learn what was not stored). NULL is ignored. */
INFLUX_EXPORT void influx_writer_free(influx_writer *w);

#ifdef __cplusplus
}
#endif

#endif
