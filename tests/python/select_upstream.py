"""Lists the upstream influxdb-python tests that do not depend on the
`requests` library's internals (requests_mock, mocked sessions, patched
requests.Session.request): the ones a libcurl transport can be held to.
Prints "module.Class.test" lines; with --why, the excluded ones and why."""
import ast
import os
import sys

MARKERS = ("requests_mock", "requests.Session", "_session", "mock_request",
           "_mocked_session", "requests.exceptions", "requests.adapters",
           "requests.post", "requests.get", "mock.patch('requests",
           'mock.patch("requests', "requests.Response", "HTTPAdapter",
           "urllib3")
MODULES = ["test_line_protocol", "resultset_test", "chunked_json_test",
           "helper_test", "client_test", "dataframe_client_test",
           "server_tests.client_test_with_server"]


def uses_requests(src):
    return [m for m in MARKERS if m in src]


def main(root, why):
    for mod in MODULES:
        path = os.path.join(root, *mod.split(".")) + ".py"
        text = open(path, encoding="utf-8").read()
        tree = ast.parse(text)
        lines = text.splitlines()
        helpers = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                helpers[node.name] = "\n".join(
                    lines[node.lineno - 1 - len(node.decorator_list):
                          node.end_lineno])
        for cls in tree.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for fn in cls.body:
                if not (isinstance(fn, ast.FunctionDef)
                        and fn.name.startswith("test")):
                    continue
                src = helpers[fn.name]
                # Helpers of the class it calls (self._x(...)) count too.
                for call in ast.walk(fn):
                    if (isinstance(call, ast.Attribute)
                            and call.attr in helpers
                            and not call.attr.startswith("test")):
                        src += helpers[call.attr]
                hits = uses_requests(src)
                name = "{0}.{1}.{2}".format(mod, cls.name, fn.name)
                if not hits:
                    print(name)
                elif why:
                    print("EXCLUDED", name, ",".join(hits))


if __name__ == "__main__":
    main(sys.argv[1], "--why" in sys.argv)
