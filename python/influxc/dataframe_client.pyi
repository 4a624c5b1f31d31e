from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import pandas as pd

from influxc.client import InfluxDBClient

class DataFrameClient(InfluxDBClient):
    EPOCH: pd.Timestamp
    def write_points(self, dataframe: pd.DataFrame, measurement: str,  # type: ignore[override]
                     tags: Optional[Mapping[str, Any]] = ...,
                     tag_columns: Optional[Sequence[str]] = ...,
                     field_columns: Optional[Sequence[str]] = ...,
                     time_precision: Optional[str] = ..., database: Optional[str] = ...,
                     retention_policy: Optional[str] = ..., batch_size: Optional[int] = ...,
                     protocol: str = ..., numeric_precision: Union[None, str, int] = ...) -> bool: ...
    def dataframe_to_lines(self, dataframe: pd.DataFrame, measurement: str,
                           tags: Optional[Mapping[str, Any]] = ...,
                           tag_columns: Optional[Sequence[str]] = ...,
                           field_columns: Optional[Sequence[str]] = ...,
                           time_precision: Optional[str] = ...,
                           numeric_precision: Union[None, str, int] = ...) -> str: ...
    def query(self, query: str, params: Optional[Mapping[str, Any]] = ...,  # type: ignore[override]
              bind_params: Optional[Mapping[str, Any]] = ..., epoch: Optional[str] = ...,
              expected_response_code: int = ..., database: Optional[str] = ...,
              raise_errors: bool = ..., chunked: bool = ..., chunk_size: int = ...,
              method: str = ..., dropna: bool = ...,
              data_frame_index: Optional[Sequence[str]] = ...) -> Any: ...
