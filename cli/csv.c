/* CSV input (RFC 4180) shared by `import` and `write --format csv`. */
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* Appends one byte to the record's text. */
static int put(csv_row *r, char ch) {
  if (r->tlen + 1 > r->tcap) {
    size_t nc = (r->tlen + 1) * 2 + 64;
    char *p = realloc(r->text, nc);
    if (!p)
      return -1;
    r->text = p;
    r->tcap = nc;
  }
  r->text[r->tlen++] = ch;
  return 0;
}

/* Reads one record; 1 on a record, 0 at the end, -1 on a malformed one.
 * Quoted cells may hold commas, quotes ("") and newlines. *lines counts
 * physical lines consumed. */
int csv_read(gzFile in, csv_row *r, uint64_t *lines) {
  size_t starts[4096];
  size_t ncell = 0;
  r->tlen = 0;
  int c = gzgetc(in);
  if (c < 0)
    return 0;
  int quoted = 0, at_start = 1, any = 0;
  starts[ncell++] = 0;
  for (;; c = gzgetc(in)) {
    if (c < 0) {
      if (quoted)
        return -1;
      break;
    }
    any = 1;
    if (quoted) {
      if (c == '"') {
        int d = gzgetc(in);
        if (d == '"') {
          c = '"';
        } else {
          quoted = 0;
          if (d >= 0)
            gzungetc(d, in);
          continue;
        }
      } else if (c == '\n') {
        (*lines)++;
      }
    } else if (c == '"' && at_start) {
      quoted = 1;
      at_start = 0;
      continue;
    } else if (c == ',') {
      if (put(r, 0))
        return -1;
      if (ncell == sizeof starts / sizeof *starts)
        return -1;
      starts[ncell++] = r->tlen;
      at_start = 1;
      continue;
    } else if (c == '\n') {
      (*lines)++;
      break;
    } else if (c == '\r') {
      continue;
    }
    at_start = 0;
    if (put(r, (char)c))
      return -1;
  }
  if (c < 0 && any)
    (*lines)++;
  if (put(r, 0))
    return -1;
  if (ncell > r->cap) {
    char **p = realloc(r->cells, ncell * sizeof *p);
    if (!p)
      return -1;
    r->cells = p;
    r->cap = ncell;
  }
  for (size_t i = 0; i < ncell; i++)
    r->cells[i] = r->text + starts[i];
  r->n = ncell;
  return 1;
}

void csv_row_free(csv_row *r) {
  free(r->cells);
  free(r->text);
}

int csv_column_kind(const char *name, char **tag_cols, size_t ntag,
                    const char *time_col, char **types, size_t ntypes) {
  for (size_t i = 0; i < ntag; i++)
    if (!strcmp(tag_cols[i], name))
      return CSV_TAG;
  if (!strcmp(name, time_col))
    return CSV_TIME;
  for (size_t i = 0; i < ntypes; i++) {
    const char *eq = strchr(types[i], '=');
    if (eq && (size_t)(eq - types[i]) == strlen(name) &&
        !strncmp(types[i], name, strlen(name))) {
      const char *t = eq + 1;
      return !strcmp(t, "float")    ? CSV_FLOAT
             : !strcmp(t, "int")    ? CSV_INT
             : !strcmp(t, "string") ? CSV_STR
             : !strcmp(t, "bool")   ? CSV_BOOL
             : !strcmp(t, "skip")   ? CSV_SKIP
                                    : -1;
    }
  }
  return CSV_AUTO;
}

int csv_split_list(const char *s, char ***out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!s)
    return 0;
  size_t cap = 1;
  for (const char *p = s; *p; p++)
    cap += *p == ',';
  /* Slot 0 keeps the copy the names point into (a leading comma means
   * the first name does not start it); the caller sees slots 1.. */
  char **arr = calloc(cap + 2, sizeof *arr);
  char *copy = strdup(s);
  if (!arr || !copy) {
    free(arr);
    free(copy);
    return -1;
  }
  arr[0] = copy;
  *out = arr + 1;
  char *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
    (*out)[(*n)++] = t;
  return 0;
}

void csv_free_list(char **l, size_t n) {
  (void)n;
  if (!l)
    return;
  free(l[-1]);
  free(l - 1);
}

int csv_is_number(const char *s) {
  char *end;
  if (!*s)
    return 0;
  strtod(s, &end);
  return !*end;
}

int csv_is_bool(const char *s) {
  return !strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "TRUE") ||
         !strcmp(s, "FALSE") || !strcmp(s, "True") || !strcmp(s, "False");
}

int csv_infer(const csv_row *rows, size_t n, size_t col) {
  int num = 1, bol = 1, any = 0;
  for (size_t r = 0; r < n; r++) {
    const char *v = col < rows[r].n ? rows[r].cells[col] : "";
    if (!*v)
      continue;
    any = 1;
    num &= csv_is_number(v);
    bol &= csv_is_bool(v);
  }
  return !any ? CSV_AUTO : num ? CSV_FLOAT : bol ? CSV_BOOL : CSV_STR;
}
