/* `influxc export`: a measurement or a query out as line protocol (ready
 * for `influxc import`) or CSV, streamed chunk by chunk. Values travel as
 * MessagePack so integers stay integers ("i" suffix) and floats floats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct exporter {
  FILE *out;
  int csv;
  const char *precision; /* of output times; NULL: ns (CSV: RFC3339) */
  int64_t factor;        /* ns per unit of precision */
  influx_lines *lb;
  char *csv_header;
  uint64_t points, skipped;
  uint64_t truncated; /* times with digits below the precision, cut off */
  influx_error err;
  int failed;
} exporter;

/* t / f rounded toward minus infinity: times are floored, before 1970
 * too. */
static int64_t floor_div(int64_t t, int64_t f) { return t / f - (t % f < 0); }

static void csv_value(exporter *x, const influx_value *v) {
  char buf[64];
  switch (v->type) {
  case INFLUX_VALUE_NULL:
    break;
  case INFLUX_VALUE_STRING:
    influx_csv_field(x->out, v->v.s, v->len);
    break;
  case INFLUX_VALUE_BOOL:
    fputs(v->v.b ? "true" : "false", x->out);
    break;
  case INFLUX_VALUE_INT:
    fprintf(x->out, "%lld", (long long)v->v.i);
    break;
  case INFLUX_VALUE_UINT:
    fprintf(x->out, "%llu", (unsigned long long)v->v.u);
    break;
  case INFLUX_VALUE_FLOAT: {
    /* The text query --format csv writes: shortest, plain notation. */
    char fb[48];
    influx_format_double(v->v.f, fb, sizeof fb);
    fputs(fb, x->out);
    break;
  }
  case INFLUX_VALUE_TIME:
    if (x->precision) {
      fprintf(x->out, "%lld", (long long)floor_div(v->v.i, x->factor));
    } else {
      influx_time_format(v->v.i, buf, sizeof buf);
      fputs(buf, x->out);
    }
    break;
  }
}

static int export_csv(exporter *x, const influx_series *s) {
  size_t nc = influx_series_column_count(s), nr = influx_series_row_count(s);
  char *hdr = NULL;
  size_t hl = 0;
  FILE *h = open_memstream(&hdr, &hl);
  if (!h)
    return 1;
  for (size_t c = 0; c < nc; c++) {
    const char *cn = influx_series_column(s, c);
    if (c)
      fputc(',', h);
    influx_csv_field(h, cn, strlen(cn));
  }
  fclose(h);
  csv_header_once(x->out, &x->csv_header, hdr);
  for (size_t r = 0; r < nr; r++) {
    for (size_t c = 0; c < nc; c++) {
      if (c)
        fputc(',', x->out);
      csv_value(x, influx_series_value(s, r, c));
    }
    fputc('\n', x->out);
    x->points++;
  }
  return ferror(x->out) ? 1 : 0;
}

/* One row as a point: series tags are tags, columns other than time are
 * fields, NULLs are left out (a row with no field left is skipped). */
static int export_line(exporter *x, const influx_series *s) {
  size_t nc = influx_series_column_count(s), nr = influx_series_row_count(s);
  size_t nt = influx_series_tag_count(s);
  const char *name = influx_series_name(s);
  influx_error *e = &x->err;
  for (size_t r = 0; r < nr; r++) {
    influx_lines_reset(x->lb);
    influx_status st = influx_lines_begin(x->lb, name, e);
    for (size_t t = 0; t < nt && !st; t++)
      st = influx_lines_tag(x->lb, influx_series_tag_key(s, t),
                            influx_series_tag_value(s, t), e);
    int fields = 0;
    for (size_t c = 0; c < nc && !st; c++) {
      const influx_value *v = influx_series_value(s, r, c);
      const char *k = influx_series_column(s, c);
      switch (v->type) {
      case INFLUX_VALUE_TIME: {
        /* Floored to the precision (counted in on_series). */
        int64_t t;
        if (__builtin_mul_overflow(floor_div(v->v.i, x->factor), x->factor, &t))
          t = v->v.i; /* cannot be floored: the encoder will say so */
        st = influx_lines_time(x->lb, t, "n", e);
        continue;
      }
      case INFLUX_VALUE_NULL:
        continue;
      case INFLUX_VALUE_FLOAT:
        st = influx_lines_float(x->lb, k, v->v.f, e);
        break;
      case INFLUX_VALUE_INT:
        st = influx_lines_int(x->lb, k, v->v.i, e);
        break;
      case INFLUX_VALUE_UINT:
        st = influx_lines_uint(x->lb, k, v->v.u, e);
        break;
      case INFLUX_VALUE_BOOL:
        st = influx_lines_bool(x->lb, k, v->v.b, e);
        break;
      case INFLUX_VALUE_STRING: {
        char *str = strndup(v->v.s, v->len);
        st = str ? influx_lines_string(x->lb, k, str, e) : INFLUX_ERR_NOMEM;
        free(str);
        break;
      }
      }
      fields++;
    }
    if (!st && !fields) {
      x->skipped++;
      continue;
    }
    if (!st)
      st = influx_lines_end(x->lb, e);
    if (st) {
      x->failed = 1;
      return 1;
    }
    fwrite(influx_lines_data(x->lb), 1, influx_lines_len(x->lb), x->out);
    x->points++;
  }
  return ferror(x->out) ? 1 : 0;
}

static int on_series(void *u, int stmt, const influx_series *s) {
  (void)stmt;
  exporter *x = u;
  if (interrupted)
    return 1;
  if (x->factor > 1) /* count what the precision cuts off */
    for (size_t r = 0; r < influx_series_row_count(s); r++)
      for (size_t c = 0; c < influx_series_column_count(s); c++) {
        const influx_value *v = influx_series_value(s, r, c);
        if (v->type == INFLUX_VALUE_TIME && v->v.i % x->factor)
          x->truncated++;
      }
  return x->csv ? export_csv(x, s) : export_line(x, s);
}

static int on_error(void *u, int stmt, const char *msg) {
  (void)u;
  fprintf(stderr, "influxc: export: statement %d: ", stmt);
  term_fputs(stderr, msg);
  fputc('\n', stderr);
  return 1;
}

typedef struct export_args {
  const char *measurement, *where, *rp, *query, *format, *output, *precision;
  long chunk_size;
} export_args;
const cli_opt export_opts[] = {
    CLI_OPT_STRING("--measurement", export_args, measurement),
    CLI_OPT_STRING("--where", export_args, where),
    CLI_OPT_RP(export_args, rp),
    CLI_OPT_STRING("--query", export_args, query),
    CLI_OPT_CHOICE("--format", export_args, format, "line|csv"),
    CLI_OPT_STRING("--output", export_args, output),
    CLI_OPT_CHOICE("--precision", export_args, precision, CLI_OUT_PRECISIONS),
    CLI_OPT_CHOICE("--epoch", export_args, precision, CLI_OUT_PRECISIONS),
    CLI_OPT_CHUNK_SIZE(export_args, chunk_size),
    CLI_OPT_END};

int cmd_export(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts("usage: influxc export (--measurement M [--where COND] [--rp RP] |\n"
         "       --query Q) [--format line|csv]\n"
         "       [--precision ns|u|ms|s|m|h|rfc3339] [--output FILE]\n"
         "       [--chunk-size N]\n"
         "Streams points out in chunks. Line protocol (the default) is ready\n"
         "for 'influxc import' (with the same --precision); its times are\n"
         "integer nanoseconds by default. A --query gives tags as tags only\n"
         "with GROUP BY *. CSV has a header row and the tags as columns; its\n"
         "times are RFC3339 UTC by default, or integers with --precision.\n"
         "A coarser --precision floors times and says how many lost digits.\n"
         "--epoch is an alias of --precision.\n"
         "--where is an InfluxQL condition, e.g. \"time > now() - 1h\".");
    return 0;
  }
  export_args ea = {.format = "line"};
  exporter x = {0};
  influx_query_options qo = {.format = INFLUX_FORMAT_MSGPACK, .chunked = 1};
  int npos;
  if (cli_parse(argc, argv, g, "export", export_opts, &ea, NULL, 0, &npos))
    return EXIT_USAGE;
  const char *meas = ea.measurement, *where = ea.where, *rp = ea.rp,
             *query = ea.query, *format = ea.format, *output = ea.output;
  x.precision = ea.precision;
  qo.chunk_size = (size_t)ea.chunk_size;
  x.csv = !strcmp(format, "csv");
  if (!!meas == !!query)
    return usage_error("%s", "export: give --measurement or --query (one)");
  if (!meas && (where || rp))
    return usage_error("%s", "export: --where and --rp go with --measurement");
  if (x.precision && !strcmp(x.precision, "rfc3339")) {
    if (!x.csv)
      return usage_error("export: --precision %s needs --format csv (line "
                         "protocol times are integers)",
                         x.precision);
    x.precision = NULL;
  }
  if (x.precision && !strcmp(x.precision, "ns"))
    x.precision = "n";
  x.factor = x.precision ? parse_precision(x.precision) : 1;
  /* Times come as exact ns and are cut to the precision here, so the
   * digits lost can be counted (the server would floor them silently). */
  qo.epoch = "ns";
  char *q = NULL;
  if (meas) {
    /* The measurement (and RP) are quoted: any name is safe here. */
    char *qm = NULL, *qr = NULL;
    influx_error qe = {0};
    influx_status qs = influx_quote_ident(meas, &qm, &qe);
    if (!qs && rp)
      qs = influx_quote_ident(rp, &qr, &qe);
    if (qs) {
      free(qm);
      free(qr);
      return cli_fail("export", qs, &qe);
    }
    size_t n =
        strlen(qm) + (qr ? strlen(qr) : 0) + (where ? strlen(where) : 0) + 64;
    q = malloc(n);
    if (q)
      snprintf(q, n, "SELECT * FROM %s%s%s%s%s%s", qr ? qr : "", qr ? "." : "",
               qm, where ? " WHERE " : "", where ? where : "",
               x.csv ? "" : " GROUP BY *");
    free(qm);
    free(qr);
    if (!q)
      return cli_fail("export", INFLUX_ERR_NOMEM, NULL);
  }
  x.out = stdout;
  if (output && !(x.out = fopen(output, "w"))) {
    free(q);
    fprintf(stderr, "influxc: cannot create %s: %s\n", output, strerror(errno));
    return EXIT_INPUT;
  }
  x.lb = influx_lines_new();
  influx_client *c = NULL;
  int rc =
      x.lb ? make_client(g, &c) : cli_fail("export", INFLUX_ERR_NOMEM, NULL);
  if (!rc) {
    if (x.precision)
      influx_lines_set_precision(x.lb, x.precision, NULL);
    signal(SIGINT, on_sigint);
    influx_stream_handlers h = {
        .on_series = on_series, .on_error = on_error, .user = &x};
    influx_error err = {0};
    influx_status st = influx_query_stream(c, q ? q : query, &qo, &h, &err);
    if (x.failed)
      rc = cli_fail("export: a point cannot be written as line protocol",
                    x.err.code, &x.err);
    else if (interrupted)
      rc = EXIT_INTERRUPTED;
    else if (st)
      rc = cli_fail("export", st, &err);
    if (fflush(x.out) || ferror(x.out)) {
      fprintf(stderr, "influxc: export: write error: %s\n", strerror(errno));
      rc = rc ? rc : EXIT_FAIL;
    }
    fprintf(stderr, "influxc: exported %llu points%s\n",
            (unsigned long long)x.points,
            x.skipped ? " (rows without field values skipped)" : "");
    if (x.truncated)
      fprintf(stderr,
              "influxc: warning: %llu times had digits finer than "
              "--precision %s; they were floored\n",
              (unsigned long long)x.truncated, x.precision);
    influx_client_free(c);
  }
  if (x.out != stdout)
    fclose(x.out);
  influx_lines_free(x.lb);
  free(x.csv_header);
  free(q);
  return rc;
}
