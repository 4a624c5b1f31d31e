"""ResultSet: one statement's result, with the seed's semantics.

A ResultSet made by a query reads its statement from the C result: points
are built from the decoded values as get_points() yields them, and the
seed's raw dict (lists of lists) is only made if `raw` is read. One made
from a dict (as the seed's tests and users do) works on the dict."""
import warnings

from influxc import _core
from influxc.exceptions import InfluxDBClientError

_MISSING = object()


def _series_key(series):
    return (series.get("measurement", series.get("name", "results")),
            series.get("tags", None))


class ResultSet(object):
    """A wrapper around a single InfluxDB query result."""

    def __init__(self, series, raise_errors=True):
        if isinstance(series, _core.Statement):
            self._stmt, self._raw = series, None
            self._error = series.error()
        else:
            self._stmt, self._raw = None, series
            self._error = series.get("error", None)
        if self._error is not None and raise_errors is True:
            raise InfluxDBClientError(self._error)

    @property
    def raw(self):
        """The statement's result as the server gave it."""
        if self._raw is None:
            self._raw = self._stmt.raw()
        return self._raw

    @raw.setter
    def raw(self, value):
        self._raw, self._stmt = value, None

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
        for i, (name, series_tags) in enumerate(self.keys()):
            if name is None:
                if tags is None:
                    yield from self._points_at(i)
            elif measurement is None or measurement == name:
                if tags is None or self._tag_matches(series_tags or {}, tags):
                    yield from self._points_at(i)
                else:
                    for point in self._points_at(i):
                        if self._tag_matches(point, tags):
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

    def _points_at(self, i):
        if self._stmt is not None and self._raw is None:
            return self._stmt.points(i)
        return self._get_points_for_series(self._get_series()[i])

    def __len__(self):
        return len(self.keys())

    def keys(self):
        """[(series name, tags)] of the series."""
        if self._stmt is not None and self._raw is None:
            return [("results" if name is None else name, tags)
                    for name, tags in self._stmt.series()]
        return [_series_key(s) for s in self._get_series()]

    def items(self):
        """[((series name, tags), points generator)] of the series."""
        return [(key, self._points_at(i))
                for i, key in enumerate(self.keys())]

    def _get_points_for_series(self, series):
        columns = series["columns"] if "values" in series else None
        for values in series.get("values", []):
            yield dict(zip(columns, values))

    @staticmethod
    def point_from_cols_vals(cols, vals):
        """A dict of columns to values."""
        return dict(zip(cols, vals))
