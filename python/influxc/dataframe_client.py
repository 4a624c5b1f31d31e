"""DataFrameClient: pandas DataFrames in and out, on libinfluxc.

write_points hands the DataFrame's numpy buffers to the C core, which
encodes the line protocol straight from them with the GIL released (no
per-row Python objects for numeric columns).
"""
from collections import defaultdict

import numpy as np
import pandas as pd

from influxc.client import InfluxDBClient, _PRECISIONS, _raise
from influxc import _core

_DIVISORS = {"n": 1, "u": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
             "h": 3600 * 10**9}
_UNITS = {"n": "ns", "ns": "ns", "u": "us", "ms": "ms", "s": "s",
          "m": "m", "h": "h"}


def _time_ns(index):
    """int64 ns since the epoch (UTC) of a DatetimeIndex or PeriodIndex."""
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp()
    elif not isinstance(index, pd.DatetimeIndex):
        index = pd.to_datetime(index)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return np.ascontiguousarray(index.values.astype("datetime64[ns]")
                                .view(np.int64))


def _valid_bits(mask):
    """An Arrow validity bitmap of a boolean mask, or None if all valid."""
    if mask.all():
        return None
    return np.packbits(mask.astype(np.uint8), bitorder="little")


def _objects(n):
    """An array of n objects for C to fill with a string column's cells."""
    return np.empty(n, dtype=object)


def _texts(series):
    """A column's values: its numpy array of objects, read in place by C,
    or else a list (C makes the text: str as it is, None and NaN as
    missing, anything else its str()). Missing cells of pandas' own dtypes
    (pd.NA, NaT) become None, never their text ("<NA>")."""
    values = series.values
    if isinstance(values, np.ndarray) and values.dtype == object:
        return np.ascontiguousarray(values)
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return series.astype(object).where(series.notna(), None).tolist()
    return values.tolist()


_INT64_MAX = np.iinfo(np.int64).max


def _column(name, series, is_tag, protocol="line"):
    """(name, kind, data, validity) for the C core. A missing cell (NaN,
    None, pd.NA, NaT) is a missing field or tag on that row's line."""
    if is_tag:
        return (name, "t", _texts(series), None)
    dt = series.dtype
    # pandas' nullable dtypes (Int64, UInt64, Float64, boolean): values
    # with pd.NA where missing.
    nullable = (isinstance(dt, pd.api.extensions.ExtensionDtype)
                and dt.kind in "iufb")
    valid = None
    if nullable:
        mask = series.notna().to_numpy(dtype=bool)
        valid = _valid_bits(mask)
        fill = {"f": np.nan, "b": False}.get(dt.kind, 0)
        values = series.to_numpy(dtype=dt.numpy_dtype, na_value=fill)
    else:
        values = series.values
    if dt.kind == "f":
        v = np.ascontiguousarray(values, dtype=np.float64)
        finite = np.isfinite(v)
        if protocol == "line" and np.isinf(v).any():
            # The seed sends "inf" and influxd refuses the request; its
            # json protocol drops the cell (below, as a missing one).
            raise ValueError("column {0!r}: infinite values cannot be "
                             "written (influxd has no infinity)".format(name))
        return (name, "f", v, _valid_bits(finite))
    if dt.kind in "iu":
        if dt.kind == "u" and len(values) and \
                int(np.max(values)) > _INT64_MAX:
            # astype(int64) would wrap it to a negative number.
            raise ValueError(
                "column {0!r}: {1} is over 2^63-1, the largest integer "
                "influxd 1.x stores (an unsigned 'u' field needs a newer "
                "server)".format(name, int(np.max(values))))
        return (name, "i", np.ascontiguousarray(values, dtype=np.int64),
                valid)
    if dt.kind == "b":
        return (name, "b", np.ascontiguousarray(values, dtype=np.uint8),
                valid)
    # Objects (strings, mixed) and everything else: text, as the seed
    # writes them (quoted strings).
    return (name, "s", _texts(series), None)


class DataFrameClient(InfluxDBClient):
    """The seed's DataFrameClient (influxdb 5.3) on libinfluxc."""

    EPOCH = pd.Timestamp("1970-01-01 00:00:00.000+00:00")

    def write_points(self, dataframe, measurement, tags=None,
                     tag_columns=None, field_columns=None,
                     time_precision=None, database=None,
                     retention_policy=None, batch_size=None, protocol="line",
                     numeric_precision=None):
        """Write a DataFrame (DatetimeIndex or PeriodIndex): tag_columns
        become tags, field_columns (default: the rest) fields."""
        if protocol == "json":
            self._check_frame(dataframe, time_precision)
            tag_columns, field_columns = self._split_columns(
                dataframe, tag_columns, field_columns)
            points = self._frame_points(dataframe, measurement, tags,
                                        tag_columns, field_columns,
                                        time_precision)
            return InfluxDBClient.write_points(
                self, points, time_precision, database, retention_policy,
                batch_size=batch_size)
        self._frame_call(dataframe, measurement, tags, tag_columns,
                         field_columns, time_precision, numeric_precision,
                         database=database or self._database,
                         retention_policy=retention_policy,
                         batch_size=int(batch_size or 0))
        return True

    def dataframe_to_lines(self, dataframe, measurement, tags=None,
                           tag_columns=None, field_columns=None,
                           time_precision=None, numeric_precision=None):
        """The line protocol write_points would send for the DataFrame (no
        network), as one str."""
        return self._frame_call(dataframe, measurement, tags, tag_columns,
                                field_columns, time_precision,
                                numeric_precision, encode_only=True)

    @staticmethod
    def _frame_points(dataframe, measurement, tags, tag_columns,
                      field_columns, time_precision):
        """The points of protocol="json", typed as the seed types them: each
        row's fields as pandas gives them from an object frame with
        infinities and missing cells left out (so a row of only numbers
        has its integers as floats). Times are exact (the seed divides
        them as floats); missing tags are left out (the seed writes
        "nan"); `tags` apply with or without tag columns (the seed drops
        them without)."""
        div = _DIVISORS[time_precision or "n"]
        times = _time_ns(dataframe.index) // div
        names = [str(c) for c in dataframe.columns]
        frame = dataframe.copy()
        frame.columns = names
        rows = frame[field_columns].astype("object")
        tag_rows = (frame[tag_columns].to_dict("records") if tag_columns
                    else [{}] * len(frame))
        points = []
        for i, ((_, rec), row_tags) in enumerate(zip(rows.iterrows(),
                                                       tag_rows)):
            fields = rec.replace([np.inf, -np.inf], np.nan).dropna().to_dict()
            point_tags = {k: v for k, v in row_tags.items()
                          if v is not None and not pd.isna(v)}
            point_tags.update(tags or {})
            point = {"measurement": measurement, "fields": fields,
                     "time": int(times[i])}
            if point_tags:
                point["tags"] = point_tags
            points.append(point)
        return points

    @staticmethod
    def _check_frame(dataframe, time_precision):
        if not isinstance(dataframe, pd.DataFrame):
            raise TypeError("Must be DataFrame, but type was: {0}."
                            .format(type(dataframe)))
        if not isinstance(dataframe.index, (pd.PeriodIndex,
                                            pd.DatetimeIndex)):
            raise TypeError("Must be DataFrame with DatetimeIndex or "
                            "PeriodIndex.")
        if time_precision not in _PRECISIONS:
            raise ValueError("Invalid time precision is given. "
                             "(use 'n', 'u', 'ms', 's', 'm' or 'h')")

    @staticmethod
    def _split_columns(dataframe, tag_columns, field_columns):
        names = [str(c) for c in dataframe.columns]
        tag_columns = [str(c) for c in (tag_columns or [])]
        field_columns = [str(c) for c in (field_columns or [])]
        if field_columns and not tag_columns:
            tag_columns = [c for c in names if c not in field_columns]
        if not field_columns:
            field_columns = [c for c in names if c not in tag_columns]
        return tag_columns, field_columns

    def _frame_call(self, dataframe, measurement, tags, tag_columns,
                    field_columns, time_precision, numeric_precision, **kw):
        self._check_frame(dataframe, time_precision)
        names = [str(c) for c in dataframe.columns]
        tag_columns, field_columns = self._split_columns(
            dataframe, tag_columns, field_columns)
        columns = []
        for pos, name in enumerate(names):
            if name in tag_columns or name in field_columns:
                columns.append(_column(name, dataframe.iloc[:, pos],
                                       name in tag_columns, "line"))
        try:
            return self._core.write_frame(
                measurement, _time_ns(dataframe.index), columns, tags=tags,
                time_precision=time_precision,
                numeric_precision=numeric_precision, **kw)
        except _core.Error as e:
            _raise(e)

    def query(self, query, params=None, bind_params=None, epoch=None,
              expected_response_code=200, database=None, raise_errors=True,
              chunked=False, chunk_size=0, method="GET", dropna=True,
              data_frame_index=None):
        """Query into DataFrames: {measurement or (measurement, tags):
        DataFrame} for a SELECT, the ResultSet otherwise."""
        if (query.strip().upper().startswith("SELECT") and not chunked
                and epoch is None and not data_frame_index and not params
                and method == "GET" and expected_response_code == 200):
            return self._query_frames(query, bind_params, database,
                                      raise_errors, chunk_size, dropna)
        results = super(DataFrameClient, self).query(
            query, params=params, bind_params=bind_params, epoch=epoch,
            expected_response_code=expected_response_code,
            raise_errors=raise_errors, chunked=chunked, database=database,
            method=method, chunk_size=chunk_size)
        if query.strip().upper().startswith("SELECT"):
            if len(results) > 0:
                return self._to_dataframe(results, dropna, epoch,
                                          data_frame_index=data_frame_index)
            return {}
        return results

    def _query_frames(self, query, bind_params, database, raise_errors,
                      chunk_size, dropna):
        """The query decoded straight into columns by the C core; numeric
        columns and the time index view its memory (no copy)."""
        try:
            stmts = self._core.query_frames(
                query, database or self._database, bind_params,
                int(chunk_size or 0), bool(dropna), _objects)
        except _core.Error as e:
            if not raise_errors and e.args[1] == 0:
                return {}
            _raise(e)
        out = [self._frames_to_dict(frames) for frames in stmts]
        if not out:
            return {}
        return out[0] if len(out) == 1 else out

    @staticmethod
    def _frames_to_dict(frames):
        result = {}
        for name, tags, time, columns in frames:
            # int64 ns read as UTC instants: no copy, no conversion pass.
            index = pd.DatetimeIndex(np.frombuffer(time, dtype=np.int64),
                                     dtype="datetime64[ns, UTC]")
            data = {}
            for col, kind, values, valid in columns:
                mask = None
                if valid is not None:
                    mask = np.unpackbits(np.frombuffer(valid, np.uint8),
                                         bitorder="little")[:len(index)]
                    mask = mask.astype(bool)
                if kind == "g":
                    arr = np.frombuffer(values, np.float64)
                    if mask is not None:
                        arr = np.where(mask, arr, np.nan)
                elif kind == "l":
                    arr = np.frombuffer(values, np.int64)
                    if mask is not None:
                        arr = np.where(mask, arr.astype(np.float64), np.nan)
                elif kind == "b":
                    arr = np.frombuffer(values, np.uint8).astype(bool)
                    if mask is not None:
                        arr = np.where(mask, arr.astype(object), None)
                else:
                    arr = values  # filled by C into _objects(n)
                data[col] = arr
            df = pd.DataFrame(data, index=index, copy=False)
            key = name if not tags else (name, tuple(sorted(tags.items())))
            result[key] = df
        return result

    def _datetime_to_epoch(self, datetime, time_precision="s"):
        """Seconds (float) since the epoch in `time_precision` units."""
        seconds = (datetime - self.EPOCH).total_seconds()
        return {"h": seconds / 3600, "m": seconds / 60, "s": seconds,
                "ms": seconds * 1e3, "u": seconds * 1e6,
                "n": seconds * 1e9}[time_precision]

    def _to_dataframe(self, rs, dropna=True, epoch=None,
                      data_frame_index=None):
        if isinstance(rs, list):
            return [self._to_dataframe(r, dropna, epoch, data_frame_index)
                    for r in rs]
        result = defaultdict(list)
        for key, data in rs.items():
            name, tags = key
            key = name if tags is None else (name,
                                             tuple(sorted(tags.items())))
            df = pd.DataFrame(data)
            if epoch is not None:
                df.time = pd.to_datetime(df.time, unit=_UNITS[epoch])
            else:
                df.time = pd.to_datetime(df.time)
            if data_frame_index:
                df.set_index(data_frame_index, inplace=True)
            else:
                df.set_index("time", inplace=True)
                if df.index.tzinfo is None:
                    df.index = df.index.tz_localize("UTC")
                df.index.name = None
            result[key].append(df)
        for key, frames in result.items():
            df = pd.concat(frames).sort_index()
            if dropna:
                df.dropna(how="all", axis=1, inplace=True)
            result[key] = df
        return result
