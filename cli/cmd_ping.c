/* `influxc ping`. */
#include <stdio.h>

#include "cli.h"

static const char *state_name(int s) {
  return s == INFLUX_HOST_UP     ? "up"
         : s == INFLUX_HOST_DOWN ? "down"
                                 : "probing";
}

/* Several hosts: one line each, "host:port version rtt state" (tab
 * separated; "-" for a host that did not answer, then its error). */
static int ping_hosts(influx_client *c) {
  int rc = 0;
  for (size_t i = 0; i < influx_client_host_count(c); i++) {
    char ver[64];
    int64_t rtt;
    influx_error err = {0};
    influx_status st = influx_ping_host(c, i, ver, sizeof ver, &rtt, &err);
    influx_host_status hs;
    influx_client_host_status(c, i, &hs, NULL);
    term_fputs(stdout, hs.host);
    printf(":%d\t", hs.port);
    if (st) {
      printf("-\t-\t%s\t", state_name(hs.state));
      term_fputs(stdout, err.message);
      putchar('\n');
      rc = cli_exit_code(st);
      continue;
    }
    term_fputs(stdout, ver[0] ? ver : "(unknown version)");
    printf("\t%.2f ms\t%s\n", (double)rtt / 1000.0, state_name(hs.state));
  }
  return rc;
}

int cmd_ping(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts("usage: influxc ping\nPrints the server's version. With several "
         "hosts (--host h1,h2,...),\none line per host: host:port, version, "
         "round trip and state (up,\ndown or probing), tab separated; a host "
         "that does not answer shows\n\"-\" and its error, and the exit "
         "status is 3.");
    return 0;
  }
  int npos;
  if (cli_parse(argc, argv, g, "ping", NULL, NULL, NULL, 0, &npos))
    return EXIT_USAGE;
  influx_client *c;
  int rc = make_client(g, &c);
  if (rc)
    return rc;
  if (influx_client_host_count(c) > 1) {
    rc = ping_hosts(c);
    influx_client_free(c);
    return rc;
  }
  char ver[64];
  influx_error err = {0};
  influx_status st = influx_ping(c, ver, sizeof ver, &err);
  influx_client_free(c);
  if (st)
    return cli_fail("ping", st, &err);
  printf("%s\n", ver[0] ? ver : "(unknown version)");
  return 0;
}
