/* influxc — the command-line tool: the table of commands and main(). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_version(int argc, char **argv, global *g) {
  (void)argc;
  (void)argv;
  (void)g;
  printf("influxc %s\n", influx_version());
  return 0;
}

static int cmd_completion(int argc, char **argv, global *g);

/* Every command, in the order of the usage text. */
const cli_command cli_commands[] = {
    {"ping", "", "print the server version", cmd_ping, NULL},
    {"write", "[FILE|-]", "write line protocol, JSON points or CSV", cmd_write,
     write_opts},
    {"import", "FILE...", "bulk-import line protocol or CSV (.gz too)",
     cmd_import, import_opts},
    {"export", "", "stream a measurement or query out as line protocol or CSV",
     cmd_export, export_opts},
    {"shell", "", "interactive InfluxQL prompt", cmd_shell, shell_opts},
    {"query", "\"QUERY\"", "run InfluxQL and print the results", cmd_query,
     query_opts},
    {"database", "create|drop|list", "manage databases", cmd_group,
     database_opts},
    {"measurement", "list|drop", "manage measurements", cmd_group,
     measurement_opts},
    {"series", "list|delete", "list or delete series", cmd_group, series_opts},
    {"rp", "create|alter|drop|list", "manage retention policies", cmd_group,
     rp_opts},
    {"cq", "create|drop|list", "manage continuous queries", cmd_group, cq_opts},
    {"user", "create|drop|list|password|grant|revoke|privileges",
     "manage users and privileges", cmd_group, user_opts},
    {"demo", "[--local]", "write sample data and query it", cmd_demo,
     demo_opts},
    {"version", "", "print influxc's version", cmd_version, NULL},
    {"completion", "bash|list",
     "print a bash completion script (or the "
     "table it is made from)",
     cmd_completion, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static void usage(FILE *o) {
  fputs("usage: influxc [global options] <command> [options] [args]\n\n"
        "commands:\n",
        o);
  for (const cli_command *c = cli_commands; c->name; c++) {
    char head[96];
    snprintf(head, sizeof head, "%s %s", c->name, c->args);
    if (strlen(head) > 28)
      fprintf(o, "  %s\n  %-28s %s\n", head, "", c->help);
    else
      fprintf(o, "  %-28s %s\n", head, c->help);
  }
  fputs(usage_globals, o);
}

/* main's own options, before the command. */
typedef struct main_flags {
  int help, version;
} main_flags;
static const cli_opt main_opts[] = {
    {"--help", 'h', CLI_FLAG, offsetof(main_flags, help), 0, 0, NULL},
    CLI_OPT_FLAG("--version", main_flags, version),
    CLI_OPT_END};

int main(int argc, char **argv) {
  global g;
  memset(&g, 0, sizeof g);
  int crc = load_config(argc, argv, &g);
  if (crc)
    return crc;
  apply_env(argc, argv, &g);
  main_flags mf = {0};
  int at = 0;
  if (cli_parse(argc, argv, &g, NULL, main_opts, &mf, NULL, -1, &at))
    return EXIT_USAGE;
  if (mf.help) {
    usage(stdout);
    return 0;
  }
  if (mf.version) {
    printf("influxc %s\n", influx_version());
    return 0;
  }
  if (at >= argc) {
    usage(stderr);
    return EXIT_USAGE;
  }
  for (const cli_command *c = cli_commands; c->name; c++)
    if (!strcmp(argv[at], c->name))
      return c->run(argc - at, argv + at, &g);
  const char *cmd = argv[at];
  return usage_error("unknown command %s", cmd);
}

/* Generated from the tables above: `influxc completion bash` is a bash
 * completion script, `influxc completion list` the commands, their
 * subcommands and the global options, one per line. */
static int cmd_completion(int argc, char **argv, global *g) {
  (void)g;
  const char *what = argc > 1 ? argv[1] : "";
  int list = !strcmp(what, "list");
  if (!list && strcmp(what, "bash"))
    return usage_error("completion: %s is not bash or list", what);
  if (list) {
    for (const cli_command *c = cli_commands; c->name; c++) {
      printf("command %s\n", c->name);
      for (const cli_opt *o = c->opts; o && o->name; o++)
        printf("command-option %s %s%s\n", c->name, o->name,
               o->kind == CLI_FLAG ? "" : " VALUE");
      if (strchr(c->args, '|') && c->args[0] != '[')
        for (const char *p = c->args; *p;) {
          size_t n = strcspn(p, "|");
          printf("subcommand %s %.*s\n", c->name, (int)n, p);
          p += n + (p[n] == '|');
        }
    }
    for (const cli_option *o = cli_global_options; o->name; o++)
      printf("option %s%s\n", o->name, o->takes_value ? " VALUE" : "");
    return 0;
  }
  fputs("# bash completion for influxc (influxc completion bash)\n"
        "_influxc() {\n"
        "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}"
        "\n  local cmd= i w valopts=\" ",
        stdout);
  for (const cli_option *o = cli_global_options; o->name; o++)
    if (o->takes_value)
      printf("%s ", o->name);
  fputs("\"\n"
        "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "    w=${COMP_WORDS[i]}\n"
        "    if [[ $valopts == *\" $w \"* ]]; then ((i++)); continue; fi\n"
        "    case $w in\n"
        "      -*) ;;\n"
        "      *) cmd=$w; break ;;\n"
        "    esac\n"
        "  done\n"
        "  local opts=\"",
        stdout);
  for (const cli_option *o = cli_global_options; o->name; o++)
    printf("%s%s", o == cli_global_options ? "" : " ", o->name);
  fputs("\"\n  case $cmd in\n", stdout);
  for (const cli_command *c = cli_commands; c->name; c++) {
    if (!c->opts || !c->opts->name)
      continue;
    printf("    %s) opts+=\"", c->name);
    for (const cli_opt *o = c->opts; o->name; o++)
      printf(" %s", o->name);
    fputs("\" ;;\n", stdout);
  }
  fputs("  esac\n  if [[ $cur == -* ]]; then\n"
        "    COMPREPLY=($(compgen -W \"$opts --help\" -- \"$cur\")); return\n"
        "  fi\n"
        "  case $cmd in\n"
        "    '') COMPREPLY=($(compgen -W \"",
        stdout);
  for (const cli_command *c = cli_commands; c->name; c++)
    printf("%s%s", c == cli_commands ? "" : " ", c->name);
  fputs("\" -- \"$cur\")) ;;\n", stdout);
  for (const cli_command *c = cli_commands; c->name; c++) {
    if (!strchr(c->args, '|') || c->args[0] == '[')
      continue;
    printf("    %s) [[ $prev == %s ]] && COMPREPLY=($(compgen -W \"", c->name,
           c->name);
    for (const char *p = c->args; *p; p++)
      putchar(*p == '|' ? ' ' : *p);
    fputs("\" -- \"$cur\")) ;;\n", stdout);
  }
  fputs("    *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
        "  esac\n"
        "}\n"
        "complete -F _influxc influxc\n",
        stdout);
  return 0;
}
