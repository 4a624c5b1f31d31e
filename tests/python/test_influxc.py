"""influxc's Python package against real influxd servers (ctest fixtures:
INFLUXC_SRV_DIR has plain, auth, tls, mtls, udp), and differentially against
python3-influxdb (the seed) on the same server."""
import datetime
import os
import resource
import threading
import time
import unittest
import warnings

import influxdb  # the reference: Debian's python3-influxdb
import numpy as np
import pandas as pd

import influxc
from influxc import DataFrameClient, InfluxDBClient, SeriesHelper
from influxc.exceptions import InfluxDBClientError, InfluxDBConnectionError

SRV = os.environ["INFLUXC_SRV_DIR"]
_n = [0]


def srv(variant, name):
    with open(os.path.join(SRV, variant, name)) as f:
        return f.read().strip()


def port(variant="plain"):
    return int(srv(variant, "port"))


def fresh_db(prefix="py"):
    _n[0] += 1
    return "{0}_{1}_{2}".format(prefix, os.getpid(), _n[0])


def both(db=None, **kw):
    """An influxc client and a python3-influxdb client on the plain
    server."""
    args = dict(host="127.0.0.1", port=port(), database=db, **kw)
    return InfluxDBClient(**args), influxdb.InfluxDBClient(**args)


POINTS = [
    {"measurement": "cpu", "tags": {"host": "h%d" % (i % 3), "region": "eu"},
     "time": 1257894000000000000 + i * 1000,
     "fields": {"value": i * 0.5, "n": i, "ok": i % 2 == 0,
                "note": "say \"hi\", \\ %d" % i}}
    for i in range(50)
]


class Differential(unittest.TestCase):
    """Every method, influxc and the seed, on one server: same answers."""

    def setUp(self):
        self.db = fresh_db("diff")
        self.c, self.ref = both(self.db)
        self.c.create_database(self.db)

    def tearDown(self):
        self.c.drop_database(self.db)

    def same(self, fn):
        self.assertEqual(fn(self.c), fn(self.ref))

    def test_write_query_and_lists(self):
        self.assertIs(self.c.write_points(POINTS), True)
        q = "SELECT * FROM cpu"
        self.same(lambda c: list(c.query(q, epoch="u").get_points()))
        self.same(lambda c: list(c.query(q).get_points(tags={"host": "h1"})))
        self.same(lambda c: c.query(q + " GROUP BY host", epoch="ms").keys())
        self.same(lambda c: [list(p) for p in
                             c.query(q + " GROUP BY *", epoch="s")])
        self.same(lambda c: c.query("SELECT count(value) FROM cpu").raw)
        self.same(lambda c: sorted(d["name"] for d in c.get_list_database()
                                   if d["name"] == self.db))
        self.same(lambda c: c.get_list_measurements())
        self.same(lambda c: sorted(c.get_list_series(self.db)))
        self.same(lambda c: sorted(c.get_list_series(
            self.db, measurement="cpu", tags={"host": "h2"})))
        # Several statements: a list of ResultSets.
        self.same(lambda c: [r.raw for r in c.query(
            "SELECT count(n) FROM cpu; SELECT last(n) FROM cpu", epoch="ns")])

    def test_write_protocols_and_precision(self):
        self.c.write_points(["cpu,host=a v=1i 1", "cpu,host=b v=2i 2"],
                            protocol="line", time_precision="s")
        self.c.write({"points": [{"measurement": "cpu", "time": 3,
                                  "fields": {"v": 3}}]},
                     params={"db": self.db, "precision": "s"})
        self.same(lambda c: list(c.query("SELECT * FROM cpu",
                                         epoch="s").get_points()))
        self.assertEqual(
            [p["time"] for p in self.c.query("SELECT * FROM cpu",
                                             epoch="s").get_points()],
            [1, 2, 3])

    def test_admin(self):
        for c, rp in ((self.c, "rp_a"), (self.ref, "rp_b")):
            c.create_retention_policy(rp, "2d", 1, database=self.db,
                                      shard_duration="1h")
            c.alter_retention_policy(rp, self.db, duration="3d",
                                     default=rp == "rp_b")
        self.same(lambda c: [
            {k: v for k, v in r.items() if k != "name"}
            for r in c.get_list_retention_policies(self.db)])
        self.c.drop_retention_policy("rp_a", self.db)
        sel = 'SELECT mean("n") INTO "m2" FROM "cpu" GROUP BY time(1m)'
        self.c.create_continuous_query("cq1", sel, self.db, "EVERY 1m")
        mine = [d for d in self.c.get_list_continuous_queries() if self.db in d]
        theirs = [d for d in self.ref.get_list_continuous_queries()
                  if self.db in d]
        self.assertEqual(mine, theirs)
        self.assertEqual(mine[0][self.db][0]["name"], "cq1")
        self.c.drop_continuous_query("cq1", self.db)
        user = "u_" + self.db
        self.c.create_user(user, "pw'\\x")
        self.c.grant_privilege("read", self.db, user)
        self.same(lambda c: c.get_list_privileges(user))
        self.c.revoke_privilege("READ", self.db, user)
        self.c.set_user_password(user, "new")
        self.assertIn({"user": user, "admin": False}, self.c.get_list_users())
        self.c.drop_user(user)
        self.same(lambda c: [u for u in c.get_list_users()
                             if u["user"] == user])

    def test_dataframes_like_the_seed(self):
        """DataFrameClient.query: same keys, index, columns, dtypes and
        values as the seed (on data whose times the seed keeps exactly)."""
        from pandas.testing import assert_frame_equal
        self.c.write_points(POINTS)
        self.c.write_points([{"measurement": "sparse", "time": i * 10**6,
                              "fields": ({"a": i} if i % 2 else
                                         {"b": float(i), "c": "x"})}
                             for i in range(20)])
        # Texts repeated and distinct (more than the caches' slots), empty,
        # non-ASCII and missing.
        self.c.write_points([{"measurement": "texts", "time": i * 10**6,
                              "tags": {"k": "t%d" % (i % 3)},
                              "fields": ({"s": ["", "\u00e9", "v%d" % (i % 200),
                                                "w%d" % (i % 7)][i % 4]}
                                         if i % 5 else {"n": i})}
                             for i in range(1000)])
        mine = DataFrameClient("127.0.0.1", port(), database=self.db)
        ref = influxdb.DataFrameClient("127.0.0.1", port(), database=self.db)
        for q in ("SELECT * FROM cpu", "SELECT * FROM cpu GROUP BY host",
                  "SELECT value, n FROM cpu WHERE host = 'h1'",
                  "SELECT * FROM sparse", "SELECT * FROM texts",
                  "SELECT * FROM texts GROUP BY k",
                  "SELECT mean(value) FROM cpu WHERE time >= "
                  "1257894000000000000 "
                  "AND time < 1257894000000050000 GROUP BY time(10u), region"):
            for dropna in (True, False):
                a = mine.query(q, dropna=dropna)
                b = ref.query(q, dropna=dropna)
                self.assertEqual(sorted(a), sorted(b), q)
                for k in b:
                    assert_frame_equal(a[k], b[k], check_freq=False,
                                       obj="%s %s dropna=%s" % (q, k, dropna))

    def test_errors_are_the_seeds(self):
        def err(c, fn):
            with self.assertRaises(Exception) as ctx:
                fn(c)
            e = ctx.exception
            return type(e).__name__, getattr(e, "code", None), \
                getattr(e, "content", None)

        for fn in (lambda c: c.query("SELEKT 1"),
                   lambda c: c.query("SELECT * FROM cpu", database="nope"),
                   lambda c: c.drop_user("nobody_" + self.db),
                   lambda c: c.write_points([{"measurement": "cpu",
                                              "fields": {"n": 1}}]) and
                   c.write_points([{"measurement": "cpu",
                                    "fields": {"n": "text"}}])):
            self.assertEqual(err(self.c, fn), err(self.ref, fn))
        rs = self.c.query("SELECT * FROM cpu", database="nope",
                          raise_errors=False)
        self.assertEqual(rs.error, "database not found: nope")


class BeyondTheSeed(unittest.TestCase):
    def setUp(self):
        self.db = fresh_db("beyond")
        self.c = InfluxDBClient("127.0.0.1", port(), database=self.db)
        self.c.create_database(self.db)

    def tearDown(self):
        self.c.drop_database(self.db)

    def test_exact_nanoseconds(self):
        t = 1257894000123456789
        self.c.write_points([
            {"measurement": "ns", "time": t, "fields": {"v": 1}},
            {"measurement": "ns", "time": "2009-11-10T23:00:00.123456790Z",
             "fields": {"v": 2}},
            {"measurement": "ns", "fields": {"v": 3},
             "time": pd.Timestamp(t + 2, tz="UTC")}])
        got = [p["time"] for p in
               self.c.query("SELECT v FROM ns", epoch="ns").get_points()]
        self.assertEqual(got, [t, t + 1, t + 2])
        text = [p["time"] for p in
                self.c.query("SELECT v FROM ns").get_points()]
        self.assertEqual(text[0], "2009-11-10T23:00:00.123456789Z")
        df = DataFrameClient("127.0.0.1", port(), database=self.db).query(
            "SELECT v FROM ns")["ns"]
        self.assertEqual(list(df.index.asi8), [t, t + 1, t + 2])

    def test_chunked_streams_json_and_msgpack(self):
        pts = [{"measurement": "big", "time": i, "fields": {"v": i}}
               for i in range(25000)]
        self.c.write_points(pts, batch_size=10000)
        pieces = list(self.c.query("SELECT v FROM big", chunked=True,
                                   chunk_size=1000))
        self.assertGreaterEqual(len(pieces), 25)
        rows = [p["v"] for rs in pieces for p in rs.get_points()]
        self.assertEqual(rows, list(range(25000)))
        # The seed's #820: chunked + msgpack crashed; a statement error in
        # a chunked answer is raised, not dropped.
        with self.assertRaises(InfluxDBClientError):
            list(self.c.query("SELECT v FROM big; SELECT x FROM y",
                              database="nope", chunked=True))
        # A refused request raises at the call, as the seed's does.
        with self.assertRaises(InfluxDBClientError):
            self.c.query("SELEKT", chunked=True)
        # Abandoned half-way: the query stops, the client goes on.
        it = self.c.query("SELECT v FROM big", chunked=True, chunk_size=10)
        next(it)
        del it
        self.assertEqual(self.c.query("SELECT count(v) FROM big").raw[
            "series"][0]["values"][0][1], 25000)

    def test_no_injection(self):
        # (influxd itself refuses newlines, / and \ in database names.)
        for name in ('we"ird', "semi; DROP", "it's", "sp ace"):
            db = self.db + name
            self.c.create_database(db)
            self.assertIn({"name": db}, self.c.get_list_database())
            self.c.drop_database(db)
        self.c.write_points([{"measurement": 'm"\\x,y z', "fields": {"v": 1}}])
        self.assertEqual(self.c.get_list_measurements(),
                         [{"name": 'm"\\x,y z'}])
        self.c.drop_measurement('m"\\x,y z')
        self.c.write_points([{"measurement": "m", "tags": {"t": "a'b"},
                              "fields": {"v": 1}}])
        rs = self.c.query("SELECT v FROM m WHERE t = $t",
                          bind_params={"t": "a'b"})
        self.assertEqual(len(list(rs.get_points())), 1)
        with self.assertRaises(ValueError):
            self.c.create_retention_policy("r", "1d; DROP DATABASE x", 1)
        with self.assertRaises(ValueError):
            self.c.create_continuous_query("c", "SELECT 1", self.db,
                                           "EVERY 1m; DROP")
        # An unknown privilege goes quoted: the server refuses it.
        with self.assertRaises(InfluxDBClientError):
            self.c.grant_privilege("read ON x TO y; DROP", self.db, "u")

    def test_refuses_what_influxd_cannot_store(self):
        for fields in ({"v": float("nan")}, {"v": float("inf")}, {},
                       {"v": 2 ** 70}, {"v": [1, 2]}):
            with self.assertRaises((ValueError, InfluxDBClientError)):
                self.c.write_points([{"measurement": "bad",
                                      "fields": fields}])
        self.assertEqual(list(self.c.query("SELECT * FROM bad")), [])

    def test_batches_before_a_bad_point_are_written(self):
        """With batch_size, influxc converts the next points while it
        sends the batches before them; a bad point stops there, and every
        batch before its own is stored, as the seed's batches are."""
        def count(measurement, where=""):
            r = self.c.query("SELECT count(v) FROM %s %s" % (measurement,
                                                             where))
            return r.raw["series"][0]["values"][0][1]

        def points(measurement, n, bad=None):
            return ({"measurement": measurement, "time": i,
                     "fields": {"v": i}} if i != bad else 7
                    for i in range(n))
        pts = list(points("bb", 120000))
        pts[75123]["fields"]["v"] = float("nan")
        with self.assertRaisesRegex(ValueError, "75123"):
            self.c.write_points(pts, batch_size=10000)
        self.assertEqual(count("bb"), 70000)
        # A point that is not a dict: the Python error, the batches before
        # it stored (the last one ends just before it), nothing after.
        with self.assertRaisesRegex(TypeError, "must be a dict"):
            self.c.write_points(points("bg", 40000, bad=25000),
                                batch_size=1000)
        self.assertEqual(count("bg"), 25000)
        # Default tags and precision on every batch; every batch of a
        # generator arrives.
        self.assertTrue(self.c.write_points(points("bt", 25001),
                                            batch_size=1000,
                                            tags={"k": "x"},
                                            time_precision="s"))
        self.assertEqual(count("bt", "WHERE k = 'x'"), 25001)
        r = self.c.query("SELECT v FROM bt ORDER BY time DESC LIMIT 1",
                         epoch="s")
        self.assertEqual(r.raw["series"][0]["values"], [[25000, 25000]])
        # Without batch_size every point is checked before any is sent.
        with self.assertRaises(ValueError):
            self.c.write_points([{"measurement": "bb2", "time": 1,
                                  "fields": {"v": 1}}] + pts[75122:75124])
        self.assertEqual(list(self.c.query("SELECT * FROM bb2")), [])

    def test_gzip_client(self):
        g = InfluxDBClient("127.0.0.1", port(), database=self.db, gzip=True)
        g.write_points(POINTS)
        self.assertEqual(len(list(g.query("SELECT * FROM cpu")
                                  .get_points())), 50)

    def test_dataframes_round_trip(self):
        dfc = DataFrameClient("127.0.0.1", port(), database=self.db)
        idx = pd.date_range("2020-01-01", periods=5, freq="s", tz="UTC")
        df = pd.DataFrame({"f": [1.5, np.nan, 3.0, 4.0, 5.0],
                           "i": np.arange(5, dtype=np.int64),
                           "b": [True, False, True, False, True],
                           "s": ["a", None, "c,d", "e\"", "f"],
                           "host": ["x", "y", "x", "", None]}, index=idx)
        dfc.write_points(df, "frame", tag_columns=["host"])
        got = dfc.query("SELECT * FROM frame")["frame"]
        self.assertEqual(list(got.index), list(idx))
        self.assertEqual(list(got["i"]), [0, 1, 2, 3, 4])
        self.assertTrue(np.isnan(got["f"].iloc[1]))
        self.assertEqual(got["f"].iloc[0], 1.5)
        self.assertEqual(list(got["s"].fillna("-")),
                         ["a", "-", "c,d", 'e"', "f"])
        grouped = dfc.query("SELECT * FROM frame GROUP BY host")
        self.assertIn(("frame", (("host", "x"),)), grouped)
        # Infinity: influxd has none (the seed's request is refused);
        # refused here before anything is sent.
        df.loc[idx[3], "f"] = np.inf
        with self.assertRaises(ValueError):
            dfc.write_points(df, "frame_inf", tag_columns=["host"])
        self.assertEqual(list(dfc.query("SELECT * FROM frame_inf")), [])

    def test_writer(self):
        import tempfile
        spool = tempfile.mkdtemp(prefix="influxc-pyspool-")
        pts = [{"measurement": "wr", "tags": {"k": str(i % 7)}, "time": i,
                "fields": {"v": i}} for i in range(20000)]
        with influxc.Writer(self.c, batch_size=1000, spool_dir=spool,
                            parallel=2) as w:
            for i in range(0, len(pts), 3000):
                self.assertEqual(w.write(pts[i:i + 3000]),
                                 len(pts[i:i + 3000]))
            with self.assertRaises(ValueError):
                w.write([{"measurement": "wr", "fields": {"v": float("nan")},
                          "time": 1}])
            w.write_lines(["wr,k=x v=1i 30000", "wr,k=x v=2i 30001"])
            w.flush()
            st = w.stats
        self.assertEqual(st["written"], 20002)
        self.assertEqual(st["rejected"], 0)
        n = self.c.query("SELECT count(v) FROM wr").raw["series"][0][
            "values"][0][1]
        self.assertEqual(n, 20002)
        self.assertEqual([f for f in os.listdir(spool) if f != "lock"], [])
        with self.assertRaises(ValueError):
            w.write(pts)  # closed
        # A refused batch: flush says so, with the server's text.
        w2 = influxc.Writer(self.c, batch_size=10, max_retries=1)
        w2.write([{"measurement": "wr", "fields": {"v": "text"}, "time": 5}])
        with self.assertRaises(InfluxDBClientError):
            w2.flush()
        self.assertEqual(w2.stats["rejected"], 1)
        w2.close()

    def test_dataframe_to_lines(self):
        dfc = DataFrameClient("127.0.0.1", port(), database=self.db)
        idx = pd.to_datetime([1500000000, 2000000000], unit="ns", utc=True)
        df = pd.DataFrame({"v": [0.5, np.nan], "n": [1, 2],
                           "host": ["a b", None], "s": ["x\"y", "z"]},
                          index=idx)
        self.assertEqual(
            dfc.dataframe_to_lines(df, "m", tags={"dc": "eu"},
                                   tag_columns=["host"], time_precision="s"),
            'm,dc=eu,host=a\\ b v=0.5,n=1i,s="x\\"y" 1\n'
            'm,dc=eu n=2i,s="z" 2\n')
        # Object columns: str as it is, None/NaN missing, bytes as UTF-8,
        # anything else its str() (a row with no field left is skipped).
        mixed = pd.DataFrame({"o": ["a", None, 3, float("nan"), b"x"]},
                             index=pd.to_datetime([1, 2, 3, 4, 5], unit="s",
                                                  utc=True))
        self.assertEqual(dfc.dataframe_to_lines(mixed, "m",
                                                time_precision="s"),
                         'm o="a" 1\nm o="3" 3\nm o="x" 5\n')
        # Non-ASCII text anywhere in a line (the str is built by copying
        # when the text is ASCII, decoded otherwise).
        one = pd.to_datetime([1], unit="s", utc=True)
        for text in ["é", "abcdefgé", "abcdefghijklmnopqrsé", "plain",
                     "ab\u2603cdefghijklmnop"]:
            df = pd.DataFrame({"host": [text], "s": [text]}, index=one)
            self.assertEqual(
                dfc.dataframe_to_lines(df, "m", tag_columns=["host"],
                                       time_precision="s"),
                'm,host=%s s="%s" 1\n' % (text, text))
            data = {"points": [{"measurement": "m", "tags": {"t": text},
                                "fields": {"f": text, "g": 1}}]}
            self.assertEqual(influxc.line_protocol.make_lines(data),
                             influxdb.line_protocol.make_lines(data))

    def test_dataframe_to_lines_in_pieces(self):
        """The text is encoded in pieces of rows: lines across the pieces'
        ends, non-ASCII text first seen late, many distinct strings, and
        errors and NUL found far into the frame."""
        dfc = DataFrameClient("127.0.0.1", port(), database=self.db)
        n = 30001
        hosts = np.array(["h%d" % (i % 7) for i in range(n)], dtype=object)
        hosts[20000] = "h\u00e9"  # the only non-ASCII text, in a late piece
        names = np.array(["n%d" % i for i in range(n)], dtype=object)
        names[::9] = None
        df = pd.DataFrame({"host": hosts, "name": names,
                           "v": np.arange(n, dtype=np.int64)},
                          index=pd.to_datetime(np.arange(n), unit="s",
                                               utc=True))
        want = []
        for i in range(n):
            name = "" if i % 9 == 0 else 'name="n%d",' % i
            want.append("m,host=%s %sv=%di %d\n" % (hosts[i], name, i, i))
        for frame in (df, df.iloc[::-1].sort_index()):  # a copy, same rows
            got = dfc.dataframe_to_lines(frame, "m", tag_columns=["host"],
                                         time_precision="s")
            self.assertEqual(got, "".join(want))
        ascii_df = df.assign(host="h")
        got = dfc.dataframe_to_lines(ascii_df, "m", tag_columns=["host"],
                                     time_precision="s")
        self.assertEqual(got.count("\n"), n)
        self.assertTrue(got.endswith('m,host=h name="n30000",v=30000i '
                                     '30000\n'))
        # A piece whose lines are far longer than the first pieces': the
        # str grows past its estimate.
        for rows in (8193, 8192 * 3 + 5):
            long = pd.DataFrame({"s": ["x"] * (rows - 1) + ["y" * 2000000]},
                                index=pd.to_datetime(np.arange(rows),
                                                     unit="s", utc=True))
            got = dfc.dataframe_to_lines(long, "m", time_precision="s")
            self.assertEqual(len(got), (rows - 1) * len('m s="x" 1\n') +
                             sum(len(str(i)) - 1 for i in range(rows - 1)) +
                             len('m s="" \n') + 2000000 + len(str(rows - 1)))
            self.assertTrue(got.endswith('"y' + "y" * 1999999 + '" %d\n'
                                         % (rows - 1)))
        # A line influxd could not read, far into the frame: the error
        # names its row.
        bad = df.copy()
        bad.iloc[25000, 0] = "x\\"
        with self.assertRaisesRegex(ValueError, "point 25000 .*backslash"):
            dfc.dataframe_to_lines(bad, "m", tag_columns=["host"])
        bad = df.copy()
        bad.iloc[25000, 1] = "a\x00b"
        with self.assertRaisesRegex(ValueError, "NUL"):
            dfc.dataframe_to_lines(bad, "m", tag_columns=["host"])
        # A list column is read as well as a numpy array of objects.
        from influxc import dataframe_client as dcm
        cols = [("host", "t", list(hosts), None),
                ("v", "i", np.arange(n, dtype=np.int64), None)]
        text = dfc._core.write_frame("m", np.arange(n, dtype=np.int64) *
                                     10**9, cols, time_precision="s",
                                     encode_only=True)
        self.assertEqual(text, "".join("m,host=%s v=%di %d\n" %
                                       (hosts[i], i, i) for i in range(n)))
        self.assertIs(dcm._texts(df["host"]).dtype, np.dtype(object))

    def test_fake_arrays_are_not_read_in_place(self):
        """Only a real array of objects is used in place: an object whose
        __array_interface__ points anywhere is read as a sequence (writes)
        or refused (query), never dereferenced."""
        class Fake:
            def __init__(self, items, addr):
                self.items = items
                self.__array_interface__ = {
                    "typestr": "|O", "shape": (len(items),), "version": 3,
                    "strides": None, "data": (addr, False)}

            def __len__(self):
                return len(self.items)

            def __getitem__(self, i):
                return self.items[i]
        dfc = DataFrameClient("127.0.0.1", port(), database=self.db)
        for addr in (16, 2 ** 47):
            text = dfc._core.write_frame(
                "m", np.arange(2, dtype=np.int64) * 10 ** 9, [
                    ("s", "s", Fake(["a", "b"], addr), None)],
                time_precision="s", encode_only=True)
            self.assertEqual(text, 'm s="a" 0\nm s="b" 1\n')
        self.c.write_points([{"measurement": "fk", "time": t,
                              "fields": {"s": "x"}} for t in (1, 2)])
        for made in (lambda n: Fake([None] * n, 16),
                     lambda n: np.empty(n, dtype=object)[::-1],
                     lambda n: np.empty((n, 1), dtype=object),
                     lambda n: np.empty(n + 1, dtype=object)):
            with self.assertRaisesRegex(TypeError, "writable numpy array"):
                dfc._core.query_frames("SELECT * FROM fk", self.db, None, 0,
                                       False, made)

    def test_client_is_pythonic(self):
        with InfluxDBClient("127.0.0.1", port(), database=self.db) as c:
            self.assertIsInstance(c, InfluxDBClient)
            self.assertTrue(c.ping())

        class Mine(InfluxDBClient):
            pass

        m = Mine("127.0.0.1", port(), database=self.db)
        m.write_points = lambda *a, **k: "patched"
        self.assertEqual(m.write_points([]), "patched")
        self.assertEqual(InfluxDBClient.from_dsn(
            "influxdb://u:p@127.0.0.1:%d/x" % port())._database, "x")
        self.assertTrue(influxc.__version__)

    def test_series_helper_threads(self):
        client = InfluxDBClient("127.0.0.1", port(), database=self.db)

        class Ev(SeriesHelper):
            class Meta:
                series_name = "ev"
                fields = ["v"]
                tags = ["w"]
                bulk_size = 50
                autocommit = True

        Ev.Meta.client = client
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")

            def work(w):
                for i in range(500):
                    Ev(w=str(w), v=i,
                       time=datetime.datetime(2020, 1, 1) +
                       datetime.timedelta(microseconds=w * 1000 + i))

            threads = [threading.Thread(target=work, args=(w,))
                       for w in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            Ev.commit()
        n = client.query("SELECT count(v) FROM ev").raw["series"][0][
            "values"][0][1]
        self.assertEqual(n, 4000)

    def test_no_python_objects_leak(self):
        """Python objects the C core makes are all freed: tracemalloc sees
        no growth over thousands of calls of each entry point."""
        import gc
        import tracemalloc
        from influxc import chunked_json, line_protocol
        self.c.write_points([{"measurement": "lk", "tags": {"t": "x"},
                              "time": i, "fields": {"v": i, "s": "y"}}
                             for i in range(20)])
        dfc = DataFrameClient("127.0.0.1", port(), database=self.db)
        df = pd.DataFrame({"v": [1.0, 2.0], "s": ["a", "b"]},
                          index=pd.to_datetime([1, 2], unit="s", utc=True))

        def calls():
            line_protocol.make_lines({"points": [
                {"measurement": "m", "tags": {"a": 1}, "fields": {"v": 1.5},
                 "time": "2020-01-01T00:00:00Z"}]})
            line_protocol.quote_ident('a"b')
            list(chunked_json.loads('{"a": [1, {"b": null}]}{"c": 2}'))
            list(self.c.query("SELECT * FROM lk").get_points())
            _ = self.c.query("SELECT * FROM lk").raw
            list(self.c.query("SELECT * FROM lk", chunked=True,
                              chunk_size=5))
            dfc.dataframe_to_lines(df, "m")

        for _ in range(200):
            calls()
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        for _ in range(2000):
            calls()
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        grown = sum(d.size_diff for d in after.compare_to(before, "filename")
                    if d.size_diff > 0)
        self.assertLess(grown, 64 * 1024, "%d bytes of objects kept" % grown)

    def test_rss_flat_over_10000_calls(self):
        if os.environ.get("INFLUXC_ASAN"):
            # ASan's allocator keeps freed memory in quarantine: RSS says
            # nothing there. The build without sanitizers asserts it.
            self.skipTest("RSS is not measured under AddressSanitizer")

        def rss_kb():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4

        def burst(k):
            for i in range(k):
                self.c.write_points([{"measurement": "leak", "time": i,
                                      "fields": {"v": i, "s": "x" * 50}}])
                list(self.c.query("SELECT last(v) FROM leak").get_points())

        burst(1000)
        before = rss_kb()
        burst(5000)
        after = rss_kb()
        self.assertLess(after - before, 4096, "RSS grew %d kB" % (after -
                                                                  before))


class Transports(unittest.TestCase):
    def test_auth(self):
        good = InfluxDBClient("127.0.0.1", port("auth"), "admin",
                              "admin-secret")
        self.assertTrue(good.get_list_users() is not None)
        bad = InfluxDBClient("127.0.0.1", port("auth"), "admin", "wrong")
        with self.assertRaises(InfluxDBClientError) as ctx:
            bad.get_list_database()
        self.assertEqual(ctx.exception.code, 401)

    def test_tls(self):
        ca = os.path.join(SRV, "tls", "ca.pem")
        c = InfluxDBClient("localhost", port("tls"), ssl=True, verify_ssl=ca)
        self.assertTrue(c.ping())
        unverified = InfluxDBClient("localhost", port("tls"), ssl=True,
                                    verify_ssl=True, retries=1)
        with self.assertRaises(InfluxDBConnectionError):
            unverified.ping()
        # The seed's default, verify_ssl=False, does not check.
        self.assertTrue(InfluxDBClient("localhost", port("tls"),
                                       ssl=True).ping())

    def test_udp(self):
        db = "udpdb"  # the listener's database (tests/support/influxd-ctl)
        c = InfluxDBClient("127.0.0.1", port("udp"), database=db,
                           use_udp=True, udp_port=int(srv("udp", "udp_port")))
        tag = str(os.getpid())
        c.write_points([{"measurement": "pyudp", "tags": {"p": tag},
                         "fields": {"v": i}, "time": i + 1}
                        for i in range(100)])
        q = InfluxDBClient("127.0.0.1", port("udp"), database=db)
        for _ in range(50):
            rs = q.query("SELECT count(v) FROM pyudp WHERE p = $p",
                         bind_params={"p": tag})
            pts = list(rs.get_points())
            if pts and pts[0]["count"] == 100:
                break
            time.sleep(0.1)
        self.assertEqual(pts[0]["count"], 100)


class SeveralHosts(unittest.TestCase):
    """The C core's several-hosts machinery from Python, on two of the
    harness's servers (plain and udp, both plain HTTP) and a dead port.
    (Killing and restarting servers: tests/integration/test_cluster.c.)"""

    def test_replicate_and_fail_over(self):
        db = fresh_db("pyrep")
        two = [("127.0.0.1", port("plain")), ("127.0.0.1", port("udp"))]
        c = InfluxDBClient(two, database=db, write_mode="replicate",
                           ack="all")
        c.create_database(db)  # on both
        c.write_points(POINTS)
        for variant in ("plain", "udp"):
            ref = influxdb.InfluxDBClient("127.0.0.1", port(variant),
                                          database=db)
            self.assertEqual(len(list(ref.query("SELECT * FROM cpu")
                                      .get_points())), len(POINTS))
        self.assertEqual([h["points_stored"] for h in c.hosts()],
                         [len(POINTS), len(POINTS)])
        # A dead first host: reads go to the next one.
        dsn = "influxdb://127.0.0.1:1,127.0.0.1:{0}/{1}".format(
            port("plain"), db)
        r = InfluxDBClient.from_dsn(dsn, retries=1)
        self.assertEqual(len(list(r.query("SELECT * FROM cpu")
                                  .get_points())), len(POINTS))
        self.assertEqual(r.hosts()[0]["state"], "down")
        # ack="all" with a dead host: not stored everywhere is an error,
        # and the batch waits in the dead host's queue.
        w = InfluxDBClient.from_dsn(dsn, retries=1, write_mode="replicate",
                                    ack="all")
        with self.assertRaises(InfluxDBConnectionError):
            w.write_points(POINTS[:5])
        self.assertEqual(w.hosts()[0]["batches_queued"], 1)
        with self.assertRaises(InfluxDBConnectionError):
            w.catch_up(0)
        with self.assertRaises(ValueError):
            InfluxDBClient(two, write_mode="mirror")


if __name__ == "__main__":
    unittest.main()
