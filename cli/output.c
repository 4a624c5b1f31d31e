/* Printing results as table, CSV, JSON (the server's shape) or JSON lines. */
#include <inttypes.h>
#include <math.h>
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
  int tty;       /* CSV on a terminal: escape control characters */
  char *scratch; /* terminal-safe text of one cell */
  size_t scratch_cap;
};

/* Terminal-safe text of s in p->scratch (valid until the next call). */
static const char *safe_text(printer *p, const char *s, size_t n, size_t *len) {
  size_t need = term_escape(s, n, NULL) + 1;
  if (need > p->scratch_cap) {
    char *q = realloc(p->scratch, need * 2);
    if (!q) {
      *len = 0;
      return "";
    }
    p->scratch = q;
    p->scratch_cap = need * 2;
  }
  *len = term_escape(s, n, p->scratch);
  return p->scratch;
}

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
  p->tty = isatty(fileno(out));
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
    /* The library's shortest round-trip text, plain like influxd's JSON. */
    *len = (size_t)influx_format_double(v->v.f, buf, 48);
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
  if (v->type == INFLUX_VALUE_NULL ||
      (v->type == INFLUX_VALUE_FLOAT && !isfinite(v->v.f))) {
    fputs("null", o); /* JSON has no NaN or infinities */
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

/* Writes s (n bytes), terminal-safe when `safe`. */
static void put_text(printer *p, FILE *o, const char *s, size_t n, int safe) {
  if (safe)
    s = safe_text(p, s, n, &n);
  fwrite(s, 1, n, o);
}

static void tags_text(printer *p, FILE *o, const influx_series *s, int safe) {
  size_t nt = influx_series_tag_count(s);
  for (size_t i = 0; i < nt; i++) {
    const char *k = influx_series_tag_key(s, i);
    const char *v = influx_series_tag_value(s, i);
    if (i)
      fputc(',', o);
    put_text(p, o, k, strlen(k), safe);
    fputc('=', o);
    put_text(p, o, v, strlen(v), safe);
  }
}

int csv_header_once(FILE *o, char **last, char *hdr) {
  if (*last && !strcmp(*last, hdr)) {
    free(hdr);
    return 0;
  }
  if (*last)
    fputc('\n', o);
  fprintf(o, "%s\n", hdr);
  free(*last);
  *last = hdr;
  return 1;
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
    size_t cl;
    const char *cn = influx_series_column(s, c);
    cn = p->tty ? safe_text(p, cn, strlen(cn), &cl) : (cl = strlen(cn), cn);
    influx_csv_field(h, cn, cl);
  }
  fclose(h);
  csv_header_once(o, &p->csv_header, hdr);
  char *tags = NULL;
  size_t tl = 0;
  FILE *t = open_memstream(&tags, &tl);
  if (!t)
    return;
  tags_text(p, t, s, p->tty);
  fclose(t);
  const char *nm = influx_series_name(s);
  size_t nr = influx_series_row_count(s);
  for (size_t r = 0; r < nr; r++) {
    size_t n = strlen(nm);
    const char *x = p->tty ? safe_text(p, nm, n, &n) : nm;
    influx_csv_field(o, x, n);
    fputc(',', o);
    influx_csv_field(o, tags, tl);
    for (size_t c = 0; c < nc; c++) {
      char buf[48];
      x = cell_text(influx_series_value(s, r, c), buf, &n);
      if (p->tty)
        x = safe_text(p, x, n, &n);
      fputc(',', o);
      influx_csv_field(o, x, n);
    }
    fputc('\n', o);
  }
  free(tags);
}

/* The key of series metadata (`base` is "name" or "tags") in a JSON line:
 * the base itself, or with as many leading '_' as make it differ from
 * every column name, so a column always keeps its own name. */
static void meta_key(const influx_series *s, const char *base, char *key,
                     size_t size) {
  size_t nc = influx_series_column_count(s), pre = 0;
  for (;;) {
    if (pre + strlen(base) + 1 > size)
      break;
    memset(key, '_', pre);
    strcpy(key + pre, base);
    size_t c = 0;
    while (c < nc && strcmp(influx_series_column(s, c), key))
      c++;
    if (c == nc)
      break;
    pre++;
  }
}

static void print_jsonl(printer *p, const influx_series *s) {
  FILE *o = p->out;
  size_t nc = influx_series_column_count(s);
  size_t nr = influx_series_row_count(s);
  size_t nt = influx_series_tag_count(s);
  const char *nm = influx_series_name(s);
  char name_key[64], tags_key[64];
  meta_key(s, "name", name_key, sizeof name_key);
  meta_key(s, "tags", tags_key, sizeof tags_key);
  for (size_t r = 0; r < nr; r++) {
    fputc('{', o);
    json_str(o, name_key, strlen(name_key));
    fputc(':', o);
    json_str(o, nm, strlen(nm));
    if (nt) {
      fputc(',', o);
      json_str(o, tags_key, strlen(tags_key));
      fputs(":{", o);
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
  for (size_t c = 0; c < nc; c++) {
    const char *name = s ? influx_series_column(s, c) : cols[c];
    size_t n;
    char *e = term_escape_dup(name, strlen(name), &n);
    fprintf(o, "%s%s", c ? " " : "", color ? "\033[1m" : "");
    term_pad(o, e ? e : "", n, w[c], 0);
    fputs(color ? "\033[0m" : "", o);
    free(e);
  }
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
  if (*nm) {
    fprintf(o, "%sname:%s ", on, off);
    put_text(p, o, nm, strlen(nm), 1);
    fputc('\n', o);
  }
  if (influx_series_tag_count(s)) {
    fprintf(o, "%stags:%s ", on, off);
    tags_text(p, o, s, 1);
    fputc('\n', o);
  }
  size_t *w = calloc(nc ? nc : 1, sizeof *w);
  if (!w)
    return;
  char buf[48];
  size_t n;
  for (size_t c = 0; c < nc; c++) {
    const char *cn = influx_series_column(s, c);
    const char *t = safe_text(p, cn, strlen(cn), &n);
    w[c] = term_width(t, n);
  }
  for (size_t r = 0; r < nr; r++)
    for (size_t c = 0; c < nc; c++) {
      const char *t = cell_text(influx_series_value(s, r, c), buf, &n);
      t = safe_text(p, t, n, &n);
      size_t cw = term_width(t, n);
      if (cw > w[c])
        w[c] = cw;
    }
  table_head(o, p->color, s, NULL, nc, w);
  for (size_t r = 0; r < nr; r++) {
    for (size_t c = 0; c < nc; c++) {
      const influx_value *v = influx_series_value(s, r, c);
      const char *t = cell_text(v, buf, &n);
      t = safe_text(p, t, n, &n);
      int right = v->type == INFLUX_VALUE_INT ||
                  v->type == INFLUX_VALUE_FLOAT || v->type == INFLUX_VALUE_UINT;
      if (c)
        fputc(' ', o);
      /* The last column is not padded on the right. */
      term_pad(o, t, n, right || c + 1 < nc ? w[c] : 0, right);
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
    fprintf(stderr, "influxc: statement %d: ", stmt);
    term_fputs(stderr, msg);
    fputc('\n', stderr);
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
  free(p->scratch);
  free(p);
}

/* A cell of a list, terminal-safe when `safe` (malloc'd; NULL on OOM). */
static char *row_cell(const char *v, int safe, size_t *n) {
  if (safe)
    return term_escape_dup(v, strlen(v), n);
  *n = strlen(v);
  return strdup(v);
}

void print_rows(FILE *o, int fmt, const char *const *cols, size_t nc,
                const char *const *cells, size_t nr) {
  int tty = isatty(fileno(o));
  if (fmt < 0) { /* tab-separated, no header: the scripts' default */
    for (size_t r = 0; r < nr; r++)
      for (size_t c = 0; c < nc; c++) {
        size_t n;
        char *e = row_cell(cells[r * nc + c], tty, &n);
        if (e)
          fwrite(e, 1, n, o);
        fputc(c + 1 < nc ? '\t' : '\n', o);
        free(e);
      }
    return;
  }
  switch ((out_format)fmt) {
  case OUT_CSV:
    for (size_t r = 0; r <= nr; r++)
      for (size_t c = 0; c < nc; c++) {
        size_t n;
        char *e = row_cell(r ? cells[(r - 1) * nc + c] : cols[c], tty, &n);
        if (e)
          influx_csv_field(o, e, n);
        fputc(c + 1 < nc ? ',' : '\n', o);
        free(e);
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
  default: { /* table: terminal-safe, aligned by display width */
    size_t *w = calloc(nc ? nc : 1, sizeof *w);
    if (!w)
      return;
    int color = use_color(o);
    for (size_t c = 0; c < nc; c++) {
      size_t n;
      char *e = term_escape_dup(cols[c], strlen(cols[c]), &n);
      w[c] = e ? term_width(e, n) : 0;
      free(e);
      for (size_t r = 0; r < nr; r++) {
        const char *v = cells[r * nc + c];
        e = term_escape_dup(v, strlen(v), &n);
        if (e && term_width(e, n) > w[c])
          w[c] = term_width(e, n);
        free(e);
      }
    }
    table_head(o, color, NULL, cols, nc, w);
    for (size_t r = 0; r < nr; r++)
      for (size_t c = 0; c < nc; c++) {
        const char *v = cells[r * nc + c];
        size_t n;
        char *e = term_escape_dup(v, strlen(v), &n);
        term_pad(o, e ? e : "", n, c + 1 < nc ? w[c] : 0, 0);
        fputc(c + 1 < nc ? ' ' : '\n', o);
        free(e);
      }
    free(w);
  }
  }
}
