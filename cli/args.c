/* The option layer every command shares: one getopt_long pass over a
 * command's own option table (cli_opt, values stored by offset into the
 * command's struct) and the global options, so "--opt value",
 * "--opt=value", options after positionals and "--" mean the same in
 * every command, and every value is checked the same way. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Values getopt_long returns for table entries: far from any character. */
enum { VAL_CMD = 0x1000, VAL_GLOBAL = 0x2000 };

static size_t count_opts(const cli_opt *t) {
  size_t n = 0;
  while (t && t[n].name)
    n++;
  return n;
}

/* "--batch-size" -> "batch-size"; "-q" (a short name only) -> NULL. */
static const char *long_name(const char *name) {
  return name[0] == '-' && name[1] == '-' ? name + 2 : NULL;
}

/* "influxc: CMD: " and the message on stderr (no CMD before a command). */
static void say(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "influxc: ");
  if (cmd)
    fprintf(stderr, "%s: ", cmd);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

/* "CMD " for "see influxc CMD --help" ("" before a command). */
static const char *help_of(const char *cmd) {
  static char buf[64];
  snprintf(buf, sizeof buf, "%s%s", cmd ? cmd : "", cmd ? " " : "");
  return buf;
}

/* Is `v` one of the '|'-separated `choices`? */
static int in_choices(const char *v, const char *choices) {
  size_t n = strlen(v);
  for (const char *p = choices; *p;) {
    size_t k = strcspn(p, "|");
    if (k == n && !strncmp(p, v, n))
      return 1;
    p += k + (p[k] == '|');
  }
  return 0;
}

/* Checks and stores one value of a command option. */
static int store(const char *cmd, const cli_opt *o, const char *v, void *dst) {
  char *at = (char *)dst + o->off;
  switch (o->kind) {
  case CLI_FLAG:
    *(int *)(void *)at = 1;
    return 0;
  case CLI_STRING:
    *(const char **)(void *)at = v;
    return 0;
  case CLI_CHOICE:
    if (!in_choices(v, o->choices)) {
      say(cmd, "%s %s is not one of ", o->name, v);
      for (const char *p = o->choices; *p; p++)
        if (*p == '|')
          fputs(", ", stderr);
        else
          fputc(*p, stderr);
      fprintf(stderr, " (see influxc %s--help)\n", help_of(cmd));
      return EXIT_USAGE;
    }
    *(const char **)(void *)at = v;
    return 0;
  case CLI_LONG: {
    long n;
    if (parse_int(v, o->lo, o->hi, &n)) {
      say(cmd, "%s %s is not a number in %ld-%ld (see influxc %s--help)\n",
          o->name, v, o->lo, o->hi, help_of(cmd));
      return EXIT_USAGE;
    }
    *(long *)(void *)at = n;
    return 0;
  }
  case CLI_SECONDS: {
    char *end;
    double s = strtod(v, &end);
    if (end == v || *end || !(s * 1000 >= (double)o->lo) ||
        !(s * 1000 <= (double)o->hi)) {
      say(cmd, "%s %s is not %g-%g seconds (see influxc %s--help)\n", o->name,
          v, (double)o->lo / 1000, (double)o->hi / 1000, help_of(cmd));
      return EXIT_USAGE;
    }
    *(double *)(void *)at = s;
    return 0;
  }
  case CLI_MULTI: {
    cli_multi *m = (cli_multi *)(void *)at;
    if (m->n == CLI_MULTI_MAX) {
      say(cmd, "more than %d %s\n", CLI_MULTI_MAX, o->name);
      return EXIT_USAGE;
    }
    m->v[m->n++] = v;
    return 0;
  }
  }
  return EXIT_USAGE;
}

/* Adds the entries of `t` (ended by a NULL name) to getopt_long's arrays,
 * with values base + index. */
static void add_opts(struct option *lo, size_t *nlo, char *so, size_t *nso,
                     const char *const *names, const int *shorts,
                     const int *takes, size_t n, int base) {
  for (size_t i = 0; i < n; i++) {
    const char *ln = long_name(names[i]);
    if (ln)
      lo[(*nlo)++] = (struct option){
          ln, takes[i] ? required_argument : no_argument, NULL, base + (int)i};
    if (shorts[i]) {
      so[(*nso)++] = (char)shorts[i];
      if (takes[i])
        so[(*nso)++] = ':';
    }
  }
}

/* The short name of "-d" style entries. */
static int short_of(const char *name) {
  return name[0] == '-' && name[1] && name[1] != '-' && !name[2] ? name[1] : 0;
}

int cli_parse(int argc, char **argv, global *g, const char *cmd,
              const cli_opt *opts, void *dst, const char **pos, int maxpos,
              int *npos) {
  size_t nc = count_opts(opts), ng = 0;
  while (cli_global_options[ng].name)
    ng++;
  size_t total = nc + ng;
  struct option *lo = calloc(total + 1, sizeof *lo);
  char *so = calloc(2 * total + 4, 1);
  const char **names = calloc(total + 1, sizeof *names);
  int *shorts = calloc(total + 1, sizeof *shorts);
  int *takes = calloc(total + 1, sizeof *takes);
  int rc = 0;
  if (!lo || !so || !names || !shorts || !takes) {
    rc = cli_fail(cmd ? cmd : "options", INFLUX_ERR_NOMEM, NULL);
    goto out;
  }
  size_t nlo = 0, nso = 0;
  /* In order ('-'): positionals come back as 1, so they keep their order
   * and a command may stop at its first one; ':' reports a missing value. */
  so[nso++] = maxpos < 0 ? '+' : '-';
  so[nso++] = ':';
  for (size_t i = 0; i < nc; i++) {
    names[i] = opts[i].name;
    shorts[i] = opts[i].short_name ? opts[i].short_name : short_of(names[i]);
    takes[i] = opts[i].kind != CLI_FLAG;
  }
  add_opts(lo, &nlo, so, &nso, names, shorts, takes, nc, VAL_CMD);
  for (size_t i = 0; i < ng; i++) {
    names[i] = cli_global_options[i].name;
    shorts[i] = short_of(names[i]);
    takes[i] = cli_global_options[i].takes_value;
  }
  add_opts(lo, &nlo, so, &nso, names, shorts, takes, ng, VAL_GLOBAL);
  *npos = 0;
  opterr = 0;
  optind = 0; /* glibc: start afresh (another pass may have run) */
  for (;;) {
    int at = optind ? optind : 1, li = -1;
    int c = getopt_long(argc, argv, so, lo, &li);
    if (c == -1)
      break;
    const char *tok = at < argc ? argv[at] : "";
    if (c == 1) {
      if (*npos >= maxpos) {
        say(cmd, "unexpected argument %s\n", optarg);
        rc = EXIT_USAGE;
        goto out;
      }
      pos[(*npos)++] = optarg;
      continue;
    }
    if (c == '?' || c == ':') {
      char shortopt[3] = {'-', (char)optopt, 0};
      const char *what =
          optopt && tok[0] == '-' && tok[1] != '-' ? shortopt : tok;
      if (c == ':')
        say(cmd, "option %s needs a value\n", what);
      else
        say(cmd, "unknown option %s (see influxc %s--help)\n", what,
            help_of(cmd));
      rc = EXIT_USAGE;
      goto out;
    }
    /* getopt_long takes unambiguous abbreviations; we do not, so that a
     * new option can never change what an existing script means. */
    if (li >= 0) {
      const char *full = lo[li].name;
      size_t k = strcspn(tok + 2, "=");
      if (strncmp(tok, "--", 2) || k != strlen(full) ||
          strncmp(tok + 2, full, k)) {
        say(cmd, "unknown option %.*s (see influxc %s--help)\n", (int)(k + 2),
            tok, help_of(cmd));
        rc = EXIT_USAGE;
        goto out;
      }
    }
    if (c >= VAL_GLOBAL) {
      if (apply_global(&cli_global_options[c - VAL_GLOBAL], optarg, g)) {
        rc = EXIT_USAGE;
        goto out;
      }
    } else if (c >= VAL_CMD) {
      if ((rc = store(cmd, &opts[c - VAL_CMD], optarg, dst)))
        goto out;
    } else {
      /* A short name: find its entry (commands' first). */
      const cli_opt *o = NULL;
      for (size_t i = 0; i < nc && !o; i++)
        if ((opts[i].short_name ? opts[i].short_name
                                : short_of(opts[i].name)) == c)
          o = &opts[i];
      if (o) {
        if ((rc = store(cmd, o, optarg, dst)))
          goto out;
      } else {
        for (size_t i = 0; i < ng; i++)
          if (short_of(cli_global_options[i].name) == c &&
              apply_global(&cli_global_options[i], optarg, g)) {
            rc = EXIT_USAGE;
            goto out;
          }
      }
    }
  }
  if (maxpos < 0) {
    *npos = optind; /* the first positional: the command */
    goto out;
  }
  /* What follows "--" is positional, options or not. */
  for (int i = optind; i < argc; i++) {
    if (*npos >= maxpos) {
      say(cmd, "unexpected argument %s\n", argv[i]);
      rc = EXIT_USAGE;
      goto out;
    }
    pos[(*npos)++] = argv[i];
  }
out:
  free(lo);
  free(so);
  free(names);
  free(shorts);
  free(takes);
  return rc;
}
