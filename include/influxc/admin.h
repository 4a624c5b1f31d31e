/* influxc — administration: databases, measurements, series, retention
 * policies, continuous queries, users and privileges. Every identifier is
 * double-quoted and every literal single-quoted with escaping; durations
 * and options are validated, so no argument can inject InfluxQL. */
#ifndef INFLUXC_ADMIN_H
#define INFLUXC_ADMIN_H

#include "client.h"
#include "point.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A list of names (databases, measurements, series keys). */
typedef struct influx_name_list {
  size_t count;
  char **names;
} influx_name_list;
INFLUX_EXPORT void influx_name_list_clear(influx_name_list *l);

/** A retention policy as SHOW RETENTION POLICIES reports it. */
typedef struct influx_rp {
  char *name;
  char *duration;       /**< e.g. "168h0m0s"; "0s" is infinite */
  char *shard_duration; /**< shardGroupDuration */
  int replication;      /**< replicaN */
  int is_default;
} influx_rp;
typedef struct influx_rp_list {
  size_t count;
  influx_rp *items;
} influx_rp_list;
INFLUX_EXPORT void influx_rp_list_clear(influx_rp_list *l);

typedef struct influx_user {
  char *name;
  int admin;
} influx_user;
typedef struct influx_user_list {
  size_t count;
  influx_user *items;
} influx_user_list;
INFLUX_EXPORT void influx_user_list_clear(influx_user_list *l);

typedef struct influx_privilege {
  char *database;
  char *privilege; /**< "READ", "WRITE", "ALL PRIVILEGES", "NO PRIVILEGES" */
} influx_privilege;
typedef struct influx_privilege_list {
  size_t count;
  influx_privilege *items;
} influx_privilege_list;
INFLUX_EXPORT void influx_privilege_list_clear(influx_privilege_list *l);

typedef struct influx_cq {
  char *database;
  char *name;
  char *query;
} influx_cq;
typedef struct influx_cq_list {
  size_t count;
  influx_cq *items;
} influx_cq_list;
INFLUX_EXPORT void influx_cq_list_clear(influx_cq_list *l);

/* All functions: `database` NULL means the client's database. Lists are
 * filled into `*out` (zeroed first); free them with their _free. */

INFLUX_EXPORT influx_status influx_create_database(influx_client *c,
                                                   const char *dbname,
                                                   influx_error *err);
INFLUX_EXPORT influx_status influx_drop_database(influx_client *c,
                                                 const char *dbname,
                                                 influx_error *err);
INFLUX_EXPORT influx_status influx_get_list_database(influx_client *c,
                                                     influx_name_list *out,
                                                     influx_error *err);
INFLUX_EXPORT influx_status influx_get_list_measurements(influx_client *c,
                                                         influx_name_list *out,
                                                         influx_error *err);
INFLUX_EXPORT influx_status influx_drop_measurement(influx_client *c,
                                                    const char *measurement,
                                                    influx_error *err);
/** SHOW SERIES [FROM measurement] [WHERE tag = value AND ...]: series keys. */
INFLUX_EXPORT influx_status
influx_get_list_series(influx_client *c, const char *database,
                       const char *measurement, const influx_tag *tags,
                       size_t ntags, influx_name_list *out, influx_error *err);
/** DROP SERIES; needs a measurement or at least one tag (as the seed). */
INFLUX_EXPORT influx_status influx_delete_series(
    influx_client *c, const char *database, const char *measurement,
    const influx_tag *tags, size_t ntags, influx_error *err);

/** Durations: INF or <number><unit>... with units ns, u, µ, ms, s, m, h, d,
 * w (e.g. 1h, 90m, 7d, 4w, 1h30m). */
INFLUX_EXPORT influx_status influx_duration_check(const char *duration,
                                                  int allow_inf,
                                                  influx_error *err);
/** shard_duration NULL: server default. */
INFLUX_EXPORT influx_status influx_create_retention_policy(
    influx_client *c, const char *name, const char *duration, int replication,
    const char *database, int is_default, const char *shard_duration,
    influx_error *err);
/** Changes only what is set: duration/shard_duration non-NULL, replication
 * > 0, make_default nonzero. At least one is required. */
INFLUX_EXPORT influx_status influx_alter_retention_policy(
    influx_client *c, const char *name, const char *database,
    const char *duration, int replication, int make_default,
    const char *shard_duration, influx_error *err);
INFLUX_EXPORT influx_status influx_drop_retention_policy(influx_client *c,
                                                         const char *name,
                                                         const char *database,
                                                         influx_error *err);
INFLUX_EXPORT influx_status
influx_get_list_retention_policies(influx_client *c, const char *database,
                                   influx_rp_list *out, influx_error *err);

/** `select` is a SELECT statement (one, without ';'); `resample_opts` like
 * "EVERY 10s FOR 2m" (validated) or NULL. */
INFLUX_EXPORT influx_status influx_create_continuous_query(
    influx_client *c, const char *name, const char *select,
    const char *database, const char *resample_opts, influx_error *err);
INFLUX_EXPORT influx_status influx_drop_continuous_query(influx_client *c,
                                                         const char *name,
                                                         const char *database,
                                                         influx_error *err);
INFLUX_EXPORT influx_status influx_get_list_continuous_queries(
    influx_client *c, influx_cq_list *out, influx_error *err);

INFLUX_EXPORT influx_status influx_create_user(influx_client *c,
                                               const char *username,
                                               const char *password, int admin,
                                               influx_error *err);
INFLUX_EXPORT influx_status influx_drop_user(influx_client *c,
                                             const char *username,
                                             influx_error *err);
INFLUX_EXPORT influx_status influx_get_list_users(influx_client *c,
                                                  influx_user_list *out,
                                                  influx_error *err);
INFLUX_EXPORT influx_status influx_set_user_password(influx_client *c,
                                                     const char *username,
                                                     const char *password,
                                                     influx_error *err);
INFLUX_EXPORT influx_status influx_grant_admin_privileges(influx_client *c,
                                                          const char *username,
                                                          influx_error *err);
INFLUX_EXPORT influx_status influx_revoke_admin_privileges(influx_client *c,
                                                           const char *username,
                                                           influx_error *err);
/** privilege: read, write or all (case-insensitive). */
INFLUX_EXPORT influx_status influx_grant_privilege(influx_client *c,
                                                   const char *privilege,
                                                   const char *database,
                                                   const char *username,
                                                   influx_error *err);
INFLUX_EXPORT influx_status influx_revoke_privilege(influx_client *c,
                                                    const char *privilege,
                                                    const char *database,
                                                    const char *username,
                                                    influx_error *err);
INFLUX_EXPORT influx_status
influx_get_list_privileges(influx_client *c, const char *username,
                           influx_privilege_list *out, influx_error *err);

#ifdef __cplusplus
}
#endif
#endif
