// A downstream C++17 program (-pedantic -Werror): the public headers and
// the INFLUX_F_* macros compile as C++.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <influxc.h>

int main() {
  influx_tag tags[] = {{"host", "a"}};
  influx_field fields[] = {INFLUX_F_FLOAT("v", 0.5), INFLUX_F_INT("n", 3),
                           INFLUX_F_UINT("u", 4), INFLUX_F_BOOL("b", 1),
                           INFLUX_F_STRING("s", "x")};
  influx_point p = {"m", tags, 1, fields, 5, 0, 0, nullptr};
  char *out = nullptr;
  influx_error err;
  if (influx_make_lines(&p, 1, nullptr, &out, nullptr, &err)) {
    std::fprintf(stderr, "make_lines: %s\n", err.message);
    return 1;
  }
  int ok = !std::strcmp(out, "m,host=a v=0.5,n=3i,u=4u,b=true,s=\"x\"\n");
  std::printf("%s", out);
  std::free(out);
  return ok ? 0 : 1;
}
