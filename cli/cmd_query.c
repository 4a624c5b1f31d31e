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
  for (size_t col = 0; col < influx_frame_ncols(f); col++) {
    const char *cn = influx_frame_column_name(f, col);
    fputc(',', h);
    csv_field(h, cn, strlen(cn));
  }
  for (size_t i = 0; i < nt; i++)
    fprintf(t, "%s%s=%s", i ? "," : "", tags[i].key, tags[i].value);
  fclose(h);
  fclose(t);
  if (!cs->last || strcmp(cs->last, hdr)) {
    if (cs->last)
      putchar('\n');
    printf("%s\n", hdr);
    free(cs->last);
    cs->last = hdr;
  } else {
    free(hdr);
  }
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
  const char *query = NULL;
  influx_param params[64];
  size_t np = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long n;
    if (!strcmp(a, "--format") && v) {
      if (parse_format(v, &fmt))
        return usage_error("query: --format %s is not table, csv, json or "
                           "jsonl",
                           v);
      i++;
    } else if ((!strcmp(a, "--precision") || !strcmp(a, "--epoch")) && v) {
      if (parse_out_precision(v, &qo.epoch))
        return usage_error("query: --precision %s is not rfc3339, h, m, s, "
                           "ms, u or ns",
                           v);
      i++;
    } else if (!strcmp(a, "--chunked")) {
      qo.chunked = 1;
    } else if (!strcmp(a, "--chunk-size") && v) {
      if (parse_int(v, 1, 100000000, &n))
        return usage_error("--chunk-size %s is not a positive number", v);
      qo.chunk_size = (size_t)n;
      qo.chunked = 1;
      i++;
    } else if (!strcmp(a, "--wire") && v) {
      if (!strcmp(v, "json"))
        qo.format = INFLUX_FORMAT_JSON;
      else if (!strcmp(v, "msgpack"))
        qo.format = INFLUX_FORMAT_MSGPACK;
      else
        return usage_error("--wire %s is not json or msgpack", v);
      i++;
    } else if (!strcmp(a, "--param") && v) {
      const char *eq = strchr(v, '=');
      if (!eq || eq == v)
        return usage_error("--param %s is not name=value", v);
      if (np == sizeof params / sizeof *params)
        return usage_error("%s", "too many --param");
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
      i++;
    } else {
      int r = rest_arg(argc, argv, &i, g, "query");
      if (r < 0)
        return EXIT_USAGE;
      if (r) {
        if (query)
          return usage_error("query: more than one query given (%s)", a);
        query = a;
      }
    }
  }
  if (!query)
    return usage_error("%s", "query: no query given");
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
    influx_stream_handlers h = {on_series, on_error, pr};
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
