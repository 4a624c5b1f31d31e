/* influxc — version information. */
#ifndef INFLUXC_VERSION_H
#define INFLUXC_VERSION_H

#define INFLUXC_VERSION_MAJOR 0
#define INFLUXC_VERSION_MINOR 1
#define INFLUXC_VERSION_PATCH 0
#define INFLUXC_VERSION_STRING "0.1.0"
/** Single number for comparisons: 0xMMmmpp. */
#define INFLUXC_VERSION_NUM                                                    \
  ((INFLUXC_VERSION_MAJOR << 16) | (INFLUXC_VERSION_MINOR << 8) |              \
   INFLUXC_VERSION_PATCH)

#if defined(_WIN32)
#define INFLUX_EXPORT
#elif defined(__GNUC__)
#define INFLUX_EXPORT __attribute__((visibility("default")))
#else
#define INFLUX_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the library actually linked, e.g. "0.1.0". Static string. */
INFLUX_EXPORT const char *influx_version(void);

#ifdef __cplusplus
}
#endif
#endif
