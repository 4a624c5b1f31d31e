/* influxc — the command-line tool. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

static const char *usage_text =
    "usage: influxc [global options] <command> [options] [args]\n"
    "\n"
    "commands:\n"
    "  ping                         print the server version\n"
    "  write [FILE|-]               write line protocol, JSON points or CSV\n"
    "  import FILE...               bulk-import line protocol or CSV (.gz "
    "too)\n"
    "  export                       stream a measurement or query out as\n"
    "                               line protocol or CSV\n"
    "  shell                        interactive InfluxQL prompt\n"
    "  query \"QUERY\"                run InfluxQL and print the results\n"
    "  database create|drop|list    manage databases\n"
    "  measurement list|drop        manage measurements\n"
    "  series list|delete           list or delete series\n"
    "  rp create|alter|drop|list    manage retention policies\n"
    "  cq create|drop|list          manage continuous queries\n"
    "  user create|drop|list|password|grant|revoke|privileges\n"
    "  demo [--local]               write sample data and query it\n"
    "  version                      print influxc's version\n"
    "\n"
    "global options (also from the DSN in --dsn or $INFLUX_DSN, or else\n"
    "from the config file $INFLUXC_CONFIG or ~/.config/influxc/config,\n"
    "\"key = value\" lines such as \"port = 8086\"; flags win):\n"
    "  --host H --port P --username U --password P --password-stdin\n"
    "  --database D --ssl --insecure --ca-cert F --cert F --key F\n"
    "  --timeout SECONDS --retries N --gzip --path P --pool-size N\n"
    "  --udp-port N --proxy URL --dsn DSN      (--opt=value works too)\n"
    "With --ssl the server's certificate is verified (add --ca-cert for a\n"
    "private CA); --insecure skips that and says so. --password \"\" on a\n"
    "terminal prompts. INFLUX_USERNAME and INFLUX_PASSWORD are read from\n"
    "the environment.\n"
    "\n"
    "Run 'influxc <command> --help' for a command's options.\n"
    "Exit status: 0 ok, 1 error, 2 usage, 3 connection, 4 auth,\n"
    "5 rejected by the server (nothing of it stored), 6 bad input,\n"
    "7 partial (some of the input stored and some not, or a truncated\n"
    "result), 130 interrupted.\n";

int cli_exit_code(influx_status st) {
  switch (st) {
  case INFLUX_OK:
    return EXIT_OK;
  case INFLUX_ERR_INVALID_ARG:
    return EXIT_INPUT;
  case INFLUX_ERR_NETWORK:
  case INFLUX_ERR_TIMEOUT:
  case INFLUX_ERR_TLS:
    return EXIT_CONNECT;
  case INFLUX_ERR_AUTH:
    return EXIT_AUTH;
  case INFLUX_ERR_CLIENT:
  case INFLUX_ERR_STATEMENT:
    return EXIT_QUERY;
  case INFLUX_ERR_PARTIAL:
    return EXIT_PARTIAL;
  default:
    return EXIT_FAIL;
  }
}

int cli_fail(const char *what, influx_status st, const influx_error *err) {
  const char *m = err && err->message[0] ? err->message : influx_strerror(st);
  /* One line on stderr; the server's text cannot drive the terminal. */
  char *one = strdup(m);
  for (char *p = one; p && *p; p++)
    if (*p == '\n')
      *p = ' ';
  fprintf(stderr, "influxc: %s: ", what);
  term_fputs(stderr, one ? one : m);
  fputc('\n', stderr);
  free(one);
  return cli_exit_code(st);
}

int cli_write_fail(const char *what, influx_status st, const influx_error *err,
                   size_t npoints, uint64_t stored_before) {
  int rc = cli_fail(what, st, err);
  size_t lost = err && st == INFLUX_ERR_CLIENT
                    ? influx_write_not_stored(err->message, npoints)
                    : npoints;
  /* One mapping in every command: some of the input stored and some not
   * is partial (7); a refusal that stored nothing stays 5 (or 6). */
  if ((stored_before || lost < npoints) &&
      (rc == EXIT_QUERY || rc == EXIT_INPUT))
    rc = EXIT_PARTIAL;
  if (stored_before)
    fprintf(stderr, "influxc: %llu points before it were stored\n",
            (unsigned long long)stored_before);
  return rc;
}

int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "influxc: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see influxc --help)\n");
  return EXIT_USAGE;
}

int parse_int(const char *s, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int64_t parse_precision(const char *p) {
  static const char *const names[] = {"n", "ns", "u", "ms", "s", "m", "h"};
  static const int64_t ns[] = {
      1, 1, 1000, 1000000, 1000000000, 60000000000LL, 3600000000000LL};
  for (size_t i = 0; p && i < sizeof names / sizeof *names; i++)
    if (!strcmp(p, names[i]))
      return ns[i];
  return 0;
}

int parse_out_precision(const char *v, const char **epoch) {
  if (!strcmp(v, "rfc3339")) {
    *epoch = NULL;
    return 0;
  }
  if (!parse_precision(v))
    return -1;
  *epoch = v[0] == 'n' ? "ns" : v;
  return 0;
}

/* Reads one line (a password) from stdin, or prompts without echo on a
 * terminal. Returns malloc'd text or NULL. */
static char *read_secret(const char *prompt) {
  int tty = isatty(STDIN_FILENO);
  struct termios old, quiet;
  if (tty) {
    fprintf(stderr, "%s", prompt);
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
  }
  if (n < 0) {
    free(line);
    return NULL;
  }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = 0;
  return line;
}

/* --password's value (the argument itself is wiped) and the rewritten
 * argument vector: both live as long as the process. */
static char *password_copy;
static char **split_argv;

/* Consumes a global option at argv[*i]; 1 if consumed, 0 if not one,
 * -1 on error. */
int parse_global(int argc, char **argv, int *i, global *g) {
  const char *a = argv[*i];
  const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
  long n;
#define VAL()                                                                  \
  do {                                                                         \
    if (!v) {                                                                  \
      usage_error("option %s needs a value", a);                               \
      return -1;                                                               \
    }                                                                          \
    (*i)++;                                                                    \
  } while (0)
  if (!strcmp(a, "--host")) {
    VAL();
    g->o.host = v;
  } else if (!strcmp(a, "--port")) {
    VAL();
    if (parse_int(v, 1, 65535, &n))
      return usage_error("--port %s is not a port number", v), -1;
    g->o.port = (int)n;
  } else if (!strcmp(a, "--username")) {
    VAL();
    g->o.username = v;
  } else if (!strcmp(a, "--password")) {
    VAL();
    /* Keep a copy and wipe the argument, so the password does not stay
     * in /proc/PID/cmdline for every user of the machine to read. */
    free(password_copy);
    password_copy = strdup(v);
    if (!password_copy)
      return usage_error("%s", "out of memory"), -1;
    g->o.password = password_copy;
    memset(argv[*i], 0, strlen(argv[*i]));
  } else if (!strcmp(a, "--password-stdin")) {
    g->password_stdin = 1;
  } else if (!strcmp(a, "--database") || !strcmp(a, "-d")) {
    VAL();
    g->o.database = v;
    g->database_flag = !g->in_config;
  } else if (!strcmp(a, "--ssl")) {
    g->o.ssl = 1;
  } else if (!strcmp(a, "--verify-ssl")) {
    g->verify_ssl = 1; /* the default; kept for scripts that say it */
  } else if (!strcmp(a, "--insecure") || !strcmp(a, "--unsafe-ssl")) {
    g->o.insecure_ssl = 1;
  } else if (!strcmp(a, "--ca-cert")) {
    VAL();
    g->o.ca_cert = v;
  } else if (!strcmp(a, "--cert")) {
    VAL();
    g->o.cert = v;
  } else if (!strcmp(a, "--key")) {
    VAL();
    g->o.cert_key = v;
  } else if (!strcmp(a, "--timeout")) {
    VAL();
    char *end;
    double t = strtod(v, &end);
    if (end == v || *end || t < 0 || t > 86400)
      return usage_error("--timeout %s is not a number of seconds", v), -1;
    g->o.timeout_ms = (int)(t * 1000 + 0.5);
    if (t > 0 && !g->o.timeout_ms)
      g->o.timeout_ms = 1;
  } else if (!strcmp(a, "--retries")) {
    VAL();
    if (parse_int(v, 0, 1000, &n))
      return usage_error("--retries %s is not a number", v), -1;
    /* As in the seed: 0 means retry until success. */
    g->o.retries = n == 0 ? INFLUX_RETRIES_UNTIL_SUCCESS : (int)n;
  } else if (!strcmp(a, "--gzip")) {
    g->o.gzip = 1;
  } else if (!strcmp(a, "--path")) {
    VAL();
    g->o.path = v;
  } else if (!strcmp(a, "--pool-size")) {
    VAL();
    if (parse_int(v, 1, 1024, &n))
      return usage_error("--pool-size %s is not in 1-1024", v), -1;
    g->o.pool_size = (int)n;
  } else if (!strcmp(a, "--udp-port")) {
    VAL();
    if (parse_int(v, 1, 65535, &n))
      return usage_error("--udp-port %s is not a port number", v), -1;
    g->o.udp_port = (int)n;
  } else if (!strcmp(a, "--proxy")) {
    VAL();
    g->o.http_proxy = v;
    g->o.https_proxy = v;
  } else if (!strcmp(a, "--dsn")) {
    VAL();
    g->dsn = v;
  } else {
    return 0;
  }
  return 1;
#undef VAL
}

/* Builds the client: DSN first, flags over it. */
int make_client(global *g, influx_client **c) {
  influx_error err = {0};
  influx_status st;
  char *secret = NULL;
  if (g->verify_ssl && g->o.insecure_ssl)
    return usage_error("%s", "--verify-ssl and --insecure contradict each "
                             "other");
  if (g->o.insecure_ssl && g->o.ssl)
    fprintf(stderr, "influxc: warning: --insecure: the server's certificate "
                    "is not verified; anyone on the path can read the "
                    "password and the data\n");
  /* --password "" on a terminal asks, as the stock influx CLI does. */
  int ask = g->o.password && !*g->o.password && isatty(STDIN_FILENO);
  if (g->password_stdin || ask) {
    secret = read_secret("Password: ");
    if (!secret)
      return usage_error("%s", "no password on stdin");
    g->o.password = secret;
  }
  const char *dsn = g->dsn ? g->dsn : getenv("INFLUX_DSN");
  if (dsn && *dsn)
    st = influx_client_from_dsn(dsn, &g->o, c, &err);
  else
    st = influx_client_new(&g->o, c, &err);
  if (secret) {
    memset(secret, 0, strlen(secret));
    free(secret);
    g->o.password = NULL;
  }
  if (st)
    return cli_fail("cannot create client", st, &err);
  return 0;
}

int wants_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return 1;
  return 0;
}

/* ---- ping ---- */

static int cmd_ping(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts("usage: influxc ping\nPrints the server's version.");
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    int r = parse_global(argc, argv, &i, g);
    if (r < 0)
      return EXIT_USAGE;
    if (!r)
      return usage_error("ping: unexpected argument %s", argv[i]);
  }
  influx_client *c;
  int rc = make_client(g, &c);
  if (rc)
    return rc;
  char ver[64];
  influx_error err = {0};
  influx_status st = influx_ping(c, ver, sizeof ver, &err);
  influx_client_free(c);
  if (st)
    return cli_fail("ping", st, &err);
  printf("%s\n", ver[0] ? ver : "(unknown version)");
  return 0;
}

/* ---- write ---- */

volatile sig_atomic_t interrupted;
void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

static int write_flush(influx_client *c, influx_lines *lb,
                       const influx_write_options *wo, size_t *sent,
                       size_t first_line) {
  if (!influx_lines_count(lb))
    return 0;
  influx_error err = {0};
  influx_status st =
      influx_write(c, influx_lines_data(lb), influx_lines_len(lb), wo, &err);
  if (st) {
    char what[96];
    snprintf(what, sizeof what, "write (lines %zu-%zu)", first_line,
             first_line + influx_lines_count(lb) - 1);
    return cli_write_fail(what, st, &err, influx_lines_count(lb), *sent);
  }
  *sent += influx_lines_count(lb);
  influx_lines_reset(lb);
  return 0;
}

typedef struct line_writer {
  influx_client *c;
  influx_lines *lb;
  const influx_write_options *wo;
  size_t batch, sent;
  uint64_t first;
} line_writer;

static int write_one_line(void *u, const char *line, size_t len,
                          uint64_t lineno) {
  line_writer *lw = u;
  influx_error err = {0};
  if (!influx_lines_count(lw->lb))
    lw->first = lineno;
  influx_status st = influx_lines_append_raw(lw->lb, line, len, &err);
  if (st) {
    char what[64];
    snprintf(what, sizeof what, "line %llu", (unsigned long long)lineno);
    return cli_fail(what, st, &err);
  }
  if (influx_lines_count(lw->lb) >= lw->batch)
    return write_flush(lw->c, lw->lb, lw->wo, &lw->sent, lw->first);
  return 0;
}

static int write_line_stream(FILE *in, influx_client *c,
                             const influx_write_options *wo, size_t batch) {
  line_writer lw = {c, influx_lines_new(), wo, batch, 0, 1};
  gzFile gz = gzdopen(dup(fileno(in)), "rb");
  if (!lw.lb || !gz) {
    influx_lines_free(lw.lb);
    if (gz)
      gzclose(gz);
    return cli_fail("write", INFLUX_ERR_NOMEM, NULL);
  }
  uint64_t lineno = 0;
  int rc = cli_read_lines(gz, &lineno, write_one_line, &lw, NULL, 0);
  gzclose(gz);
  if (!rc)
    rc = write_flush(c, lw.lb, wo, &lw.sent, lw.first);
  if (interrupted && !rc) {
    fprintf(stderr, "influxc: interrupted after %zu lines written\n", lw.sent);
    rc = EXIT_INTERRUPTED;
  }
  influx_lines_free(lw.lb);
  return rc;
}

/* JSON points: [{"measurement":..,"tags":{..},"fields":{..},"time":..}] */
static int write_json(FILE *in, influx_client *c,
                      const influx_write_options *wo) {
  char *text = NULL;
  size_t tl = 0;
  FILE *m = open_memstream(&text, &tl);
  char buf[65536];
  size_t n;
  while (m && (n = fread(buf, 1, sizeof buf, in)) > 0)
    fwrite(buf, 1, n, m);
  if (m)
    fclose(m);
  if (!text)
    return cli_fail("write", INFLUX_ERR_NOMEM, NULL);
  influx_point_set *set = NULL;
  influx_error e = {0};
  influx_status st = influx_point_set_parse_json(text, tl, &set, &e);
  free(text);
  if (!st)
    st = influx_write_points(c, influx_point_set_points(set),
                             influx_point_set_count(set), wo, &e);
  size_t np = set ? influx_point_set_count(set) : 0;
  influx_point_set_free(set);
  if (st && np)
    return cli_write_fail("write", st, &e, np, 0);
  return st ? cli_fail("write", st, &e) : 0;
}

static const char *write_csv_help =
    "usage: influxc write --format csv --measurement M [--tag-columns a,b]\n"
    "       [--time-column t] [--field-types col=type,...] [--precision P]\n"
    "       FILE|-\n"
    "       [--rp RP] [--batch-size N]\n"
    "Reads a CSV file (header row first) into frames and writes them.\n"
    "Tag columns are tags, the time column (default \"time\") is RFC3339\n"
    "or an integer in --precision; every other column is a field of one\n"
    "type: --field-types col=float|int|string|bool|skip, or inferred from\n"
    "the first 1000 rows (all numbers: float; all true/false: bool; else\n"
    "string), as import does. Empty cells are nulls; rows that do not fit\n"
    "are reported by FILE:LINE and left out.";

static int cmd_write(int argc, char **argv, global *g) {
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "--format") && !strcmp(argv[i + 1], "csv"))
      return wants_help(argc, argv) ? (puts(write_csv_help), 0)
                                    : write_csv_frames(argc, argv, g);
  if (wants_help(argc, argv)) {
    puts(
        "usage: influxc write [--format line|json] [--precision n|u|ms|s|m|h]\n"
        "       [--rp RP] [--consistency any|one|quorum|all] [--batch-size N]\n"
        "       [--udp] [FILE|-]\n"
        "       influxc write --format csv --measurement M [--tag-columns "
        "a,b]\n"
        "       [--time-column t] [--field-types col=type,...] [FILE|-]\n"
        "Writes line protocol (default) or a JSON array of points\n"
        "({\"measurement\",\"tags\",\"fields\",\"time\"}) from FILE or stdin,\n"
        "--batch-size points a request (default 5000), over UDP with --udp.\n"
        "Exit 7 when the server keeps some points and refuses others, 5 when\n"
        "it keeps none. 'influxc write --format csv --help' for CSV.");
    return 0;
  }
  influx_write_options wo = {0};
  const char *format = "line", *file = "-";
  long batch = 5000;
  int udp = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--format") && v) {
      format = v;
      i++;
    } else if (!strcmp(a, "--precision") && v) {
      if (!parse_precision(v))
        return usage_error("write: --precision %s is not one of ns, u, ms, "
                           "s, m, h",
                           v);
      wo.precision = v[0] == 'n' ? "n" : v;
      i++;
    } else if (!strcmp(a, "--rp") && v) {
      wo.retention_policy = v;
      i++;
    } else if (!strcmp(a, "--consistency") && v) {
      wo.consistency = v;
      i++;
    } else if (!strcmp(a, "--batch-size") && v) {
      if (parse_int(v, 1, 100000000, &batch))
        return usage_error("--batch-size %s is not a positive number", v);
      i++;
    } else if (!strcmp(a, "--udp")) {
      udp = 1;
    } else {
      int r = parse_global(argc, argv, &i, g);
      if (r < 0)
        return EXIT_USAGE;
      if (!r) {
        if (a[0] == '-' && a[1])
          return usage_error("write: unknown option %s", a);
        file = a;
      }
    }
  }
  if (strcmp(format, "line") && strcmp(format, "json"))
    return usage_error("write: --format %s is not line or json", format);
  wo.batch_size = (size_t)batch;
  g->o.use_udp = udp;
  FILE *in = strcmp(file, "-") ? fopen(file, "rb") : stdin;
  if (!in) {
    fprintf(stderr, "influxc: cannot open %s: %s\n", file, strerror(errno));
    return EXIT_INPUT;
  }
  influx_client *c;
  int rc = make_client(g, &c);
  if (!rc) {
    signal(SIGINT, on_sigint);
    rc = !strcmp(format, "json") ? write_json(in, c, &wo)
                                 : write_line_stream(in, c, &wo, (size_t)batch);
    influx_client_free(c);
  }
  if (in != stdin)
    fclose(in);
  return rc;
}

/* ---- query ---- */

static int on_series(void *u, int stmt, const influx_series *s) {
  return printer_series(u, stmt, s);
}

static int on_error(void *u, int stmt, const char *msg) {
  return printer_error(u, stmt, msg);
}

/* CSV through frames, streamed: each chunk of each series becomes a frame
 * that is written with the name and tags leading each row, then freed. A
 * header is printed when the columns change. */
typedef struct csv_stream {
  char *last; /* the header printed last */
  const char *epoch;
  influx_status st;
  influx_error err;
} csv_stream;

static int csv_piece(void *u, size_t stmt, const char *name,
                     const influx_tag *tags, size_t nt, const influx_frame *f) {
  (void)stmt;
  csv_stream *cs = u;
  char *hdr = NULL, *tagtext = NULL;
  size_t hl = 0, tl = 0;
  FILE *h = open_memstream(&hdr, &hl), *t = open_memstream(&tagtext, &tl);
  if (!h || !t) {
    if (h)
      fclose(h);
    if (t)
      fclose(t);
    free(hdr);
    free(tagtext);
    cs->st = INFLUX_ERR_NOMEM;
    return 1;
  }
  fputs("name,tags,time", h);
  for (size_t col = 0; col < influx_frame_ncols(f); col++) {
    const char *cn = influx_frame_column_name(f, col);
    fputc(',', h);
    csv_field(h, cn, strlen(cn));
  }
  for (size_t i = 0; i < nt; i++)
    fprintf(t, "%s%s=%s", i ? "," : "", tags[i].key, tags[i].value);
  fclose(h);
  fclose(t);
  if (!cs->last || strcmp(cs->last, hdr)) {
    if (cs->last)
      putchar('\n');
    printf("%s\n", hdr);
    free(cs->last);
    cs->last = hdr;
  } else {
    free(hdr);
  }
  influx_frame_csv_options co = {
      .epoch = cs->epoch, .name = name, .tags = tagtext, .no_header = 1};
  cs->st = influx_frame_write_csv(f, stdout, &co, &cs->err);
  free(tagtext);
  return cs->st != INFLUX_OK || interrupted;
}

static int query_csv_frames(influx_client *c, const char *query,
                            const influx_query_options *qo) {
  influx_frame_query_options fo = {.database = qo->database,
                                   .bind_params = qo->bind_params,
                                   .nbind_params = qo->nbind_params,
                                   .chunk_size = qo->chunk_size,
                                   .format = qo->format,
                                   .keep_null_columns = 1};
  csv_stream cs = {.epoch = qo->epoch};
  influx_error err = {0};
  signal(SIGINT, on_sigint);
  influx_status st =
      influx_query_frames_stream(c, query, &fo, csv_piece, &cs, &err);
  free(cs.last);
  if (cs.st)
    st = cs.st, err = cs.err;
  if (fflush(stdout) && !st)
    st = INFLUX_ERR_IO;
  if (interrupted)
    return EXIT_INTERRUPTED;
  return st ? cli_fail("query", st, &err) : 0;
}

static int cmd_query(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts("usage: influxc query [--format table|csv|json|jsonl]\n"
         "       [--precision rfc3339|h|m|s|ms|u|ns] [--chunked]\n"
         "       [--chunk-size N] [--param name=value ...]\n"
         "       [--wire json|msgpack] \"QUERY\"\n"
         "Runs InfluxQL. Times print as RFC3339 UTC with up to nanosecond\n"
         "digits (2024-01-02T03:04:05.123456789Z) unless --precision (alias\n"
         "--epoch) asks for integers in a unit. --param binds $name (numbers,\n"
         "true/false, else strings; prefix the value with s: to force a\n"
         "string). Tables and errors show control characters as escapes.");
    return 0;
  }
  influx_query_options qo = {0};
  out_format fmt = OUT_TABLE;
  const char *query = NULL;
  influx_param params[64];
  size_t np = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long n;
    if (!strcmp(a, "--format") && v) {
      if (parse_format(v, &fmt))
        return usage_error("query: --format %s is not table, csv, json or "
                           "jsonl",
                           v);
      i++;
    } else if ((!strcmp(a, "--precision") || !strcmp(a, "--epoch")) && v) {
      if (parse_out_precision(v, &qo.epoch))
        return usage_error("query: --precision %s is not rfc3339, h, m, s, "
                           "ms, u or ns",
                           v);
      i++;
    } else if (!strcmp(a, "--chunked")) {
      qo.chunked = 1;
    } else if (!strcmp(a, "--chunk-size") && v) {
      if (parse_int(v, 1, 100000000, &n))
        return usage_error("--chunk-size %s is not a positive number", v);
      qo.chunk_size = (size_t)n;
      qo.chunked = 1;
      i++;
    } else if (!strcmp(a, "--wire") && v) {
      if (!strcmp(v, "json"))
        qo.format = INFLUX_FORMAT_JSON;
      else if (!strcmp(v, "msgpack"))
        qo.format = INFLUX_FORMAT_MSGPACK;
      else
        return usage_error("--wire %s is not json or msgpack", v);
      i++;
    } else if (!strcmp(a, "--param") && v) {
      const char *eq = strchr(v, '=');
      if (!eq || eq == v)
        return usage_error("--param %s is not name=value", v);
      if (np == sizeof params / sizeof *params)
        return usage_error("%s", "too many --param");
      char *name = strndup(v, (size_t)(eq - v));
      const char *val = eq + 1;
      influx_param *p = &params[np++];
      p->name = name;
      char *end;
      long long iv = strtoll(val, &end, 10);
      if (!strncmp(val, "s:", 2)) {
        p->value = influx_value_string(val + 2);
      } else if (*val && !*end) {
        p->value = influx_value_int(iv);
      } else if (!strcmp(val, "true") || !strcmp(val, "false")) {
        p->value = influx_value_bool(!strcmp(val, "true"));
      } else {
        double d = strtod(val, &end);
        p->value =
            *val && !*end ? influx_value_float(d) : influx_value_string(val);
      }
      i++;
    } else {
      int r = parse_global(argc, argv, &i, g);
      if (r < 0)
        return EXIT_USAGE;
      if (!r) {
        if (a[0] == '-' && a[1])
          return usage_error("query: unknown option %s", a);
        if (query)
          return usage_error("query: more than one query given (%s)", a);
        query = a;
      }
    }
  }
  if (!query)
    return usage_error("%s", "query: no query given");
  qo.bind_params = params;
  qo.nbind_params = np;
  qo.raw_time = qo.epoch != NULL;
  influx_client *c;
  int rc = make_client(g, &c);
  if (rc)
    goto out;
  printer *pr = printer_new(stdout, fmt, qo.epoch != NULL);
  influx_error err = {0};
  influx_status st;
  if (fmt == OUT_CSV) {
    rc = query_csv_frames(c, query, &qo);
    printer_free(pr);
    influx_client_free(c);
    goto out;
  } else if (fmt == OUT_JSON && !qo.chunked) {
    influx_result *r = NULL;
    qo.keep_statement_errors = 1;
    st = influx_query(c, query, &qo, &r, &err);
    if (r)
      printer_result(pr, r);
    int stmt_err = 0;
    for (size_t i = 0; r && i < influx_result_count(r); i++)
      if (influx_result_error(r, i)) {
        fprintf(stderr, "influxc: statement %d: %s\n",
                influx_result_statement_id(r, i), influx_result_error(r, i));
        stmt_err = 1;
      }
    if (!st && stmt_err)
      st = INFLUX_ERR_STATEMENT, rc = EXIT_QUERY;
    influx_result_free(r);
  } else {
    influx_stream_handlers h = {on_series, on_error, pr};
    qo.keep_statement_errors = 0;
    st = influx_query_stream(c, query, &qo, &h, &err);
    /* Statement errors were printed by on_error; they still fail the run. */
    if (!st && printer_error_count(pr))
      rc = EXIT_QUERY;
  }
  printer_finish(pr);
  printer_free(pr);
  if (st && !rc)
    rc = cli_fail("query", st, &err);
  influx_client_free(c);
out:
  for (size_t i = 0; i < np; i++)
    free((char *)params[i].name);
  return rc;
}

/* ---- admin ---- */

typedef struct args {
  int n;
  char *v[16];
} args;

/* Collects positionals; flags listed in `flags` (NULL-ended, "name" or
 * "name=" for one taking a value) go to `vals`. */
static int collect(int argc, char **argv, int from, global *g,
                   const char *const *flags, const char **vals, args *out) {
  out->n = 0;
  for (int i = from; i < argc; i++) {
    const char *a = argv[i];
    int matched = 0;
    for (int f = 0; flags && flags[f]; f++) {
      size_t fl = strlen(flags[f]);
      int takes = flags[f][fl - 1] == '=';
      size_t nl = takes ? fl - 1 : fl;
      if (!strncmp(a, flags[f], nl) && a[nl] == 0) {
        if (takes) {
          if (i + 1 >= argc)
            return usage_error("option %s needs a value", a);
          vals[f] = argv[++i];
        } else {
          vals[f] = "1";
        }
        matched = 1;
        break;
      }
    }
    if (matched)
      continue;
    int r = parse_global(argc, argv, &i, g);
    if (r < 0)
      return EXIT_USAGE;
    if (r)
      continue;
    if (a[0] == '-' && a[1])
      return usage_error("unknown option %s", a);
    if (out->n == 16)
      return usage_error("%s", "too many arguments");
    out->v[out->n++] = argv[i];
  }
  return 0;
}

static int need_args(const args *a, int n, const char *usage) {
  if (a->n != n) {
    fprintf(stderr, "influxc: usage: %s\n", usage);
    return EXIT_USAGE;
  }
  return 0;
}

static void print_names(const influx_name_list *l, int fmt) {
  static const char *const cols[] = {"name"};
  print_rows(stdout, fmt, cols, 1, (const char *const *)l->names, l->count);
}

static int parse_tag_args(const char *spec, influx_tag *tags, size_t *nt,
                          char **store) {
  /* "k=v,k2=v2" (no escaping needed for common cases) */
  *nt = 0;
  *store = strdup(spec);
  if (!*store)
    return -1;
  char *save = NULL;
  for (char *t = strtok_r(*store, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(t, '=');
    if (!eq || *nt == 32)
      return -1;
    *eq = 0;
    tags[*nt].key = t;
    tags[*nt].value = eq + 1;
    (*nt)++;
  }
  return 0;
}

static int cmd_group(int argc, char **argv, global *g) {
  const char *group = argv[0];
  const char *sub = argc > 1 ? argv[1] : NULL;
  static const char *const help_database =
      "usage: influxc database create NAME | drop NAME | list\n"
      "Lists print tab-separated lines; --format table|csv|json|jsonl\n"
      "changes that (for every list command).";
  static const char *const help_measurement =
      "usage: influxc measurement list | drop NAME   (uses --database)";
  static const char *const help_series =
      "usage: influxc series list [--measurement M] [--tags k=v,...]\n"
      "       influxc series delete [--measurement M] [--tags k=v,...]";
  static const char *const help_rp =
      "usage: influxc rp create NAME DURATION [--replication N] "
      "[--shard-duration D] [--default]\n"
      "       influxc rp alter NAME [--duration D] [--replication N] "
      "[--shard-duration D] [--default]\n"
      "       influxc rp drop NAME | list   (on --database)";
  static const char *const help_cq =
      "usage: influxc cq create NAME \"SELECT ...\" [--resample \"EVERY 1m "
      "FOR 5m\"]\n"
      "       influxc cq drop NAME | list   (on --database)";
  static const char *const help_user =
      "usage: influxc user create NAME [--admin]   (password from stdin or a "
      "prompt)\n"
      "       influxc user drop NAME | list | password NAME\n"
      "       influxc user grant|revoke NAME read|write|all --on DB\n"
      "       influxc user grant|revoke NAME admin\n"
      "       influxc user privileges NAME";
  const char *help = !strcmp(group, "database")      ? help_database
                     : !strcmp(group, "measurement") ? help_measurement
                     : !strcmp(group, "series")      ? help_series
                     : !strcmp(group, "rp")          ? help_rp
                     : !strcmp(group, "cq")          ? help_cq
                                                     : help_user;
  if (!sub || wants_help(argc, argv)) {
    puts(help);
    return sub ? 0 : EXIT_USAGE;
  }
  static const char *const flags[] = {
      "--measurement=",    "--tags=",   "--replication=",
      "--shard-duration=", "--default", "--duration=",
      "--resample=",       "--admin",   "--on=",
      "--format=",         NULL};
  const char *vals[11] = {0};
  args a;
  int rc = collect(argc, argv, 2, g, flags, vals, &a);
  if (rc)
    return rc;
  const char *meas = vals[0], *tagspec = vals[1], *repl = vals[2],
             *shard = vals[3], *dflt = vals[4], *dur = vals[5],
             *resample = vals[6], *admin = vals[7], *on = vals[8];
  int fmt = -1; /* lists: tab-separated unless --format says otherwise */
  if (vals[9]) {
    out_format f;
    if (parse_format(vals[9], &f))
      return usage_error("--format %s is not table, csv, json or jsonl",
                         vals[9]);
    fmt = (int)f;
  }
  influx_tag tags[32];
  size_t nt = 0;
  char *tagstore = NULL;
  if (tagspec && parse_tag_args(tagspec, tags, &nt, &tagstore)) {
    free(tagstore);
    return usage_error("--tags %s is not k=v,k=v", tagspec);
  }
  long replication = 0;
  if (repl && parse_int(repl, 1, 1000, &replication)) {
    free(tagstore);
    return usage_error("--replication %s is not a number >= 1", repl);
  }
  char *secret = NULL;
  int needs_pw = !strcmp(group, "user") &&
                 (!strcmp(sub, "create") || !strcmp(sub, "password"));
  if (needs_pw) {
    if (a.n != 1) {
      free(tagstore);
      return need_args(&a, 1, help);
    }
    secret = read_secret("New password: ");
    if (!secret) {
      free(tagstore);
      return usage_error("%s", "no password given on stdin");
    }
  }
  influx_client *c;
  rc = make_client(g, &c);
  if (rc) {
    free(tagstore);
    free(secret);
    return rc;
  }
  influx_error err = {0};
  influx_status st = INFLUX_OK;
  int handled = 1;
  if (!strcmp(group, "database")) {
    if (!strcmp(sub, "create") && !(rc = need_args(&a, 1, help)))
      st = influx_create_database(c, a.v[0], &err);
    else if (!strcmp(sub, "drop") && !(rc = need_args(&a, 1, help)))
      st = influx_drop_database(c, a.v[0], &err);
    else if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_name_list l;
      if (!(st = influx_get_list_database(c, &l, &err)))
        print_names(&l, fmt);
      influx_name_list_free(&l);
    } else
      handled = 0;
  } else if (!strcmp(group, "measurement")) {
    if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_name_list l;
      if (!(st = influx_get_list_measurements(c, &l, &err)))
        print_names(&l, fmt);
      influx_name_list_free(&l);
    } else if (!strcmp(sub, "drop") && !(rc = need_args(&a, 1, help)))
      st = influx_drop_measurement(c, a.v[0], &err);
    else
      handled = 0;
  } else if (!strcmp(group, "series")) {
    if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_name_list l;
      if (!(st = influx_get_list_series(c, NULL, meas, tags, nt, &l, &err)))
        print_names(&l, fmt);
      influx_name_list_free(&l);
    } else if (!strcmp(sub, "delete") && !(rc = need_args(&a, 0, help)))
      st = influx_delete_series(c, NULL, meas, tags, nt, &err);
    else
      handled = 0;
  } else if (!strcmp(group, "rp")) {
    if (!strcmp(sub, "create") && !(rc = need_args(&a, 2, help)))
      st = influx_create_retention_policy(c, a.v[0], a.v[1],
                                          replication ? (int)replication : 1,
                                          NULL, dflt != NULL, shard, &err);
    else if (!strcmp(sub, "alter") && !(rc = need_args(&a, 1, help)))
      st = influx_alter_retention_policy(c, a.v[0], NULL, dur, (int)replication,
                                         dflt != NULL, shard, &err);
    else if (!strcmp(sub, "drop") && !(rc = need_args(&a, 1, help)))
      st = influx_drop_retention_policy(c, a.v[0], NULL, &err);
    else if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_rp_list l;
      if (!(st = influx_get_list_retention_policies(c, NULL, &l, &err))) {
        static const char *const cols[] = {"name", "duration", "shard_duration",
                                           "replication", "default"};
        const char **cells = calloc(l.count * 5 + 1, sizeof *cells);
        char(*num)[16] = calloc(l.count + 1, sizeof *num);
        if (!cells || !num) {
          st = INFLUX_ERR_NOMEM;
        } else {
          for (size_t i = 0; i < l.count; i++) {
            snprintf(num[i], sizeof num[i], "%d", l.items[i].replication);
            const char *row[5] = {l.items[i].name, l.items[i].duration,
                                  l.items[i].shard_duration, num[i],
                                  l.items[i].is_default ? "true" : "false"};
            memcpy(cells + i * 5, row, sizeof row);
          }
          if (fmt < 0) /* the tab-separated form has always had a header */
            printf("name\tduration\tshard_duration\treplication\tdefault\n");
          print_rows(stdout, fmt, cols, 5, cells, l.count);
        }
        free(cells);
        free(num);
      }
      influx_rp_list_free(&l);
    } else
      handled = 0;
  } else if (!strcmp(group, "cq")) {
    if (!strcmp(sub, "create") && !(rc = need_args(&a, 2, help)))
      st = influx_create_continuous_query(c, a.v[0], a.v[1], NULL, resample,
                                          &err);
    else if (!strcmp(sub, "drop") && !(rc = need_args(&a, 1, help)))
      st = influx_drop_continuous_query(c, a.v[0], NULL, &err);
    else if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_cq_list l;
      if (!(st = influx_get_list_continuous_queries(c, &l, &err))) {
        static const char *const cols[] = {"database", "name", "query"};
        const char **cells = calloc(l.count * 3 + 1, sizeof *cells);
        for (size_t i = 0; cells && i < l.count; i++) {
          cells[i * 3] = l.items[i].database;
          cells[i * 3 + 1] = l.items[i].name;
          cells[i * 3 + 2] = l.items[i].query;
        }
        if (cells)
          print_rows(stdout, fmt, cols, 3, cells, l.count);
        else
          st = INFLUX_ERR_NOMEM;
        free(cells);
      }
      influx_cq_list_free(&l);
    } else
      handled = 0;
  } else {
    if (!strcmp(sub, "create"))
      st = influx_create_user(c, a.v[0], secret, admin != NULL, &err);
    else if (!strcmp(sub, "password"))
      st = influx_set_user_password(c, a.v[0], secret, &err);
    else if (!strcmp(sub, "drop") && !(rc = need_args(&a, 1, help)))
      st = influx_drop_user(c, a.v[0], &err);
    else if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_user_list l;
      if (!(st = influx_get_list_users(c, &l, &err))) {
        static const char *const cols[] = {"user", "admin"};
        const char **cells = calloc(l.count * 2 + 1, sizeof *cells);
        for (size_t i = 0; cells && i < l.count; i++) {
          cells[i * 2] = l.items[i].name;
          cells[i * 2 + 1] = l.items[i].admin ? "admin" : "-";
        }
        if (cells)
          print_rows(stdout, fmt, cols, 2, cells, l.count);
        else
          st = INFLUX_ERR_NOMEM;
        free(cells);
      }
      influx_user_list_free(&l);
    } else if ((!strcmp(sub, "grant") || !strcmp(sub, "revoke")) &&
               !(rc = need_args(&a, 2, help))) {
      int grant = !strcmp(sub, "grant");
      if (!strcmp(a.v[1], "admin"))
        st = grant ? influx_grant_admin_privileges(c, a.v[0], &err)
                   : influx_revoke_admin_privileges(c, a.v[0], &err);
      else if (!on)
        rc = usage_error("user %s: --on DATABASE is required", sub);
      else
        st = grant ? influx_grant_privilege(c, a.v[1], on, a.v[0], &err)
                   : influx_revoke_privilege(c, a.v[1], on, a.v[0], &err);
    } else if (!strcmp(sub, "privileges") && !(rc = need_args(&a, 1, help))) {
      influx_privilege_list l;
      if (!(st = influx_get_list_privileges(c, a.v[0], &l, &err))) {
        static const char *const cols[] = {"database", "privilege"};
        const char **cells = calloc(l.count * 2 + 1, sizeof *cells);
        for (size_t i = 0; cells && i < l.count; i++) {
          cells[i * 2] = l.items[i].database;
          cells[i * 2 + 1] = l.items[i].privilege;
        }
        if (cells)
          print_rows(stdout, fmt, cols, 2, cells, l.count);
        else
          st = INFLUX_ERR_NOMEM;
        free(cells);
      }
      influx_privilege_list_free(&l);
    } else
      handled = 0;
  }
  influx_client_free(c);
  free(tagstore);
  if (secret) {
    memset(secret, 0, strlen(secret));
    free(secret);
  }
  if (rc)
    return rc;
  if (!handled)
    return usage_error("unknown subcommand %s", sub);
  if (st) {
    char what[64];
    snprintf(what, sizeof what, "%s %s", group, sub);
    return cli_fail(what, st, &err);
  }
  return 0;
}

/* ---- configuration file ---- */

/* The file's text stays for the life of the process: options point in. */
static char *config_text;

static int truthy(const char *v) {
  return !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") ||
         !strcmp(v, "on");
}

/* Applies "key = value" lines (keys are the long global options without
 * "--"; booleans take true/false) before the command line is read, so
 * flags win. Skipped when a DSN is given: it says where to connect. */
static int load_config(int argc, char **argv, global *g) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--dsn"))
      return 0;
  const char *env = getenv("INFLUX_DSN");
  if (env && *env)
    return 0;
  const char *path = getenv("INFLUXC_CONFIG");
  int explicit_path = path && *path;
  char buf[1024];
  if (!explicit_path) {
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
      snprintf(buf, sizeof buf, "%s/influxc/config", xdg);
    else if (home && *home)
      snprintf(buf, sizeof buf, "%s/.config/influxc/config", home);
    else
      return 0;
    path = buf;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    if (!explicit_path && errno == ENOENT)
      return 0;
    fprintf(stderr, "influxc: cannot read config %s: %s\n", path,
            strerror(errno));
    return EXIT_USAGE;
  }
  size_t len = 0;
  FILE *m = open_memstream(&config_text, &len);
  char chunk[4096];
  size_t n;
  while (m && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    fwrite(chunk, 1, n, m);
  struct stat sb;
  int others = !fstat(fileno(f), &sb) && (sb.st_mode & 077);
  fclose(f);
  if (!m || fclose(m))
    return cli_fail("config", INFLUX_ERR_NOMEM, NULL);
  int lineno = 0;
  char *save = NULL;
  for (char *line = strtok_r(config_text, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    while (*line == ' ' || *line == '\t')
      line++;
    if (!*line || *line == '#')
      continue;
    char *k = line, *v = line + strcspn(line, " \t=");
    if (*v)
      *v++ = 0;
    while (*v == ' ' || *v == '\t' || *v == '=')
      v++;
    size_t vl = strlen(v);
    while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t' || v[vl - 1] == '\r'))
      v[--vl] = 0;
    if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
      v[vl - 1] = 0;
      v++;
    }
    if (!strcmp(k, "password") && others)
      fprintf(stderr,
              "influxc: warning: %s holds a password and is readable "
              "by others (chmod 600 it)\n",
              path);
    char flag[80];
    snprintf(flag, sizeof flag, "--%s", k);
    int boolean = !strcmp(k, "ssl") || !strcmp(k, "verify-ssl") ||
                  !strcmp(k, "insecure") || !strcmp(k, "gzip");
    if (boolean && !truthy(v))
      continue;
    char *av[3] = {flag, v, NULL};
    int ac = boolean ? 1 : 2, at = 0;
    g->in_config = 1;
    int r = strcmp(k, "password-stdin") ? parse_global(ac, av, &at, g) : 0;
    g->in_config = 0;
    if (r <= 0) {
      fprintf(stderr, "influxc: %s:%d: unknown or bad setting \"%s\"\n", path,
              lineno, k);
      return EXIT_USAGE;
    }
  }
  return 0;
}

/* INFLUX_USERNAME and INFLUX_PASSWORD, as the stock influx CLI reads them:
 * over the config file, under flags; not with a DSN (it says who). */
static void apply_env(int argc, char **argv, global *g) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--dsn"))
      return;
  const char *dsn = getenv("INFLUX_DSN");
  if (dsn && *dsn)
    return;
  const char *u = getenv("INFLUX_USERNAME"), *p = getenv("INFLUX_PASSWORD");
  if (u && *u)
    g->o.username = u;
  if (p && *p)
    g->o.password = p;
}

/* Rewrites every "--name=value" argument as "--name" "value", so each
 * option parser takes both spellings (getopt_long's). The value keeps
 * pointing into the original argument, so wiping it (--password) wipes
 * the process's command line. */
static char **split_equals(int *argc, char **argv) {
  int n = *argc, extra = 0;
  for (int i = 1; i < n; i++)
    if (!strncmp(argv[i], "--", 2) && strchr(argv[i], '='))
      extra++;
  if (!extra)
    return argv;
  char **out = calloc((size_t)(n + extra + 1), sizeof *out);
  if (!out)
    return argv;
  int k = 0;
  for (int i = 0; i < n; i++) {
    const char *a = argv[i], *eq = strchr(a, '=');
    size_t nl = eq ? (size_t)(eq - a) : 0;
    int option =
        i > 0 && !strncmp(a, "--", 2) && eq && nl > 2 &&
        strspn(a + 2, "abcdefghijklmnopqrstuvwxyz0123456789-") == nl - 2;
    if (option && (out[k] = strndup(a, nl))) {
      out[k + 1] = argv[i] + nl + 1;
      k += 2;
    } else {
      out[k++] = argv[i];
    }
  }
  *argc = k;
  split_argv = out;
  return out;
}

int main(int argc, char **argv) {
  argv = split_equals(&argc, argv);
  global g;
  memset(&g, 0, sizeof g);
  int crc = load_config(argc, argv, &g);
  if (crc)
    return crc;
  apply_env(argc, argv, &g);
  int i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage_text, stdout);
      return 0;
    }
    if (!strcmp(argv[i], "--version")) {
      printf("influxc %s\n", influx_version());
      return 0;
    }
    int r = parse_global(argc, argv, &i, &g);
    if (r < 0)
      return EXIT_USAGE;
    if (!r)
      break;
  }
  if (i >= argc) {
    fputs(usage_text, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[i];
  int cargc = argc - i;
  char **cargv = argv + i;
  if (!strcmp(cmd, "ping"))
    return cmd_ping(cargc, cargv, &g);
  if (!strcmp(cmd, "write"))
    return cmd_write(cargc, cargv, &g);
  if (!strcmp(cmd, "query"))
    return cmd_query(cargc, cargv, &g);
  if (!strcmp(cmd, "database") || !strcmp(cmd, "measurement") ||
      !strcmp(cmd, "series") || !strcmp(cmd, "rp") || !strcmp(cmd, "cq") ||
      !strcmp(cmd, "user"))
    return cmd_group(cargc, cargv, &g);
  if (!strcmp(cmd, "import"))
    return cmd_import(cargc, cargv, &g);
  if (!strcmp(cmd, "export"))
    return cmd_export(cargc, cargv, &g);
  if (!strcmp(cmd, "shell"))
    return cmd_shell(cargc, cargv, &g);
  if (!strcmp(cmd, "demo"))
    return cmd_demo(cargc, cargv, &g.o);
  if (!strcmp(cmd, "version")) {
    printf("influxc %s\n", influx_version());
    return 0;
  }
  return usage_error("unknown command %s", cmd);
}
