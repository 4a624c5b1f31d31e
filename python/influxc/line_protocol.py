"""The seed's line_protocol module, on the C core."""
from influxc import _core


def make_lines(data, precision=None):
    """Line protocol text of ``data`` ({"points": [...], "tags": {...}}),
    exactly as the seed writes it."""
    return _core.make_lines(data, precision)


def make_line(measurement, tags=None, fields=None, time=None, precision=None):
    """One line (without its newline)."""
    point = {"measurement": measurement, "tags": tags or {},
             "fields": fields or {}}
    if time is not None:
        point["time"] = time
    return _core.make_lines({"points": [point]}, precision)[:-1]


def quote_ident(value):
    """An InfluxQL identifier: "text" with \\, " and newlines escaped."""
    return _core.quote_ident(value)


def quote_literal(value):
    """An InfluxQL string: 'text' with \\ and ' escaped."""
    return _core.quote_literal(value)
