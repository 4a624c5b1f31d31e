/* CSV input shared by `import` and `write --format csv` (cli/import.c). */
#ifndef INFLUXC_CLI_CSV_H
#define INFLUXC_CLI_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/* One record: cells point into text. */
typedef struct csv_row {
  char **cells;
  size_t n, cap;
  char *text;
  size_t tlen, tcap;
} csv_row;

/* Reads one RFC 4180 record (quoted cells may hold commas, quotes and
 * newlines): 1, 0 at the end, -1 if malformed. *lines counts physical
 * lines consumed. */
int csv_read(gzFile in, csv_row *r, uint64_t *lines);
void csv_row_free(csv_row *r);

/* What a column is, from --tag-columns, --time-column and --field-types. */
enum {
  CSV_SKIP,
  CSV_TAG,
  CSV_TIME,
  CSV_AUTO,
  CSV_FLOAT,
  CSV_INT,
  CSV_STR,
  CSV_BOOL
};
/* -1 for an unknown type name in --field-types. */
int csv_column_kind(const char *name, char **tag_cols, size_t ntag,
                    const char *time_col, char **types, size_t ntypes);

/* Cell tests of the one typing rule for CSV fields, shared by `import`
 * and `write --format csv`: a column declared with --field-types has that
 * type; otherwise it is inferred once: all numbers -> float, all true/false ->
 * bool, else string, from the first CSV_INFER_ROWS rows (a column empty in all
 * of them takes the type of its first value). A later row whose cell does not
 * fit its column is reported by FILE:LINE and not sent. */
#define CSV_INFER_ROWS 1000
int csv_is_number(const char *s);
int csv_is_bool(const char *s); /* true/false in any of three casings */
/* Infers column `col` from cells of `n` rows: CSV_FLOAT, CSV_BOOL, CSV_STR,
 * or CSV_AUTO when every cell is empty. */
int csv_infer(const csv_row *rows, size_t n, size_t col);

/* "a,b,c" -> a list (free with csv_free_list). */
int csv_split_list(const char *s, char ***out, size_t *n);
void csv_free_list(char **l, size_t n);

#endif
