/* influxc — C client for InfluxDB 1.x. Umbrella header. */
#ifndef INFLUXC_H
#define INFLUXC_H

#include "influxc/admin.h"
#include "influxc/client.h"
#include "influxc/error.h"
#include "influxc/frame.h"
#include "influxc/point.h"
#include "influxc/query.h"
#include "influxc/quote.h"
#include "influxc/series_helper.h"
#include "influxc/version.h"
#include "influxc/write.h"
#include "influxc/writer.h"

#endif
