/* The public API's rules (influxc.h), without a server: one numbering of
 * value types, (row, col) cells, _close keeps and _free releases, _clear
 * empties caller-owned structs, reserved tails on growable structs. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Every growable struct ends in its reserved slots: nothing after them. */
#define ENDS_RESERVED(T)                                                       \
  assert_int_equal(offsetof(T, reserved_) + sizeof(((T *)0)->reserved_),       \
                   sizeof(T))

static void test_reserved_tails(void **state) {
  (void)state;
  ENDS_RESERVED(influx_options);
  ENDS_RESERVED(influx_socket_options);
  ENDS_RESERVED(influx_request);
  ENDS_RESERVED(influx_client_stats);
  ENDS_RESERVED(influx_write_options);
  ENDS_RESERVED(influx_write_report);
  ENDS_RESERVED(influx_query_options);
  ENDS_RESERVED(influx_stream_handlers);
  ENDS_RESERVED(influx_writer_options);
  ENDS_RESERVED(influx_writer_stats);
  ENDS_RESERVED(influx_series_helper_options);
  ENDS_RESERVED(influx_frame_write_options);
  ENDS_RESERVED(influx_frame_write_report);
  ENDS_RESERVED(influx_frame_query_options);
  ENDS_RESERVED(influx_frame_csv_options);
  ENDS_RESERVED(influx_line_splitter);
  ENDS_RESERVED(influx_host_status);
  /* Fields added take reserved slots: the options keep their size (320
   * bytes on LP64 before the several-hosts fields, 320 after). */
  if (sizeof(void *) == 8)
    assert_int_equal(sizeof(influx_options), 320);
  /* Element structs of arrays are frozen: these sizes are the ABI. */
  assert_int_equal(sizeof(influx_tag), 2 * sizeof(void *));
  if (sizeof(void *) == 8)
    assert_int_equal(sizeof(influx_field), 24);
}

static void test_one_type_numbering(void **state) {
  (void)state;
  assert_int_equal(INFLUX_FIELD_FLOAT, INFLUX_VALUE_FLOAT);
  assert_int_equal(INFLUX_FIELD_FLOAT, INFLUX_COL_FLOAT);
  assert_int_equal(INFLUX_FIELD_INT, INFLUX_VALUE_INT);
  assert_int_equal(INFLUX_FIELD_INT, INFLUX_COL_INT);
  assert_int_equal(INFLUX_FIELD_UINT, INFLUX_VALUE_UINT);
  assert_int_equal(INFLUX_FIELD_BOOL, INFLUX_VALUE_BOOL);
  assert_int_equal(INFLUX_FIELD_BOOL, INFLUX_COL_BOOL);
  assert_int_equal(INFLUX_FIELD_STRING, INFLUX_VALUE_STRING);
  assert_int_equal(INFLUX_FIELD_STRING, INFLUX_COL_STRING);
  assert_int_equal(INFLUX_VALUE_NULL, 0);
  /* A decoded value's type names the frame column it becomes. */
  influx_value v = influx_value_float(1.5);
  assert_int_equal((int)v.type, (int)INFLUX_COL_FLOAT);
  /* Zero is no type: a zeroed field is refused, not written as a float. */
  influx_field f;
  memset(&f, 0, sizeof f);
  f.key = "v";
  influx_point p = {.measurement = "m", .fields = &f, .nfields = 1};
  influx_lines *lb = influx_lines_new();
  influx_error err = {0};
  assert_int_equal(influx_lines_append(lb, &p, &err), INFLUX_ERR_INVALID_ARG);
  assert_int_equal(influx_lines_len(lb), 0);
  influx_lines_free(lb);
  /* A column type that is not a column's (uint, time) is refused. */
  influx_frame *fr;
  assert_ok(influx_frame_new(&fr, &err), &err);
  assert_int_equal(
      influx_frame_add_column(fr, "u", (influx_col_type)INFLUX_TYPE_UINT, &err),
      INFLUX_ERR_INVALID_ARG);
  assert_int_equal(
      influx_frame_add_column(fr, "t", (influx_col_type)INFLUX_TYPE_TIME, &err),
      INFLUX_ERR_INVALID_ARG);
  influx_frame_free(fr);
}

static void test_cells_are_row_col(void **state) {
  (void)state;
  influx_frame *f;
  influx_error err = {0};
  assert_ok(influx_frame_new(&f, &err), &err);
  int64_t t[3] = {1, 2, 3};
  double a[3] = {10, 11, 12}, b[3] = {20, 21, 22};
  assert_ok(influx_frame_set_time(f, t, 3, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "a", a, NULL, 3, 0, &err), &err);
  assert_ok(influx_frame_add_float(f, "b", b, NULL, 3, 0, &err), &err);
  double x = 0;
  assert_int_equal(influx_frame_get_float(f, 2, 1, &x),
                   INFLUX_OK); /* row 2, b */
  assert_true(x == 22);
  assert_int_equal(influx_frame_get_float(f, 0, 1, &x),
                   INFLUX_OK); /* row 0, b */
  assert_true(x == 20);
  /* Row 1 exists, column 2 does not. */
  assert_int_equal(influx_frame_get_float(f, 1, 2, &x), INFLUX_ERR_INVALID_ARG);
  assert_false(influx_frame_is_null(f, 2, 0));
  influx_frame_free(f);
}

static void test_writer_close_then_free(void **state) {
  (void)state;
  /* Nothing listens on port 1: a writer with nothing to send never
   * connects. */
  influx_options o = {.host = "127.0.0.1", .port = 1, .database = "db"};
  influx_client *c;
  influx_error err = {0};
  assert_ok(influx_client_new(&o, &c, &err), &err);
  influx_writer *w;
  influx_writer_options wo = {.batch_size = 10};
  assert_ok(influx_writer_new(c, &wo, &w, &err), &err);
  influx_writer_stats st;
  memset(&st, 0xff, sizeof st);
  assert_ok(influx_writer_close(w, &st, &err), &err);
  assert_int_equal(st.written, 0);
  /* Closed but not freed: counters still read, writes refused, a second
   * close is harmless. */
  influx_writer_get_stats(w, &st);
  assert_int_equal(st.accepted, 0);
  influx_field f = INFLUX_F_FLOAT("v", 1);
  influx_point p = {
      .measurement = "m", .fields = &f, .nfields = 1, .time = 1, .has_time = 1};
  assert_int_equal(influx_writer_write(w, &p, 1, &err), INFLUX_ERR_INVALID_ARG);
  assert_non_null(strstr(err.message, "after close"));
  assert_ok(influx_writer_close(w, NULL, &err), &err);
  influx_writer_free(w);
  /* _free alone closes an open writer. */
  assert_ok(influx_writer_new(c, &wo, &w, &err), &err);
  influx_writer_free(w);
  influx_writer_free(NULL);
  /* The client's _close keeps it: it can be used (and freed) after. */
  influx_client_close(c);
  assert_string_equal(influx_client_database(c), "db");
  influx_client_free(c);
}

static void test_clear_empties_caller_structs(void **state) {
  (void)state;
  influx_name_list l = {0};
  l.names = calloc(2, sizeof *l.names);
  l.names[0] = strdup("a");
  l.names[1] = strdup("b");
  l.count = 2;
  influx_name_list_clear(&l);
  assert_null(l.names);
  assert_int_equal(l.count, 0);
  influx_name_list_clear(&l); /* twice is fine */
  influx_name_list_clear(NULL);
  influx_response r = {0};
  r.body = malloc(4);
  influx_response_clear(&r);
  assert_null(r.body);
  influx_response_clear(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reserved_tails),
      cmocka_unit_test(test_one_type_numbering),
      cmocka_unit_test(test_cells_are_row_col),
      cmocka_unit_test(test_writer_close_then_free),
      cmocka_unit_test(test_clear_empties_caller_structs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
