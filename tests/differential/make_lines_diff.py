#!/usr/bin/python3
"""Differential test: influxc's encoder against python3-influxdb's make_lines.

Each case is a list of points in the seed's JSON form. Where make_lines'
output is valid line protocol the two must agree, except for the documented
deliberate differences below, which are checked to be exactly that:

  FLOAT_FORM   make_lines writes repr(): 1.0, 1e+300; influxc writes the
               shortest text: 1, 1e+300. Same double either way.
  TAG_BACKSLASH  make_lines doubles backslashes in tag keys and values
               (influxdb-python issue #896), so c:\\p is stored as c:\\\\p.
               influxc writes them as influxd reads them.
  STRING_NEWLINE  make_lines writes a newline inside a string field as the
               two characters \\n, which influxd stores as a backslash and an
               n; influxc sends the newline itself, which influxd stores as a
               newline (the round-trip test proves it).
  REFUSED      influxc refuses what influxd cannot store or read back
               (NaN, inf, empty field set, names with newlines, a tag value
               ending in a backslash, ...) where make_lines emits a line the
               server rejects or misreads, or silently drops the point.
"""
import json, math, struct, subprocess, sys

from influxdb.line_protocol import make_lines

DUMP = sys.argv[1]

CASES = [
    ("plain", [{"measurement": "cpu", "tags": {"host": "a", "region": "eu"},
                "fields": {"v": 0.5, "n": 3, "ok": True, "s": "x"}, "time": 10}]),
    ("escapes", [{"measurement": "c p,u", "tags": {"k=y": "v a,l"},
                  "fields": {"f k": "say \"hi\"", "g=": "back\\slash"}, "time": 1}]),
    ("unicode", [{"measurement": "ünï", "tags": {"日": "🚀"}, "fields": {"é": "ç"}}]),
    ("tags_sorted", [{"measurement": "m", "tags": {"z": "1", "a": "2", "m": "3"},
                      "fields": {"v": 1}}]),
    ("empty_tag_dropped", [{"measurement": "m", "tags": {"a": "", "b": "x"},
                            "fields": {"v": 1}}]),
    ("null_field_dropped", [{"measurement": "m", "fields": {"a": None, "b": 2}}]),
    ("int_limits", [{"measurement": "m", "fields": {"max": 9223372036854775807,
                                                    "min": -9223372036854775808}}]),
    ("floats", [{"measurement": "m", "fields": {"a": 0.1, "b": 1e300, "c": 5e-324,
                                                "d": -2.5}}]),
    ("float_integral", [{"measurement": "m", "fields": {"a": 1.0, "b": 100.0}}]),
    ("string_newline", [{"measurement": "m", "fields": {"s": "two\nlines\ttab"}}]),
    ("string_backslash_end", [{"measurement": "m", "fields": {"s": "end\\"}}]),
    ("tag_backslash", [{"measurement": "m", "tags": {"path": "c:\\p"}, "fields": {"v": 1}}]),
    ("many", [{"measurement": "m%d" % i, "tags": {"t": str(i)}, "fields": {"v": i},
               "time": i} for i in range(50)]),
    ("nan", [{"measurement": "m", "fields": {"v": float("nan")}}]),
    ("inf", [{"measurement": "m", "fields": {"v": float("inf")}}]),
    ("no_fields", [{"measurement": "m", "tags": {"a": "b"}, "fields": {}}]),
    ("tag_trailing_backslash", [{"measurement": "m", "tags": {"a": "b\\"}, "fields": {"v": 1}}]),
    ("newline_in_tag", [{"measurement": "m", "tags": {"a": "b\nc"}, "fields": {"v": 1}}]),
    ("newline_in_measurement", [{"measurement": "m\nx", "fields": {"v": 1}}]),
]

EXPECT = {  # case -> deliberate difference
    "float_integral": "FLOAT_FORM", "string_newline": "STRING_NEWLINE",
    "tag_backslash": "TAG_BACKSLASH",
    "nan": "REFUSED", "inf": "REFUSED", "no_fields": "REFUSED",
    "tag_trailing_backslash": "REFUSED", "newline_in_tag": "REFUSED",
    "newline_in_measurement": "REFUSED",
}


def ours(points):
    text = json.dumps(points)
    out = subprocess.run([DUMP], input=text.encode(), capture_output=True, check=True)
    return out.stdout.decode()


def unescape(s, specials):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in specials:
            out.append(s[i + 1])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def split_unescaped(s, sep):
    parts, cur, i, quoted = [], [], 0, False
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        if c == sep and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def value(v):
    if v.startswith('"'):
        return ("str", v[1:-1].replace('\\"', '"').replace("\\\\", "\\"))
    if v.endswith("i"):
        return ("int", int(v[:-1]))
    if v in ("t", "T", "true", "True", "TRUE"):
        return ("bool", True)
    if v in ("f", "F", "false", "False", "FALSE"):
        return ("bool", False)
    return ("float", struct.pack("<d", float(v)))


def parse(text):
    """Parses line protocol the way influxd reads it (single-line points)."""
    points = []
    for line in split_unescaped(text.rstrip("\n"), "\n"):
        sections = split_unescaped(line, " ")
        key = split_unescaped(sections[0], ",")
        tags = {}
        for kv in key[1:]:
            k, v = split_unescaped(kv.replace("\\=", "\x00"), "=")
            tags[unescape(k.replace("\x00", "\\="), ",= ")] = \
                unescape(v.replace("\x00", "\\="), ",= ")
        fields = {}
        for kv in split_unescaped(sections[1], ","):
            k, v = kv.replace("\\=", "\x00").split("=", 1)
            fields[unescape(k.replace("\x00", "\\="), ",= ")] = value(v)
        t = int(sections[2]) if len(sections) > 2 else None
        points.append((unescape(key[0], ", "), tags, fields, t))
    return points


def main():
    failures = 0
    for name, points in CASES:
        try:
            theirs = make_lines({"points": points})
        except Exception as e:  # make_lines raised: no valid output to compare
            theirs = "EXCEPTION: %s" % e
        mine = ours(points) if name not in ("nan", "inf") else \
            subprocess.run([DUMP], input=json.dumps(points).replace("NaN", "1e999")
                           .replace("Infinity", "1e999").encode(),
                           capture_output=True, check=True).stdout.decode()
        kind = EXPECT.get(name)
        if kind is None:
            # Same points; field order and bool spelling may differ
            # (make_lines sorts fields and writes True).
            if parse(mine) != parse(theirs):
                print("FAIL %s: influxc %r, make_lines %r" % (name, mine, theirs))
                failures += 1
            else:
                print("ok %s" % name)
            continue
        if kind == "REFUSED":
            if not mine.startswith("ERROR: "):
                print("FAIL %s: influxc should refuse, wrote %r" % (name, mine))
                failures += 1
            else:
                print("ok %s: influxc refuses (%s); make_lines gives %r"
                      % (name, mine.strip(), theirs))
            continue
        if kind == "FLOAT_FORM":
            if parse(mine) != parse(theirs) or mine == theirs:
                print("FAIL %s: %r vs %r" % (name, mine, theirs))
                failures += 1
            else:
                print("ok %s: same doubles, shorter text %r vs %r" % (name, mine.strip(), theirs.strip()))
            continue
        if kind == "STRING_NEWLINE":
            want = points[0]["fields"]["s"]
            if parse(mine)[0][2]["s"] != ("str", want) or \
                    parse(theirs)[0][2]["s"] == ("str", want):
                print("FAIL %s: %r vs %r" % (name, mine, theirs))
                failures += 1
            else:
                print("ok %s: make_lines escapes the newline: %r vs %r"
                      % (name, theirs, mine))
            continue
        if kind == "TAG_BACKSLASH":
            ours_tags = parse(mine)[0][1]
            their_tags = parse(theirs)[0][1]
            want = points[0]["tags"]
            if ours_tags != want or their_tags == want:
                print("FAIL %s: %r vs %r" % (name, mine, theirs))
                failures += 1
            else:
                print("ok %s: make_lines doubles the backslash (#896): %r vs %r"
                      % (name, theirs.strip(), mine.strip()))
    print("%d cases, %d failures" % (len(CASES), failures))
    return 1 if failures else 0


sys.exit(main())
