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

struct influx_client {
  char *host, *username, *password, *database, *path, *ca_cert;
  char *http_proxy, *https_proxy, *cert, *cert_key;
  char *base_url; /* "http://host:port/path/" */
  int port, ssl, verify_ssl, timeout_ms, connect_timeout_ms, retries;
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

/* Performs `call` with retries; fills `res` (caller frees res->body). */
INFLUX_PRIVATE influx_status http_perform(influx_client *c,
                                          const http_call *call,
                                          http_result *res, influx_error *err);

/* Appends "&name=value" (or "name=value" first) URL-encoded. */
INFLUX_PRIVATE int qs_add(ibuf *qs, const char *name, const char *value);

/* Maps a non-expected HTTP status and body to a status + message. */
INFLUX_PRIVATE influx_status http_status_error(long status, const char *ctype,
                                               const char *body, size_t len,
                                               influx_error *err);

#endif
