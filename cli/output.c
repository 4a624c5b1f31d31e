/* Printing results as table, CSV, JSON (the server's shape) or JSON lines. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct printer {
  FILE *out;
  out_format fmt;
  int epoch_given;
  int cur_stmt;    /* JSON: statement open, -1 none */
  int series_open; /* JSON: inside "series":[ */
  int nseries;
  int any_result;
  char *csv_header;
  int errors;
  int color;
};

int use_color(FILE *f) {
  const char *nc = getenv("NO_COLOR");
  return isatty(fileno(f)) && !(nc && *nc);
}

int printer_error_count(const printer *p) { return p ? p->errors : 0; }

int parse_format(const char *s, out_format *f) {
  if (!strcmp(s, "table"))
    *f = OUT_TABLE;
  else if (!strcmp(s, "csv"))
    *f = OUT_CSV;
  else if (!strcmp(s, "json"))
    *f = OUT_JSON;
  else if (!strcmp(s, "jsonl"))
    *f = OUT_JSONL;
  else
    return -1;
  return 0;
}

printer *printer_new(FILE *out, out_format fmt, int epoch_given) {
  printer *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->out = out;
  p->fmt = fmt;
  p->epoch_given = epoch_given;
  p->cur_stmt = -1;
  p->color = use_color(out);
  if (fmt == OUT_JSON)
    fputs("{\"results\":[", out);
  return p;
}

static void json_str(FILE *o, const char *s, size_t n) {
  fputc('"', o);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      fprintf(o, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", o);
    else if (c == '\t')
      fputs("\\t", o);
    else if (c == '\r')
      fputs("\\r", o);
    else if (c < 0x20)
      fprintf(o, "\\u%04x", c);
    else
      fputc(c, o);
  }
  fputc('"', o);
}

/* Text of a cell for table/CSV; `buf` >= 48 bytes. */
static const char *cell_text(const influx_value *v, char *buf, size_t *len) {
  switch (v->type) {
  case INFLUX_VALUE_NULL:
    *len = 0;
    return "";
  case INFLUX_VALUE_INT:
    *len = (size_t)snprintf(buf, 48, "%" PRId64, v->v.i);
    return buf;
  case INFLUX_VALUE_UINT:
    *len = (size_t)snprintf(buf, 48, "%" PRIu64, v->v.u);
    return buf;
  case INFLUX_VALUE_FLOAT:
    *len = (size_t)snprintf(buf, 48, "%.17g", v->v.f);
    /* Shortest form that reads back the same. */
    for (int prec = 1; prec <= 17; prec++) {
      int n = snprintf(buf, 48, "%.*g", prec, v->v.f);
      if (strtod(buf, NULL) == v->v.f) {
        *len = (size_t)n;
        break;
      }
    }
    return buf;
  case INFLUX_VALUE_BOOL:
    *len = v->v.b ? 4 : 5;
    return v->v.b ? "true" : "false";
  case INFLUX_VALUE_STRING:
    *len = v->len;
    return v->v.s;
  case INFLUX_VALUE_TIME:
    *len = (size_t)influx_time_format(v->v.i, buf, 48);
    return buf;
  }
  *len = 0;
  return "";
}

static void json_value(FILE *o, const influx_value *v) {
  char buf[48];
  size_t n;
  if (v->type == INFLUX_VALUE_NULL) {
    fputs("null", o);
    return;
  }
  const char *t = cell_text(v, buf, &n);
  if (v->type == INFLUX_VALUE_STRING || v->type == INFLUX_VALUE_TIME)
    json_str(o, t, n);
  else
    fwrite(t, 1, n, o);
}

static void json_series(printer *p, const influx_series *s) {
  FILE *o = p->out;
  fputs("{\"name\":", o);
  const char *nm = influx_series_name(s);
  json_str(o, nm, strlen(nm));
  size_t nt = influx_series_tag_count(s);
  if (nt) {
    fputs(",\"tags\":{", o);
    for (size_t i = 0; i < nt; i++) {
      if (i)
        fputc(',', o);
      const char *k = influx_series_tag_key(s, i);
      const char *v = influx_series_tag_value(s, i);
      json_str(o, k, strlen(k));
      fputc(':', o);
      json_str(o, v, strlen(v));
    }
    fputc('}', o);
  }
  fputs(",\"columns\":[", o);
  size_t nc = influx_series_column_count(s);
  for (size_t c = 0; c < nc; c++) {
    if (c)
      fputc(',', o);
    const char *cn = influx_series_column(s, c);
    json_str(o, cn, strlen(cn));
  }
  fputs("],\"values\":[", o);
  size_t nr = influx_series_row_count(s);
  for (size_t r = 0; r < nr; r++) {
    fputs(r ? ",[" : "[", o);
    for (size_t c = 0; c < nc; c++) {
      if (c)
        fputc(',', o);
      json_value(o, influx_series_value(s, r, c));
    }
    fputc(']', o);
  }
  fputs("]}", o);
}

static void json_close_stmt(printer *p) {
  if (p->cur_stmt < 0)
    return;
  fputs(p->series_open ? "]}" : "}", p->out);
  p->cur_stmt = -1;
  p->series_open = 0;
}

static void json_open_stmt(printer *p, int id) {
  if (p->cur_stmt == id)
    return;
  json_close_stmt(p);
  fprintf(p->out, "%s{\"statement_id\":%d", p->any_result ? "," : "", id);
  p->any_result = 1;
  p->cur_stmt = id;
}

static void tags_text(FILE *o, const influx_series *s) {
  size_t nt = influx_series_tag_count(s);
  for (size_t i = 0; i < nt; i++)
    fprintf(o, "%s%s=%s", i ? "," : "", influx_series_tag_key(s, i),
            influx_series_tag_value(s, i));
}

void csv_field(FILE *o, const char *s, size_t n) {
  int q = 0;
  for (size_t i = 0; i < n && !q; i++)
    q = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!q) {
    fwrite(s, 1, n, o);
    return;
  }
  fputc('"', o);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"')
      fputc('"', o);
    fputc(s[i], o);
  }
  fputc('"', o);
}

static void print_csv(printer *p, const influx_series *s) {
  FILE *o = p->out;
  size_t nc = influx_series_column_count(s);
  /* Header: name,tags,<columns>; repeated only when columns change. */
  char *hdr = NULL;
  size_t hl = 0;
  FILE *h = open_memstream(&hdr, &hl);
  if (!h)
    return;
  fputs("name,tags", h);
  for (size_t c = 0; c < nc; c++) {
    fputc(',', h);
    const char *cn = influx_series_column(s, c);
    csv_field(h, cn, strlen(cn));
  }
  fclose(h);
  if (!p->csv_header || strcmp(p->csv_header, hdr)) {
    if (p->csv_header)
      fputc('\n', o);
    fprintf(o, "%s\n", hdr);
    free(p->csv_header);
    p->csv_header = hdr;
  } else {
    free(hdr);
  }
  char *tags = NULL;
  size_t tl = 0;
  FILE *t = open_memstream(&tags, &tl);
  if (!t)
    return;
  tags_text(t, s);
  fclose(t);
  const char *nm = influx_series_name(s);
  size_t nr = influx_series_row_count(s);
  for (size_t r = 0; r < nr; r++) {
    csv_field(o, nm, strlen(nm));
    fputc(',', o);
    csv_field(o, tags, tl);
    for (size_t c = 0; c < nc; c++) {
      char buf[48];
      size_t n;
      const char *x = cell_text(influx_series_value(s, r, c), buf, &n);
      fputc(',', o);
      csv_field(o, x, n);
    }
    fputc('\n', o);
  }
  free(tags);
}

static void print_jsonl(printer *p, const influx_series *s) {
  FILE *o = p->out;
  size_t nc = influx_series_column_count(s);
  size_t nr = influx_series_row_count(s);
  size_t nt = influx_series_tag_count(s);
  const char *nm = influx_series_name(s);
  for (size_t r = 0; r < nr; r++) {
    fputs("{\"name\":", o);
    json_str(o, nm, strlen(nm));
    if (nt) {
      fputs(",\"tags\":{", o);
      for (size_t i = 0; i < nt; i++) {
        const char *k = influx_series_tag_key(s, i);
        const char *v = influx_series_tag_value(s, i);
        if (i)
          fputc(',', o);
        json_str(o, k, strlen(k));
        fputc(':', o);
        json_str(o, v, strlen(v));
      }
      fputc('}', o);
    }
    for (size_t c = 0; c < nc; c++) {
      const char *cn = influx_series_column(s, c);
      fputc(',', o);
      json_str(o, cn, strlen(cn));
      fputc(':', o);
      json_value(o, influx_series_value(s, r, c));
    }
    fputs("}\n", o);
  }
}

/* A table's header: names (bold on a terminal) and dashes, in columns of
 * widths w; names come from the series or from `cols`. */
static void table_head(FILE *o, int color, const influx_series *s,
                       const char *const *cols, size_t nc, const size_t *w) {
  for (size_t c = 0; c < nc; c++)
    fprintf(o, "%s%s%-*s%s", c ? " " : "", color ? "\033[1m" : "", (int)w[c],
            s ? influx_series_column(s, c) : cols[c], color ? "\033[0m" : "");
  fputc('\n', o);
  for (size_t c = 0; c < nc; c++) {
    fputs(c ? " " : "", o);
    for (size_t k = 0; k < w[c]; k++)
      fputc('-', o);
  }
  fputc('\n', o);
}

static void print_table(printer *p, const influx_series *s) {
  FILE *o = p->out;
  size_t nc = influx_series_column_count(s);
  size_t nr = influx_series_row_count(s);
  const char *nm = influx_series_name(s);
  if (p->nseries)
    fputc('\n', o);
  const char *on = p->color ? "\033[1m" : "", *off = p->color ? "\033[0m" : "";
  if (*nm)
    fprintf(o, "%sname:%s %s\n", on, off, nm);
  if (influx_series_tag_count(s)) {
    fprintf(o, "%stags:%s ", on, off);
    tags_text(o, s);
    fputc('\n', o);
  }
  size_t *w = calloc(nc ? nc : 1, sizeof *w);
  if (!w)
    return;
  for (size_t c = 0; c < nc; c++)
    w[c] = strlen(influx_series_column(s, c));
  char buf[48];
  size_t n;
  for (size_t r = 0; r < nr; r++)
    for (size_t c = 0; c < nc; c++) {
      cell_text(influx_series_value(s, r, c), buf, &n);
      if (n > w[c])
        w[c] = n;
    }
  table_head(o, p->color, s, NULL, nc, w);
  for (size_t r = 0; r < nr; r++) {
    for (size_t c = 0; c < nc; c++) {
      const influx_value *v = influx_series_value(s, r, c);
      const char *t = cell_text(v, buf, &n);
      int right = v->type == INFLUX_VALUE_INT ||
                  v->type == INFLUX_VALUE_FLOAT || v->type == INFLUX_VALUE_UINT;
      if (c)
        fputc(' ', o);
      if (right)
        fprintf(o, "%*.*s", (int)w[c], (int)n, t);
      else if (c + 1 < nc)
        fprintf(o, "%-*.*s", (int)w[c], (int)n, t);
      else
        fwrite(t, 1, n, o);
    }
    fputc('\n', o);
  }
  free(w);
}

int printer_series(printer *p, int stmt, const influx_series *s) {
  switch (p->fmt) {
  case OUT_JSON:
    json_open_stmt(p, stmt);
    fputs(p->series_open ? "," : ",\"series\":[", p->out);
    p->series_open = 1;
    json_series(p, s);
    break;
  case OUT_CSV:
    print_csv(p, s);
    break;
  case OUT_JSONL:
    print_jsonl(p, s);
    break;
  case OUT_TABLE:
    print_table(p, s);
    break;
  }
  p->nseries++;
  return ferror(p->out) ? 1 : 0;
}

int printer_error(printer *p, int stmt, const char *msg) {
  p->errors++;
  if (p->fmt == OUT_JSON) {
    json_open_stmt(p, stmt);
    fputs(",\"error\":", p->out);
    json_str(p->out, msg, strlen(msg));
  } else {
    fprintf(stderr, "influxc: statement %d: %s\n", stmt, msg);
  }
  return 0;
}

void printer_result(printer *p, const influx_result *r) {
  for (size_t i = 0; i < influx_result_count(r); i++) {
    int id = influx_result_statement_id(r, i);
    if (p->fmt == OUT_JSON)
      json_open_stmt(p, id);
    const char *e = influx_result_error(r, i);
    if (e)
      printer_error(p, id, e);
    for (size_t j = 0; j < influx_result_series_count(r, i); j++)
      printer_series(p, id, influx_result_series(r, i, j));
    if (p->fmt == OUT_JSON && influx_result_partial(r, i)) {
      if (p->series_open)
        fputc(']', p->out);
      p->series_open = 0;
      fputs(",\"partial\":true", p->out);
    }
  }
}

void printer_finish(printer *p) {
  if (p->fmt == OUT_JSON) {
    json_close_stmt(p);
    fputs("]}\n", p->out);
  }
  fflush(p->out);
}

void printer_free(printer *p) {
  if (!p)
    return;
  free(p->csv_header);
  free(p);
}

void print_rows(FILE *o, int fmt, const char *const *cols, size_t nc,
                const char *const *cells, size_t nr) {
  if (fmt < 0) { /* tab-separated, no header: the scripts' default */
    for (size_t r = 0; r < nr; r++)
      for (size_t c = 0; c < nc; c++)
        fprintf(o, "%s%c", cells[r * nc + c], c + 1 < nc ? '\t' : '\n');
    return;
  }
  switch ((out_format)fmt) {
  case OUT_CSV:
    for (size_t r = 0; r <= nr; r++)
      for (size_t c = 0; c < nc; c++) {
        const char *v = r ? cells[(r - 1) * nc + c] : cols[c];
        csv_field(o, v, strlen(v));
        fputc(c + 1 < nc ? ',' : '\n', o);
      }
    break;
  case OUT_JSON:
  case OUT_JSONL:
    if (fmt == OUT_JSON)
      fputc('[', o);
    for (size_t r = 0; r < nr; r++) {
      if (fmt == OUT_JSON && r)
        fputc(',', o);
      fputc('{', o);
      for (size_t c = 0; c < nc; c++) {
        if (c)
          fputc(',', o);
        json_str(o, cols[c], strlen(cols[c]));
        fputc(':', o);
        json_str(o, cells[r * nc + c], strlen(cells[r * nc + c]));
      }
      fputc('}', o);
      if (fmt == OUT_JSONL)
        fputc('\n', o);
    }
    if (fmt == OUT_JSON)
      fputs("]\n", o);
    break;
  default: { /* table */
    size_t w[16] = {0};
    int color = use_color(o);
    for (size_t c = 0; c < nc && c < 16; c++) {
      w[c] = strlen(cols[c]);
      for (size_t r = 0; r < nr; r++)
        if (strlen(cells[r * nc + c]) > w[c])
          w[c] = strlen(cells[r * nc + c]);
    }
    table_head(o, color, NULL, cols, nc, w);
    for (size_t r = 0; r < nr; r++)
      for (size_t c = 0; c < nc; c++)
        fprintf(o, "%-*s%c", c + 1 < nc ? (int)w[c] : 0, cells[r * nc + c],
                c + 1 < nc ? ' ' : '\n');
  }
  }
}
