/* Private: the client object and the HTTP transport shared by all calls. */
#ifndef INFLUXC_CLIENT_IMPL_H
#define INFLUXC_CLIENT_IMPL_H

#include <curl/curl.h>
#include <pthread.h>

#include "influxc/client.h"
#include "internal.h"

struct influx_session {
  CURLSH *share;
  pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

/* A batch waiting for one host (replicate mode): in memory, or in a file
 * of the host's spool directory (body NULL, read back when sent). */
typedef struct rq_item {
  uint64_t seq;
  size_t len;   /* body bytes */
  size_t lines; /* points */
  int gz;       /* body is gzip-compressed (an older client's spool) */
  size_t skip;  /* bytes of body already stored (a failed 413 piece) */
  char *qs;
  char *body;
  struct rq_item *next;
} rq_item;

/* One server of the client. Breaker fields and counters are under the
 * client's `mu`; the queue under `qmu`, which replicate mode holds while
 * it sends to the host, so that the host gets its batches in order. */
typedef struct host_ent {
  char *name;
  int port;
  char *base_url; /* "http://host:port/path/" */
  int fails;      /* in a row */
  int64_t open_until_ms;
  uint64_t requests, failures, stored_batches, stored_points, dropped;
  char last_error[256];
  pthread_mutex_t qmu;
  rq_item *qhead, *qtail;
  uint64_t nq, qbytes, next_seq;
  int spool_fd; /* directory, -1: memory */
  int lock_fd;
} host_ent;

struct influx_client {
  char *host, *username, *password, *database, *path, *ca_cert;
  char *http_proxy, *https_proxy, *cert, *cert_key;
  int port, ssl, verify_ssl, timeout_ms, connect_timeout_ms, retries;
  int stall_timeout_ms; /* writes without timeout_ms; 0: none */
  int retry_base_ms, retry_max_ms;
  int use_udp, udp_port, udp_payload_size, pool_size, gzip;
  influx_socket_options sockopt;
  influx_session *session;
  struct curl_slist *headers; /* user headers + defaults */
  int user_accept;            /* user set Accept themselves */
  int user_ctype;             /* user set Content-Type themselves */

  pthread_mutex_t mu;
  pthread_cond_t cv;
  CURL **idle;
  int nidle, nhandles;

  int udp_fd;             /* opened on first use; under udp_mu */
  pthread_mutex_t udp_mu; /* held while the socket is opened, used, closed */
  unsigned rand_state;
  influx_client_stats stats;

  host_ent *hosts; /* hosts[0] is host and port above */
  size_t nhosts;
  int write_mode, ack, balance;
  size_t host_queue_bytes;
  char *spool_dir;
};

/* One HTTP exchange, as the library's functions describe it. */
typedef struct http_call {
  const char *method; /* "GET" / "POST" */
  const char *path;   /* relative: "query", "write", "ping" */
  const char *qs;     /* encoded query string without '?', or NULL */
  const char *body;
  size_t body_len;
  int body_gzip;      /* body is gzip-compressed already */
  const char *accept; /* Accept header to use unless the user set one */
  const char *content_type;
  const char *const *headers; /* extra request headers */
  long expected;              /* expected status, 0: 200 */
  int retry_5xx;              /* safe to repeat after a 5xx */
  int no_retry;               /* one attempt: the caller retries */
  int timeout_ms;             /* this call's; 0: the client's */
  influx_body_cb on_body;     /* stream body (only for expected status) */
  /* Before the first on_body of a response: its Content-Type ("" if none);
   * non-zero aborts. */
  int (*on_start)(void *user, const char *ctype);
  void *user;
} http_call;

typedef struct http_result {
  long status;
  ibuf body;        /* kept unless streamed; always kept for errors */
  char ctype[96];   /* Content-Type */
  char version[64]; /* X-Influxdb-Version */
  char request_id[64];
  char retry_after[32];
  int unanswered; /* the whole request went out and no answer came (a reset,
                     a timeout): the server may have acted on it */
} http_result;

/* The server's error text from an error body (JSON or msgpack {"error":
 * ...}, else the body itself) into `out`. */
INFLUX_PRIVATE void error_message(const char *ctype, const char *body,
                                  size_t len, char *out, size_t outsz);

/* libcurl's global initialisation, once per process. */
INFLUX_PRIVATE influx_status http_global_init(influx_error *err);
/* Checks a user header: "Name: value", no line breaks. */
INFLUX_PRIVATE influx_status http_validate_header(const char *h,
                                                  influx_error *err);

/* A canned answer: what the network would have said. */
typedef struct http_canned {
  long status;
  const char *headers; /* "Name: value\r\n" lines, or NULL */
  const char *body;
  size_t body_len;
  int curl_code; /* a transport failure (CURLcode) instead of an answer */
} http_canned;
/* Unit tests only (the library never sets it): when set, http_perform asks
 * it instead of the network, and everything after the transport (status
 * handling, retries, streaming, decoding) runs as it does for a real
 * answer. Called from the threads that perform calls. */
INFLUX_PRIVATE extern void (*http_fake)(const http_call *call,
                                        http_canned *out);

/* Performs `call` with retries; fills `res` (caller frees res->body).
 * With several hosts: on a healthy one, failing over (hosts.c). */
INFLUX_PRIVATE influx_status http_perform(influx_client *c,
                                          const http_call *call,
                                          http_result *res, influx_error *err);

/* How one exchange with one host ended, for failover decisions. */
typedef struct host_outcome {
  int failover;  /* the host failed (transport, timeout, 429, 5xx): another
                    host or a later attempt may succeed */
  int delivered; /* part of the body went to the caller's callback */
} host_outcome;

/* One transfer on an easy handle: what curl's callbacks need. */
typedef struct http_xfer {
  const http_call *call;
  http_result *res;
  CURL *h;
  int checked, streaming, aborted;
  int sends; /* times the request went out: libcurl resends it once on a
                fresh connection when a reused one closed before an answer */
  size_t delivered;
  long fake_status; /* the status of a canned answer (http_fake) */
} http_xfer;

/* Sets up easy handle `h` for `call` against `base_url` (x->call, x->res
 * and x->h set by the caller); *hdrs is the header list to free after the
 * transfer. */
INFLUX_PRIVATE influx_status http_setup(influx_client *c, const char *base_url,
                                        CURL *h, const http_call *call,
                                        http_xfer *x, struct curl_slist **hdrs,
                                        influx_error *err);
/* After a transfer on host `hi`: the status (curl's code, the aborted
 * flag, the HTTP status against the expected one), counted in the
 * statistics; *o says whether another attempt may succeed. */
INFLUX_PRIVATE influx_status http_outcome(influx_client *c, size_t hi,
                                          CURLcode rc, const char *ebuf,
                                          http_xfer *x, host_outcome *o,
                                          influx_error *err);

/* `call` on host `hi` only: `attempts` tries (0: the client's retries)
 * with backoff between them. */
INFLUX_PRIVATE influx_status http_perform_on(influx_client *c, size_t hi,
                                             const http_call *call,
                                             int attempts, http_result *res,
                                             host_outcome *out,
                                             influx_error *err);

/* Sleeps the client's backoff after `attempt` failures (Retry-After `ra`
 * raises it, up to the cap). */
INFLUX_PRIVATE void http_backoff(influx_client *c, int attempt, const char *ra);

/* ---- several hosts (hosts.c) ---- */

/* Parses the host list of the options into c->hosts (c->ssl, c->path and
 * c->port set first). */
INFLUX_PRIVATE influx_status hosts_init(influx_client *c,
                                        const influx_options *o,
                                        influx_error *err);
INFLUX_PRIVATE void hosts_free(influx_client *c);
/* The failover path of http_perform for several hosts. */
INFLUX_PRIVATE influx_status hosts_perform(influx_client *c,
                                           const http_call *call,
                                           http_result *res, influx_error *err);
/* Whether host `hi` may be used now: up, or its backoff is over and a
 * /ping probe succeeded. */
INFLUX_PRIVATE int host_usable(influx_client *c, size_t hi);
INFLUX_PRIVATE void host_ok(influx_client *c, size_t hi);
INFLUX_PRIVATE void host_failed(influx_client *c, size_t hi, const char *why);
/* A 5xx body that InfluxDB Enterprise sends when the write is stored
 * (hinted handoff). */
INFLUX_PRIVATE int hinted_handoff(const http_result *res);
INFLUX_PRIVATE int64_t mono_ms(void);

/* ---- replicate mode (replica.c) ---- */

/* Opens the hosts' spool directories and reads what waits in them. */
INFLUX_PRIVATE influx_status replica_open(influx_client *c, influx_error *err);
INFLUX_PRIVATE void replica_close(influx_client *c);
/* Sends one write batch to every host (see client.h). */
INFLUX_PRIVATE influx_status replica_post(influx_client *c, const char *qs,
                                          const char *body, size_t len,
                                          size_t lines, long timeout_ms,
                                          int go_on, ibuf *gz, size_t *stored,
                                          http_result *res, influx_error *err);

/* Appends "&name=value" (or "name=value" first) URL-encoded. */
INFLUX_PRIVATE int qs_add(ibuf *qs, const char *name, const char *value);

/* Maps a non-expected HTTP status and body to a status + message. */
INFLUX_PRIVATE influx_status http_status_error(long status, const char *ctype,
                                               const char *body, size_t len,
                                               influx_error *err);

#endif
