/* libFuzzer harness: a replica spool file (src/replica.c) as a previous
 * client might have left it, torn or damaged, read back and delivered by a
 * new client. The transport is the library's test seam (every write is
 * answered 204), so only the file reading runs for real. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client_impl.h"

static void answer(const http_call *call, http_canned *out) {
  (void)call;
  out->status = 204;
}

static char dir[64], host_dir[128], file[200];

static void cleanup(void) {
  char p[200];
  for (int port = 1; port <= 2; port++) {
    snprintf(p, sizeof p, "%s/127.0.0.1_%d/lock", dir, port);
    unlink(p);
    snprintf(p, sizeof p, "%s/127.0.0.1_%d", dir, port);
    rmdir(p);
  }
  rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/tmp/influxc-fuzz-spool-XXXXXX");
    if (!mkdtemp(dir))
      abort();
    snprintf(host_dir, sizeof host_dir, "%s/127.0.0.1_1", dir);
    snprintf(file, sizeof file, "%s/%020d.batch", host_dir, 7);
    mkdir(host_dir, 0700);
    atexit(cleanup);
  }
  FILE *f = fopen(file, "wb");
  if (!f)
    abort();
  if (size && fwrite(data, 1, size, f) != size)
    abort();
  fclose(f);
  http_fake = answer;
  influx_options o = {.host = "127.0.0.1:1,127.0.0.1:2",
                      .write_mode = INFLUX_WRITE_REPLICATE,
                      .spool_dir = dir};
  influx_client *c = NULL;
  influx_error err;
  if (influx_client_new(&o, &c, &err) == INFLUX_OK) {
    /* Delivered (or dropped as unreadable): nothing may stay queued. */
    if (influx_client_catch_up(c, 0, &err) != INFLUX_OK)
      abort();
    influx_host_status hs;
    if (influx_client_host_status(c, 0, &hs, &err) || hs.batches_queued)
      abort();
    influx_client_free(c);
  }
  unlink(file);
  return 0;
}
