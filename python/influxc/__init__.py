"""influxc: the influxdb (influxdb-python 5.3) API on libinfluxc's C core.

    from influxc import InfluxDBClient, DataFrameClient, SeriesHelper
"""
from influxc import _core
from influxc.client import InfluxDBClient
from influxc.helper import SeriesHelper
from influxc.writer import Writer

__all__ = ["InfluxDBClient", "DataFrameClient", "SeriesHelper", "Writer"]
__version__ = _core.version()


def __getattr__(name):
    # DataFrameClient needs pandas: imported when asked for, as the seed's
    # package does when pandas is missing.
    if name == "DataFrameClient":
        from influxc.dataframe_client import DataFrameClient
        return DataFrameClient
    raise AttributeError(name)
