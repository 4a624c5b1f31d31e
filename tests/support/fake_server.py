#!/usr/bin/python3
"""A small fake HTTP server for fault injection (never a stand-in for
InfluxDB's behaviour: integration tests use a real influxd). The first path
segment picks a scenario, so one server serves every test:

  /ok/...          204 for write, 200 empty result for query, ping 204
  /e500x<N>/...    HTTP 500 for the first N requests, then ok
                   (any scenario may end in -<id> to get its own counter)
  /e429x<N>/...    HTTP 429 (Retry-After: 0) for the first N, then ok
  /e400/...        HTTP 400 {"error": "unable to parse 'x': bad"}
  /slow<MS>/...    wait MS milliseconds, then ok
  /hang/...        read the request, never answer (until the client goes)
  /max<N>/...      HTTP 413 for a body over N bytes, else ok
  /dropx<N>/...    close the connection without answering, first N times
  /trunc/...       announce a longer body than sent, then close
  /garbage/...     200 with a body that is not JSON (text/html)
  /jsonq/...       200 JSON query answer with Content-Type application/json
                   (what an influxd before 1.4 sends to a msgpack request)
  /noctype/...     the same JSON answer without a Content-Type
  /nested/...      400 whose JSON error body nests 500000 arrays deep
  /deepok/...      200 JSON answer with an unknown key nesting 500000 deep
  /mpdeep/...      200 msgpack of 500000 nested one-element arrays
  /ansi/...        400 whose error and 200 whose series name hold terminal
                   escapes (clear screen, OSC title, C1 CSI)
  /echo/...        200 JSON describing the request (method, path, query,
                   headers, body length)
  /stats           {"connections": n, "requests": {scenario: count}}
  /reset           zero the counters

Usage: fake_server.py start DIR | stop DIR  (port in DIR/port)
"""
import json, os, re, select, signal, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSONQ = (b'{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":'
         b'["time","value"],"values":[["2020-01-01T00:00:00Z",1.5],'
         b'["2020-01-01T00:00:01Z",630]]}]}]}')
ANSI_TEXT = "bad\x1b[2J\x1b]0;pwned\x07 \u009b31m thing"
ANSI_OK = json.dumps({"results": [{"statement_id": 0, "series": [
    {"name": "evil\x1b[2J", "tags": {"t": "\x1b]0;x\x07"},
     "columns": ["time", "v\x1b[31m"],
     "values": [["2020-01-01T00:00:00Z", "red\x1b[31m\u009b1m"]]}]}]}).encode()

lock = threading.Lock()
counts = {}
conns = [0]
active = [0, 0]  # requests in progress, the most seen at once


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with lock:
            conns[0] += 1

    def log_message(self, *a):
        pass

    def reply(self, code, body=b"", ctype="application/json", extra=None):
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("X-Influxdb-Version", "fake-1.0")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def ok(self, op):
        if op == "write":
            self.reply(204)
        elif op == "ping":
            self.reply(204)
        else:
            self.reply(200, b'{"results":[{"statement_id":0}]}')

    def handle_any(self):
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        try:
            self.handle_inner()
        finally:
            with lock:
                active[0] -= 1

    def handle_inner(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        parts = self.path.split("?")[0].strip("/").split("/")
        scen = parts[0]
        op = parts[-1]
        if scen == "stats":
            with lock:
                data = json.dumps({"connections": conns[0], "requests": counts,
                                   "max_active": active[1]}).encode()
            return self.reply(200, data)
        if scen == "reset":
            with lock:
                counts.clear()
                conns[0] = 1
                active[1] = 1
            return self.reply(204)
        with lock:
            counts[scen] = counts.get(scen, 0) + 1
            seen = counts[scen]
        m = re.match(r"^(e500|e429|drop)x(\d+)(-[\w-]+)?$", scen)
        if m:
            kind, limit = m.group(1), int(m.group(2))
            if seen <= limit:
                if kind == "e500":
                    return self.reply(500, b'{"error":"internal boom"}')
                if kind == "e429":
                    return self.reply(429, b'{"error":"too many requests"}', extra={"Retry-After": "0"})
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            return self.ok(op)
        m = re.match(r"^max(\d+)(-[\w-]+)?$", scen)
        if m:
            if len(body) > int(m.group(1)):
                return self.reply(413, b'{"error":"Request Entity Too Large"}')
            return self.ok(op)
        m = re.match(r"^slow(\d+)(-[\w-]+)?$", scen)
        if m:
            time.sleep(int(m.group(1)) / 1000.0)
            return self.ok(op)
        if re.match(r"^hang(-[\w-]+)?$", scen):
            # Accepts and never answers; returns when the client closes.
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                r, _, _ = select.select([self.connection], [], [], 1)
                if r and not self.connection.recv(65536):
                    break
            self.close_connection = True
            return
        if scen == "e400":
            return self.reply(400, b'{"error":"unable to parse \'x\': bad"}')
        if scen == "trunc":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"results":[{"statement_id":0,"series":[{"name":"cpu"')
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if scen in ("jsonq", "noctype"):
            if op == "query":
                return self.reply(200, JSONQ, ctype="application/json" if scen == "jsonq" else None)
            return self.ok(op)
        if scen == "nested":
            return self.reply(400, b"[" * 500000 + b"]" * 500000)
        if scen == "deepok" and op == "query":
            return self.reply(200, b'{"results":[{"statement_id":0,"x":' + b"[" * 500000 +
                              b"]" * 500000 + b'}]}')
        if scen == "mpdeep" and op == "query":
            return self.reply(200, b"\x81\xa1x" + b"\x91" * 500000 + b"\xc0",
                              ctype="application/x-msgpack")
        if scen == "ansi":
            if op == "query":
                return self.reply(200, ANSI_OK)
            return self.reply(400, json.dumps({"error": ANSI_TEXT}).encode())
        if scen == "garbage":
            return self.reply(200, b"<html>not json</html>", ctype="text/html")
        if scen == "echo":
            data = json.dumps({"method": self.command, "path": self.path,
                               "headers": {k.lower(): v for k, v in self.headers.items()},
                               "body_len": len(body)}).encode()
            return self.reply(200, data)
        return self.ok(op)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = handle_any


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "stop":
        try:
            os.kill(int(open(os.path.join(d, "pid")).read()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        return
    os.makedirs(d, exist_ok=True)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    pid = os.fork()
    if pid:
        open(os.path.join(d, "pid"), "w").write(str(pid))
        open(os.path.join(d, "port"), "w").write(str(srv.server_address[1]))
        return
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    srv.serve_forever()


main()
