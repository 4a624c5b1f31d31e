/* influxc — non-blocking requests on an event loop.
 *
 * An influx_async context runs requests of a client without blocking and
 * without threads of its own, on libcurl's multi socket interface. The
 * application's event loop drives it, hiredis-style: the context asks the
 * loop (through influx_async_hooks) to watch sockets and to arm one timer,
 * and the loop calls influx_async_on_io() and influx_async_on_timeout()
 * back. Adapters for libuv, libevent, libev and poll() are in
 * influxc/adapters/ (header-only). Programs with their own poll() loop use
 * the pull mode instead (no hooks): influx_async_pollfds() then
 * influx_async_run().
 *
 * Every request completes exactly once, through its callback, with the
 * blocking API's statuses and errors: success, an error, or
 * INFLUX_ERR_ABORTED when cancelled (influx_async_cancel, or the context
 * freed while it was pending). Callbacks run from influx_async_on_io,
 * _on_timeout, _run, _cancel and _free, never after influx_async_free has
 * returned. A callback may start requests, cancel them and free the
 * context (the free then happens when the callback returns).
 *
 * One attempt per request (no retries; the client's timeout applies); with
 * several hosts a request goes to the first host whose breaker is closed,
 * without failover or replication (those are the blocking API's).
 * A context is used from one thread at a time. */
#ifndef INFLUXC_ASYNC_H
#define INFLUXC_ASYNC_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "frame.h"
#include "point.h"
#include "query.h"
#include "write.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct influx_async influx_async;

/** Socket events of influx_async_hooks.watch and influx_async_on_io. */
#define INFLUX_ASYNC_READ 1
#define INFLUX_ASYNC_WRITE 2

/** What an event loop does for a context. All called from within the
 * context's own calls. */
typedef struct influx_async_hooks {
  void *data; /**< the adapter's; passed back to every hook */
  /** Watch `fd` for `events` (READ|WRITE), replacing what was watched;
   * 0: stop watching it. `*sock` is the adapter's slot for this socket
   * (NULL the first time; keep what you store until events is 0). */
  void (*watch)(void *data, int fd, int events, void **sock);
  /** Call influx_async_on_timeout() once, after `ms` milliseconds (0:
   * soon); -1: cancel the timer. One timer: a new call replaces it. */
  void (*timer)(void *data, long ms);
  /** The context is gone (from influx_async_free): release `data`. */
  void (*cleanup)(void *data);
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_async_hooks;

/** A request's number, for influx_async_cancel (never 0). */
typedef uint64_t influx_async_id;

/** How a request ended. Valid during the callback only, except `result`,
 * which the callback owns (influx_result_free it, or keep it). */
typedef struct influx_async_reply {
  influx_async_id id;
  influx_status status;    /**< INFLUX_OK, an error, INFLUX_ERR_ABORTED */
  const influx_error *err; /**< details; never NULL */
  influx_result *result;   /**< influx_async_query: the result, or NULL */
  const char *version;     /**< the server's version ("" if not sent) */
  long http_status;        /**< 0 if no answer */
  INFLUX_RESERVED;         /**< room to grow */
} influx_async_reply;

typedef void (*influx_async_cb)(influx_async *a, const influx_async_reply *r,
                                void *user);

/**
 * A context for client `c` (which must outlive it). `hooks` connect it to
 * an event loop (copied); NULL: pull mode.
 */
INFLUX_EXPORT influx_status influx_async_new(influx_client *c,
                                             const influx_async_hooks *hooks,
                                             influx_async **out,
                                             influx_error *err);

/** Completes every pending request with INFLUX_ERR_ABORTED (their
 * callbacks run now), stops watching, calls hooks.cleanup and frees. From
 * inside a callback, this happens when the callback returns. NULL: no-op. */
INFLUX_EXPORT void influx_async_free(influx_async *a);

/** The event loop saw `events` (READ|WRITE; 0 if unknown) on `fd`. */
INFLUX_EXPORT void influx_async_on_io(influx_async *a, int fd, int events);
/** The timer of hooks.timer fired. */
INFLUX_EXPORT void influx_async_on_timeout(influx_async *a);

/** Pull mode: the sockets to poll (up to `n` filled into `fds`; the
 * return value is how many there are) and, in *timeout_ms, how long poll()
 * may wait (-1: no timer pending). */
INFLUX_EXPORT size_t influx_async_pollfds(influx_async *a, struct pollfd *fds,
                                          size_t n, int *timeout_ms);
/** Pull mode: after poll() returned: handles the ready sockets of `fds`
 * and a timer that is due. */
INFLUX_EXPORT void influx_async_run(influx_async *a, const struct pollfd *fds,
                                    size_t n);

/** Requests not completed yet. */
INFLUX_EXPORT size_t influx_async_pending(const influx_async *a);

/** Line protocol (lines separated by '\n'), copied; `o` as for
 * influx_write_lines (batch_size and parallel do not apply: one request,
 * unless the server answers 413 Request Entity Too Large: then the body is
 * cut in halves at line ends, sent one after the other, and again if need
 * be; only a line alone over the limit fails, and the error says how many
 * lines were stored before it. NULL: defaults).
 *
 * Ordering: writes of one context that could hold the same series (the
 * same measurement and tag set, by a hash of it) are never in flight
 * together: a later one waits until the earlier ones are done, so the
 * server keeps the value written last. Writes of different series still
 * overlap. A waiting write counts in influx_async_pending and can be
 * cancelled. */
INFLUX_EXPORT influx_status
influx_async_write_lines(influx_async *a, const char *data, size_t len,
                         const influx_write_options *o, influx_async_cb cb,
                         void *user, influx_async_id *id, influx_error *err);
/** Points, encoded now (one request). */
INFLUX_EXPORT influx_status
influx_async_write_points(influx_async *a, const influx_point *pts, size_t n,
                          const influx_write_options *o, influx_async_cb cb,
                          void *user, influx_async_id *id, influx_error *err);
/** A frame's rows, encoded now as influx_frame_write would send them
 * (`fo`'s measurement, tags, columns, precision, database and retention
 * policy; one request). */
INFLUX_EXPORT influx_status influx_async_write_frame(
    influx_async *a, const influx_frame *f,
    const influx_frame_write_options *fo, influx_async_cb cb, void *user,
    influx_async_id *id, influx_error *err);
/** A query; the reply's `result` is the whole result. `o` is copied; its
 * strings are used before this returns. Administrative statements (CREATE
 * DATABASE ..., names quoted with influx_quote_ident) go through here too,
 * as POST. */
INFLUX_EXPORT influx_status influx_async_query(
    influx_async *a, const char *query, const influx_query_options *o,
    influx_async_cb cb, void *user, influx_async_id *id, influx_error *err);
/** A query streamed to `h` (copied) as the server sends it (chunked by
 * default), then `cb` with no result. */
INFLUX_EXPORT influx_status influx_async_query_stream(
    influx_async *a, const char *query, const influx_query_options *o,
    const influx_stream_handlers *h, influx_async_cb cb, void *user,
    influx_async_id *id, influx_error *err);
/** GET /ping: the reply's `version`. */
INFLUX_EXPORT influx_status influx_async_ping(influx_async *a,
                                              influx_async_cb cb, void *user,
                                              influx_async_id *id,
                                              influx_error *err);
/** Completes request `id` with INFLUX_ERR_ABORTED (its callback runs now,
 * or when the current callback returns). INFLUX_ERR_INVALID_ARG if it is
 * not pending. */
INFLUX_EXPORT influx_status influx_async_cancel(influx_async *a,
                                                influx_async_id id);

#ifdef __cplusplus
}
#endif
#endif
