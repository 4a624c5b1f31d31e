"""The seed's exceptions: InfluxDBClientError and InfluxDBServerError."""


class InfluxDBClientError(Exception):
    """A request the server refused (4xx), or a statement that failed.

    ``content`` is the server's text, ``code`` the HTTP status (None for a
    statement error inside a successful response).
    """

    def __init__(self, content, code=None):
        if isinstance(content, bytes):
            content = content.decode("utf-8", "replace")
        super().__init__("{0}: {1}".format(code, content))
        self.content = content
        self.code = code


class InfluxDBServerError(Exception):
    """The server failed (5xx). ``content`` is its text."""

    def __init__(self, content):
        if isinstance(content, bytes):
            content = content.decode("utf-8", "replace")
        super().__init__(content)
        self.content = content


class InfluxDBConnectionError(ConnectionError):
    """The server could not be reached (connection, timeout, TLS)."""
