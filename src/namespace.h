/* Private: the link names of the library's internal functions. Every
 * internal name is defined here as influx__NAME, so the static library
 * exports nothing a program could collide with (a program with its own
 * ibuf_free links fine) while the sources keep the short names. Included
 * first by internal.h; tests/downstream checks the archive against it. */
#ifndef INFLUXC_NAMESPACE_H
#define INFLUXC_NAMESPACE_H

#define arena_free influx__arena_free
#define arena_reset influx__arena_reset
#define arena_strndup influx__arena_strndup
#define c_strtod influx__c_strtod
#define error_message influx__error_message
#define fmt_double_plain influx__fmt_double_plain
#define fmt_double_slow influx__fmt_double_slow
#define frame_need_bitmap influx__frame_need_bitmap
#define frame_new_col influx__frame_new_col
#define frame_reserve_rows influx__frame_reserve_rows
#define frame_set_end influx__frame_set_end
#define frame_set_new influx__frame_set_new
#define frame_set_piece influx__frame_set_piece
#define frame_store influx__frame_store
#define frame_unref influx__frame_unref
#define grow_array_slow influx__grow_array_slow
#define gzip_compress influx__gzip_compress
#define http_global_init influx__http_global_init
#define http_fake influx__http_fake
#define http_perform influx__http_perform
#define http_status_error influx__http_status_error
#define http_validate_header influx__http_validate_header
#define ibuf_append influx__ibuf_append
#define ibuf_free influx__ibuf_free
#define ibuf_printf influx__ibuf_printf
#define ibuf_putc influx__ibuf_putc
#define ibuf_puts influx__ibuf_puts
#define ibuf_reserve influx__ibuf_reserve
#define ibuf_take influx__ibuf_take
#define ierr influx__ierr
#define ierr_http influx__ierr_http
#define istrcaseeq influx__istrcaseeq
#define istrdup influx__istrdup
#define istrndup influx__istrndup
#define json_dec_feed influx__json_dec_feed
#define json_dec_finish influx__json_dec_finish
#define json_dec_free influx__json_dec_free
#define json_dec_new influx__json_dec_new
#define json_nesting influx__json_nesting
#define json_string influx__json_string
#define lines_append_split influx__lines_append_split
#define lines_encode influx__lines_encode
#define media_type_format influx__media_type_format
#define mp_dec_feed influx__mp_dec_feed
#define mp_dec_finish influx__mp_dec_finish
#define mp_dec_free influx__mp_dec_free
#define mp_dec_new influx__mp_dec_new
#define precision_canon influx__precision_canon
#define precision_factor influx__precision_factor
#define qs_add influx__qs_add
#define quote_append influx__quote_append
#define rb_fail influx__rb_fail
#define rb_free influx__rb_free
#define rb_init influx__rb_init
#define rb_result_begin influx__rb_result_begin
#define rb_result_end influx__rb_result_end
#define rb_row_begin influx__rb_row_begin
#define rb_row_end influx__rb_row_end
#define rb_series_begin influx__rb_series_begin
#define rb_series_column influx__rb_series_column
#define rb_series_end influx__rb_series_end
#define rb_series_name influx__rb_series_name
#define rb_series_partial influx__rb_series_partial
#define rb_series_tag influx__rb_series_tag
#define rb_statement_error influx__rb_statement_error
#define rb_statement_id influx__rb_statement_id
#define rb_statement_partial influx__rb_statement_partial
#define rb_top_error influx__rb_top_error
#define rb_value influx__rb_value
#define retry_delay_ms influx__retry_delay_ms
#define retry_http_status influx__retry_http_status
#define rfc3339_format influx__rfc3339_format
#define rfc3339_parse influx__rfc3339_parse
#define shape_array_end influx__shape_array_end
#define shape_array_start influx__shape_array_start
#define shape_idle influx__shape_idle
#define shape_key influx__shape_key
#define shape_map_end influx__shape_map_end
#define shape_map_start influx__shape_map_start
#define shape_scalar influx__shape_scalar
#define text_out influx__text_out
#define url_encode influx__url_encode
#define utf8_check influx__utf8_check
#define write_build_qs influx__write_build_qs
#define write_check_options influx__write_check_options
#define write_post influx__write_post

#endif
