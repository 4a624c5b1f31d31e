"""What influxc stores is what the caller wrote (issue 24).

The server is the judge: every test writes through influxc into one
database and, where the seed (python3-influxdb) can write the same input,
through the seed into another of the same real server, and compares what
the server then holds -- every series, time, field value and field type,
read back by one neutral reader. Inputs come from hypothesis (Debian's
python3-hypothesis), seeded and bounded; where the seed is wrong, the
expected value is the exact one, and docs/python.md says why. A failing
example hypothesis finds is kept below as a regular test."""
import gzip
import http.server
import math
import os
import threading
import unittest
import warnings

import influxdb  # the reference: Debian's python3-influxdb
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import influxc
from influxc import DataFrameClient, InfluxDBClient
from influxc.exceptions import InfluxDBClientError

warnings.simplefilter("ignore", FutureWarning)
SRV = os.environ["INFLUXC_SRV_DIR"]
_n = [0]
# Seeded, bounded: the same examples on every run, well inside CI's time.
EXAMPLES = int(os.environ.get("INFLUXC_HYPOTHESIS_EXAMPLES", "25"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    database=None, print_blob=True,
                    suppress_health_check=list(HealthCheck))


def port(variant="plain"):
    with open(os.path.join(SRV, variant, "port")) as f:
        return int(f.read())


def fresh_db(prefix):
    _n[0] += 1
    return "{0}_{1}_{2}".format(prefix, os.getpid(), _n[0])


# The neutral reader: the seed over JSON with epoch=ns (exact integers;
# its msgpack path rounds times), plus the field types influxd recorded.
def stored(db, variant="plain"):
    reader = influxdb.InfluxDBClient(
        "127.0.0.1", port(variant), database=db,
        headers={"Accept": "application/json"})
    out = {}
    rs = reader.query("SELECT * FROM /.*/ GROUP BY *", epoch="ns")
    for (name, tags), points in rs.items():
        for p in points:
            t = p.pop("time")
            fields = {k: v for k, v in p.items() if v is not None}
            # GROUP BY * gives a series without tag k as k="".
            key = (name, tuple(sorted((k, v) for k, v in (tags or {}).items()
                                      if v != "")), t)
            assert key not in out, key
            out[key] = fields
    types = {}
    for (name, _), keys in reader.query("SHOW FIELD KEYS").items():
        for k in keys:
            types[(name, k["fieldKey"])] = k["fieldType"]
    return out, types


class Capture(object):
    """A loopback HTTP server that keeps each write's body and answers
    204: the bytes a client sends, as sent."""

    def __init__(self):
        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                bodies.append(body)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def take(self):
        out = b"".join(self.bodies)
        del self.bodies[:]
        return out

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


class Server(unittest.TestCase):
    def setUp(self):
        self.dbs = []

    def tearDown(self):
        self.drop_all()

    def drop_all(self):
        # Each generated example drops the databases of the one before
        # (setUp and tearDown run once for all of a test's examples).
        c = InfluxDBClient("127.0.0.1", port())
        for db in self.dbs:
            c.drop_database(db)
        self.dbs = []

    def pair(self, cls_ours=InfluxDBClient, cls_seed=influxdb.InfluxDBClient,
             **kw):
        """(ours, seed) clients, each on a fresh database of its own."""
        self.drop_all()
        a, b = fresh_db("ours"), fresh_db("seed")
        self.dbs += [a, b]
        ours = cls_ours("127.0.0.1", port(), database=a, **kw)
        seed = cls_seed("127.0.0.1", port(), database=b, **kw)
        ours.create_database(a)
        ours.create_database(b)
        return ours, seed, a, b


# ---- generated points ----

NAMES = st.sampled_from(["m", "cpu load", "a,b", "x=y", "\u00e9t\u00e9"])
TAG_KEYS = st.sampled_from(["host", "dc", "k y", "a=b"])
# No backslash in tags: the seed doubles them (its issue #896); we keep
# them exact (test_tag_backslashes_exact).
TAG_VALUES = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                   blacklist_characters="\\"),
                     min_size=1, max_size=6)
# One type per field key (a key of two types is a field type conflict).
FIELD_VALUES = {
    "f": st.floats(allow_nan=False, allow_infinity=False),
    "i": st.integers(-2 ** 63, 2 ** 63 - 1),
    "b": st.booleans(),
    "s": st.text(st.characters(blacklist_categories=("Cs",),
                               blacklist_characters="\x00\n"), max_size=8),
    # No newline: the seed writes it as the two characters \n (we store
    # the newline; test_string_newlines_exact).
    "s 2": st.text(st.sampled_from('ab"\\,= \r\t'), max_size=6),
}
# Few distinct times so that series and times repeat.
TIMES = st.sampled_from([1, 2, 3, 1500000000, 1500000001])


@st.composite
def points(draw):
    n = draw(st.integers(1, 60))
    out = []
    for _ in range(n):
        fields = {}
        for k in draw(st.lists(st.sampled_from(sorted(FIELD_VALUES)),
                               min_size=1, max_size=3, unique=True)):
            fields[k] = draw(FIELD_VALUES[k])
        p = {"measurement": draw(NAMES),
             "tags": draw(st.dictionaries(TAG_KEYS, TAG_VALUES, max_size=2)),
             "fields": fields,
             "time": draw(TIMES)}
        out.append(p)
    return out


class GeneratedPoints(Server):
    @PROPERTY
    @given(pts=points(), batch=st.sampled_from([None, 1, 3, 7, 50]),
           precision=st.sampled_from([None, "s", "ms", "u"]),
           pool=st.sampled_from([1, 2, 10]))
    def test_write_points_stores_what_the_seed_stores(self, pts, batch,
                                                      precision, pool):
        ours, seed, a, b = self.pair(pool_size=pool)
        ours.write_points(pts, time_precision=precision, batch_size=batch)
        seed.write_points(pts, time_precision=precision, batch_size=batch)
        self.assertEqual(stored(a), stored(b))

    @PROPERTY
    @given(pts=points(), gz=st.booleans())
    def test_make_lines_is_what_write_points_sends(self, pts, gz):
        # The bytes write_points sends are make_lines' bytes, which are
        # the seed's (issue 24: floats went as "12" where make_lines and
        # the seed write "12.0"); written as lines, they store exactly
        # what the points store.
        cap = Capture()
        try:
            InfluxDBClient("127.0.0.1", cap.port, database="d",
                           gzip=gz).write_points(pts)
            sent = cap.take()
        finally:
            cap.close()
        text = influxc.line_protocol.make_lines({"points": pts})
        self.assertEqual(sent.decode(), text)
        self.assertEqual(text, influxdb.line_protocol.make_lines(
            {"points": pts}))
        ours, _, a, b = self.pair()
        ours.write_points(pts)
        ours.write(text, params={"db": b}, protocol="line")
        self.assertEqual(stored(a), stored(b))

    @PROPERTY
    @given(pts=points(), epoch=st.sampled_from([None, "s", "ms", "u", "ns"]),
           chunked=st.booleans(), json=st.booleans())
    def test_queries_answer_what_the_seed_answers(self, pts, epoch, chunked,
                                                  json):
        headers = {"Accept": "application/json"} if json else None
        ours, seed, a, _ = self.pair(headers=headers)
        seed.write_points(pts)
        seed.switch_database(a)
        q = "SELECT * FROM /.*/ GROUP BY *"
        if chunked and not json:
            # The seed's chunked msgpack path crashes (its issue); its
            # JSON one is the reference for chunks.
            return
        def rows(c):
            res = c.query(q, epoch=epoch, chunked=chunked, chunk_size=7)
            sets = list(res) if chunked else [res]
            got = {}
            for rs in sets:
                for key, ps in rs.items():
                    k = (key[0], tuple(sorted((key[1] or {}).items())))
                    got.setdefault(k, []).extend(ps)
            return got
        self.assertEqual(rows(ours), rows(seed))


# ---- generated DataFrames ----

@st.composite
def frames(draw, seed_dtypes):
    n = draw(st.integers(1, 25))
    # Within one week: one shard per database.
    secs = draw(st.lists(st.integers(1577836800, 1577836800 + 5 * 86400),
                         min_size=n, max_size=n))
    tz = draw(st.sampled_from([None, "UTC", "Europe/Berlin"]))
    idx = pd.to_datetime(np.array(secs, dtype=np.int64) * 10 ** 9)
    if tz:
        idx = idx.tz_localize("UTC").tz_convert(tz)
    cols = {}
    fl = st.floats(allow_nan=False, allow_infinity=False)
    missing = st.booleans()
    cols["f"] = [draw(fl) if not draw(missing) else np.nan for _ in range(n)]
    cols["i"] = np.array(draw(st.lists(st.integers(-2 ** 63, 2 ** 63 - 1),
                                       min_size=n, max_size=n)),
                         dtype=np.int64)
    cols["b"] = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                 blacklist_characters='\\"'),
                   min_size=1, max_size=6)
    cols["s"] = [draw(text) if not draw(missing) else None
                 for _ in range(n)]
    # No quote: untagged, host is a string field, and the seed writes a
    # DataFrame's strings unescaped ("unbalanced quotes").
    tagv = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                 blacklist_characters='\\"'),
                   min_size=1, max_size=4)
    cols["host"] = [draw(tagv) for _ in range(n)]
    if not seed_dtypes:
        # pandas' own missing values: the seed writes "<NA>" or fails.
        cols["I"] = pd.array([None if draw(missing) else draw(
            st.integers(-2 ** 63 + 1, 2 ** 63 - 1)) for _ in range(n)],
            dtype="Int64")
        cols["B"] = pd.array([None if draw(missing) else draw(st.booleans())
                              for _ in range(n)], dtype="boolean")
        cols["F"] = pd.array([None if draw(missing) else draw(fl)
                              for _ in range(n)], dtype="Float64")
        cols["S"] = pd.array([None if draw(missing) else draw(text)
                              for _ in range(n)], dtype="string")
        cols["C"] = pd.Categorical([None if draw(missing) else draw(
            st.sampled_from(["lo", "hi"])) for _ in range(n)])
    df = pd.DataFrame(cols, index=idx)
    # Times repeat in the generated list: one row per time, the last.
    df = df[~df.index.duplicated(keep="last")]
    return df


def expected(df, measurement, tag_columns):
    """What the server must hold for `df`: every cell that is not missing,
    exactly, as its dtype's field type."""
    out, types = {}, {}
    kind = {"f": "float", "i": "integer", "u": "integer", "b": "boolean",
            "O": "string"}
    for pos, t in enumerate(df.index.tz_convert("UTC")
                            if df.index.tz is not None else df.index):
        tags = tuple(sorted((c, df[c].iloc[pos]) for c in tag_columns
                            if not pd.isna(df[c].iloc[pos])))
        fields = {}
        for c in df.columns:
            if c in tag_columns:
                continue
            v = df[c].iloc[pos]
            if v is None or v is pd.NA or (isinstance(v, float)
                                           and math.isnan(v)):
                continue
            if isinstance(v, (bool, np.bool_)):
                fields[c] = bool(v)
            elif isinstance(v, (int, np.integer)):
                fields[c] = int(v)
            elif isinstance(v, (float, np.floating)):
                fields[c] = float(v)
            else:
                fields[c] = str(v)
            types[(measurement, c)] = kind.get(df[c].dtype.kind, "string")
        out[(measurement, tags, int(pd.Timestamp(t).value))] = fields
    return out, types


def same_values(test, got, want):
    """Stored values compared exactly; JSON gives a float that is whole as
    an int (1 for 1.0), which the recorded field type tells apart."""
    test.assertEqual(set(got[0]), set(want[0]))
    for k, fields in want[0].items():
        test.assertEqual(set(got[0][k]), set(fields), k)
        for f, v in fields.items():
            g = got[0][k][f]
            if isinstance(v, float):
                test.assertTrue(float(g) == v, (k, f, g, v))
            else:
                test.assertEqual(g, v, (k, f))
    for k, t in want[1].items():
        test.assertEqual(got[1].get(k), t, k)


class GeneratedFrames(Server):
    @PROPERTY
    @given(df=frames(seed_dtypes=True), tagged=st.booleans(),
           batch=st.sampled_from([None, 1, 4]))
    def test_write_points_stores_what_the_seed_stores(self, df, tagged,
                                                      batch):
        ours, seed, a, b = self.pair(DataFrameClient,
                                     influxdb.DataFrameClient)
        tc = ["host"] if tagged else []
        ours.write_points(df, "m", tag_columns=tc, batch_size=batch)
        seed.write_points(df, "m", tag_columns=tc, batch_size=batch)
        self.assertEqual(stored(a), stored(b))
        same_values(self, stored(a), expected(df, "m", tc))

    @PROPERTY
    @given(df=frames(seed_dtypes=False), tagged=st.booleans())
    def test_nullable_dtypes_stored_exactly(self, df, tagged):
        # The seed writes pd.NA as the text "<NA>" or fails on nullable
        # dtypes: the exact expected contents are the reference.
        ours, _, a, _ = self.pair(DataFrameClient, influxdb.DataFrameClient)
        tc = ["host"] if tagged else []
        ours.write_points(df, "m", tag_columns=tc)
        same_values(self, stored(a), expected(df, "m", tc))

    @PROPERTY
    @given(df=frames(seed_dtypes=True))
    def test_json_protocol_types_as_the_seed(self, df):
        # protocol="json": fields typed as the seed types them (a row of
        # numbers only has its integers as floats). Times whole seconds
        # (the seed divides ns times as floats).
        ours, seed, a, b = self.pair(DataFrameClient,
                                     influxdb.DataFrameClient)
        df = df.drop(columns=["s"])
        ours.write_points(df, "m", tag_columns=["host"], tags={"g": "1"},
                          protocol="json")
        seed.write_points(df, "m", tag_columns=["host"], tags={"g": "1"},
                          protocol="json")
        self.assertEqual(stored(a), stored(b))


# ---- regressions: each of these failed before issue 24 ----

class Regressions(Server):
    def test_later_points_win(self):
        # 5,000 points whose series and times repeat, batches of 50 over
        # the pool: the seed's last point always wins, and so must ours.
        pts = [{"measurement": "m", "tags": {"host": "h%d" % (i % 10)},
                "time": 1 + (i // 10) % 5, "fields": {"v": i}}
               for i in range(5000)]
        for _ in range(5):
            ours, seed, a, b = self.pair()
            ours.write_points(pts, batch_size=50)
            seed.write_points(pts, batch_size=50)
            self.assertEqual(stored(a), stored(b))
            got = stored(a)[0]
            for (_, tags, t), fields in got.items():
                h = int(dict(tags)["host"][1:])
                self.assertEqual(fields["v"], 4950 + (t - 1) * 10 + h)

    def test_later_rows_win_in_frames(self):
        idx = pd.to_datetime(np.repeat(np.arange(5) * 10 ** 9, 1000))
        df = pd.DataFrame({"v": np.arange(5000), "host": ["a"] * 5000},
                          index=idx)
        ours, seed, a, b = self.pair(DataFrameClient,
                                     influxdb.DataFrameClient)
        ours.write_points(df, "m", tag_columns=["host"], batch_size=50)
        seed.write_points(df, "m", tag_columns=["host"], batch_size=50)
        self.assertEqual(stored(a), stored(b))
        self.assertEqual(sorted(f["v"] for f in stored(a)[0].values()),
                         [999, 1999, 2999, 3999, 4999])

    def test_dataframe_floats_exact(self):
        ours, seed, a, b = self.pair(DataFrameClient,
                                     influxdb.DataFrameClient)
        idx = pd.to_datetime([10 ** 9, 2 * 10 ** 9])
        df = pd.DataFrame({"v": [1.2345678901234567, 0.1 + 0.2]}, index=idx)
        ours.write_points(df, "m")
        seed.write_points(df, "m")
        self.assertEqual(stored(a), stored(b))
        self.assertEqual(sorted(f["v"] for f in stored(a)[0].values()),
                         sorted([1.2345678901234567, 0.1 + 0.2]))

    def test_uint64_over_int64_refused(self):
        ours, seed, a, b = self.pair(DataFrameClient,
                                     influxdb.DataFrameClient)
        idx = pd.to_datetime([10 ** 9, 2 * 10 ** 9])
        df = pd.DataFrame({"u": np.array([5, 2 ** 63 + 5], dtype=np.uint64)},
                          index=idx)
        with self.assertRaises(ValueError) as ctx:
            ours.write_points(df, "m")
        self.assertIn("2^63-1", str(ctx.exception))
        # The seed's request is refused by the server (its other lines
        # stored: a partial write); ours is refused whole, before sending.
        with self.assertRaises(influxdb.exceptions.InfluxDBClientError):
            seed.write_points(df, "m")
        self.assertEqual(stored(a), ({}, {}))
        # In range: stored as integers.
        ours.write_points(df.iloc[:1], "m")
        self.assertEqual(list(stored(a)[0].values()), [{"u": 5}])

    def test_missing_cells_of_every_dtype(self):
        ours, _, a, _ = self.pair(DataFrameClient, influxdb.DataFrameClient)
        idx = pd.to_datetime([10 ** 9, 2 * 10 ** 9, 3 * 10 ** 9])
        df = pd.DataFrame({
            "S": pd.array(["x", pd.NA, "z"], dtype="string"),
            "I": pd.array([1, pd.NA, 3], dtype="Int64"),
            "B": pd.array([True, pd.NA, False], dtype="boolean"),
            "F": pd.array([1.5, pd.NA, 2.5], dtype="Float64"),
            "k": pd.array(["a", pd.NA, "c"], dtype="string"),
            "n": [1, 2, 3]}, index=idx)
        ours.write_points(df, "m", tag_columns=["k"])
        got, types = stored(a)
        self.assertEqual(got, {
            ("m", (("k", "a"),), 10 ** 9):
                {"S": "x", "I": 1, "B": True, "F": 1.5, "n": 1},
            ("m", (), 2 * 10 ** 9): {"n": 2},
            ("m", (("k", "c"),), 3 * 10 ** 9):
                {"S": "z", "I": 3, "B": False, "F": 2.5, "n": 3}})
        self.assertEqual(types[("m", "I")], "integer")
        self.assertEqual(types[("m", "F")], "float")
        self.assertEqual(types[("m", "B")], "boolean")

    def test_json_protocol_typing(self):
        ours, seed, a, b = self.pair(DataFrameClient,
                                     influxdb.DataFrameClient)
        idx = pd.to_datetime([10 ** 9, 2 * 10 ** 9])
        df = pd.DataFrame({"a": [1, 2], "b": [1.5, 2.5]}, index=idx)
        ours.write_points(df, "m", protocol="json")
        seed.write_points(df, "m", protocol="json")
        self.assertEqual(stored(a), stored(b))
        self.assertEqual(stored(a)[1][("m", "a")], "float")

    def test_query_params_and_json_text(self):
        ours, seed, a, _ = self.pair()
        seed.write_points([{"measurement": "m", "fields": {"v": 1.0},
                            "time": "2009-11-10T23:00:05.1Z"}], database=a)
        seed.switch_database(a)
        q = "SELECT * FROM m"
        for c in (ours, seed):
            self.assertEqual(c.query(q, params={"epoch": "s"}).raw[
                "series"][0]["values"], [[1257894005, 1]])
        js = {"Accept": "application/json"}
        mine = InfluxDBClient("127.0.0.1", port(), database=a, headers=js)
        ref = influxdb.InfluxDBClient("127.0.0.1", port(), database=a,
                                      headers=js)
        self.assertEqual(mine.query(q).raw, ref.query(q).raw)
        self.assertEqual(mine.query(q).raw["series"][0]["values"][0][0],
                         "2009-11-10T23:00:05.1Z")
        empty = q + " WHERE time > now()"
        self.assertEqual(ours.query(empty).raw["series"], [])
        self.assertEqual(ours.query(empty).raw, seed.query(empty).raw)

    def test_refusal_stops_where_the_seed_stops(self):
        # Batch 5 (points 250-299) holds a field type conflict: the seed
        # stores batches 0-4 and the good points of batch 5, sends nothing
        # after. With one connection, so do we; with several, nothing is
        # started after the refusal and the exception says what is stored.
        pts = [{"measurement": "m", "tags": {"h": str(i % 4)},
                "time": i + 1, "fields": {"v": "x" if i == 260 else i}}
               for i in range(1000)]
        ours, seed, a, b = self.pair(pool_size=1)
        with self.assertRaises(InfluxDBClientError) as mine:
            ours.write_points(pts, batch_size=50)
        with self.assertRaises(influxdb.exceptions.InfluxDBClientError):
            seed.write_points(pts, batch_size=50)
        self.assertEqual(stored(a), stored(b))
        self.assertEqual(len(stored(a)[0]), 299)
        self.assertEqual(mine.exception.points_written, 299)
        many = InfluxDBClient("127.0.0.1", port(), database=a, pool_size=4)
        many.drop_database(a)
        many.create_database(a)
        with self.assertRaises(InfluxDBClientError) as ctx:
            many.write_points(pts, batch_size=50)
        self.assertEqual(ctx.exception.points_written, len(stored(a)[0]))
        self.assertLess(len(stored(a)[0]), 999)

    def test_string_newlines_exact(self):
        # The seed writes a newline in a string field as backslash-n; the
        # line protocol carries it as it is, and so do we.
        ours, seed, a, b = self.pair()
        p = [{"measurement": "m", "time": 1, "fields": {"s": "a\nb"}}]
        ours.write_points(p)
        seed.write_points(p)
        self.assertEqual(stored(a)[0], {("m", (), 1): {"s": "a\nb"}})
        self.assertEqual(stored(b)[0], {("m", (), 1): {"s": "a\\nb"}})

    def test_tag_backslashes_exact(self):
        # The seed doubles backslashes in tags (its issue #896): what we
        # store is what was written.
        ours, _, a, _ = self.pair()
        ours.write_points([{"measurement": "m", "tags": {"p": "c:\\x\\y"},
                            "time": 1, "fields": {"v": 1}}])
        self.assertEqual(list(stored(a)[0]),
                         [("m", (("p", "c:\\x\\y"),), 1)])

    def test_too_large_bodies_split(self):
        # Server "small" takes request bodies of 4096 bytes at most: the
        # seed's one request is refused (413) and nothing stored; we cut
        # it in pieces. What we store there is what the seed stores on a
        # server without the limit.
        pts = [{"measurement": "m", "tags": {"h": str(i % 7)},
                "time": i // 7 + 1, "fields": {"v": i, "f": i / 3}}
               for i in range(2000)]
        df = pd.DataFrame({"v": np.arange(2000), "f": np.arange(2000) / 3.0},
                          index=pd.to_datetime(np.arange(2000) + 1, unit="s",
                                               utc=True))
        _, seed, _, b = self.pair()
        seed.write_points(pts)
        influxdb.DataFrameClient("127.0.0.1", port(), database=b
                                 ).write_points(df, "d")
        db = fresh_db("small")
        InfluxDBClient("127.0.0.1", port("small")).create_database(db)
        small = influxdb.InfluxDBClient("127.0.0.1", port("small"),
                                        database=db)
        with self.assertRaises(influxdb.exceptions.InfluxDBClientError) as e:
            small.write_points(pts)
        self.assertEqual(e.exception.code, 413)
        InfluxDBClient("127.0.0.1", port("small"), database=db
                       ).write_points(pts)
        DataFrameClient("127.0.0.1", port("small"), database=db
                        ).write_points(df, "d")
        self.assertEqual(stored(db, "small"), stored(b))
        InfluxDBClient("127.0.0.1", port("small")).drop_database(db)


if __name__ == "__main__":
    unittest.main()
