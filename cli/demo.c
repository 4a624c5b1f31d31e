/* `influxc demo`: sample data and a few queries, optionally against a
 * throwaway influxd on loopback that it starts and stops itself. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t l = sizeof a;
  int port = -1;
  if (!bind(fd, (struct sockaddr *)&a, sizeof a) &&
      !getsockname(fd, (struct sockaddr *)&a, &l))
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

int local_influxd_start(char *dir, size_t dirsz, int *port, int *pid) {
  snprintf(dir, dirsz, "%s/influxc-demo-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) {
    fprintf(stderr, "influxc: cannot create a temporary directory: %s\n",
            strerror(errno));
    return -1;
  }
  int hp = free_port(), rp = free_port();
  if (hp < 0 || rp < 0) {
    fprintf(stderr, "influxc: no free loopback port\n");
    return -1;
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/influxd.conf", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f,
          "reporting-disabled = true\n"
          "bind-address = \"127.0.0.1:%d\"\n"
          "[meta]\n  dir = \"%s/meta\"\n  logging-enabled = false\n"
          "[data]\n  dir = \"%s/data\"\n  wal-dir = \"%s/wal\"\n"
          "  query-log-enabled = false\n"
          "[monitor]\n  store-enabled = false\n"
          "[http]\n  bind-address = \"127.0.0.1:%d\"\n  log-enabled = false\n",
          rp, dir, dir, dir, hp);
  fclose(f);
  pid_t p = fork();
  if (p < 0)
    return -1;
  if (p == 0) {
    char logp[4200];
    snprintf(logp, sizeof logp, "%s/influxd.log", dir);
    int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execlp("influxd", "influxd", "run", "-config", path, (char *)NULL);
    _exit(127);
  }
  *pid = (int)p;
  *port = hp;
  influx_options o = {.host = "127.0.0.1", .port = hp, .retries = 1};
  influx_client *c = NULL;
  if (influx_client_new(&o, &c, NULL))
    return -1;
  for (int i = 0; i < 200; i++) {
    if (!influx_ping(c, NULL, 0, NULL)) {
      influx_client_free(c);
      return 0;
    }
    int status;
    if (waitpid(p, &status, WNOHANG) == p) {
      fprintf(stderr,
              "influxc: influxd exited at start (is the influxdb package "
              "installed?)\n");
      influx_client_free(c);
      *pid = 0;
      return -1;
    }
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
  }
  influx_client_free(c);
  fprintf(stderr, "influxc: influxd did not answer /ping\n");
  return -1;
}

static void rm_rf(const char *dir) {
  pid_t p = fork();
  if (p == 0) {
    execlp("rm", "rm", "-rf", "--", dir, (char *)NULL);
    _exit(127);
  }
  if (p > 0)
    waitpid(p, NULL, 0);
}

void local_influxd_stop(const char *dir, int pid) {
  if (pid > 0) {
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
      if (waitpid(pid, NULL, WNOHANG) == pid) {
        pid = 0;
        break;
      }
      struct timespec ts = {0, 50000000};
      nanosleep(&ts, NULL);
    }
    if (pid) {
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
    }
  }
  if (dir && *dir)
    rm_rf(dir);
}

static int show(influx_client *c, const char *title, const char *q) {
  printf("\n== %s\n> %s\n", title, q);
  influx_query_options o = {.database = "influxc_demo"};
  influx_result *r = NULL;
  influx_error err = {0};
  influx_status st = influx_query(c, q, &o, &r, &err);
  if (st) {
    influx_result_free(r);
    return cli_fail("demo query", st, &err);
  }
  printer *p = printer_new(stdout, OUT_TABLE, 0);
  printer_result(p, r);
  printer_finish(p);
  printer_free(p);
  influx_result_free(r);
  return 0;
}

static int run_demo(influx_client *c) {
  influx_error err = {0};
  char ver[64] = "";
  influx_status st = influx_ping(c, ver, sizeof ver, &err);
  if (st)
    return cli_fail("ping", st, &err);
  printf("influxc %s connected to InfluxDB %s\n", influx_version(), ver);
  if ((st = influx_create_database(c, "influxc_demo", &err)))
    return cli_fail("create database", st, &err);
  /* A day of 1-minute samples from 4 hosts in 2 regions. */
  const char *hosts[] = {"web-1", "web-2", "db-1", "db-2"};
  const char *regions[] = {"eu-west", "eu-west", "us-east", "us-east"};
  size_t n = 4 * 1440;
  influx_point *pts = calloc(n, sizeof *pts);
  influx_tag *tags = calloc(n * 2, sizeof *tags);
  influx_field *fields = calloc(n * 3, sizeof *fields);
  if (!pts || !tags || !fields) {
    free(pts);
    free(tags);
    free(fields);
    return cli_fail("demo", INFLUX_ERR_NOMEM, NULL);
  }
  int64_t now = (int64_t)time(NULL) / 60 * 60;
  unsigned seed = 42;
  for (size_t i = 0; i < n; i++) {
    size_t h = i % 4, minute = i / 4;
    tags[2 * i] = (influx_tag){"host", hosts[h]};
    tags[2 * i + 1] = (influx_tag){"region", regions[h]};
    double load = 8 +
                  9 * (double)(h + 1) * (1 + ((double)(minute % 240) / 240.0)) +
                  (double)(rand_r(&seed) % 1000) / 100.0;
    fields[3 * i] = (influx_field)INFLUX_F_FLOAT("usage", load);
    fields[3 * i + 1] =
        (influx_field)INFLUX_F_INT("requests", (int64_t)(load * 37));
    fields[3 * i + 2] =
        (influx_field)INFLUX_F_STRING("status", load > 75 ? "hot" : "ok");
    pts[i] = (influx_point){.measurement = "cpu",
                            .tags = &tags[2 * i],
                            .ntags = 2,
                            .fields = &fields[3 * i],
                            .nfields = 3,
                            .time = now - (int64_t)(1439 - minute) * 60,
                            .has_time = 1};
  }
  influx_write_options wo = {
      .database = "influxc_demo", .precision = "s", .batch_size = 2000};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  st = influx_write_points(c, pts, n, &wo, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  free(pts);
  free(tags);
  free(fields);
  if (st)
    return cli_fail("write", st, &err);
  double secs =
      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("wrote %zu points (cpu: host, region; usage, requests, status) in "
         "%.3f s\n",
         n, secs);
  int rc = show(c, "databases", "SHOW DATABASES");
  if (!rc)
    rc = show(c, "series", "SHOW SERIES");
  if (!rc)
    rc = show(c, "mean usage per region, last 6 hours in 1h buckets",
              "SELECT mean(usage) AS usage, sum(requests) AS requests FROM "
              "cpu WHERE time > now() - 6h GROUP BY time(1h), region "
              "FILL(none)");
  if (!rc)
    rc = show(c, "busiest host", "SELECT top(usage, host, 1) FROM cpu");
  if (!rc)
    rc = show(c, "how often each host ran hot",
              "SELECT count(status) FROM cpu WHERE status = 'hot' GROUP BY "
              "host");
  return rc;
}

typedef struct demo_args {
  int local;
} demo_args;
const cli_opt demo_opts[] = {CLI_OPT_FLAG("--local", demo_args, local),
                             CLI_OPT_END};

int cmd_demo(int argc, char **argv, global *g) {
  if (wants_help(argc, argv)) {
    puts("usage: influxc demo [--local]\n"
         "Writes a day of sample CPU data to database influxc_demo and "
         "runs a few\nqueries. With --local, starts a throwaway influxd "
         "on loopback first and\nstops it afterwards.");
    return 0;
  }
  demo_args da = {0};
  int npos;
  if (cli_parse(argc, argv, g, "demo", demo_opts, &da, NULL, 0, &npos))
    return EXIT_USAGE;
  int local = da.local;
  const influx_options *base = &g->o;
  influx_options o = *base;
  char dir[4096] = "";
  int pid = 0, port = 0;
  if (local) {
    printf("starting a throwaway influxd on 127.0.0.1 ...\n");
    if (local_influxd_start(dir, sizeof dir, &port, &pid)) {
      local_influxd_stop(dir, pid);
      return EXIT_FAIL;
    }
    o.host = "127.0.0.1";
    o.port = port;
    o.ssl = 0;
  }
  influx_client *c = NULL;
  influx_error err = {0};
  influx_status st = influx_client_new(&o, &c, &err);
  int rc = st ? cli_fail("client", st, &err) : run_demo(c);
  influx_client_free(c);
  if (local) {
    local_influxd_stop(dir, pid);
    printf("\nstopped the throwaway influxd and removed %s\n", dir);
  }
  return rc;
}
