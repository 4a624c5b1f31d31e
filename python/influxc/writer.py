"""influxc.Writer: a batching writer that sends in the background,
retries what can succeed, holds a bounded buffer and (with a spool
directory) keeps every accepted point on disk until the server has it."""
from influxc import _core
from influxc.client import _raise


class Writer(object):
    """with Writer(client, batch_size=5000) as w: w.write(points)

    write() takes point dicts (the seed's write_points form) and returns at
    once unless the buffer is full (then it waits, or with
    overflow="drop_oldest" drops the oldest waiting batch). Batches go out
    on the writer's threads; failures are retried with backoff
    (max_retries: a count, None for no limit). flush() waits until every
    point accepted so far is settled and raises InfluxDBClientError if any
    was refused or given up; close() flushes, stops and returns the final
    counters.
    """

    def __init__(self, client, database=None, retention_policy=None,
                 time_precision=None, consistency=None, batch_size=5000,
                 flush_interval=1.0, max_retries=5, retry_interval=1.0,
                 max_retry_delay=30.0, max_retry_time=180.0,
                 buffer_size=64 << 20, spool_dir=None, parallel=1,
                 overflow="block"):
        if overflow not in ("block", "drop_oldest"):
            raise ValueError("overflow must be 'block' or 'drop_oldest'")
        if max_retries is not None and int(max_retries) < 1:
            raise ValueError("max_retries must be at least 1, or None")
        try:
            self._w = _core.Writer(
                client._core, database or client._database, retention_policy,
                time_precision, consistency, int(batch_size),
                float(flush_interval),
                -1 if max_retries is None else int(max_retries),
                float(retry_interval), float(max_retry_delay),
                -1.0 if max_retry_time is None else float(max_retry_time),
                int(buffer_size), spool_dir, int(parallel),
                overflow == "drop_oldest")
        except _core.Error as e:
            _raise(e)

    def write(self, points, time_precision=None):
        """Accept points (dicts): all of them, or none on a bad point."""
        try:
            return self._w.write(points, time_precision)
        except _core.Error as e:
            _raise(e)

    def write_lines(self, lines):
        """Accept line protocol (a str, or a list of lines)."""
        if not isinstance(lines, (str, bytes)):
            lines = "\n".join(lines) + "\n"
        try:
            self._w.write_lines(lines)
        except _core.Error as e:
            _raise(e)

    def flush(self):
        """Wait until everything accepted is written (or given up)."""
        try:
            self._w.flush()
        except _core.Error as e:
            _raise(e)

    @property
    def stats(self):
        """Counters: accepted, written, rejected, dropped, recovered,
        retries, batches, pending, pending_bytes, and unconfirmed (of
        rejected: given up after the batch went out whole and no answer
        came, so the server may have stored them)."""
        return self._w.stats()

    def close(self):
        """Flush, stop the threads; the final counters."""
        try:
            return self._w.close()
        except _core.Error as e:
            _raise(e)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
