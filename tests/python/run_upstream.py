"""Runs influxdb-python 5.3.1's own test suite (Debian's python3-influxdb
ships it) unchanged, against a package named `influxdb`: either the
reference itself, or a shim whose modules are influxc's.

usage: run_upstream.py (influxc|reference) OUT.json [--expect FILE] [MODULE...]

Writes {test id: "pass"|"fail"|"error"|"skip"} to OUT.json and prints a
summary. Needs INFLUXDB_PYTHON_INFLUXD_PATH for the server tests; keep port
8086 free (tests that requests_mock should intercept reach a real server
there if one listens)."""
import importlib
import json
import os
import shutil
import sys
import tempfile
import unittest
import warnings

UPSTREAM = "/usr/lib/python3/dist-packages/influxdb"
HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "influxdb.conf.template")
MODULES = ["test_line_protocol", "resultset_test", "chunked_json_test",
           "helper_test", "client_test", "dataframe_client_test",
           "server_tests.client_test_with_server"]
SHIM = '''"""influxdb, served by influxc (the test shim)."""
import importlib
import sys

import influxc
from influxc import InfluxDBClient, SeriesHelper  # noqa: F401
for _name in ("client", "dataframe_client", "_dataframe_client", "helper",
              "resultset", "exceptions", "line_protocol", "chunked_json"):
    _mod = importlib.import_module("influxc." + _name)
    sys.modules["influxdb." + _name] = _mod
    globals()[_name] = _mod
from influxc.dataframe_client import DataFrameClient  # noqa: F401,E402
'''


def make_tree(kind):
    """A directory with the package `influxdb` (tests inside)."""
    root = tempfile.mkdtemp(prefix="influxc-upstream-")
    pkg = os.path.join(root, "influxdb")
    if kind == "reference":
        shutil.copytree(UPSTREAM, pkg, ignore=shutil.ignore_patterns(
            "__pycache__"))
    else:
        os.makedirs(pkg)
        with open(os.path.join(pkg, "__init__.py"), "w") as f:
            f.write(SHIM)
        shutil.copytree(os.path.join(UPSTREAM, "tests"),
                        os.path.join(pkg, "tests"),
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(TEMPLATE, os.path.join(pkg, "tests", "server_tests",
                                       "influxdb.conf.template"))
    return root


class Recorder(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.outcome = {}

    def addSuccess(self, test):
        super().addSuccess(test)
        self.outcome[test.id()] = "pass"

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.outcome[test.id()] = "fail"

    def addError(self, test, err):
        super().addError(test, err)
        self.outcome[test.id()] = "error"

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.outcome[test.id()] = "skip"

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.outcome[test.id()] = "fail"


def main():
    kind, out = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    expect = None
    if args[:1] == ["--expect"]:
        expect, args = args[1], args[2:]
    modules = args or MODULES
    root = make_tree(kind)
    sys.path.insert(0, root)
    # The server module turns FutureWarning into errors and then imports
    # pandas.util.testing, which warns on pandas 1.5: import it first.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        importlib.import_module("pandas.util.testing")
    suite = unittest.TestSuite()
    for m in modules:
        suite.addTests(unittest.defaultTestLoader.loadTestsFromName(
            "influxdb.tests." + m))
    runner = unittest.TextTestRunner(resultclass=Recorder, verbosity=1,
                                     stream=sys.stderr)
    result = runner.run(suite)
    with open(out, "w") as f:
        json.dump(result.outcome, f, indent=1, sort_keys=True)
    counts = {}
    for v in result.outcome.values():
        counts[v] = counts.get(v, 0) + 1
    print(kind, counts)
    shutil.rmtree(root, ignore_errors=True)
    if expect:
        want = [line.strip() for line in open(expect)
                if line.strip() and not line.startswith("#")]
        missing = [t for t in want if result.outcome.get(t) != "pass"]
        for t in missing:
            print("NOT PASSED:", result.outcome.get(t, "not run"), t)
        print("{0} of {1} expected upstream tests pass".format(
            len(want) - len(missing), len(want)))
        sys.exit(1 if missing or len(want) < 100 else 0)


if __name__ == "__main__":
    main()
