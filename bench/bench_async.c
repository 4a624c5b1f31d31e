/* Small requests per second at a given concurrency: the non-blocking API
 * from one thread (pull mode, poll adapter), the blocking API from a
 * thread pool of that size, and curl's multi interface sending the same
 * requests with nothing else (the ceiling).
 * usage: bench_async PORT DB write|query async|pool|curl CONCURRENCY N
 * Writes are 10 points each; queries a count over a few points. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "influxc/adapters/poll.h"

static const char *db;
static int port, conc, total, is_write;
static char body[1024];
static size_t body_len;
static const char *query = "SELECT count(v) FROM small WHERE time < 100";

static void make_body(void) {
  for (int k = 0; k < 10; k++)
    body_len += (size_t)snprintf(body + body_len, sizeof body - body_len,
                                 "small,k=%d v=%di %d\n", k, k, k + 1);
}

/* ---- async ---- */

static int started, finished, failed;
static influx_write_options wo;
static influx_query_options qo;

static void next(influx_async *a);
static void on_done(influx_async *a, const influx_async_reply *r, void *u) {
  (void)u;
  finished++;
  failed += r->status != INFLUX_OK;
  influx_result_free(r->result);
  if (started < total)
    next(a);
}

static void next(influx_async *a) {
  started++;
  influx_error err;
  influx_status st =
      is_write ? influx_async_write_lines(a, body, body_len, &wo, on_done, NULL,
                                          NULL, &err)
               : influx_async_query(a, query, &qo, on_done, NULL, NULL, &err);
  if (st) {
    fprintf(stderr, "start: %s\n", err.message);
    exit(1);
  }
}

static void run_async(influx_client *c) {
  influx_async *a;
  influx_error err;
  if (influx_async_new(c, NULL, &a, &err)) {
    fprintf(stderr, "%s\n", err.message);
    exit(1);
  }
  for (int i = 0; i < conc && started < total; i++)
    next(a);
  while (finished < total)
    influx_async_poll_once(a, -1);
  influx_async_free(a);
}

/* ---- a pool of threads on the blocking API ---- */

static influx_client *shared;
static void *worker(void *u) {
  int n = (int)(intptr_t)u;
  const char *lines[10];
  char buf[10][64];
  for (int k = 0; k < 10; k++) {
    snprintf(buf[k], sizeof buf[k], "small,k=%d v=%di %d", k, k, k + 1);
    lines[k] = buf[k];
  }
  for (int i = 0; i < n; i++) {
    influx_status st;
    if (is_write) {
      st = influx_write_lines(shared, lines, 10, &wo, NULL);
    } else {
      influx_result *r = NULL;
      st = influx_query(shared, query, &qo, &r, NULL);
      influx_result_free(r);
    }
    if (st)
      __atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void run_pool(influx_client *c) {
  shared = c;
  pthread_t *t = calloc((size_t)conc, sizeof *t);
  for (int i = 0; i < conc; i++)
    pthread_create(&t[i], NULL, worker,
                   (void *)(intptr_t)(total / conc + (i < total % conc)));
  for (int i = 0; i < conc; i++)
    pthread_join(t[i], NULL);
  free(t);
}

/* ---- curl multi alone ---- */

static size_t sink(char *p, size_t s, size_t n, void *u) {
  (void)p;
  (void)u;
  return s * n;
}

static void run_curl(void) {
  char url[512];
  char *q = curl_easy_escape(NULL, query, 0);
  if (is_write)
    snprintf(url, sizeof url, "http://127.0.0.1:%d/write?db=%s", port, db);
  else
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/query?db=%s&chunked=true&q=%s", port, db, q);
  curl_free(q);
  CURLM *m = curl_multi_init();
  struct curl_slist *h = curl_slist_append(NULL, "Expect:");
  h = curl_slist_append(h, "Accept: application/x-msgpack");
  int running = 0;
  for (int i = 0; i < conc && started < total; i++, started++) {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    if (is_write) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    curl_multi_add_handle(m, e);
  }
  do {
    curl_multi_perform(m, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left))) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      CURL *e = msg->easy_handle;
      long code = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
      finished++;
      failed += msg->data.result != CURLE_OK || code >= 300;
      curl_multi_remove_handle(m, e);
      if (started < total) {
        started++;
        curl_multi_add_handle(m, e); /* the same handle: its connection */
      } else {
        curl_easy_cleanup(e);
      }
    }
    if (finished < total)
      curl_multi_poll(m, NULL, 0, 1000, NULL);
  } while (finished < total);
  curl_multi_cleanup(m);
  curl_slist_free_all(h);
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: bench_async PORT DB write|query async|pool|curl "
                    "CONCURRENCY N\n");
    return 2;
  }
  port = atoi(argv[1]);
  db = argv[2];
  is_write = !strcmp(argv[3], "write");
  const char *mode = argv[4];
  conc = atoi(argv[5]);
  total = atoi(argv[6]);
  make_body();
  wo.database = db;
  qo.database = db;
  influx_options o = {.host = "127.0.0.1", .port = port, .pool_size = conc};
  influx_client *c;
  influx_error err;
  if (influx_client_new(&o, &c, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  double t0 = bench_now();
  if (!strcmp(mode, "async"))
    run_async(c);
  else if (!strcmp(mode, "pool"))
    run_pool(c);
  else
    run_curl();
  double dt = bench_now() - t0;
  influx_client_free(c);
  printf("requests %d failed %d seconds %.3f per_s %.0f\n", total, failed, dt,
         total / dt);
  return failed ? 1 : 0;
}
