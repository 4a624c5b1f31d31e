/* Spool directories: creating, opening and locking them, naming and
 * ordering their numbered files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spooldir.h"

influx_status spooldir_open(const char *path, const char *who, int *dir_fd,
                            int *lock_fd, influx_error *err) {
  if (mkdir(path, 0700) && errno != EEXIST)
    return ierr(err, INFLUX_ERR_IO, "spool: cannot create %s: %s", path,
                strerror(errno));
  *dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*dir_fd < 0)
    return ierr(err, INFLUX_ERR_IO, "spool: cannot open %s: %s", path,
                strerror(errno));
  *lock_fd = openat(*dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (*lock_fd < 0)
    return ierr(err, INFLUX_ERR_IO, "spool: cannot create %s/lock: %s", path,
                strerror(errno));
  if (flock(*lock_fd, LOCK_EX | LOCK_NB))
    return ierr(err, INFLUX_ERR_IO,
                "spool: %s is in use by another %s (lock held)", path, who);
  return INFLUX_OK;
}

void spooldir_name(char *out, size_t n, uint64_t id, const char *ext) {
  snprintf(out, n, "%020llu.%s", (unsigned long long)id, ext);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

void spooldir_sort(uint64_t *ids, size_t n) {
  if (n)
    qsort(ids, n, sizeof *ids, cmp_u64);
}
