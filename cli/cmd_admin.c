/* The administration commands: database, measurement, series, rp, cq,
 * user. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct args {
  int n;
  const char *v[16];
} args;

/* The options of the admin commands, by name (not by position). */
typedef struct admin_flags {
  const char *measurement, *tags, *shard_duration, *duration, *resample, *on,
      *format;
  long replication;
  int dflt, admin;
} admin_flags;

/* Each group's own options (lists take --format). */
#define ADMIN_FORMAT                                                           \
  CLI_OPT_CHOICE("--format", admin_flags, format, CLI_OUT_FORMATS)
const cli_opt database_opts[] = {ADMIN_FORMAT, CLI_OPT_END};
const cli_opt measurement_opts[] = {ADMIN_FORMAT, CLI_OPT_END};
const cli_opt series_opts[] = {
    CLI_OPT_STRING("--measurement", admin_flags, measurement),
    CLI_OPT_STRING("--tags", admin_flags, tags), ADMIN_FORMAT, CLI_OPT_END};
const cli_opt rp_opts[] = {
    {"--replication", 0, CLI_LONG, offsetof(admin_flags, replication), 1, 1000,
     NULL},
    CLI_OPT_STRING("--shard-duration", admin_flags, shard_duration),
    CLI_OPT_FLAG("--default", admin_flags, dflt),
    CLI_OPT_STRING("--duration", admin_flags, duration),
    ADMIN_FORMAT,
    CLI_OPT_END};
const cli_opt cq_opts[] = {CLI_OPT_STRING("--resample", admin_flags, resample),
                           ADMIN_FORMAT, CLI_OPT_END};
const cli_opt user_opts[] = {CLI_OPT_FLAG("--admin", admin_flags, admin),
                             CLI_OPT_STRING("--on", admin_flags, on),
                             ADMIN_FORMAT, CLI_OPT_END};

/* Prints the `n` rows of a list whose cell (row, col) `cell` gives. */
static influx_status
print_list(int fmt, const char *const *cols, size_t nc, const void *list,
           size_t n, const char *(*cell)(const void *, size_t, size_t)) {
  const char **cells = calloc(n * nc + 1, sizeof *cells);
  if (!cells)
    return INFLUX_ERR_NOMEM;
  for (size_t r = 0; r < n; r++)
    for (size_t c = 0; c < nc; c++)
      cells[r * nc + c] = cell(list, r, c);
  print_rows(stdout, fmt, cols, nc, cells, n);
  free(cells);
  return INFLUX_OK;
}

static const char *cq_cell(const void *l, size_t r, size_t c) {
  const influx_cq *q = &((const influx_cq_list *)l)->items[r];
  return c == 0 ? q->database : c == 1 ? q->name : q->query;
}

static const char *user_cell(const void *l, size_t r, size_t c) {
  const influx_user *u = &((const influx_user_list *)l)->items[r];
  return c == 0 ? u->name : u->admin ? "admin" : "-";
}

static const char *privilege_cell(const void *l, size_t r, size_t c) {
  const influx_privilege *p = &((const influx_privilege_list *)l)->items[r];
  return c == 0 ? p->database : p->privilege;
}

static int need_args(const args *a, int n, const char *usage) {
  if (a->n != n) {
    fprintf(stderr, "influxc: wrong number of arguments\n%s\n", usage);
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

int cmd_group(int argc, char **argv, global *g) {
  const char *group = argv[0];
  const char *sub = argc > 1 ? argv[1] : NULL;
  static const char *const help_database =
      "usage: influxc database create NAME | drop NAME | list";
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
    printf("%s\nLists print tab-separated lines; --format "
           "table|csv|json|jsonl\nchanges that.\n",
           help);
    return sub ? 0 : EXIT_USAGE;
  }
  admin_flags fl = {0};
  args a;
  /* argv[1] is the subcommand; the rest are its options and names. */
  const cli_opt *opts = NULL;
  for (const cli_command *c = cli_commands; c->name && !opts; c++)
    if (!strcmp(c->name, group))
      opts = c->opts;
  if (cli_parse(argc - 1, argv + 1, g, group, opts, &fl, a.v,
                (int)(sizeof a.v / sizeof *a.v), &a.n))
    return EXIT_USAGE;
  const char *meas = fl.measurement, *tagspec = fl.tags,
             *shard = fl.shard_duration, *dur = fl.duration,
             *resample = fl.resample, *on = fl.on;
  int dflt = fl.dflt, admin = fl.admin;
  int fmt = -1; /* lists: tab-separated unless --format says otherwise */
  if (fl.format) {
    out_format f;
    parse_format(fl.format, &f);
    fmt = (int)f;
  }
  influx_tag tags[32];
  size_t nt = 0;
  char *tagstore = NULL;
  if (tagspec && parse_tag_args(tagspec, tags, &nt, &tagstore)) {
    free(tagstore);
    return usage_error("--tags %s is not k=v,k=v", tagspec);
  }
  long replication = fl.replication;
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
  int rc = make_client(g, &c);
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
      influx_name_list_clear(&l);
    } else
      handled = 0;
  } else if (!strcmp(group, "measurement")) {
    if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_name_list l;
      if (!(st = influx_get_list_measurements(c, &l, &err)))
        print_names(&l, fmt);
      influx_name_list_clear(&l);
    } else if (!strcmp(sub, "drop") && !(rc = need_args(&a, 1, help)))
      st = influx_drop_measurement(c, a.v[0], &err);
    else
      handled = 0;
  } else if (!strcmp(group, "series")) {
    if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_name_list l;
      if (!(st = influx_get_list_series(c, NULL, meas, tags, nt, &l, &err)))
        print_names(&l, fmt);
      influx_name_list_clear(&l);
    } else if (!strcmp(sub, "delete") && !(rc = need_args(&a, 0, help)))
      st = influx_delete_series(c, NULL, meas, tags, nt, &err);
    else
      handled = 0;
  } else if (!strcmp(group, "rp")) {
    if (!strcmp(sub, "create") && !(rc = need_args(&a, 2, help)))
      st = influx_create_retention_policy(c, a.v[0], a.v[1],
                                          replication ? (int)replication : 1,
                                          NULL, dflt, shard, &err);
    else if (!strcmp(sub, "alter") && !(rc = need_args(&a, 1, help)))
      st = influx_alter_retention_policy(c, a.v[0], NULL, dur, (int)replication,
                                         dflt, shard, &err);
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
      influx_rp_list_clear(&l);
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
        st = print_list(fmt, cols, 3, &l, l.count, cq_cell);
      }
      influx_cq_list_clear(&l);
    } else
      handled = 0;
  } else {
    if (!strcmp(sub, "create"))
      st = influx_create_user(c, a.v[0], secret, admin, &err);
    else if (!strcmp(sub, "password"))
      st = influx_set_user_password(c, a.v[0], secret, &err);
    else if (!strcmp(sub, "drop") && !(rc = need_args(&a, 1, help)))
      st = influx_drop_user(c, a.v[0], &err);
    else if (!strcmp(sub, "list") && !(rc = need_args(&a, 0, help))) {
      influx_user_list l;
      if (!(st = influx_get_list_users(c, &l, &err))) {
        static const char *const cols[] = {"user", "admin"};
        st = print_list(fmt, cols, 2, &l, l.count, user_cell);
      }
      influx_user_list_clear(&l);
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
        st = print_list(fmt, cols, 2, &l, l.count, privilege_cell);
      }
      influx_privilege_list_clear(&l);
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
