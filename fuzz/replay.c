/* Replays fuzz corpus files through a harness without libFuzzer, so every
 * build (and the sanitizer build) runs the corpora as ctest cases.
 * usage: replay DIR_OR_FILE... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 1;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0, n;
  uint8_t tmp[65536];
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
    if (len + n > cap) {
      cap = (len + n) * 2;
      uint8_t *p = realloc(buf, cap);
      if (!p)
        return 1;
      buf = p;
    }
    memcpy(buf + len, tmp, n);
    len += n;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf ? buf : tmp, len);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int files = 0, rc = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st)) {
      fprintf(stderr, "replay: %s missing\n", argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      rc |= run_file(argv[i]);
      files++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.')
        continue;
      char p[4096];
      snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
      rc |= run_file(p);
      files++;
    }
    if (d)
      closedir(d);
  }
  printf("replayed %d inputs\n", files);
  return rc || files == 0;
}
