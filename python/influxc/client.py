"""InfluxDBClient: the seed's API on libinfluxc.

Every byte on the wire is the C library's: HTTP (libcurl), line protocol,
JSON and msgpack decoding. This module maps the seed's arguments, defaults,
return values and exceptions onto it.
"""
import json
import re
from urllib.parse import urlparse

from influxc import _core
from influxc.exceptions import (InfluxDBClientError, InfluxDBServerError,
                                InfluxDBConnectionError)
from influxc.line_protocol import make_lines, quote_ident, quote_literal
from influxc.resultset import ResultSet

_PRECISIONS = ("n", "u", "ms", "s", "m", "h", None)
_CONSISTENCIES = ("any", "one", "quorum", "all", None)
_PRIVILEGES = ("read", "write", "all")
_DURATION = re.compile(r"^(INF|inf|([0-9]+(ns|u|µ|ms|s|m|h|d|w))+)$")
_RESAMPLE = re.compile(r"^\s*(EVERY\s+[0-9]+[a-zµ]+)?\s*(FOR\s+[0-9]+[a-zµ]+)?"
                       r"\s*$", re.IGNORECASE)


# influx_status codes (influxc/error.h) the mapping below needs.
_INVALID_ARG, _NOMEM, _NETWORK, _TIMEOUT, _TLS = 1, 2, 3, 4, 5
_ACK = 16  # replicate: fewer hosts than `ack` stored a batch


def _raise(e):
    """The seed's exception for a failure of the C core: the server's
    answers as InfluxDBClientError (4xx, statement errors, points not
    stored) or InfluxDBServerError (5xx); bad arguments as ValueError;
    an unreachable server as InfluxDBConnectionError. A failed write's
    exception says how many of its points the server stored before it
    stopped (points_written; beyond the seed)."""
    status, http, message, content = e.args[:4]
    if http >= 500:
        exc = InfluxDBServerError(content if content is not None
                                  else message)
    elif http:
        exc = InfluxDBClientError(content if content is not None
                                  else message, http)
    elif status == _INVALID_ARG:
        exc = ValueError(message)
    elif status == _NOMEM:
        exc = MemoryError(message)
    elif status in (_NETWORK, _TIMEOUT, _TLS, _ACK):
        exc = InfluxDBConnectionError(message)
    else:
        exc = InfluxDBClientError(message)
    if len(e.args) > 4:
        exc.points_written = e.args[4]
    raise exc from None


class Response(object):
    """What request() returns: the parts of a requests.Response the seed's
    callers use (status_code, headers, content, text, json())."""

    def __init__(self, status, content_type, version, body):
        self.status_code = status
        self.headers = {}
        if content_type:
            self.headers["Content-Type"] = content_type
        if version:
            self.headers["X-Influxdb-Version"] = version
        self.content = body

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        values = _core.json_loads_all(self.text)
        if len(values) != 1:
            raise ValueError("not one JSON value")
        return values[0]

    def iter_lines(self):
        return iter(self.content.splitlines())


def _pairs(params):
    """[(name, str value)] of a params dict (None values left out)."""
    out = []
    for k, v in (params or {}).items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        out.append((str(k), v if isinstance(v, str) else str(v)))
    return out


class InfluxDBClient(object):
    """The seed's InfluxDBClient (influxdb 5.3), on libinfluxc.

    Deliberate differences: certificates are checked against ``verify_ssl``
    as the seed does (False skips verification, a path is a CA bundle);
    times are exact to the nanosecond; ``with InfluxDBClient() as c``
    binds the client; statement errors of chunked queries are raised.
    """

    def __init__(self, host="localhost", port=8086, username="root",
                 password="root", database=None, ssl=False, verify_ssl=False,
                 timeout=None, retries=3, use_udp=False, udp_port=4444,
                 proxies=None, pool_size=10, path="", cert=None, gzip=False,
                 session=None, headers=None, socket_options=None, *,
                 write_mode="failover", ack="quorum", balance="first",
                 spool_dir=None):
        self.__host = host
        host = _host_list(host)
        self.__port = int(port)
        self._username = username
        self._password = password
        self._database = database
        self._timeout = timeout
        self._retries = retries
        self._verify_ssl = verify_ssl
        self.__use_udp = use_udp
        self.__udp_port = int(udp_port)
        self._session = session
        if not path:
            self.__path = ""
        elif path[0] == "/":
            self.__path = path
        else:
            self.__path = "/" + path
        self._scheme = "https" if ssl is True else "http"
        self._proxies = {} if proxies is None else proxies
        if cert and not ssl:
            raise ValueError("Client certificate provided but ssl is "
                             "disabled.")
        self.__baseurl = "{0}://{1}:{2}{3}".format(
            self._scheme, self._host, self._port, self._path)
        if headers is None:
            headers = {}
        user_headers = ["{0}: {1}".format(k, v) for k, v in headers.items()]
        headers.setdefault("Content-Type", "application/json")
        headers.setdefault("Accept", "application/x-msgpack")
        self._headers = headers
        self._gzip = gzip
        cert_file, key_file = (cert if isinstance(cert, (tuple, list))
                               else (cert, None))
        ca = verify_ssl if isinstance(verify_ssl, str) else None
        self._core = _core.Client(
            host=host, port=self.__port, username=username, password=password,
            database=database, ssl=bool(ssl), verify_ssl=bool(verify_ssl),
            timeout=float(timeout or 0), retries=int(retries),
            use_udp=bool(use_udp), udp_port=self.__udp_port,
            http_proxy=self._proxies.get("http"),
            https_proxy=self._proxies.get("https"), pool_size=int(pool_size),
            path=self.__path, cert=cert_file, cert_key=key_file, ca_cert=ca,
            gzip=bool(gzip), headers=user_headers or None,
            write_mode=_choice("write_mode", write_mode, _WRITE_MODES),
            ack=_choice("ack", ack, _ACKS),
            balance=_choice("balance", balance, _BALANCES),
            spool_dir=spool_dir)

    # ---- the seed's properties ----
    @property
    def _baseurl(self):
        return self.__baseurl

    @property
    def _host(self):
        return self.__host

    @property
    def _port(self):
        return self.__port

    @property
    def _path(self):
        return self.__path

    @property
    def _udp_port(self):
        return self.__udp_port

    @property
    def _use_udp(self):
        return self.__use_udp

    def __enter__(self):
        return self

    def __exit__(self, _exc_type, _exc_value, _traceback):
        self.close()

    @classmethod
    def from_dsn(cls, dsn, **kwargs):
        """A client from "influxdb://user:pass@host:port/db" (schemes
        influxdb, https+influxdb, udp+influxdb); kwargs override."""
        init_args = _parse_dsn(dsn)
        hosts = init_args.pop("hosts")
        host, port = hosts[0]
        # Several hosts (beyond the seed, which kept the first): all of
        # them, for failover reads and the chosen write_mode.
        init_args["host"] = host if len(hosts) == 1 else hosts
        init_args["port"] = port
        init_args.update(kwargs)
        return cls(**init_args)

    def switch_database(self, database):
        """Change the client's database."""
        self._core.switch_database(database)
        self._database = database

    def switch_user(self, username, password):
        """Change the client's credentials."""
        self._core.switch_user(username, password)
        self._username = username
        self._password = password

    def close(self):
        """Close the connections (the client stays usable)."""
        self._core.close()

    # ---- several hosts (beyond the seed) ----
    def hosts(self):
        """Every host's state: a list of dicts (host, port, state "up",
        "down" or "probing", requests, failures, points_stored,
        batches_queued, last_error, ...)."""
        return self._core.hosts()

    def catch_up(self, timeout=10.0):
        """write_mode="replicate": deliver what waits in the hosts' queues,
        in order; raises InfluxDBConnectionError naming the hosts still
        behind after `timeout` seconds."""
        try:
            self._core.catch_up(float(timeout))
        except _core.Error as e:
            _raise(e)

    # ---- requests ----
    def request(self, url, method="GET", params=None, data=None, stream=False,
                expected_response_code=200, headers=None):
        """A raw request; raises the seed's errors for other statuses."""
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
        hdrs = None
        if headers:
            hdrs = ["{0}: {1}".format(k, v) for k, v in headers.items()]
        try:
            status, ctype, version, body = self._core.request(
                url, method, _pairs(params), data, hdrs,
                expected_response_code)
        except _core.Error as e:
            _raise(e)
        response = Response(status, ctype, version, body)
        if 500 <= status < 600:
            raise InfluxDBServerError(response.text)
        if status != expected_response_code:
            raise InfluxDBClientError(response.text, status)
        return response

    def ping(self):
        """The server's version."""
        try:
            return self._core.ping()
        except _core.Error as e:
            _raise(e)

    def write(self, data, params=None, expected_response_code=204,
              protocol="json"):
        """Write {"points": [...]} (json) or line protocol (line)."""
        params = dict(params or {})
        db = params.pop("db", None) or self._database
        rp = params.pop("rp", None)
        precision = params.pop("precision", None)
        consistency = params.pop("consistency", None)
        try:
            if protocol == "json":
                self._core.write_points(data["points"], precision, db, rp,
                                        data.get("tags"), consistency)
            else:
                if isinstance(data, (str, bytes)):
                    data = [data]
                text = "\n".join(d.decode() if isinstance(d, bytes) else d
                                 for d in data) + "\n"
                self._core.write(text, db, rp, precision, consistency,
                                 _pairs(params), expected_response_code)
        except _core.Error as e:
            _raise(e)
        return True

    def write_points(self, points, time_precision=None, database=None,
                     retention_policy=None, tags=None, batch_size=None,
                     protocol="json", consistency=None):
        """Write points (dicts, or lines with protocol="line")."""
        if time_precision not in _PRECISIONS:
            raise ValueError("Invalid time precision is given. "
                             "(use 'n', 'u', 'ms', 's', 'm' or 'h')")
        if consistency not in _CONSISTENCIES:
            raise ValueError("Invalid consistency: {}".format(consistency))
        db = database or self._database
        try:
            if protocol == "json":
                self._core.write_points(points, time_precision, db,
                                        retention_policy, tags, consistency,
                                        int(batch_size or 0))
            else:
                lines = [p.decode() if isinstance(p, bytes) else p
                         for p in ([points] if isinstance(points, str)
                                   else points)]
                size = int(batch_size or 0) or len(lines) or 1
                for i in range(0, len(lines), size):
                    text = "\n".join(lines[i:i + size]) + "\n"
                    if self._use_udp:
                        self._core.send_packet(text)
                    else:
                        self._core.write(text, db, retention_policy,
                                         time_precision, consistency)
        except _core.Error as e:
            _raise(e)
        return True

    def send_packet(self, packet, protocol="json", time_precision=None):
        """Send points over UDP."""
        if protocol == "json":
            data = make_lines(packet, time_precision)
        else:
            data = "\n".join(packet) + "\n"
        try:
            self._core.send_packet(data)
        except _core.Error as e:
            _raise(e)

    def query(self, query, params=None, bind_params=None, epoch=None,
              expected_response_code=200, database=None, raise_errors=True,
              chunked=False, chunk_size=0, method="GET"):
        """Run InfluxQL: a ResultSet (a list of them for several
        statements; a generator of them with chunked=True)."""
        params = dict(params or {})
        # The seed sends what params holds, its own arguments winning: an
        # epoch or chunk_size given only in params takes effect as well.
        if epoch is None and params.get("epoch") is not None:
            epoch = str(params["epoch"])
        if not chunk_size and params.get("chunk_size"):
            chunk_size = int(params["chunk_size"])
        for k in ("q", "db", "epoch", "chunked", "chunk_size"):
            params.pop(k, None)
        binds = None
        if "params" in params or bind_params is not None:
            binds = {}
            if "params" in params:
                loaded = _core.json_loads_all(params.pop("params"))
                if len(loaded) != 1 or not isinstance(loaded[0], dict):
                    raise ValueError("params['params'] is not a JSON object")
                binds.update(loaded[0])
            binds.update(bind_params or {})
        args = (query, database or self._database, epoch, _pairs(params),
                binds, None if method == "GET" else method,
                int(chunk_size or 0), expected_response_code)
        if chunked:
            return self._chunks(args, raise_errors)
        try:
            results = self._core.query(*args)
        except _core.Error as e:
            _raise(e)
        sets = [ResultSet(r, raise_errors=raise_errors) for r in results]
        return sets[0] if len(sets) == 1 else sets

    def _chunks(self, args, raise_errors):
        """One ResultSet per series piece (at most chunk_size rows), read
        while the server sends; statement errors are raised, not dropped
        (JSON and msgpack alike). A refused request raises here, as the
        seed's does, not at the first next()."""
        try:
            pieces = self._core.query_chunks(*args)
            first = next(pieces, None)
        except _core.Error as e:
            _raise(e)

        def results():
            try:
                if first is not None:
                    yield ResultSet(first, raise_errors=raise_errors)
                for result in pieces:
                    yield ResultSet(result, raise_errors=raise_errors)
            except _core.Error as e:
                _raise(e)
        return results()

    # ---- administration: every name and string quoted ----
    def get_list_database(self):
        """[{"name": db}, ...]"""
        return list(self.query("SHOW DATABASES").get_points())

    def get_list_series(self, database=None, measurement=None, tags=None):
        """The series keys of a database (optionally of a measurement and
        tags)."""
        q = "SHOW SERIES"
        if measurement:
            q += " FROM " + quote_ident(measurement)
        if tags:
            q += " WHERE " + " AND ".join(
                "{0}={1}".format(quote_ident(k), quote_literal(str(v)))
                for k, v in tags.items())
        rs = self.query(q, database=database or self._database)
        return [v for point in rs.get_points() for v in point.values()]

    def create_database(self, dbname):
        self.query("CREATE DATABASE " + quote_ident(dbname), method="POST")

    def drop_database(self, dbname):
        self.query("DROP DATABASE " + quote_ident(dbname), method="POST")

    def get_list_measurements(self):
        return list(self.query("SHOW MEASUREMENTS").get_points())

    def drop_measurement(self, measurement):
        self.query("DROP MEASUREMENT " + quote_ident(measurement),
                   method="POST")

    def create_retention_policy(self, name, duration, replication,
                                database=None, default=False,
                                shard_duration="0s"):
        q = "CREATE RETENTION POLICY {0} ON {1} DURATION {2} REPLICATION " \
            "{3} SHARD DURATION {4}".format(
                quote_ident(name), quote_ident(database or self._database),
                _duration(duration), int(replication),
                _duration(shard_duration))
        if default is True:
            q += " DEFAULT"
        self.query(q, method="POST")

    def alter_retention_policy(self, name, database=None, duration=None,
                               replication=None, default=None,
                               shard_duration=None):
        q = "ALTER RETENTION POLICY {0} ON {1}".format(
            quote_ident(name), quote_ident(database or self._database))
        if duration:
            q += " DURATION " + _duration(duration)
        if shard_duration:
            q += " SHARD DURATION " + _duration(shard_duration)
        if replication:
            q += " REPLICATION {0}".format(int(replication))
        if default is True:
            q += " DEFAULT"
        self.query(q, method="POST")

    def drop_retention_policy(self, name, database=None):
        self.query("DROP RETENTION POLICY {0} ON {1}".format(
            quote_ident(name), quote_ident(database or self._database)),
            method="POST")

    def get_list_retention_policies(self, database=None):
        if not (database or self._database):
            raise InfluxDBClientError(
                "get_list_retention_policies() requires a database as a "
                "parameter or the client to be using a database")
        rs = self.query("SHOW RETENTION POLICIES ON " +
                        quote_ident(database or self._database))
        return list(rs.get_points())

    def get_list_users(self):
        return list(self.query("SHOW USERS").get_points())

    def create_user(self, username, password, admin=False):
        q = "CREATE USER {0} WITH PASSWORD {1}".format(
            quote_ident(username), quote_literal(password))
        if admin:
            q += " WITH ALL PRIVILEGES"
        self.query(q, method="POST")

    def drop_user(self, username):
        self.query("DROP USER " + quote_ident(username), method="POST")

    def set_user_password(self, username, password):
        self.query("SET PASSWORD FOR {0} = {1}".format(
            quote_ident(username), quote_literal(password)), method="POST")

    def delete_series(self, database=None, measurement=None, tags=None):
        q = "DROP SERIES"
        if measurement:
            q += " FROM " + quote_ident(measurement)
        if tags:
            q += " WHERE " + " AND ".join(
                "{0}={1}".format(quote_ident(k), quote_literal(str(v)))
                for k, v in tags.items())
        self.query(q, database=database or self._database, method="POST")

    def grant_admin_privileges(self, username):
        self.query("GRANT ALL PRIVILEGES TO " + quote_ident(username),
                   method="POST")

    def revoke_admin_privileges(self, username):
        self.query("REVOKE ALL PRIVILEGES FROM " + quote_ident(username),
                   method="POST")

    def grant_privilege(self, privilege, database, username):
        self.query("GRANT {0} ON {1} TO {2}".format(
            _privilege(privilege), quote_ident(database),
            quote_ident(username)), method="POST")

    def revoke_privilege(self, privilege, database, username):
        self.query("REVOKE {0} ON {1} FROM {2}".format(
            _privilege(privilege), quote_ident(database),
            quote_ident(username)), method="POST")

    def get_list_privileges(self, username):
        return list(self.query("SHOW GRANTS FOR " +
                               quote_ident(username)).get_points())

    def get_list_continuous_queries(self):
        rs = self.query("SHOW CONTINUOUS QUERIES")
        return [{key[0]: list(points)} for key, points in rs.items()]

    def create_continuous_query(self, name, select, database=None,
                                resample_opts=None):
        if resample_opts and not _RESAMPLE.match(resample_opts):
            raise ValueError("resample_opts must be 'EVERY <duration>' "
                             "and/or 'FOR <duration>'")
        q = "CREATE CONTINUOUS QUERY {0} ON {1}{2} BEGIN {3} END".format(
            quote_ident(name), quote_ident(database or self._database),
            " RESAMPLE " + resample_opts if resample_opts else "", select)
        self.query(q, method="POST")

    def drop_continuous_query(self, name, database=None):
        self.query("DROP CONTINUOUS QUERY {0} ON {1}".format(
            quote_ident(name), quote_ident(database or self._database)),
            method="POST")


def _duration(d):
    """A duration literal, checked (it is not quoted in InfluxQL)."""
    d = str(d)
    if not _DURATION.match(d):
        raise ValueError("{0!r} is not a duration (such as 1h, 90m, 7d, "
                         "INF)".format(d))
    return d


def _privilege(p):
    """READ, WRITE or ALL; anything else goes as a quoted name, so the
    server refuses it (as it did the seed's) and nothing is injected."""
    if isinstance(p, str) and p.lower() in _PRIVILEGES:
        return p.upper()
    return quote_ident(str(p))


_WRITE_MODES = ("failover", "replicate")
_ACKS = ("quorum", "any", "all")  # in the C core's order
_BALANCES = ("first", "random")


def _choice(name, value, names):
    if value not in names:
        raise ValueError("{0} must be one of {1}, not {2!r}".format(
            name, ", ".join(names), value))
    return names.index(value)


def _host_list(host):
    """A host, "h1:8086,h2", or a list of "host[:port]" / (host, port)."""
    if isinstance(host, (list, tuple)):
        parts = []
        for h in host:
            if isinstance(h, (list, tuple)):
                name, port = h
                name = "[{0}]".format(name) if ":" in name else name
                parts.append("{0}:{1}".format(name, int(port)))
            else:
                parts.append(str(h))
        return ",".join(parts)
    return host


def _parse_dsn(dsn):
    """The seed's DSN form: scheme, user:pass@host:port,host2..., /db."""
    conn = urlparse(dsn)
    scheme = conn.scheme.split("+")
    modifier, scheme = (None, scheme[0]) if len(scheme) == 1 else scheme
    if scheme != "influxdb":
        raise ValueError('Unknown scheme "{0}".'.format(scheme))
    args = {}
    if modifier == "udp":
        args["use_udp"] = True
    elif modifier == "https":
        args["ssl"] = True
    elif modifier:
        raise ValueError('Unknown modifier "{0}".'.format(modifier))
    args["hosts"] = []
    for netloc in conn.netloc.split(","):
        info = urlparse("http://{0}".format(netloc))
        args["hosts"].append((info.hostname or "localhost",
                              int(info.port or 8086)))
        args["username"] = info.username or None
        args["password"] = info.password or None
    if conn.path and len(conn.path) > 1:
        args["database"] = conn.path[1:]
    return args
