/* `influxc write`: line protocol, JSON points (CSV: csv_frame.c). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"

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
  size_t tl = 0;
  char *text = read_all(in, &tl);
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

static const char *write_help =
    "usage: influxc write [--format line|json] [--precision n|u|ms|s|m|h]\n"
    "       [--rp RP] [--consistency any|one|quorum|all] [--batch-size N]\n"
    "       [--udp] [FILE|-]\n"
    "       influxc write --format csv --measurement M [--tag-columns a,b]\n"
    "       [--time-column t] [--field-types col=type,...] [FILE|-]\n"
    "Writes line protocol (default) or a JSON array of points\n"
    "({\"measurement\",\"tags\",\"fields\",\"time\"}) from FILE or stdin,\n"
    "--batch-size points a request (default 5000), over UDP with --udp.\n"
    "Exit 7 when the server keeps some points and refuses others, 5 when\n"
    "it keeps none. 'influxc write --format csv --help' for CSV.";

const cli_opt write_opts[] = {
    CLI_OPT_CHOICE("--format", write_args, format, "line|json|csv"),
    CLI_OPT_CHOICE("--precision", write_args, precision, CLI_PRECISIONS),
    CLI_OPT_RP(write_args, rp),
    CLI_OPT_CHOICE("--consistency", write_args, consistency,
                   "any|one|quorum|all"),
    CLI_OPT_BATCH_SIZE(write_args, batch_size),
    CLI_OPT_FLAG("--udp", write_args, udp),
    CLI_OPT_STRING("--measurement", write_args, measurement),
    CLI_OPT_STRING("--tag-columns", write_args, tag_columns),
    CLI_OPT_STRING("--time-column", write_args, time_column),
    CLI_OPT_STRING("--field-types", write_args, field_types),
    CLI_OPT_END};

int cmd_write(int argc, char **argv, global *g) {
  write_args wa = {.format = "line", .batch_size = INFLUX_DEFAULT_BATCH_SIZE};
  const char *file = "-";
  int npos;
  int help = wants_help(argc, argv);
  if (!help &&
      cli_parse(argc, argv, g, "write", write_opts, &wa, &file, 1, &npos))
    return EXIT_USAGE;
  int csv = !strcmp(wa.format, "csv");
  if (help && !csv)
    for (int i = 1; i + 1 < argc; i++)
      csv |= !strcmp(argv[i], "--format") && !strcmp(argv[i + 1], "csv");
  if (help) {
    puts(csv ? write_csv_help : write_help);
    return 0;
  }
  if (csv) {
    if (wa.consistency || wa.udp)
      return usage_error("%s", "write: --consistency and --udp do not go "
                               "with --format csv");
    return write_csv_frames(&wa, file, g);
  }
  if (wa.measurement || wa.tag_columns || wa.time_column || wa.field_types)
    return usage_error("%s", "write: --measurement, --tag-columns, "
                             "--time-column and --field-types go with "
                             "--format csv");
  influx_write_options wo = {0};
  const char *format = wa.format;
  long batch = wa.batch_size;
  int udp = wa.udp;
  if (wa.precision)
    wo.precision = wa.precision[0] == 'n' ? "n" : wa.precision;
  wo.retention_policy = wa.rp;
  wo.consistency = wa.consistency;
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
    report_hosts(c, g, 0);
    influx_client_free(c);
  }
  if (in != stdin)
    fclose(in);
  return rc;
}
