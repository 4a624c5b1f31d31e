/* Global options: the client's settings from flags, the environment, a
 * DSN; --opt=value; building the client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *const usage_globals =
    "\n"
    "global options (also from the DSN in --dsn or $INFLUX_DSN, or else\n"
    "from the config file $INFLUXC_CONFIG or ~/.config/influxc/config,\n"
    "\"key = value\" lines such as \"port = 8086\"; flags win):\n"
    "  --host H --port P --username U --password P --password-stdin\n"
    "  --database D --ssl --insecure --ca-cert F --cert F --key F\n"
    "  --timeout SECONDS --retries N --gzip --path P --pool-size N\n"
    "  --stall-timeout SECONDS (without --timeout, a write that moves no\n"
    "    byte for this long fails and is retried; default 60, 0: never)\n"
    "  --udp-port N --proxy URL --dsn DSN      (--opt=value works too)\n"
    "several servers: --host h1[:port],h2[:port],... (reads fail over)\n"
    "  --write-mode failover|replicate --ack any|quorum|all\n"
    "  --balance first|random --spool DIR (replicate: each host's queue)\n"
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

/* --password's value (the argument itself is wiped): lives as long as the
 * process. */
static char *password_copy;

/* The global options: the one table behind parsing, the config file's
 * keys and the completion script. */
enum {
  G_HOST,
  G_PORT,
  G_USERNAME,
  G_PASSWORD,
  G_PASSWORD_STDIN,
  G_DATABASE,
  G_SSL,
  G_VERIFY_SSL,
  G_INSECURE,
  G_CA_CERT,
  G_CERT,
  G_KEY,
  G_TIMEOUT,
  G_STALL_TIMEOUT,
  G_RETRIES,
  G_GZIP,
  G_PATH,
  G_POOL_SIZE,
  G_UDP_PORT,
  G_PROXY,
  G_DSN,
  G_WRITE_MODE,
  G_ACK,
  G_BALANCE,
  G_SPOOL
};
const cli_option cli_global_options[] = {
    {"--host", G_HOST, 1},
    {"--port", G_PORT, 1},
    {"--username", G_USERNAME, 1},
    {"--password", G_PASSWORD, 1},
    {"--password-stdin", G_PASSWORD_STDIN, 0},
    {"--database", G_DATABASE, 1},
    {"-d", G_DATABASE, 1},
    {"--ssl", G_SSL, 0},
    {"--verify-ssl", G_VERIFY_SSL, 0},
    {"--insecure", G_INSECURE, 0},
    {"--unsafe-ssl", G_INSECURE, 0},
    {"--ca-cert", G_CA_CERT, 1},
    {"--cert", G_CERT, 1},
    {"--key", G_KEY, 1},
    {"--timeout", G_TIMEOUT, 1},
    {"--stall-timeout", G_STALL_TIMEOUT, 1},
    {"--retries", G_RETRIES, 1},
    {"--gzip", G_GZIP, 0},
    {"--path", G_PATH, 1},
    {"--pool-size", G_POOL_SIZE, 1},
    {"--udp-port", G_UDP_PORT, 1},
    {"--proxy", G_PROXY, 1},
    {"--dsn", G_DSN, 1},
    {"--write-mode", G_WRITE_MODE, 1},
    {"--ack", G_ACK, 1},
    {"--balance", G_BALANCE, 1},
    {"--spool", G_SPOOL, 1},
    {NULL, 0, 0}};

/* `v` as the index of one of `names` (NULL-ended) into *out, or a usage
 * error listing them. */
static int choice(const char *opt, const char *v, const char *const *names,
                  int *out) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(v, names[i])) {
      *out = i;
      return 0;
    }
  char what[160];
  snprintf(what, sizeof what, "%s %%s is not one of %s%s%s%s%s", opt, names[0],
           names[1] ? ", " : "", names[1] ? names[1] : "",
           names[1] && names[2] ? ", " : "",
           names[1] && names[2] ? names[2] : "");
  usage_error(what, v);
  return -1;
}

/* A port-like number in lo..hi into *out, or a usage error naming it. */
static int number(const char *opt, const char *v, long lo, long hi, int *out) {
  long n;
  if (parse_int(v, lo, hi, &n)) {
    char what[64];
    snprintf(what, sizeof what, "%s %%s is not a number in %ld-%ld", opt, lo,
             hi);
    usage_error(what, v);
    return -1;
  }
  *out = (int)n;
  return 0;
}

int apply_global(const cli_option *opt, const char *v, global *g) {
  const char *a = opt->name;
  int n;
  switch (opt->id) {
  case G_HOST:
    g->o.host = v;
    break;
  case G_PORT:
    return number(a, v, 1, 65535, &g->o.port);
  case G_USERNAME:
    g->o.username = v;
    break;
  case G_PASSWORD:
    /* Keep a copy and wipe the value (it points into the argument, or into
     * the config file's text), so the password does not stay
     * in /proc/PID/cmdline for every user of the machine to read. */
    free(password_copy);
    password_copy = strdup(v);
    if (!password_copy)
      return usage_error("%s", "out of memory"), -1;
    g->o.password = password_copy;
    memset((char *)v, 0, strlen(v));
    break;
  case G_PASSWORD_STDIN:
    g->password_stdin = 1;
    break;
  case G_DATABASE:
    g->o.database = v;
    g->database_flag = !g->in_config;
    break;
  case G_SSL:
    g->o.ssl = 1;
    break;
  case G_VERIFY_SSL:
    g->verify_ssl = 1; /* the default; kept for scripts that say it */
    break;
  case G_INSECURE:
    g->o.insecure_ssl = 1;
    break;
  case G_CA_CERT:
    g->o.ca_cert = v;
    break;
  case G_CERT:
    g->o.cert = v;
    break;
  case G_KEY:
    g->o.cert_key = v;
    break;
  case G_TIMEOUT: {
    char *end;
    double t = strtod(v, &end);
    if (end == v || *end || t < 0 || t > 86400)
      return usage_error("--timeout %s is not a number of seconds", v), -1;
    g->o.timeout_ms = (int)(t * 1000 + 0.5);
    if (t > 0 && !g->o.timeout_ms)
      g->o.timeout_ms = 1;
    break;
  }
  case G_STALL_TIMEOUT: {
    char *end;
    double t = strtod(v, &end);
    if (end == v || *end || t < 0 || t > 86400)
      return usage_error("--stall-timeout %s is not a number of seconds", v),
             -1;
    /* curl counts whole seconds: a fraction is rounded up. */
    g->o.stall_timeout_ms = t == 0 ? -1 : (int)(t * 1000 + 999) / 1000 * 1000;
    break;
  }
  case G_RETRIES:
    if (number(a, v, 0, 1000, &n))
      return -1;
    /* As in the seed: 0 means retry until success. */
    g->o.retries = n == 0 ? INFLUX_RETRIES_UNTIL_SUCCESS : n;
    break;
  case G_GZIP:
    g->o.gzip = 1;
    break;
  case G_PATH:
    g->o.path = v;
    break;
  case G_POOL_SIZE:
    return number(a, v, 1, 1024, &g->o.pool_size);
  case G_UDP_PORT:
    return number(a, v, 1, 65535, &g->o.udp_port);
  case G_PROXY:
    g->o.http_proxy = v;
    g->o.https_proxy = v;
    break;
  case G_DSN:
    g->dsn = v;
    break;
  case G_WRITE_MODE: {
    static const char *const m[] = {"failover", "replicate", NULL};
    return choice(a, v, m, &g->o.write_mode);
  }
  case G_ACK: { /* in the order of influx_ack */
    static const char *const m[] = {"quorum", "any", "all", NULL};
    return choice(a, v, m, &g->o.ack);
  }
  case G_BALANCE: {
    static const char *const m[] = {"first", "random", NULL};
    return choice(a, v, m, &g->o.balance);
  }
  case G_SPOOL:
    g->o.spool_dir = v;
    break;
  }
  return 0;
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

/* INFLUX_USERNAME and INFLUX_PASSWORD, as the stock influx CLI reads them:
 * over the config file, under flags; not with a DSN (it says who). */
void apply_env(int argc, char **argv, global *g) {
  if (has_option(argc, argv, "--dsn"))
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

int has_option(int argc, char **argv, const char *name) {
  size_t n = strlen(name);
  for (int i = 1; i < argc; i++)
    if (!strncmp(argv[i], name, n) && (!argv[i][n] || argv[i][n] == '='))
      return 1;
  return 0;
}
