/* influxc — the client: configuration, connection pool, raw requests.
 * Seed: InfluxDBClient(...), from_dsn, ping, request, close,
 * switch_database, switch_user. */
#ifndef INFLUXC_CLIENT_H
#define INFLUXC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A client. Opaque; create with influx_client_new(), free with
 * influx_client_free(). One client may be used from several threads at once:
 * each call takes its own connection from the client's pool. Calls that
 * change the configuration (switch_database, switch_user) must not race
 * with requests. */
typedef struct influx_client influx_client;

/** A connection pool shared between clients (seed: `session`). Thread-safe.
 * Must outlive every client that uses it. */
typedef struct influx_session influx_session;

/** TCP options applied to every connection (seed: `socket_options`).
 * Zero leaves the operating system's default. */
typedef struct influx_socket_options {
  int keepalive;   /**< 1: enable SO_KEEPALIVE */
  int keepidle_s;  /**< seconds idle before probes (with keepalive) */
  int keepintvl_s; /**< seconds between probes (with keepalive) */
  int nodelay;     /**< 1: TCP_NODELAY on, -1: off, 0: curl default (on) */
  int sndbuf;      /**< SO_SNDBUF bytes */
  int rcvbuf;      /**< SO_RCVBUF bytes */
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_socket_options;

/** Pass as `retries` to retry until success (the seed's `retries=0`). */
#define INFLUX_RETRIES_UNTIL_SUCCESS (-1)

/** How writes use several hosts (`influx_options.write_mode`). */
typedef enum influx_write_mode {
  INFLUX_WRITE_FAILOVER = 0, /**< one host at a time, the next on failure */
  INFLUX_WRITE_REPLICATE = 1 /**< every host gets every point, in order */
} influx_write_mode;

/** How many hosts must have stored a replicated batch before a write
 * reports success (`influx_options.ack`). */
typedef enum influx_ack {
  INFLUX_ACK_QUORUM = 0, /**< more than half of the hosts (the default) */
  INFLUX_ACK_ANY = 1,    /**< one host */
  INFLUX_ACK_ALL = 2     /**< every host */
} influx_ack;

/** Which healthy host a read goes to (`influx_options.balance`). */
typedef enum influx_balance {
  INFLUX_BALANCE_FIRST = 0, /**< the first healthy host in list order */
  INFLUX_BALANCE_RANDOM = 1 /**< a healthy host at random, per request */
} influx_balance;

/**
 * Client configuration. Zero-initialise and set what you need; every zero
 * field takes the seed's default. All strings are copied by
 * influx_client_new(); the caller may free them at once.
 */
typedef struct influx_options {
  const char *host;       /**< default "localhost" */
  int port;               /**< default 8086 */
  const char *username;   /**< NULL: seed default "root"; "": no auth sent */
  const char *password;   /**< NULL: seed default "root" */
  const char *database;   /**< default none */
  int ssl;                /**< nonzero: https */
  int verify_ssl;         /**< kept for the seed's name: certificates are
                               verified unless insecure_ssl is set */
  int insecure_ssl;       /**< nonzero: do NOT verify the server certificate
                               or host name (anyone on the path can then
                               read the password). The seed skipped
                               verification by default; influxc verifies,
                               as libcurl and the stock influx CLI do. */
  const char *ca_cert;    /**< CA bundle to verify with (extension) */
  int timeout_ms;         /**< whole-request timeout; 0: none (seed None) */
  int connect_timeout_ms; /**< connect timeout; 0: timeout_ms or curl's */
  int retries;            /**< attempts in all; 0: seed default 3; 1: no retry;
                               INFLUX_RETRIES_UNTIL_SUCCESS: the seed's 0 */
  int retry_base_ms;    /**< first backoff delay; 0: 50 ms (doubles, jitter) */
  int retry_max_ms;     /**< backoff cap; 0: 5000 ms */
  int use_udp;          /**< nonzero: writes go over UDP */
  int udp_port;         /**< default 4444 */
  int udp_payload_size; /**< max datagram payload; 0: 1400 bytes */
  const char *http_proxy;     /**< proxy for http (seed proxies["http"]) */
  const char *https_proxy;    /**< proxy for https (seed proxies["https"]) */
  int pool_size;              /**< max concurrent connections; default 10 */
  const char *path;           /**< URL path prefix, default "" */
  const char *cert;           /**< client certificate (PEM) for mutual TLS; may
                                   contain the key too. Requires ssl. */
  const char *cert_key;       /**< client key (PEM) if not inside `cert` */
  int gzip;                   /**< nonzero: gzip request bodies, accept gzip */
  influx_session *session;    /**< share this connection pool; NULL: own */
  const char *const *headers; /**< extra headers, "Name: value", NULL-ended;
                                   Content-Type/Accept kept if given */
  influx_socket_options socket_options;
  /* Several servers (see "Several hosts" below). `host` may also hold a
   * comma-separated list: "h1:8086,h2,[::1]:8087". */
  const char *const *hosts; /**< NULL-ended "host[:port]" list; overrides
                                 host and port (port is the default) */
  const char *spool_dir;    /**< replicate: each host's durable queue is a
                                 directory under it; NULL: in memory */
  int write_mode;           /**< influx_write_mode */
  int ack;                  /**< influx_ack, for INFLUX_WRITE_REPLICATE */
  int balance;              /**< influx_balance, for reads */
  int host_queue_mb;        /**< replicate without spool_dir: the most a
                                 down host's memory queue holds; 0: 256 */
  int stall_timeout_ms;     /**< without timeout_ms, a write that moves no
                                 byte either way for this long fails as a
                                 timeout (retried as one); whole seconds,
                                 and libcurl averages speed over 5 s, so
                                 it ends up to 6 s later; 0: 60000
                                 (INFLUX_STALL_TIMEOUT_MS); -1: never, the
                                 seed's timeout=None. Queries and other
                                 requests wait as the seed's do */
  int reserved_int_;        /**< leave zero */
  uint64_t reserved_[3];    /**< room to grow: leave zero (see influxc.h) */
} influx_options;

/** The default stall_timeout_ms: influxd answers a write within its
 * coordinator write-timeout (10 s by default), so a minute of silence
 * means the server, or something on the way, is stuck. */
#define INFLUX_STALL_TIMEOUT_MS 60000

/**
 * Creates a client. `opts` may be NULL for all defaults. Validates the
 * options (a cert without ssl, bad ports, ... are INFLUX_ERR_INVALID_ARG).
 * No connection is made until the first request.
 */
INFLUX_EXPORT influx_status influx_client_new(const influx_options *opts,
                                              influx_client **out,
                                              influx_error *err);

/**
 * Creates a client from a data source name such as
 * "influxdb://user:pass@host:8086/db", "https+influxdb://...",
 * "udp+influxdb://...". User and password are percent-decoded. Fields set
 * in `overrides` (non-zero / non-NULL) win over the DSN. With udp+influxdb
 * the DSN port is the HTTP port; set udp_port in `overrides`.
 */
INFLUX_EXPORT influx_status
influx_client_from_dsn(const char *dsn, const influx_options *overrides,
                       influx_client **out, influx_error *err);

/**
 * Parses a DSN into `opts` without creating a client. String fields of
 * `opts` point into `*storage`, which the caller frees with free().
 * Used by influx_client_from_dsn(); exposed for tools and tests.
 */
INFLUX_EXPORT influx_status influx_dsn_parse(const char *dsn,
                                             influx_options *opts,
                                             char **storage, influx_error *err);

/** Closes idle connections; the client stays usable (seed: close()). */
INFLUX_EXPORT void influx_client_close(influx_client *c);

/** Frees the client and everything it owns. NULL is accepted. */
INFLUX_EXPORT void influx_client_free(influx_client *c);

/** The client's current database, or NULL. Valid until the next switch. */
INFLUX_EXPORT const char *influx_client_database(const influx_client *c);

/** Changes the default database (copied). NULL clears it. */
INFLUX_EXPORT influx_status influx_switch_database(influx_client *c,
                                                   const char *database,
                                                   influx_error *err);

/** Changes the credentials used from now on (copied). */
INFLUX_EXPORT influx_status influx_switch_user(influx_client *c,
                                               const char *username,
                                               const char *password,
                                               influx_error *err);

/**
 * Checks connectivity. On success copies the server's version (header
 * X-Influxdb-Version) into `version` (may be NULL) of size `version_size`.
 */
INFLUX_EXPORT influx_status influx_ping(influx_client *c, char *version,
                                        size_t version_size, influx_error *err);

/** A raw HTTP response. Free with influx_response_clear(). */
typedef struct influx_response {
  long status; /**< HTTP status */
  char *body;  /**< NUL-terminated body (may contain NULs) */
  size_t body_len;
  char *content_type; /**< Content-Type header or NULL */
  char *version;      /**< X-Influxdb-Version header or NULL */
  char *request_id;   /**< Request-Id header or NULL */
} influx_response;

/** Called with each piece of a response body as it arrives. Return 0 to
 * continue, nonzero to abort (the call then fails with INFLUX_ERR_ABORTED).*/
typedef int (*influx_body_cb)(void *user, const char *data, size_t len);

/** A raw request (seed: request()). Zero fields take defaults. */
typedef struct influx_request {
  const char *method; /**< "GET" (default), "POST", ... */
  const char *url;    /**< path relative to the client's base, e.g. "query" */
  const char *const *params;  /**< name, value, name, value, ..., NULL;
                                   URL-encoded by the library */
  const char *data;           /**< request body or NULL */
  size_t data_len;            /**< length of data; 0: strlen(data) */
  int expected_response_code; /**< 0: 200 */
  const char *const *headers; /**< extra "Name: value" headers, NULL-ended */
  influx_body_cb on_body;     /**< stream the body here instead of keeping it
                                   (seed: stream=True) */
  void *user;
  INFLUX_RESERVED; /**< room to grow: leave zero (see influxc.h) */
} influx_request;

/**
 * Sends a raw request. A status other than expected_response_code gives
 * INFLUX_ERR_CLIENT (4xx, INFLUX_ERR_AUTH for 401/403), INFLUX_ERR_SERVER
 * (5xx) or INFLUX_ERR_UNEXPECTED, with the server's error message. `resp`
 * (may be NULL) receives the response, also on HTTP errors.
 */
INFLUX_EXPORT influx_status influx_request_send(influx_client *c,
                                                const influx_request *req,
                                                influx_response *resp,
                                                influx_error *err);

/** Frees what influx_request_send() put in `resp`. NULL is accepted. */
INFLUX_EXPORT void influx_response_clear(influx_response *resp);

/** Creates a shared connection pool (seed: session). */
INFLUX_EXPORT influx_status influx_session_new(influx_session **out,
                                               influx_error *err);
/** Frees a session. Free its clients first. NULL is accepted. */
INFLUX_EXPORT void influx_session_free(influx_session *s);

/** Statistics of a client's transport (for tests and tools). */
typedef struct influx_client_stats {
  uint64_t requests;    /**< HTTP requests sent, every resend included */
  uint64_t connections; /**< new TCP connections opened */
  uint64_t retries;     /**< requests the transport sent again after a
                             failed attempt: the client's retries and
                             libcurl's own resend of a request whose reused
                             connection closed before any answer (a
                             writer's repeats are in its own stats) */
  INFLUX_RESERVED;      /**< room to grow: leave zero (see influxc.h) */
} influx_client_stats;

/** Copies the client's counters into `out`. */
INFLUX_EXPORT void influx_client_get_stats(const influx_client *c,
                                           influx_client_stats *out);

/* ---- Several hosts ----
 * With more than one host, reads (queries, admin reads, ping) go to one
 * healthy host and fail over to the next on connection errors, timeouts
 * and 5xx, never on 4xx; a query is never sent to two hosts unless the
 * first failed before any of its result was delivered. A host that fails
 * is left alone for a backoff that doubles per failure (with jitter,
 * capped at retry_max_ms), then probed with /ping (waiting at most 1 s)
 * before it is used again. Without timeout_ms, several hosts time out
 * after INFLUX_SEVERAL_HOSTS_TIMEOUT_MS. DNS names are looked up again
 * at least every 5 s.
 * Writes follow write_mode:
 * - failover: each batch goes to one host, the next on failure;
 * - replicate: each batch goes to every host. A host that is down keeps
 *   the batches it missed in its own queue (a directory under spool_dir,
 *   fsynced, or memory) and gets them back in order, before any newer
 *   batch, when it answers again. A write succeeds when `ack` hosts have
 *   stored the batch; the batch still reaches the others from their
 *   queues. A 4xx (bad points) is reported once and sent nowhere else.
 * Administrative statements (POST /query: CREATE, DROP, GRANT, ...) go to
 * every host in replicate mode and succeed when all did. An Enterprise
 * "hinted handoff queue not empty" answer counts as stored. */

/** With several hosts and no timeout_ms, requests time out after this
 * (a stream after this long without data): failover needs failures to
 * end. */
#define INFLUX_SEVERAL_HOSTS_TIMEOUT_MS 10000

/** A host's state. */
typedef enum influx_host_state {
  INFLUX_HOST_UP = 0,     /**< in use */
  INFLUX_HOST_DOWN = 1,   /**< failed: left alone until retry_in_ms */
  INFLUX_HOST_PROBING = 2 /**< its backoff is over: probed before use */
} influx_host_state;

typedef struct influx_host_status {
  char host[256];
  int port;
  int state;                /**< influx_host_state */
  int failures_in_row;      /**< consecutive failures */
  int64_t retry_in_ms;      /**< DOWN: time left before the next probe */
  uint64_t requests;        /**< requests sent to it */
  uint64_t failures;        /**< of which failed (transport, 5xx) */
  uint64_t batches_stored;  /**< replicate: batches it acknowledged */
  uint64_t points_stored;   /**< replicate: points in those batches */
  uint64_t batches_queued;  /**< replicate: batches waiting for it */
  uint64_t bytes_queued;    /**< their size */
  uint64_t batches_dropped; /**< memory queue over host_queue_mb: lost for
                                 this host (use spool_dir) */
  char last_error[256];     /**< its last failure, "" if none */
  INFLUX_RESERVED;          /**< room to grow: leave zero (see influxc.h) */
} influx_host_status;

/** The number of hosts of the client (1 unless several were given). */
INFLUX_EXPORT size_t influx_client_host_count(const influx_client *c);

/** Host `i`'s state and counters. */
INFLUX_EXPORT influx_status influx_client_host_status(const influx_client *c,
                                                      size_t i,
                                                      influx_host_status *out,
                                                      influx_error *err);

/** Pings host `i` itself (no failover): its version and the round trip in
 * microseconds. Updates its state: a host that answers is up. */
INFLUX_EXPORT influx_status influx_ping_host(influx_client *c, size_t i,
                                             char *version, size_t vsz,
                                             int64_t *rtt_us,
                                             influx_error *err);

/** Replicate mode: sends what waits in the hosts' queues, in order, until
 * every queue is empty (INFLUX_OK) or `timeout_ms` passed
 * (INFLUX_ERR_TIMEOUT, naming the hosts still behind). Never negative;
 * 0 tries each host once. */
INFLUX_EXPORT influx_status influx_client_catch_up(influx_client *c,
                                                   int timeout_ms,
                                                   influx_error *err);

#ifdef __cplusplus
}
#endif
#endif
