/* influxc command-line tool: shared declarations. */
#ifndef INFLUXC_CLI_H
#define INFLUXC_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
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

/* Global options: the client's settings from flags, DSN or config. */
typedef struct global {
  influx_options o;
  char *dsn_storage;
  const char *dsn;
  int password_stdin;
  int verify_ssl;    /* --verify-ssl given (the default anyway) */
  int database_flag; /* --database came from the command line */
  int in_config;     /* apply_global is reading the config file */
  double timeout_s;
} global;

/* The shared option layer (cli/args.c). A command describes its options
 * in a table of cli_opt ended by a NULL name; cli_parse checks each value
 * and stores it at `off` in the command's own struct:
 *   CLI_FLAG    int, set to 1            CLI_STRING  const char *
 *   CLI_CHOICE  const char *, one of `choices` ("line|json")
 *   CLI_LONG    long in lo..hi           CLI_SECONDS double, lo..hi in ms
 *   CLI_MULTI   cli_multi: every value of a repeated option */
typedef enum cli_kind {
  CLI_FLAG,
  CLI_STRING,
  CLI_CHOICE,
  CLI_LONG,
  CLI_SECONDS,
  CLI_MULTI
} cli_kind;
typedef struct cli_opt {
  const char *name; /* "--batch-size", or "-q" for a short-only one */
  int short_name;   /* 'q' for a long option that also has -q; or 0 */
  cli_kind kind;
  size_t off;
  long lo, hi;
  const char *choices;
} cli_opt;
#define CLI_MULTI_MAX 64
typedef struct cli_multi {
  const char *v[CLI_MULTI_MAX];
  int n;
} cli_multi;

/* Options more than one command has, so that their spelling, values and
 * limits agree (T is the command's struct, f its field). */
#define CLI_BATCH_MAX 1000000
#define CLI_CHUNK_MAX 100000000
#define CLI_PRECISIONS "ns|n|u|ms|s|m|h"
#define CLI_OUT_PRECISIONS "rfc3339|" CLI_PRECISIONS
#define CLI_OUT_FORMATS "table|csv|json|jsonl"
#define CLI_OPT_BATCH_SIZE(T, f)                                               \
  { "--batch-size", 0, CLI_LONG, offsetof(T, f), 1, CLI_BATCH_MAX, NULL }
#define CLI_OPT_CHUNK_SIZE(T, f)                                               \
  { "--chunk-size", 0, CLI_LONG, offsetof(T, f), 1, CLI_CHUNK_MAX, NULL }
#define CLI_OPT_RP(T, f)                                                       \
  { "--rp", 0, CLI_STRING, offsetof(T, f), 0, 0, NULL }
#define CLI_OPT_CHOICE(name, T, f, choices)                                    \
  { name, 0, CLI_CHOICE, offsetof(T, f), 0, 0, choices }
#define CLI_OPT_STRING(name, T, f)                                             \
  { name, 0, CLI_STRING, offsetof(T, f), 0, 0, NULL }
#define CLI_OPT_FLAG(name, T, f)                                               \
  { name, 0, CLI_FLAG, offsetof(T, f), 0, 0, NULL }
#define CLI_OPT_END                                                            \
  { NULL, 0, CLI_FLAG, 0, 0, 0, NULL }

/* Parses a command's arguments argv[1..] with getopt_long: its options
 * (`opts`, values into `dst`), the global options anywhere among them
 * (into g), and at most `maxpos` positionals into `pos` (*npos of them).
 * "--opt=value" and "--opt value" are the same; abbreviations are not
 * taken; "--" ends the options. maxpos < 0 stops at the first positional
 * and sets *npos to its index (main's pass before the command). 0, or
 * EXIT_USAGE after saying what is wrong. */
int cli_parse(int argc, char **argv, struct global *g, const char *cmd,
              const cli_opt *opts, void *dst, const char **pos, int maxpos,
              int *npos);

/* A command of the table in main.c: name, argument synopsis, one line of
 * help, what runs it (argv[0] is the command's name) and its options (for
 * the completion script and the checks against the man page). */
typedef struct cli_command {
  const char *name, *args, *help;
  int (*run)(int argc, char **argv, struct global *g);
  const cli_opt *opts;
} cli_command;
extern const cli_command cli_commands[];
/* A global option: its spelling, what it is, whether a value follows.
 * cli_global_options (options.c) ends with a NULL name. */
typedef struct cli_option {
  const char *name;
  int id, takes_value;
} cli_option;
extern const cli_option cli_global_options[];
/* Applies one global option (from the command line or the config file);
 * 0, or -1 after reporting a bad value. */
int apply_global(const cli_option *opt, const char *v, struct global *g);
/* The part of the usage text about global options (options.c). */
extern const char *const usage_globals;

/* The commands (one file each: cmd_*.c, import.c, export.c, shell.c). */
int cmd_ping(int argc, char **argv, struct global *g);
int cmd_write(int argc, char **argv, struct global *g);
int cmd_query(int argc, char **argv, struct global *g);
/* database, measurement, series, rp, cq and user (cmd_admin.c). */
int cmd_group(int argc, char **argv, struct global *g);

/* INFLUX_USERNAME/INFLUX_PASSWORD applied unless a DSN is given
 * (options.c). */
void apply_env(int argc, char **argv, struct global *g);
/* Whether argv has the option `name` ("--dsn" or "--dsn=..."). */
int has_option(int argc, char **argv, const char *name);
/* The configuration file (config.c); 0 or an exit code. */
int load_config(int argc, char **argv, struct global *g);
/* Reads one line (a password) from stdin, or prompts without echo on a
 * terminal; malloc'd text or NULL. */
char *read_secret(const char *prompt);
/* The rest of `in`, NUL-terminated (malloc'd; *len its length), or NULL
 * when memory runs out. */
char *read_all(FILE *in, size_t *len);

/* Builds the client from DSN/config/flags; 0 or an exit code. */
int make_client(global *g, influx_client **c);
/* Reports a usage error on stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, const char *arg);
int parse_int(const char *s, long lo, long hi, long *out);
/* ns per unit of a time precision (n/ns, u, ms, s, m, h); 0 if unknown. */
int64_t parse_precision(const char *p);
/* Output time precision: rfc3339 (epoch NULL) or a unit (epoch set, "ns"
 * for n/ns); -1 if unknown. */
int parse_out_precision(const char *v, const char **epoch);
int wants_help(int argc, char **argv);
/* Set by SIGINT (on_sigint). */
extern volatile sig_atomic_t interrupted;
void on_sigint(int sig);

typedef enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_JSONL } out_format;

/* Maps a status to an exit code. */
int cli_exit_code(influx_status st);
void report_hosts(influx_client *c, const global *g, int always);
/* Prints "influxc: <what>: <message>" on stderr; returns the exit code. */
int cli_fail(const char *what, influx_status st, const influx_error *err);
/* cli_fail for a write of `npoints` points after `stored_before` were
 * stored: 7 when some of the input is stored and some not. */
int cli_write_fail(const char *what, influx_status st, const influx_error *err,
                   size_t npoints, uint64_t stored_before);

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

/* `influxc import`, `influxc export`, `influxc shell`; CSV input shared
 * with `influxc write --format csv`. The commands' option tables: */
extern const cli_opt write_opts[], query_opts[], import_opts[], export_opts[],
    shell_opts[], demo_opts[], database_opts[], measurement_opts[],
    series_opts[], rp_opts[], cq_opts[], user_opts[];
int cmd_import(int argc, char **argv, global *g);
/* `influxc write`'s options; with --format csv the file goes through
 * frames (cli/csv_frame.c). */
typedef struct write_args {
  const char *format, *precision, *rp, *consistency;
  const char *measurement, *tag_columns, *time_column, *field_types;
  long batch_size;
  int udp;
} write_args;
int write_csv_frames(const write_args *wa, const char *file, global *g);
int cmd_export(int argc, char **argv, global *g);
int cmd_shell(int argc, char **argv, global *g);
/* Reading line protocol (cli/import.c), shared by write and import. */
#include <stdint.h>
#include <zlib.h>
typedef int (*line_fn)(void *user, const char *line, size_t len,
                       uint64_t lineno);
int cli_read_lines(gzFile in, uint64_t *lineno, line_fn fn, void *user,
                   void (*tick)(void *user, gzFile in, size_t n), int comments);
/* Prints a CSV header line `hdr` (malloc'd; taken) unless it is the one
 * printed last (*last), with a blank line between tables; 1 if printed.
 * Cells are quoted with influx_csv_field. */
int csv_header_once(FILE *o, char **last, char *hdr);

/* Rows of text (admin lists): fmt -1 is tab-separated without a header
 * (the default), else an out_format. */
void print_rows(FILE *o, int fmt, const char *const *cols, size_t nc,
                const char *const *cells, size_t nr);

/* Terminal-safe text (cli/term.c). Control characters (C0, DEL, C1) are
 * written as \n, \t, \r, \xNN or \uNNNN and invalid UTF-8 bytes as \xNN,
 * so nothing a server or file sends can drive the terminal. term_escape
 * writes into `out` (NULL: only measures) and returns the length;
 * term_escape_dup allocates. term_width counts terminal columns. */
size_t term_escape(const char *s, size_t n, char *out);
char *term_escape_dup(const char *s, size_t n, size_t *len);
void term_fputs(FILE *o, const char *s);
size_t term_width(const char *s, size_t n);
/* Writes s padded with spaces to `width` columns (on the left if right). */
void term_pad(FILE *o, const char *s, size_t n, size_t width, int right);

/* Whether to colour output on `f`: a terminal and no NO_COLOR. */
int use_color(FILE *f);

/* `influxc demo` */
int cmd_demo(int argc, char **argv, global *g);
/* Starts a throwaway influxd on loopback; fills port and dir. */
int local_influxd_start(char *dir, size_t dirsz, int *port, int *pid);
void local_influxd_stop(const char *dir, int pid);

#endif
