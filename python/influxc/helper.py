"""SeriesHelper: the seed's bulk-writing helper, thread-safe."""
import threading
from collections import defaultdict, namedtuple
from datetime import datetime
from warnings import warn

_PRECISIONS = ["h", "m", "s", "ms", "u", "ns", None]


class SeriesHelper(object):
    """Subclass with a ``Meta`` class (series_name, fields, tags; optional
    client, bulk_size, autocommit, retention_policy, time_precision); each
    instance is a data point, written in bulk by commit()."""

    __initialized__ = False

    def __new__(cls, *args, **kwargs):
        if not cls.__initialized__:
            cls._setup()
        return super(SeriesHelper, cls).__new__(cls)

    @classmethod
    def _setup(cls):
        cls.__initialized__ = True
        meta = getattr(cls, "Meta", None)
        if meta is None:
            raise AttributeError("Missing Meta class in {0}.".format(
                cls.__name__))
        for attr in ("series_name", "fields", "tags"):
            if not hasattr(meta, attr):
                raise AttributeError("Missing {0} in {1} Meta class.".format(
                    attr, cls.__name__))
            setattr(cls, "_" + attr, getattr(meta, attr))
        cls._autocommit = getattr(meta, "autocommit", False)
        cls._time_precision = getattr(meta, "time_precision", None)
        if cls._time_precision not in _PRECISIONS:
            raise AttributeError(
                "In {}, time_precision is set, but invalid use any of {}."
                .format(cls.__name__, ",".join(p for p in _PRECISIONS if p)))
        cls._retention_policy = getattr(meta, "retention_policy", None)
        cls._client = getattr(meta, "client", None)
        if cls._autocommit and not cls._client:
            raise AttributeError(
                "In {0}, autocommit is set to True, but no client is set."
                .format(cls.__name__))
        if hasattr(meta, "bulk_size"):
            cls._bulk_size = meta.bulk_size
            if cls._bulk_size < 1 and cls._autocommit:
                warn("Definition of bulk_size in {0} forced to 1, was less "
                     "than 1.".format(cls.__name__))
                cls._bulk_size = 1
            if not cls._autocommit:
                warn("Definition of bulk_size in {0} has no affect because"
                     " autocommit is false.".format(cls.__name__))
        else:
            cls._bulk_size = -1
        cls._datapoints = defaultdict(list)
        cls._lock = threading.RLock()
        if "time" in cls._fields:
            cls._fields.remove("time")
        cls._type = namedtuple(cls.__name__,
                               ["time"] + cls._tags + cls._fields)
        cls._type.__new__.__defaults__ = (None,) * len(cls._fields)

    def __init__(self, **kw):
        cls = self.__class__
        timestamp = kw.pop("time", self._current_timestamp())
        tags, fields, keys = set(cls._tags), set(cls._fields), set(kw)
        if not tags <= keys:
            raise NameError("Expected arguments to contain all tags {0}, "
                            "instead got {1}.".format(cls._tags, kw.keys()))
        if not keys - tags <= fields:
            raise NameError("Got arguments not in tags or fields: {0}"
                            .format(keys - tags - fields))
        with cls._lock:
            cls._datapoints[cls._series_name.format(**kw)].append(
                cls._type(time=timestamp, **kw))
            full = cls._autocommit and sum(
                len(s) for s in cls._datapoints.values()) >= cls._bulk_size
        if full:
            cls.commit()

    @classmethod
    def commit(cls, client=None):
        """Write every pending point with ``client`` (or Meta's); returns
        what write_points returns. Points stay pending if it fails."""
        if not client:
            client = cls._client
        with cls._lock:
            body = cls._json_body_()
            rtn = client.write_points(body,
                                      time_precision=cls._time_precision,
                                      retention_policy=cls._retention_policy)
            cls._reset_()
        return rtn

    @classmethod
    def _json_body_(cls):
        """The pending points as write_points dicts."""
        if not cls.__initialized__:
            cls._reset_()
        body = []
        for series_name, data in list(cls._datapoints.items()):
            for point in data:
                fields = {f: getattr(point, f) for f in cls._fields
                          if getattr(point, f) is not None}
                tags = {t: getattr(point, t) for t in cls._tags}
                body.append({"measurement": series_name, "fields": fields,
                             "tags": tags, "time": getattr(point, "time")})
        return body

    @classmethod
    def _reset_(cls):
        """Drop the pending points."""
        cls._datapoints = defaultdict(list)

    @staticmethod
    def _current_timestamp():
        return datetime.utcnow()
