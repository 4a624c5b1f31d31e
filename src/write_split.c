/* A write's body in pieces: where to cut one the server found too large
 * (413), sending the pieces in order, and how much of a refused piece
 * the server kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_impl.h"
#include "influxc/point.h"
#include "influxc/write.h"
#include "write_impl.h"

size_t influx_write_not_stored(const char *msg, size_t npoints) {
  if (!msg || !strstr(msg, "partial write"))
    return npoints;
  size_t n = 0;
  for (const char *p = msg; (p = strstr(p, "unable to parse '")); p++)
    n++;
  const char *d = strstr(msg, "dropped=");
  if (d)
    n += strtoull(d + 8, NULL, 10);
  return n > npoints ? npoints : n;
}

/* How many of a piece's `lines` the server kept: all, none, or of a
 * partial write (HTTP 400 naming the lines it could not take) the rest. */
static size_t piece_stored(influx_status st, const http_result *res,
                           size_t lines) {
  if (!st)
    return lines;
  if (st != INFLUX_ERR_CLIENT || !res->body.len)
    return 0;
  char *m = malloc(res->body.len + 1);
  if (!m)
    return 0;
  error_message(res->ctype, res->body.p, res->body.len, m, res->body.len + 1);
  size_t n = lines - influx_write_not_stored(m, lines);
  free(m);
  return n;
}

influx_status write_call_body(http_call *call, int gzip, const char *body,
                              size_t len, ibuf *gz, influx_error *err) {
  call->body = body;
  call->body_len = len;
  call->body_gzip = 0;
  if (gzip && len) {
    if (gzip_compress(body, len, gz))
      return ierr(err, INFLUX_ERR_NOMEM, "gzip compression failed");
    call->body = gz->p;
    call->body_len = gz->len;
    call->body_gzip = 1;
  }
  return INFLUX_OK;
}

void write_too_large_note(influx_error *err, size_t len) {
  if (!err)
    return;
  size_t l = strnlen(err->message, sizeof err->message - 1);
  snprintf(err->message + l, sizeof err->message - l,
           " (one line of %zu bytes, alone over the server's limit)", len);
}

size_t lines_count(const char *p, size_t n) {
  size_t k = 0, off = 0;
  while (off < n) {
    influx_line_splitter sp = {0};
    int complete;
    off += influx_line_split(&sp, p + off, n - off, &complete);
    k++;
  }
  return k;
}

size_t write_split_point(const char *body, size_t len) {
  /* Line ends as influxd finds them: a newline inside a string field
   * does not end a line, so a cut there would break two lines. */
  size_t off = 0, best = 0, mid = len / 2;
  while (off < len) {
    influx_line_splitter sp = {0};
    int complete;
    off += influx_line_split(&sp, body + off, len - off, &complete);
    if (off >= len)
      break;
    if (!best || (off <= mid ? mid - off : off - mid) <
                     (best <= mid ? mid - best : best - mid))
      best = off;
    if (off > mid)
      break;
  }
  return best;
}

influx_status write_split(write_piece_fn send, void *u, const char *body,
                          size_t len, size_t lines, int go_on, size_t *stored,
                          http_result *res, influx_error *err) {
  influx_status st = send(u, body, len, res, err);
  size_t cut = st == INFLUX_ERR_CLIENT && res->status == 413
                   ? write_split_point(body, len)
                   : 0;
  if (!cut) {
    *stored += piece_stored(st, res, lines);
    if (st == INFLUX_ERR_CLIENT && res->status == 413)
      write_too_large_note(err, len);
    return st;
  }
  /* Too large for the server (influxd's max-body-size, a proxy's limit):
   * the halves, in order, each split again if need be. */
  ibuf_free(&res->body);
  st = write_split(send, u, body, cut, lines_count(body, cut), go_on, stored,
                   res, err);
  if (st && !(go_on && st == INFLUX_ERR_CLIENT))
    return st;
  http_result first = *res;
  influx_error ferr = {0};
  if (st && err)
    ferr = *err;
  if (!st)
    ibuf_free(&first.body);
  influx_status st2 =
      write_split(send, u, body + cut, len - cut,
                  lines_count(body + cut, len - cut), go_on, stored, res, err);
  if (!st || (st2 && st2 != INFLUX_ERR_CLIENT)) {
    ibuf_free(&first.body); /* no refusal before, or one to retry after */
    return st2;
  }
  /* The first refusal is the one reported. */
  ibuf_free(&res->body);
  *res = first;
  if (err)
    *err = ferr;
  return st;
}
