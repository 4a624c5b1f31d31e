/* `influxc write --format csv`: a CSV file read into frames, block by
 * block, and written with influx_frame_write. Columns get one type each
 * by csv.h's rule (the one `import` follows); a row that does not fit is
 * reported by line and left out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"

#define BLOCK_ROWS 20000

typedef struct csv_frames {
  const char *file, *measurement, *time_col, *precision;
  char **tag_cols, **types;
  size_t ntag, ntypes;
  int64_t factor; /* ns per precision unit */
  size_t ncols;
  int *role;  /* per CSV column: COL_* kinds below */
  int *ftype; /* frame column type, 0 until known */
  long *fcol; /* frame column index, -1 for time/skip */
  uint64_t rejected, written, skipped;
  size_t blocks; /* blocks written so far */
} csv_frames;

enum { R_SKIP, R_TAG, R_TIME, R_FIELD };

static void reject(csv_frames *cf, uint64_t line, const char *why) {
  fprintf(stderr, "influxc: %s:%llu: rejected: %s\n", cf->file,
          (unsigned long long)line, why);
  cf->rejected++;
}

/* One block of rows: infer what is still unknown, fill a frame, write. */
static int write_block(csv_frames *cf, influx_client *c, csv_row *hdr,
                       csv_row *rows, uint64_t *lines, size_t n, size_t batch,
                       const char *rp) {
  for (size_t k = 0; k < cf->ncols; k++) {
    if (cf->role[k] != R_FIELD || cf->ftype[k])
      continue;
    /* csv.h's rule: the first CSV_INFER_ROWS rows, or later the first
     * value of a column that was empty in them. */
    size_t from = 0, m = n < CSV_INFER_ROWS ? n : CSV_INFER_ROWS;
    if (cf->blocks) {
      while (from < n && !(k < rows[from].n && *rows[from].cells[k]))
        from++;
      m = from < n;
    }
    int kind = csv_infer(rows + from, m, k);
    if (kind != CSV_AUTO)
      cf->ftype[k] = kind == CSV_FLOAT  ? INFLUX_COL_FLOAT
                     : kind == CSV_BOOL ? INFLUX_COL_BOOL
                                        : INFLUX_COL_STRING;
  }
  influx_frame *f;
  influx_error err = {0};
  if (influx_frame_new(&f, &err))
    return cli_fail("write", err.code, &err);
  size_t nf = 0;
  for (size_t k = 0; k < cf->ncols; k++) {
    cf->fcol[k] = -1;
    int t = cf->role[k] == R_TAG     ? INFLUX_COL_TAG
            : cf->role[k] == R_FIELD ? cf->ftype[k]
                                     : 0;
    if (!t)
      continue;
    if (influx_frame_add_column(f, hdr->cells[k], (influx_col_type)t, &err)) {
      influx_frame_free(f);
      return cli_fail("write", err.code, &err);
    }
    cf->fcol[k] = (long)nf++;
  }
  influx_value *vals = calloc(nf ? nf : 1, sizeof *vals);
  if (!vals) {
    influx_frame_free(f);
    return cli_fail("write", INFLUX_ERR_NOMEM, NULL);
  }
  for (size_t r = 0; r < n; r++) {
    csv_row *row = &rows[r];
    const char *why = NULL;
    int64_t t = 0;
    int has_time = 0;
    if (row->n != cf->ncols)
      why = "has a different number of cells than the header";
    for (size_t k = 0; k < cf->ncols && !why; k++) {
      const char *v = row->cells[k];
      if (cf->role[k] == R_TIME) {
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*v && !*end) {
          if (__builtin_mul_overflow((int64_t)x, cf->factor, &t))
            why = "has a time out of range";
        } else if (influx_time_parse(v, &t)) {
          why = "has a time that is neither an integer nor RFC3339";
        }
        has_time = 1;
        continue;
      }
      if (cf->fcol[k] < 0)
        continue;
      influx_value *x = &vals[cf->fcol[k]];
      *x = (influx_value){0};
      if (!*v)
        continue; /* null */
      char *end;
      switch (cf->role[k] == R_TAG ? INFLUX_COL_TAG : cf->ftype[k]) {
      case INFLUX_COL_FLOAT:
        x->v.f = strtod(v, &end);
        x->type = INFLUX_VALUE_FLOAT;
        if (*end)
          why = "has a non-number in a float column";
        break;
      case INFLUX_COL_INT:
        x->v.i = strtoll(v, &end, 10);
        x->type = INFLUX_VALUE_INT;
        if (*end)
          why = "has a non-integer in an int column";
        break;
      case INFLUX_COL_BOOL:
        x->v.b = !strcmp(v, "true") || !strcmp(v, "TRUE") ||
                 !strcmp(v, "True") || !strcmp(v, "1");
        x->type = INFLUX_VALUE_BOOL;
        if (!csv_is_bool(v) && strcmp(v, "1") && strcmp(v, "0"))
          why = "has a non-boolean in a bool column";
        break;
      default:
        *x = influx_value_string(v);
      }
    }
    if (!why && !has_time)
      why = "has no time";
    if (!why && influx_frame_append_row(f, t, vals, nf, &err))
      why = err.message;
    if (why)
      reject(cf, lines[r], why);
  }
  free(vals);
  influx_frame_write_options wo = {.measurement = cf->measurement,
                                   .numeric_precision = INFLUX_NUMERIC_FULL,
                                   .time_precision = cf->precision,
                                   .retention_policy = rp,
                                   .batch_size = batch};
  influx_frame_write_report rep;
  cf->blocks++;
  influx_status st = influx_frame_write(c, f, &wo, &rep, &err);
  cf->written += rep.rows_written;
  cf->skipped += rep.rows_skipped;
  influx_frame_free(f);
  /* Rows of earlier requests were stored: then a refusal is partial. */
  return st ? cli_write_fail("write", st, &err, 1, cf->written) : 0;
}

int write_csv_frames(const write_args *wa, const char *file, global *g) {
  csv_frames cf = {.file = file,
                   .time_col = wa->time_column ? wa->time_column : "time",
                   .factor = 1,
                   .measurement = wa->measurement,
                   .precision = wa->precision};
  const char *tags = wa->tag_columns, *types = wa->field_types, *rp = wa->rp;
  long batch = wa->batch_size;
  if (!cf.measurement)
    return usage_error("%s", "write --format csv needs --measurement");
  if (cf.precision) {
    cf.factor = parse_precision(cf.precision);
    if (!strcmp(cf.precision, "ns"))
      cf.precision = "n";
  }
  if (csv_split_list(tags, &cf.tag_cols, &cf.ntag) ||
      csv_split_list(types, &cf.types, &cf.ntypes))
    return cli_fail("write", INFLUX_ERR_NOMEM, NULL);
  gzFile in = strcmp(cf.file, "-") ? gzopen(cf.file, "rb")
                                   : gzdopen(dup(STDIN_FILENO), "rb");
  if (!in) {
    fprintf(stderr, "influxc: cannot open %s: %s\n", cf.file, strerror(errno));
    csv_free_list(cf.tag_cols, cf.ntag);
    csv_free_list(cf.types, cf.ntypes);
    return EXIT_INPUT;
  }
  influx_client *c = NULL;
  int rc = make_client(g, &c);
  csv_row hdr = {0};
  csv_row *rows = calloc(BLOCK_ROWS, sizeof *rows);
  uint64_t *lines = calloc(BLOCK_ROWS, sizeof *lines), physical = 0;
  if (!rc && (!rows || !lines))
    rc = cli_fail("write", INFLUX_ERR_NOMEM, NULL);
  if (!rc && csv_read(in, &hdr, &physical) <= 0) {
    fprintf(stderr, "influxc: %s: no CSV header\n", cf.file);
    rc = EXIT_INPUT;
  }
  if (!rc) {
    cf.ncols = hdr.n;
    cf.role = calloc(cf.ncols, sizeof *cf.role);
    cf.ftype = calloc(cf.ncols, sizeof *cf.ftype);
    cf.fcol = calloc(cf.ncols, sizeof *cf.fcol);
    if (!cf.role || !cf.ftype || !cf.fcol)
      rc = cli_fail("write", INFLUX_ERR_NOMEM, NULL);
  }
  for (size_t k = 0; !rc && k < cf.ncols; k++) {
    int t = csv_column_kind(hdr.cells[k], cf.tag_cols, cf.ntag, cf.time_col,
                            cf.types, cf.ntypes);
    if (t < 0) {
      fprintf(stderr, "influxc: --field-types: unknown type for %s\n",
              hdr.cells[k]);
      rc = EXIT_USAGE;
    }
    cf.role[k] = t == CSV_TAG    ? R_TAG
                 : t == CSV_TIME ? R_TIME
                 : t == CSV_SKIP ? R_SKIP
                                 : R_FIELD;
    cf.ftype[k] = t == CSV_FLOAT  ? INFLUX_COL_FLOAT
                  : t == CSV_INT  ? INFLUX_COL_INT
                  : t == CSV_STR  ? INFLUX_COL_STRING
                  : t == CSV_BOOL ? INFLUX_COL_BOOL
                                  : 0;
  }
  int has_time = 0;
  for (size_t k = 0; !rc && k < cf.ncols; k++)
    has_time |= cf.role[k] == R_TIME;
  if (!rc && !has_time) {
    fprintf(stderr,
            "influxc: %s: no column named \"%s\" for the time (see "
            "--time-column)\n",
            cf.file, cf.time_col);
    rc = EXIT_INPUT;
  }
  signal(SIGINT, on_sigint);
  while (!rc && !interrupted) {
    size_t n = 0;
    int got = 1;
    uint64_t start = physical + 1;
    while (n < BLOCK_ROWS && (got = csv_read(in, &rows[n], &physical)) > 0) {
      lines[n] = start; /* the line the record starts on */
      start = physical + 1;
      if (rows[n].n == 1 && !rows[n].cells[0][0])
        continue; /* blank line */
      n++;
    }
    if (got < 0)
      reject(&cf, physical + 1, "malformed CSV record");
    if (n)
      rc = write_block(&cf, c, &hdr, rows, lines, n, (size_t)batch, rp);
    if (got <= 0)
      break;
  }
  if (!rc && interrupted)
    rc = EXIT_INTERRUPTED;
  fprintf(stderr,
          "influxc: wrote %llu rows from %s; %llu rejected, %llu without "
          "field values skipped\n",
          (unsigned long long)cf.written, cf.file,
          (unsigned long long)cf.rejected, (unsigned long long)cf.skipped);
  if (!rc && (cf.rejected || cf.skipped))
    rc = EXIT_PARTIAL;
  for (size_t i = 0; rows && i < BLOCK_ROWS; i++)
    csv_row_free(&rows[i]);
  csv_row_free(&hdr);
  free(rows);
  free(lines);
  free(cf.role);
  free(cf.ftype);
  free(cf.fcol);
  csv_free_list(cf.tag_cols, cf.ntag);
  csv_free_list(cf.types, cf.ntypes);
  gzclose(in);
  influx_client_free(c);
  return rc;
}
