"""The seed's module name for DataFrameClient."""
from influxc.dataframe_client import DataFrameClient  # noqa: F401
