/* Administration against a real influxd: every seed method, hostile names
 * that prove no injection, and privileges checked by acting as the users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static int has_name(const influx_name_list *l, const char *n) {
  for (size_t i = 0; i < l->count; i++)
    if (!strcmp(l->names[i], n))
      return 1;
  return 0;
}

static influx_name_list dbs(influx_client *c) {
  influx_name_list l;
  influx_error err = {0};
  if (influx_get_list_database(c, &l, &err))
    fail_msg("list databases: %s", err.message);
  return l;
}

/* Names that would break or hijack a statement if not quoted right.
 * (influxd itself refuses '/', '\\' and control characters in database
 * names; those are tested below.) */
static const char *const hostile[] = {
    "x\"; DROP DATABASE victim; --",
    "it's",
    "x'; DROP DATABASE victim; --",
    "\"\"\"",
    "semi;colon",
    "sp ace",
    "ünïcødé 🚀",
    "' OR 1=1 --",
    "end\"",
};
#define NHOSTILE (sizeof hostile / sizeof *hostile)

static void test_databases_hostile(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  influx_error err = {0};
  assert_ok(influx_create_database(c, "victim", &err), &err);
  /* Other tests share this server concurrently, so databases are checked
   * by name rather than by count: the victim must survive every name. */
  for (size_t i = 0; i < NHOSTILE; i++) {
    if (influx_create_database(c, hostile[i], &err))
      fail_msg("create %s: %s", hostile[i], err.message);
    influx_name_list l = dbs(c);
    assert_true(has_name(&l, hostile[i]));
    assert_true(has_name(&l, "victim"));
    influx_name_list_clear(&l);
    assert_ok(influx_drop_database(c, hostile[i], &err), &err);
    l = dbs(c);
    assert_false(has_name(&l, hostile[i]));
    assert_true(has_name(&l, "victim"));
    influx_name_list_clear(&l);
  }
  assert_int_equal(influx_create_database(c, "", &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "database name is empty"));
  assert_int_equal(influx_create_database(c, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_create_database(c, "bad\xff", &err),
                   INFLUX_ERR_INVALID_ARG);
  const char *refused[] = {"back\\slash", "new\nline", "a/b", ".."};
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(influx_create_database(c, refused[i], &err),
                     INFLUX_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "database name"));
  }
  /* Identifiers with backslashes and newlines do go through the quoting
   * where the server allows them: a user name. */
  assert_ok(influx_create_user(c, "we\\ird\nuser\"", "pw", 0, &err), &err);
  influx_user_list ul;
  assert_ok(influx_get_list_users(c, &ul, &err), &err);
  int seen = 0;
  for (size_t i = 0; i < ul.count; i++)
    seen += !strcmp(ul.items[i].name, "we\\ird\nuser\"");
  assert_int_equal(seen, 1);
  influx_user_list_clear(&ul);
  assert_ok(influx_drop_user(c, "we\\ird\nuser\"", &err), &err);
  influx_drop_database(c, "victim", NULL);
  influx_client_free(c);
}

static void test_measurements_series(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "ms");
  influx_error err = {0};
  assert_ok(influx_switch_database(c, db, &err), &err);
  /* Measurements and tags with hostile (but writable) names. */
  const char *meas[] = {"cpu", "it's", "x\"y", "sp ace", "semi;colon"};
  for (size_t i = 0; i < 5; i++) {
    influx_tag t[] = {{"host", "a"}, {"k'ey", "v\"al"}};
    influx_field f[] = {INFLUX_F_INT("v", (int64_t)i)};
    influx_point p[2] = {{meas[i], t, 2, f, 1, 1, 1, NULL},
                         {meas[i], t, 1, f, 1, 2, 1, NULL}};
    assert_ok(influx_write_points(c, p, 2, NULL, &err), &err);
  }
  influx_name_list l;
  assert_ok(influx_get_list_measurements(c, &l, &err), &err);
  assert_int_equal(l.count, 5);
  for (size_t i = 0; i < 5; i++)
    assert_true(has_name(&l, meas[i]));
  influx_name_list_clear(&l);
  /* Series filtered by measurement and tags: values quoted, not injected. */
  influx_tag ft[] = {{"k'ey", "v\"al"}};
  assert_ok(influx_get_list_series(c, NULL, "it's", ft, 1, &l, &err), &err);
  assert_int_equal(l.count, 1);
  assert_non_null(strstr(l.names[0], "it's"));
  influx_name_list_clear(&l);
  influx_tag inj[] = {{"host", "a' OR '1'='1"}};
  assert_ok(influx_get_list_series(c, NULL, NULL, inj, 1, &l, &err), &err);
  assert_int_equal(l.count, 0);
  influx_name_list_clear(&l);
  assert_ok(influx_get_list_series(c, db, NULL, NULL, 0, &l, &err), &err);
  assert_int_equal(l.count, 10);
  influx_name_list_clear(&l);
  /* delete_series: by tags, then the seed's refusal of "everything". */
  assert_ok(influx_delete_series(c, NULL, "x\"y", ft, 1, &err), &err);
  assert_ok(influx_get_list_series(c, NULL, "x\"y", NULL, 0, &l, &err), &err);
  assert_int_equal(l.count, 1);
  influx_name_list_clear(&l);
  assert_int_equal(influx_delete_series(c, NULL, NULL, NULL, 0, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "measurement or tags"));
  /* drop_measurement with a hostile name drops only that one. */
  assert_int_equal(influx_drop_measurement(c, "semi;colon", &err), INFLUX_OK);
  assert_ok(influx_get_list_measurements(c, &l, &err), &err);
  assert_int_equal(l.count, 4);
  assert_false(has_name(&l, "semi;colon"));
  influx_name_list_clear(&l);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

static const influx_rp *find_rp(const influx_rp_list *l, const char *n) {
  for (size_t i = 0; i < l->count; i++)
    if (!strcmp(l->items[i].name, n))
      return &l->items[i];
  return NULL;
}

static void test_retention_policies(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "rp");
  influx_error err = {0};
  const char *name = "rp \"quoted\" 'n;";
  assert_int_equal(
      influx_create_retention_policy(c, "a\\b", "1h", 1, db, 0, NULL, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_ok(
      influx_create_retention_policy(c, name, "90m", 1, db, 0, "1h", &err),
      &err);
  assert_ok(
      influx_create_retention_policy(c, "week", "7d", 1, db, 1, NULL, &err),
      &err);
  influx_rp_list l;
  assert_ok(influx_get_list_retention_policies(c, db, &l, &err), &err);
  assert_int_equal(l.count, 3);
  const influx_rp *rp = find_rp(&l, name);
  assert_non_null(rp);
  assert_string_equal(rp->duration, "1h30m0s");
  assert_string_equal(rp->shard_duration, "1h0m0s");
  assert_int_equal(rp->replication, 1);
  assert_false(rp->is_default);
  assert_true(find_rp(&l, "week")->is_default);
  assert_false(find_rp(&l, "autogen")->is_default);
  influx_rp_list_clear(&l);
  /* alter: each change shows up. */
  assert_ok(influx_alter_retention_policy(c, name, db, "4w", 0, 1, NULL, &err),
            &err);
  assert_ok(influx_get_list_retention_policies(c, db, &l, &err), &err);
  rp = find_rp(&l, name);
  assert_string_equal(rp->duration, "672h0m0s");
  assert_true(rp->is_default);
  assert_false(find_rp(&l, "week")->is_default);
  influx_rp_list_clear(&l);
  assert_ok(
      influx_alter_retention_policy(c, "week", db, "INF", 0, 0, NULL, &err),
      &err);
  assert_ok(influx_get_list_retention_policies(c, db, &l, &err), &err);
  assert_string_equal(find_rp(&l, "week")->duration, "0s");
  influx_rp_list_clear(&l);
  /* Validation: nothing reaches the server. */
  assert_int_equal(
      influx_alter_retention_policy(c, name, db, NULL, 0, 0, NULL, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "at least one"));
  assert_int_equal(influx_create_retention_policy(c, "x", "1h; DROP DATABASE x",
                                                  1, db, 0, NULL, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "1h; DROP"));
  assert_int_equal(
      influx_create_retention_policy(c, "x", "1h", 0, db, 0, NULL, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "replication"));
  assert_int_equal(
      influx_create_retention_policy(c, "x", "1h", 1, db, 0, "INF", &err),
      INFLUX_ERR_INVALID_ARG);
  const char *good[] = {"1h",  "90m", "7d",    "4w",
                        "INF", "inf", "1h30m", "1000w"};
  for (size_t i = 0; i < 8; i++)
    assert_int_equal(influx_duration_check(good[i], 1, NULL), INFLUX_OK);
  const char *badd[] = {"", "h", "1", "1y", "-1h", "1h ", "1h;"};
  for (size_t i = 0; i < 7; i++)
    assert_int_equal(influx_duration_check(badd[i], 1, NULL),
                     INFLUX_ERR_INVALID_ARG);
  assert_ok(influx_drop_retention_policy(c, name, db, &err), &err);
  assert_ok(influx_get_list_retention_policies(c, db, &l, &err), &err);
  assert_int_equal(l.count, 2);
  assert_null(find_rp(&l, name));
  influx_rp_list_clear(&l);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

static void test_continuous_queries(void **state) {
  (void)state;
  influx_client *c = th_client("plain", NULL);
  const char *db = th_new_db(c, "cq");
  influx_error err = {0};
  const char *sel = "SELECT mean(\"value\") INTO \"cpu_mean\" FROM \"cpu\" "
                    "GROUP BY time(1m)";
  assert_ok(influx_create_continuous_query(c, "cpu \"mean\"", sel, db,
                                           "EVERY 10s FOR 2m", &err),
            &err);
  assert_ok(influx_create_continuous_query(c, "plain_cq", sel, db, NULL, &err),
            &err);
  influx_cq_list l;
  assert_ok(influx_get_list_continuous_queries(c, &l, &err), &err);
  int seen = 0;
  for (size_t i = 0; i < l.count; i++) {
    if (strcmp(l.items[i].database, db))
      continue;
    seen++;
    if (!strcmp(l.items[i].name, "cpu \"mean\"")) {
      assert_non_null(strstr(l.items[i].query, "RESAMPLE EVERY 10s FOR 2m"));
      assert_non_null(strstr(l.items[i].query, "GROUP BY time(1m)"));
    }
  }
  assert_int_equal(seen, 2);
  influx_cq_list_clear(&l);
  /* Validation. */
  assert_int_equal(
      influx_create_continuous_query(c, "x", "DROP DATABASE x", db, NULL, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_int_equal(
      influx_create_continuous_query(
          c, "x",
          "SELECT mean(v) INTO m2 FROM m GROUP BY time(1m) END; DROP "
          "DATABASE x",
          db, NULL, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_int_equal(
      influx_create_continuous_query(c, "x", sel, db, "EVERY 10s; DROP", &err),
      INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "resample_opts"));
  assert_ok(influx_drop_continuous_query(c, "cpu \"mean\"", db, &err), &err);
  assert_ok(influx_get_list_continuous_queries(c, &l, &err), &err);
  seen = 0;
  for (size_t i = 0; i < l.count; i++)
    seen += !strcmp(l.items[i].database, db);
  assert_int_equal(seen, 1);
  influx_cq_list_clear(&l);
  influx_drop_database(c, db, NULL);
  influx_client_free(c);
}

/* ---- users and privileges on an auth-enabled server ---- */

static influx_client *as_user(const char *u, const char *p, const char *db) {
  influx_options o = {.username = u, .password = p, .database = db};
  return th_client("auth", &o);
}

static void test_users_and_privileges(void **state) {
  (void)state;
  influx_client *admin = th_client("auth", NULL);
  influx_error err = {0};
  char db[64];
  snprintf(db, sizeof db, "priv_%d", (int)getpid());
  assert_ok(influx_create_database(admin, db, &err), &err);
  const char *user = "bob \"the\" 'user'";
  const char *pw = "pa'ss\"w\\ord; DROP";
  assert_ok(influx_create_user(admin, user, pw, 0, &err), &err);
  influx_user_list ul;
  assert_ok(influx_get_list_users(admin, &ul, &err), &err);
  int found = 0;
  for (size_t i = 0; i < ul.count; i++)
    if (!strcmp(ul.items[i].name, user)) {
      found = 1;
      assert_false(ul.items[i].admin);
    } else if (!strcmp(ul.items[i].name, "admin")) {
      assert_true(ul.items[i].admin);
    }
  assert_true(found);
  influx_user_list_clear(&ul);

  influx_client *bob = as_user(user, pw, db);
  influx_write_options wo = {.database = db};
  /* No privileges yet: writing and reading are refused. */
  assert_int_equal(influx_write(bob, "m v=1 1", 7, &wo, &err), INFLUX_ERR_AUTH);
  assert_null(strstr(err.message, pw));
  influx_query_options qo = {.database = db};
  influx_result *r = NULL;
  influx_status st = influx_query(bob, "SELECT * FROM m", &qo, &r, &err);
  influx_result_free(r);
  assert_true(st == INFLUX_ERR_AUTH || st == INFLUX_ERR_STATEMENT);

  /* WRITE: can write, cannot read. */
  assert_ok(influx_grant_privilege(admin, "Write", db, user, &err), &err);
  assert_ok(influx_write(bob, "m v=1 1", 7, &wo, &err), &err);
  st = influx_query(bob, "SELECT * FROM m", &qo, &r, &err);
  influx_result_free(r);
  assert_int_not_equal(st, INFLUX_OK);
  influx_privilege_list pl;
  assert_ok(influx_get_list_privileges(admin, user, &pl, &err), &err);
  assert_int_equal(pl.count, 1);
  assert_string_equal(pl.items[0].database, db);
  assert_string_equal(pl.items[0].privilege, "WRITE");
  influx_privilege_list_clear(&pl);

  /* ALL then revoke READ: write only again. */
  assert_ok(influx_grant_privilege(admin, "ALL", db, user, &err), &err);
  assert_ok(influx_query(bob, "SELECT * FROM m", &qo, &r, &err), &err);
  assert_int_equal(influx_result_series_count(r, 0), 1);
  influx_result_free(r);
  assert_ok(influx_revoke_privilege(admin, "read", db, user, &err), &err);
  assert_ok(influx_get_list_privileges(admin, user, &pl, &err), &err);
  assert_string_equal(pl.items[0].privilege, "WRITE");
  influx_privilege_list_clear(&pl);
  assert_int_equal(influx_grant_privilege(admin, "sudo", db, user, &err),
                   INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "read, write, all"));

  /* Admin rights: bob can then list users. */
  assert_int_equal(influx_get_list_users(bob, &ul, &err), INFLUX_ERR_AUTH);
  assert_ok(influx_grant_admin_privileges(admin, user, &err), &err);
  assert_ok(influx_get_list_users(bob, &ul, &err), &err);
  influx_user_list_clear(&ul);
  assert_ok(influx_revoke_admin_privileges(admin, user, &err), &err);
  assert_int_equal(influx_get_list_users(bob, &ul, &err), INFLUX_ERR_AUTH);

  /* New password: the old one stops working, the new one works. */
  const char *pw2 = "n3w\nline'pw";
  assert_ok(influx_set_user_password(admin, user, pw2, &err), &err);
  assert_int_equal(influx_write(bob, "m v=2 2", 7, &wo, &err), INFLUX_ERR_AUTH);
  assert_non_null(strstr(err.message, "authorization failed"));
  assert_ok(influx_switch_user(bob, user, pw2, &err), &err);
  assert_ok(influx_write(bob, "m v=2 2", 7, &wo, &err), &err);
  influx_client_free(bob);

  /* Errors never echo a password. */
  assert_int_equal(influx_create_user(admin, user, "s3cr3t-pw", 0, &err),
                   INFLUX_ERR_STATEMENT);
  assert_null(strstr(err.message, "s3cr3t-pw"));
  assert_ok(influx_drop_user(admin, user, &err), &err);
  assert_ok(influx_get_list_users(admin, &ul, &err), &err);
  for (size_t i = 0; i < ul.count; i++)
    assert_string_not_equal(ul.items[i].name, user);
  influx_user_list_clear(&ul);
  influx_drop_database(admin, db, NULL);
  influx_client_free(admin);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_databases_hostile),
      cmocka_unit_test(test_measurements_series),
      cmocka_unit_test(test_retention_policies),
      cmocka_unit_test(test_continuous_queries),
      cmocka_unit_test(test_users_and_privileges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
