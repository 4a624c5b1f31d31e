"""The seed's chunked_json.loads: JSON values one after another."""
from influxc import _core


def loads(s):
    """Yield every JSON value of ``s`` in order (parsed in C)."""
    if isinstance(s, bytes):
        s = s.decode("utf-8")
    yield from _core.json_loads_all(s)
