/* influxc command-line tool: shared declarations. */
#ifndef INFLUXC_CLI_H
#define INFLUXC_CLI_H

#include <stdio.h>

#include "influxc.h"

/* Exit codes (documented in README and docs/influxc.1). */
enum {
  EXIT_OK = 0,
  EXIT_FAIL = 1,    /* other errors */
  EXIT_USAGE = 2,   /* bad command line */
  EXIT_CONNECT = 3, /* network, timeout, TLS */
  EXIT_AUTH = 4,    /* authentication / authorization */
  EXIT_QUERY = 5,   /* statement or request rejected by the server */
  EXIT_INPUT = 6,   /* bad input data (points, files) */
  EXIT_PARTIAL = 7, /* partial result or partial write */
  EXIT_INTERRUPTED = 130
};

typedef enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_JSONL } out_format;

/* Maps a status to an exit code. */
int cli_exit_code(influx_status st);
/* Prints "influxc: <what>: <message>" on stderr; returns the exit code. */
int cli_fail(const char *what, influx_status st, const influx_error *err);

/* Output of results. */
typedef struct printer printer;
printer *printer_new(FILE *out, out_format fmt, int epoch_given);
void printer_free(printer *p);
int printer_series(printer *p, int statement_id, const influx_series *s);
int printer_error(printer *p, int statement_id, const char *msg);
void printer_result(printer *p, const influx_result *r);
void printer_finish(printer *p);
int printer_error_count(const printer *p);
int parse_format(const char *s, out_format *f);

/* `influxc demo` */
int cmd_demo(int argc, char **argv, const influx_options *base);
/* Starts a throwaway influxd on loopback; fills port and dir. */
int local_influxd_start(char *dir, size_t dirsz, int *port, int *pid);
void local_influxd_stop(const char *dir, int pid);

#endif
