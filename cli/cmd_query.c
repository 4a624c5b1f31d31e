/* `influxc query`: InfluxQL, printed as table, CSV, JSON or JSON lines. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
  for (size_t col = 0; col < influx_frame_column_count(f); col++) {
    const char *cn = influx_frame_column_name(f, col);
    fputc(',', h);
    influx_csv_field(h, cn, strlen(cn));
  }
  for (size_t i = 0; i < nt; i++)
    fprintf(t, "%s%s=%s", i ? "," : "", tags[i].key, tags[i].value);
  fclose(h);
  fclose(t);
  csv_header_once(stdout, &cs->last, hdr);
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

typedef struct query_args {
  const char *format, *precision, *wire;
  int chunked;
  long chunk_size;
  cli_multi params;
} query_args;
const cli_opt query_opts[] = {
    CLI_OPT_CHOICE("--format", query_args, format, CLI_OUT_FORMATS),
    CLI_OPT_CHOICE("--precision", query_args, precision, CLI_OUT_PRECISIONS),
    CLI_OPT_CHOICE("--epoch", query_args, precision, CLI_OUT_PRECISIONS),
    CLI_OPT_FLAG("--chunked", query_args, chunked),
    CLI_OPT_CHUNK_SIZE(query_args, chunk_size),
    CLI_OPT_CHOICE("--wire", query_args, wire, "json|msgpack"),
    {"--param", 0, CLI_MULTI, offsetof(query_args, params), 0, 0, NULL},
    CLI_OPT_END};

int cmd_query(int argc, char **argv, global *g) {
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
  query_args qa = {0};
  const char *query = NULL;
  influx_param params[CLI_MULTI_MAX];
  size_t np = 0;
  int npos;
  if (cli_parse(argc, argv, g, "query", query_opts, &qa, &query, 1, &npos))
    return EXIT_USAGE;
  if (!query)
    return usage_error("%s", "query: no query given");
  if (qa.format)
    parse_format(qa.format, &fmt);
  if (qa.precision)
    parse_out_precision(qa.precision, &qo.epoch);
  if (qa.chunk_size) {
    qo.chunk_size = (size_t)qa.chunk_size;
    qo.chunked = 1;
  }
  qo.chunked |= qa.chunked;
  if (qa.wire)
    qo.format =
        !strcmp(qa.wire, "json") ? INFLUX_FORMAT_JSON : INFLUX_FORMAT_MSGPACK;
  for (int k = 0; k < qa.params.n; k++) {
    const char *v = qa.params.v[k], *eq = strchr(v, '=');
    if (!eq || eq == v) {
      for (size_t j = 0; j < np; j++)
        free((char *)params[j].name);
      return usage_error("--param %s is not name=value", v);
    }
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
  }
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
    influx_stream_handlers h = {
        .on_series = on_series, .on_error = on_error, .user = pr};
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
