"""ResultSet: one statement's result, with the seed's semantics."""
import warnings

from influxc.exceptions import InfluxDBClientError

_MISSING = object()


def _series_key(series):
    return (series.get("measurement", series.get("name", "results")),
            series.get("tags", None))


class ResultSet(object):
    """A wrapper around a single InfluxDB query result."""

    def __init__(self, series, raise_errors=True):
        self._raw = series
        self._error = series.get("error", None)
        if self._error is not None and raise_errors is True:
            raise InfluxDBClientError(self._error)

    @property
    def raw(self):
        """The statement's result as the server gave it."""
        return self._raw

    @raw.setter
    def raw(self, value):
        self._raw = value

    @property
    def error(self):
        """The statement's error, or None."""
        return self._error

    def __getitem__(self, key):
        """Points of a series name, a tags dict or a (name, tags) tuple."""
        warnings.warn("ResultSet's ``__getitem__`` method will be deprecated."
                      " Use``get_points`` instead.", DeprecationWarning)
        if isinstance(key, tuple):
            if len(key) != 2:
                raise TypeError("only 2-tuples allowed")
            name, tags = key
            if tags is not None and not isinstance(tags, dict):
                raise TypeError("tags should be a dict")
        elif isinstance(key, dict):
            name, tags = None, key
        else:
            name, tags = key, None
        return self.get_points(name, tags)

    def get_points(self, measurement=None, tags=None):
        """Yield the points (dicts) of the series that match the filters."""
        if measurement is not None and not isinstance(measurement,
                                                      (str, bytes)):
            raise TypeError("measurement must be an str or None")
        for series in self._get_series():
            name = series.get("measurement", series.get("name", "results"))
            if name is None:
                if tags is None:
                    yield from self._get_points_for_series(series)
            elif measurement is None or measurement == name:
                series_tags = series.get("tags", {})
                for point in self._get_points_for_series(series):
                    if (tags is None or self._tag_matches(point, tags)
                            or self._tag_matches(series_tags, tags)):
                        yield point

    def __repr__(self):
        return "ResultSet({%s})" % ", ".join(
            "'%s': %s" % (key, list(points)) for key, points in self.items())

    def __iter__(self):
        for key in self.keys():
            yield list(self.__getitem__(key))

    @staticmethod
    def _tag_matches(tags, wanted):
        return all(tags.get(k, _MISSING) == v for k, v in wanted.items())

    def _get_series(self):
        return self.raw.get("series", [])

    def __len__(self):
        return len(self.keys())

    def keys(self):
        """[(series name, tags)] of the series."""
        return [_series_key(s) for s in self._get_series()]

    def items(self):
        """[((series name, tags), points generator)] of the series."""
        return [(_series_key(s), self._get_points_for_series(s))
                for s in self._get_series()]

    def _get_points_for_series(self, series):
        columns = series["columns"] if "values" in series else None
        for values in series.get("values", []):
            yield dict(zip(columns, values))

    @staticmethod
    def point_from_cols_vals(cols, vals):
        """A dict of columns to values."""
        return dict(zip(cols, vals))
