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
/* Sends one piece of a write to the server(s) (see write_split). */
typedef influx_status (*write_piece_fn)(void *u, const char *body, size_t len,
                                        http_result *res, influx_error *err);
/* Sends `body` (whole lines, `lines` of them) with `send`. An answer of 413
 * (too large: influxd's max-body-size, a proxy's limit) cuts it at the line
 * boundary nearest its middle and sends the halves in order, each cut again
 * if need be, down to one line, which alone is then reported. Stops at the
 * first piece not stored (what follows it is not sent), or with `go_on`
 * only at one that may be retried, a refused piece (4xx) reported after
 * the rest was sent. *stored grows by the points stored (of a partial
 * write, those it kept); `res` and `err` are the failed piece's. */
INFLUX_PRIVATE influx_status write_split(write_piece_fn send, void *u,
                                         const char *body, size_t len,
                                         size_t lines, int go_on,
                                         size_t *stored, http_result *res,
                                         influx_error *err);
/* Where to cut a body refused as too large (413) in two: after the
 * newline nearest its middle that is not its last byte; 0 for one line. */
INFLUX_PRIVATE size_t write_split_point(const char *body, size_t len);
/* Points call->body at `body`, or with `gzip` (and a body) at its gzip
 * form in `gz`. */
INFLUX_PRIVATE influx_status write_call_body(http_call *call, int gzip,
                                             const char *body, size_t len,
                                             ibuf *gz, influx_error *err);
/* Appends to err's message that the piece of `len` bytes is one line the
 * server's body limit refuses alone (nothing left to cut). */
INFLUX_PRIVATE void write_too_large_note(influx_error *err, size_t len);
/* How many lines body[0..n) holds, as influxd splits them (a newline in a
 * string field does not end a line). */
INFLUX_PRIVATE size_t lines_count(const char *p, size_t n);
/* POSTs one body of `lines` points to /write (gzip if the client says so,
 * to every host in replicate mode), cut in pieces on 413 (write_split,
 * with `go_on`);
 * with no_retry the client's own retries are skipped (the caller
 * retries); timeout_ms (0: the client's) bounds each request.
 * *stored gets how many points were stored. */
INFLUX_PRIVATE influx_status write_post(influx_client *c, const char *qs,
                                        const char *body, size_t len,
                                        size_t lines, long expected,
                                        int no_retry, long timeout_ms,
                                        int go_on, ibuf *gz, size_t *stored,
                                        http_result *res, influx_error *err);

#endif
