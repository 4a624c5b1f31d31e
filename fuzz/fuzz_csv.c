/* libFuzzer harness: the CLI's CSV reader (RFC 4180, quoted newlines),
 * over plain or gzip input, and the column-kind parser of --field-types. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *tmp = tmpfile();
  if (!tmp)
    return 0;
  if (size && fwrite(data, 1, size, tmp) != size) {
    fclose(tmp);
    return 0;
  }
  rewind(tmp);
  gzFile in = gzdopen(dup(fileno(tmp)), "rb");
  if (in) {
    csv_row r = {0};
    uint64_t lines = 0, prev = 0;
    int got;
    while ((got = csv_read(in, &r, &lines)) > 0) {
      if (r.n < 1 || lines < prev)
        abort(); /* a record has a cell; line counts only grow */
      prev = lines;
      for (size_t i = 0; i < r.n; i++)
        if (r.cells[i] < r.text || r.cells[i] >= r.text + r.tlen)
          abort();
      if (r.n >= 2) {
        char **types = NULL;
        size_t nt = 0;
        if (!csv_split_list(r.cells[1], &types, &nt)) {
          (void)csv_column_kind(r.cells[0], types, nt, "time", types, nt);
          csv_free_list(types, nt);
        }
      }
    }
    csv_row_free(&r);
    gzclose(in);
  }
  fclose(tmp);
  return 0;
}
