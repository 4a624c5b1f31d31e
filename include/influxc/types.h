/* influxc — the one numbering of value types. Fields (point.h), decoded
 * values (query.h) and frame columns (frame.h) each take the subset that
 * applies to them, under their own names, with these numbers: a float is
 * 1 everywhere, so a type can pass from one to another unchanged. */
#ifndef INFLUXC_TYPES_H
#define INFLUXC_TYPES_H

#ifdef __cplusplus
extern "C" {
#endif

/** Value types. Values are never renumbered; new ones are only appended.
 * Zero is "no value": a zeroed field is not silently a float. */
typedef enum influx_type {
  INFLUX_TYPE_NULL = 0,
  INFLUX_TYPE_FLOAT = 1,  /**< double */
  INFLUX_TYPE_INT = 2,    /**< int64 */
  INFLUX_TYPE_UINT = 3,   /**< uint64 */
  INFLUX_TYPE_BOOL = 4,   /**< 0 or 1 */
  INFLUX_TYPE_STRING = 5, /**< UTF-8 text */
  INFLUX_TYPE_TIME = 6,   /**< int64 ns since the epoch */
  INFLUX_TYPE_TAG = 7     /**< UTF-8 text that is a tag */
} influx_type;

#ifdef __cplusplus
}
#endif
#endif
