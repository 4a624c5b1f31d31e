/* `influxc ping`. */
#include <stdio.h>

#include "cli.h"

int cmd_ping(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts("usage: influxc ping\nPrints the server's version.");
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    int r = rest_arg(argc, argv, &i, g, "ping");
    if (r < 0)
      return EXIT_USAGE;
    if (r)
      return usage_error("ping: unexpected argument %s", argv[i]);
  }
  influx_client *c;
  int rc = make_client(g, &c);
  if (rc)
    return rc;
  char ver[64];
  influx_error err = {0};
  influx_status st = influx_ping(c, ver, sizeof ver, &err);
  influx_client_free(c);
  if (st)
    return cli_fail("ping", st, &err);
  printf("%s\n", ver[0] ? ver : "(unknown version)");
  return 0;
}
