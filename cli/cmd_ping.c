/* `influxc ping`. */
#include <stdio.h>

#include "cli.h"

int cmd_ping(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts("usage: influxc ping\nPrints the server's version.");
    return 0;
  }
  int npos;
  if (cli_parse(argc, argv, g, "ping", NULL, NULL, NULL, 0, &npos))
    return EXIT_USAGE;
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
