/* Private: spool directories of numbered files, shared by the batching
 * writer's spool (writer.c) and the replicas' per-host queues
 * (replica.c). */
#ifndef INFLUXC_SPOOLDIR_H
#define INFLUXC_SPOOLDIR_H

#include <stdint.h>

#include "internal.h"

/* Creates `path` (0700) if needed, opens it and takes its "lock" file
 * (one user at a time: `who` names the kind in the error, "writer" or
 * "client"). On error the descriptors opened so far are in *dir_fd and
 * *lock_fd for the caller to close. */
INFLUX_PRIVATE influx_status spooldir_open(const char *path, const char *who,
                                           int *dir_fd, int *lock_fd,
                                           influx_error *err);
/* A file's name: its number, 20 digits, then ".ext". */
INFLUX_PRIVATE void spooldir_name(char *out, size_t n, uint64_t id,
                                  const char *ext);
/* Sorts file numbers in increasing order. */
INFLUX_PRIVATE void spooldir_sort(uint64_t *ids, size_t n);

#endif
