#!/usr/bin/python3
"""A fault-injecting HTTP proxy in front of a real influxd (issue 24).

Requests pass through unchanged, except that every EVERY-th POST /write
gets a fault, the kinds taken in turn:

  reset_req   half the request body reaches the server, then both
              connections are reset (the server stores nothing)
  reset_resp  the whole request reaches the server, which answers; the
              client's connection is reset instead of getting the answer
              (stored, but the client cannot know)
  trunc_resp  as reset_resp, after the first 9 bytes of the answer
  stall       the server's answer is held STALL_MS, then sent
  e503        503 with Retry-After: 1, nothing forwarded
  e429        429 with Retry-After: 0, nothing forwarded

and a /write body over MAX_BODY bytes (as sent: gzip counts compressed)
gets 413, as a proxy's limit would. GET /__faults (not forwarded) answers
the counters as JSON: requests, writes, faults by kind, too_large (413s)
and lost_answers: writes the server answered 2xx whose answer the client
never got (it must resend them: the only source of duplicates).

Usage: fault_proxy.py UPSTREAM_PORT [--every N] [--kinds a,b,...]
         [--max-body BYTES] [--stall-ms MS] [--first N]
Prints its port on the first line of stdout, serves until killed.
"""
import argparse
import json
import socket
import struct
import sys
import threading
import time

KINDS = ["reset_req", "reset_resp", "trunc_resp", "stall", "e503", "e429"]
MAX_HEAD = 64 * 1024

lock = threading.Lock()
stats = {"requests": 0, "writes": 0, "faults": {}, "too_large": 0,
         "lost_answers": 0}
eligible = [0]  # writes that may get a fault (not over the size)


class Closed(Exception):
    pass


def recv_until(sock, buf, sep):
    while sep not in buf:
        if len(buf) > MAX_HEAD:
            raise Closed()
        b = sock.recv(65536)
        if not b:
            raise Closed()
        buf += b
    i = buf.index(sep) + len(sep)
    return buf[:i], buf[i:]


def recv_exact(sock, buf, n):
    while len(buf) < n:
        b = sock.recv(max(65536, n - len(buf)))
        if not b:
            raise Closed()
        buf += b
    return buf[:n], buf[n:]


def headers_of(head):
    lines = head.decode("latin-1").split("\r\n")
    h = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip().lower()] = v.strip()
    return lines[0], h


def read_message(sock, buf, is_response, method=""):
    """One HTTP message: (head, body, rest of buf). Bodies by
    Content-Length or chunked; a response without either runs to EOF."""
    head, buf = recv_until(sock, buf, b"\r\n\r\n")
    first, h = headers_of(head)
    if is_response:
        code = int(first.split()[1])
        if code in (204, 304) or 100 <= code < 200 or method == "HEAD":
            return head, b"", buf
    if "content-length" in h:
        body, buf = recv_exact(sock, buf, int(h["content-length"]))
        return head, body, buf
    if h.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            line, buf = recv_until(sock, buf, b"\r\n")
            body += line
            n = int(line.split(b";")[0].strip(), 16)
            if n == 0:
                while True:
                    t, buf = recv_until(sock, buf, b"\r\n")
                    body += t
                    if t == b"\r\n":
                        return head, body, buf
            chunk, buf = recv_exact(sock, buf, n + 2)
            body += chunk
    if is_response:
        while True:
            b = sock.recv(65536)
            if not b:
                return head, buf, b""
            buf += b
    return head, b"", buf


def reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def answer(sock, code, reason, extra=""):
    body = json.dumps({"error": reason}).encode()
    sock.sendall(("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                  "Content-Length: %d\r\n%s\r\n" % (code, reason, len(body),
                                                   extra)).encode() + body)


class Conn(threading.Thread):
    def __init__(self, client, opts):
        super().__init__(daemon=True)
        self.client, self.o = client, opts

    def run(self):
        up = None
        try:
            up = socket.create_connection(("127.0.0.1", self.o.upstream))
            cbuf, ubuf = b"", b""
            while True:
                head, body, cbuf = read_message(self.client, cbuf, False)
                first, h = headers_of(head)
                method, path = first.split()[0], first.split()[1]
                if path.startswith("/__faults"):
                    with lock:
                        data = json.dumps(stats).encode()
                    self.client.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json"
                        b"\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
                    continue
                is_write = method == "POST" and \
                    path.split("?")[0].rstrip("/").endswith("/write")
                kind = None
                with lock:
                    stats["requests"] += 1
                    if is_write:
                        stats["writes"] += 1
                        if self.o.max_body and len(body) > self.o.max_body:
                            stats["too_large"] += 1
                            kind = "413"
                        else:
                            eligible[0] += 1
                        n = eligible[0]
                        if kind or n <= self.o.first:
                            pass
                        elif n % self.o.every == 0:
                            kind = self.o.kinds[(n // self.o.every) %
                                                len(self.o.kinds)]
                            stats["faults"][kind] = \
                                stats["faults"].get(kind, 0) + 1
                if kind == "413":
                    answer(self.client, 413, "Request Entity Too Large")
                    continue
                if kind == "e503":
                    answer(self.client, 503, "Service Unavailable",
                           "Retry-After: 1\r\n")
                    continue
                if kind == "e429":
                    answer(self.client, 429, "Too Many Requests",
                           "Retry-After: 0\r\n")
                    continue
                if kind == "reset_req":
                    up.sendall(head + body[:len(body) // 2])
                    time.sleep(0.05)
                    reset(up)
                    reset(self.client)
                    return
                up.sendall(head + body)
                rhead, rbody, ubuf = read_message(up, ubuf, True, method)
                if kind in ("reset_resp", "trunc_resp"):
                    with lock:
                        if rhead.split()[1].startswith(b"2"):
                            stats["lost_answers"] += 1
                    if kind == "trunc_resp":
                        self.client.sendall((rhead + rbody)[:9])
                    reset(up)
                    reset(self.client)
                    return
                if kind == "stall":
                    time.sleep(self.o.stall_ms / 1000.0)
                self.client.sendall(rhead + rbody)
        except (Closed, OSError, ValueError, IndexError):
            pass
        finally:
            if up:
                up.close()
            try:
                self.client.close()
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("upstream", type=int)
    ap.add_argument("--every", type=int, default=7)
    ap.add_argument("--first", type=int, default=0,
                    help="no faults in the first N writes")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--max-body", type=int, default=0)
    ap.add_argument("--stall-ms", type=int, default=300)
    o = ap.parse_args()
    o.kinds = [k for k in o.kinds.split(",") if k]
    for k in o.kinds:
        if k not in KINDS:
            sys.exit("fault_proxy: unknown fault %r" % k)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(srv.getsockname()[1], flush=True)
    while True:
        c, _ = srv.accept()
        Conn(c, o).start()


if __name__ == "__main__":
    main()
