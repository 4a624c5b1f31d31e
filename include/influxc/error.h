/* influxc — status codes and error details. */
#ifndef INFLUXC_ERROR_H
#define INFLUXC_ERROR_H

#include "influxc/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Result of every fallible call. INFLUX_OK is zero. Values are never
 * renumbered; new codes are only appended.
 */
typedef enum influx_status {
  INFLUX_OK = 0,
  INFLUX_ERR_INVALID_ARG = 1, /**< an argument was rejected before sending */
  INFLUX_ERR_NOMEM = 2,       /**< allocation failed */
  INFLUX_ERR_NETWORK = 3,     /**< connect/send/receive failed */
  INFLUX_ERR_TIMEOUT = 4,     /**< the request timed out */
  INFLUX_ERR_TLS = 5,         /**< TLS handshake or certificate problem */
  INFLUX_ERR_CLIENT = 6,     /**< HTTP 4xx (InfluxDBClientError): see message */
  INFLUX_ERR_SERVER = 7,     /**< HTTP 5xx (InfluxDBServerError) */
  INFLUX_ERR_AUTH = 8,       /**< HTTP 401/403: authentication/authorization */
  INFLUX_ERR_PARSE = 9,      /**< the response could not be decoded */
  INFLUX_ERR_STATEMENT = 10, /**< a statement in a 200 response failed */
  INFLUX_ERR_PARTIAL = 11,   /**< the server truncated the result */
  INFLUX_ERR_IO = 12,        /**< local file / socket I/O failed */
  INFLUX_ERR_ABORTED = 13,   /**< a callback asked to stop */
  INFLUX_ERR_TOO_LARGE = 14, /**< data does not fit a limit (e.g. datagram) */
  INFLUX_ERR_UNEXPECTED = 15, /**< unexpected HTTP status (not 4xx/5xx) */
  INFLUX_ERR_ACK = 16 /**< replicate: fewer hosts than `ack` stored a batch
                           (it waits in the other hosts' queues) */
} influx_status;

/** Longest message kept in an influx_error, terminator included. */
#define INFLUX_ERROR_MSG_SIZE 512

/**
 * Details of a failure. Pass a pointer to one as the optional `err`
 * out-parameter of any call (or NULL if you don't need details). Messages
 * never contain passwords.
 */
typedef struct influx_error {
  influx_status code;
  long http_status; /**< HTTP status of the response, 0 if none */
  char message[INFLUX_ERROR_MSG_SIZE]; /**< server's message or ours */
} influx_error;

/** Static text for a status code ("invalid argument", ...). Never NULL. */
INFLUX_EXPORT const char *influx_strerror(influx_status code);

/** Resets `err` to INFLUX_OK with an empty message. NULL is accepted. */
INFLUX_EXPORT void influx_error_clear(influx_error *err);

#ifdef __cplusplus
}
#endif
#endif
