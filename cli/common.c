/* Shared by the commands: exit codes, error lines, number and precision
 * parsing, help detection, Ctrl-C, reading a secret. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

int cli_exit_code(influx_status st) {
  switch (st) {
  case INFLUX_OK:
    return EXIT_OK;
  case INFLUX_ERR_INVALID_ARG:
    return EXIT_INPUT;
  case INFLUX_ERR_NETWORK:
  case INFLUX_ERR_TIMEOUT:
  case INFLUX_ERR_TLS:
  case INFLUX_ERR_ACK: /* too few hosts answered */
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

int wants_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return 1;
  return 0;
}

volatile sig_atomic_t interrupted;
void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

/* Reads one line (a password) from stdin, or prompts without echo on a
 * terminal. Returns malloc'd text or NULL. */
char *read_secret(const char *prompt) {
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

char *read_all(FILE *in, size_t *len) {
  char *text = NULL;
  *len = 0;
  FILE *m = open_memstream(&text, len);
  if (!m)
    return NULL;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    fwrite(buf, 1, n, m);
  if (fclose(m)) {
    free(text);
    return NULL;
  }
  return text;
}

/* Replicate mode, after a write or an import: lets the hosts that were
 * behind catch up for a while, then says per host what it stored and
 * what still waits in its queue. With `always` 0 only if any waits. */
void report_hosts(influx_client *c, const global *g, int always) {
  size_t n = influx_client_host_count(c);
  if (n < 2 || g->o.write_mode != INFLUX_WRITE_REPLICATE)
    return;
  influx_error err = {0};
  int wait = g->o.timeout_ms > 0 ? g->o.timeout_ms : 10000;
  int behind = influx_client_catch_up(c, wait, &err) != INFLUX_OK;
  if (!always && !behind)
    return;
  for (size_t i = 0; i < n; i++) {
    influx_host_status hs;
    if (influx_client_host_status(c, i, &hs, NULL))
      continue;
    fputs("influxc:   ", stderr);
    term_fputs(stderr, hs.host);
    fprintf(stderr, ":%d: %llu points stored", hs.port,
            (unsigned long long)hs.points_stored);
    if (hs.batches_queued)
      fprintf(stderr, "; %llu batches (%.1f MB) wait in its %s",
              (unsigned long long)hs.batches_queued,
              (double)hs.bytes_queued / 1e6,
              g->o.spool_dir ? "spool" : "memory queue (lost at exit)");
    if (hs.batches_dropped)
      fprintf(stderr, "; %llu batches dropped (its memory queue was full)",
              (unsigned long long)hs.batches_dropped);
    if (hs.state != INFLUX_HOST_UP && hs.last_error[0]) {
      fputs("; last error: ", stderr);
      term_fputs(stderr, hs.last_error);
    }
    fputc('\n', stderr);
  }
}
