/* `influxc shell`: an interactive InfluxQL prompt with history (libedit),
 * like the stock `influx` shell: `use db`, `precision`, `format`,
 * `insert <line protocol>`, and any InfluxQL statement. Without a
 * terminal it reads statements from stdin, one per line, no prompt. */
#define _GNU_SOURCE 1 /* strcasestr */
#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

typedef struct shell {
  influx_client *c;
  char *db;
  char *epoch; /* NULL: RFC3339 */
  out_format fmt;
  int tty;
  int failures;
} shell;

static const char *shell_help =
    "Commands:\n"
    "  use <database>           run statements against this database\n"
    "  precision <p>            rfc3339 (default), h, m, s, ms, u or ns\n"
    "  format <f>               table (default), csv, json or jsonl\n"
    "  insert <line protocol>   write one point to the current database\n"
    "  settings                 show the current settings\n"
    "  help                     this text\n"
    "  exit, quit, Ctrl-D       leave\n"
    "Anything else is sent as InfluxQL.";

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
               s[n - 1] == '\r' || s[n - 1] == ';'))
    s[--n] = 0;
  return s;
}

/* "word rest": 1 if `s` starts with keyword `kw` (any case) followed by
 * a blank or the end; *rest is what follows. */
static int keyword(const char *s, const char *kw, const char **rest) {
  size_t n = strlen(kw);
  if (strncasecmp(s, kw, n) || (s[n] && s[n] != ' ' && s[n] != '\t'))
    return 0;
  s += n;
  while (*s == ' ' || *s == '\t')
    s++;
  *rest = s;
  return 1;
}

static void shell_error(shell *sh, const char *what, influx_status st,
                        const influx_error *err) {
  sh->failures++;
  fprintf(stderr, "%sERR:%s %s: ", use_color(stderr) ? "\033[31m" : "",
          use_color(stderr) ? "\033[0m" : "", what);
  /* The server's text is shown, never obeyed by the terminal. */
  term_fputs(stderr,
             err && err->message[0] ? err->message : influx_strerror(st));
  fputc('\n', stderr);
}

static int on_series(void *u, int stmt, const influx_series *s) {
  return printer_series(u, stmt, s);
}

static int on_stmt_error(void *u, int stmt, const char *msg) {
  return printer_error(u, stmt, msg);
}

static void run_query(shell *sh, const char *q) {
  influx_query_options qo = {.database = sh->db, .epoch = sh->epoch};
  qo.raw_time = sh->epoch != NULL;
  printer *pr = printer_new(stdout, sh->fmt, sh->epoch != NULL);
  if (!pr) {
    shell_error(sh, "query", INFLUX_ERR_NOMEM, NULL);
    return;
  }
  influx_stream_handlers h = {
      .on_series = on_series, .on_error = on_stmt_error, .user = pr};
  influx_error err = {0};
  influx_status st = influx_query_stream(sh->c, q, &qo, &h, &err);
  printer_finish(pr);
  if (printer_error_count(pr))
    sh->failures++;
  printer_free(pr);
  fflush(stdout);
  if (st)
    shell_error(sh, "query", st, &err);
}

/* Returns 1 to leave the shell. */
static int shell_line(shell *sh, char *line) {
  char *s = trim(line);
  const char *rest;
  if (!*s || *s == '#' || (s[0] == '-' && s[1] == '-'))
    return 0;
  if (!strcasecmp(s, "exit") || !strcasecmp(s, "quit"))
    return 1;
  if (!strcasecmp(s, "help")) {
    puts(shell_help);
    return 0;
  }
  if (!strcasecmp(s, "settings")) {
    static const char *const names[] = {"table", "csv", "json", "jsonl"};
    printf("database   %s\nprecision  %s\nformat     %s\n",
           sh->db ? sh->db : "(none)", sh->epoch ? sh->epoch : "rfc3339",
           names[sh->fmt]);
    return 0;
  }
  if (keyword(s, "use", &rest)) {
    /* use db, use "db name" */
    char name[512];
    size_t n = strlen(rest);
    if (n >= 2 && rest[0] == '"' && rest[n - 1] == '"') {
      snprintf(name, sizeof name, "%.*s", (int)(n - 2), rest + 1);
    } else {
      snprintf(name, sizeof name, "%s", rest);
    }
    if (!*name) {
      fprintf(stderr, "ERR: use needs a database name\n");
      sh->failures++;
      return 0;
    }
    influx_name_list l;
    influx_error err = {0};
    influx_status st = influx_get_list_database(sh->c, &l, &err);
    int found = 0;
    for (size_t i = 0; !st && i < l.count && !found; i++)
      found = !strcmp(l.names[i], name);
    if (!st)
      influx_name_list_clear(&l);
    if (st) {
      shell_error(sh, "use", st, &err);
    } else if (!found) {
      fprintf(stderr, "ERR: database %s does not exist\n", name);
      sh->failures++;
    } else {
      free(sh->db);
      sh->db = strdup(name);
      printf("Using database %s\n", name);
    }
    return 0;
  }
  if (keyword(s, "precision", &rest)) {
    static const char *const ok[] = {"h", "m", "s", "ms", "u", "ns"};
    if (!strcasecmp(rest, "rfc3339")) {
      free(sh->epoch);
      sh->epoch = NULL;
      return 0;
    }
    for (size_t i = 0; i < 6; i++)
      if (!strcmp(rest, ok[i])) {
        free(sh->epoch);
        sh->epoch = strdup(rest);
        return 0;
      }
    fprintf(stderr, "ERR: precision %s is not rfc3339, h, m, s, ms, u or ns\n",
            rest);
    sh->failures++;
    return 0;
  }
  if (keyword(s, "format", &rest)) {
    if (parse_format(rest, &sh->fmt)) {
      fprintf(stderr, "ERR: format %s is not table, csv, json or jsonl\n",
              rest);
      sh->failures++;
    }
    return 0;
  }
  if (keyword(s, "insert", &rest)) {
    influx_write_options wo = {.database = sh->db,
                               .precision = sh->epoch ? sh->epoch : NULL};
    if (wo.precision && !strcmp(wo.precision, "ns"))
      wo.precision = "n";
    const char *line1[] = {rest};
    influx_error err = {0};
    influx_status st = influx_write_lines(sh->c, line1, 1, &wo, &err);
    if (st)
      shell_error(sh, "insert", st, &err);
    return 0;
  }
  run_query(sh, s);
  return 0;
}

static char *history_file(void) {
  const char *home = getenv("HOME");
  if (!home || !*home)
    return NULL;
  size_t n = strlen(home) + 32;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/.influxc_history", home);
  return p;
}

typedef struct shell_args {
  const char *format;
} shell_args;
const cli_opt shell_opts[] = {
    CLI_OPT_CHOICE("--format", shell_args, format, CLI_OUT_FORMATS),
    CLI_OPT_END};

int cmd_shell(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    printf("usage: influxc shell [--format table|csv|json|jsonl]\n%s\n",
           shell_help);
    return 0;
  }
  shell sh = {0};
  shell_args a = {NULL};
  int npos;
  if (cli_parse(argc, argv, g, "shell", shell_opts, &a, NULL, 0, &npos))
    return EXIT_USAGE;
  if (a.format)
    parse_format(a.format, &sh.fmt);
  int rc = make_client(g, &sh.c);
  if (rc)
    return rc;
  if (g->o.database)
    sh.db = strdup(g->o.database);
  sh.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  char *hist = NULL;
  if (sh.tty) {
    char ver[64] = "";
    influx_error err = {0};
    influx_status st = influx_ping(sh.c, ver, sizeof ver, &err);
    if (st)
      shell_error(&sh, "connect", st, &err);
    else
      printf("Connected to InfluxDB %s. Type help for commands.\n",
             ver[0] ? ver : "(unknown version)");
    hist = history_file();
    using_history();
    if (hist)
      read_history(hist);
  }
  for (;;) {
    char *line = NULL;
    if (sh.tty) {
      line = readline("> ");
      if (!line) {
        putchar('\n');
        break;
      }
      /* Statements with passwords stay out of the history file. */
      if (*trim(line) && !strcasestr(line, "password"))
        add_history(line);
    } else {
      size_t cap = 0;
      if (getline(&line, &cap, stdin) < 0) {
        free(line);
        break;
      }
    }
    int done = shell_line(&sh, line);
    free(line);
    if (done)
      break;
  }
  if (hist) {
    write_history(hist);
    free(hist);
  }
  influx_client_free(sh.c);
  free(sh.db);
  free(sh.epoch);
  /* Scripts see whether anything failed. */
  return sh.failures ? EXIT_QUERY : 0;
}
