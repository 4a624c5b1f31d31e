/* The configuration file: key = value lines named like the long global
 * options, read before the command line so flags win. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* The file's text stays for the life of the process: options point in. */
static char *config_text;

static int truthy(const char *v) {
  return !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") ||
         !strcmp(v, "on");
}

/* Applies "key = value" lines (keys are the long global options without
 * "--"; booleans take true/false) before the command line is read, so
 * flags win. Skipped when a DSN is given: it says where to connect. */
int load_config(int argc, char **argv, global *g) {
  if (has_option(argc, argv, "--dsn"))
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
  config_text = read_all(f, &len);
  struct stat sb;
  int others = !fstat(fileno(f), &sb) && (sb.st_mode & 077);
  fclose(f);
  if (!config_text)
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
    const cli_option *opt = cli_global_options;
    while (opt->name && strcmp(opt->name, flag))
      opt++;
    int r = -1;
    if (opt->name && strcmp(k, "password-stdin")) {
      g->in_config = 1;
      r = apply_global(opt, boolean ? NULL : v, g);
      g->in_config = 0;
    }
    if (r) {
      fprintf(stderr, "influxc: %s:%d: unknown or bad setting \"%s\"\n", path,
              lineno, k);
      return EXIT_USAGE;
    }
  }
  return 0;
}
