#!/usr/bin/env python3
"""A loopback stand-in for Grafana Pyroscope and Parca: exactly the endpoints
memtop speaks (issue 18), as their public API definitions specify, on
127.0.0.1 and an ephemeral port, in a thread of the test that starts it.

Followed (field numbers, paths, JSON names):
- Pyroscope, Connect protocol over application/proto (grafana/pyroscope
  api/querier/v1/querier.proto and api/types/v1/types.proto, v1.x; the
  SelectMergeStacktraces PROFILE_FORMAT_PPROF = 4 request field 6 and
  SelectMergeStacktracesResponse.pprof = 5 (PprofProfile.profile = 1) of
  v2.2, as Pyroscope's profilecli uses them with its SelectMergeProfile
  fallback; api/push/v1/push.proto):
    POST /querier.v1.QuerierService/ProfileTypes   ProfileTypesRequest{start=1,end=2}
         -> ProfileTypesResponse{profile_types=1: ProfileType{ID=1,name=2,
            sample_type=4,sample_unit=5,period_type=6,period_unit=7}}
    POST /querier.v1.QuerierService/LabelNames     {matchers=1,start=2,end=3} -> {names=1}
    POST /querier.v1.QuerierService/LabelValues    {name=1,matchers=2,start=3,end=4} -> {names=1}
    POST /querier.v1.QuerierService/SelectMergeStacktraces
         {profile_typeID=1,label_selector=2,start=3,end=4 (ms, inclusive),
          max_nodes=5,format=6} -> {pprof=5: {profile=1: google.v1.Profile}}
         (legacy mode, a server before 2.2: the format is ignored and a
          flame graph answers, field 1)
    POST /querier.v1.QuerierService/SelectMergeProfile  {1..5} -> google.v1.Profile
    POST /querier.v1.QuerierService/SelectSeries  {profile_typeID=1,label_selector=2,
         start=3,end=4,group_by=5,step=6 (double, s)} -> SelectSeriesResponse{
         series=1: Series{labels=1: LabelPair, points=2: Point{value=1 (double),
         timestamp=2 (ms)}}}
    POST /push.v1.PusherService/Push  PushRequest{series=1: RawProfileSeries{
         labels=1: LabelPair{name=1,value=2}, samples=2: RawSample{raw_profile=1}}}
  Errors as Connect writes them: an HTTP status and {"code","message"} JSON.
  Multi-tenant mode: X-Scope-OrgID is required (401 without it).
- Parca, its gRPC-gateway HTTP API (parca-dev/parca
  proto/parca/query/v1alpha1/query.proto and
  proto/parca/profilestore/v1alpha1/profilestore.proto, v0.x, mounted
  under /api):
    GET  /api/profiles/query?mode=MODE_MERGE&reportType=REPORT_TYPE_PPROF&
         merge.query=Q&merge.start=RFC3339&merge.end=RFC3339
         -> {"pprof": base64 of the gzipped merged profile}
    GET  /api/profiles/query_range?query=Q&start=T&end=T&step=D
         -> {"series": [{"labelset": {"labels": [{"name", "value"}]},
             "samples": [{"timestamp": RFC 3339, "value": "int64"}]}]}
    GET  /api/profiles/types -> {"types": [{"name","sampleType","sampleUnit",
         "periodType","periodUnit","delta"}]}
    GET  /api/profiles/labels -> {"labelNames": [...]}
    GET  /api/profiles/labels/{label_name}/values -> {"labelValues": [...]}
    POST /api/profiles/writeraw  {"series": [{"labels": {"labels": [{"name",
         "value"}]}, "samples": [{"rawProfile": base64}]}]}
A merge sums every stored profile whose time lies in the window, as both
stores do; a series point is the sum of the totals (of the type's sample
type) of the profiles in one step, stamped with the step's start; more than one is merged by `go tool pprof -proto` (pprof's own
merge, independent of memtop). Where the stub is simpler than a store: it
answers with all the sample types of the merged profiles (a store keeps the
one the type id names), and it keeps profiles in memory.
Also served, for `memtop collect --push`: GET /debug/pprof/heap, a fixed
profile. Faults on demand: fault[PATH_PREFIX] = "500" | "slow" | "garbage".
Python 3 standard library only.
"""
import base64
import datetime
import gzip
import json
import re
import struct
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 4


# --- protobuf wire format ----------------------------------------------------
def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def field_str(num, s):
    return field_bytes(num, s.encode())


def field_uint(num, v):
    return varint(num << 3) + varint(v)


def fields(data):
    """[(num, value)] of a message: ints for varints, bytes for lengths."""
    out, i = [], 0
    while i < len(data):
        tag, i = read_varint(data, i)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            v, i = read_varint(data, i)
        elif wt == 2:
            n, i = read_varint(data, i)
            v, i = data[i:i + n], i + n
            if len(v) != n:
                raise ValueError("truncated")
        elif wt == 1:
            v, i = int.from_bytes(data[i:i + 8], "little"), i + 8
        elif wt == 5:
            v, i = int.from_bytes(data[i:i + 4], "little"), i + 4
        else:
            raise ValueError(f"wire type {wt}")
        out.append((num, v))
    return out


def read_varint(data, i):
    v = shift = 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


# --- label selectors ---------------------------------------------------------
MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')


def parse_selector(sel):
    sel = sel.strip()
    if not sel.startswith("{") or not sel.endswith("}"):
        raise ValueError(f"bad selector {sel!r}")
    body, out = sel[1:-1], []
    pos = 0
    while body[pos:].strip():
        m = MATCHER.match(body, pos)
        if not m:
            raise ValueError(f"bad selector {sel!r}")
        out.append((m.group(1), m.group(2), m.group(3).replace('\\"', '"')))
        pos = m.end()
    return out


def matches(labels, matchers):
    for name, op, value in matchers:
        have = labels.get(name, "")
        ok = {"=": have == value, "!=": have != value,
              "=~": re.fullmatch(value, have) is not None,
              "!~": re.fullmatch(value, have) is None}[op]
        if not ok:
            return False
    return True


HEAP_TYPES = [("alloc_objects", "count"), ("alloc_space", "bytes"),
              ("inuse_objects", "count"), ("inuse_space", "bytes")]


class Store:
    """The profiles held, what was pushed, and the faults to act out."""

    def __init__(self, go, env):
        self.go, self.env = go, env
        self.entries = []   # {"name", "labels", "ms", "path"}
        self.pushes = []    # {"store", "labels", "raw", "headers"}
        self.requests = []  # (method, path, headers)
        self.fault = {}
        self.legacy = False
        self.tenant = None  # multi-tenant: the one tenant allowed
        self.scrape_path = None
        self.lock = threading.Lock()

    def add(self, name, labels, seconds, path):
        self.entries.append({"name": name, "labels": dict(labels), "ms": seconds * 1000,
                             "path": path})

    def select(self, type_id, selector, start_ms, end_ms):
        name = type_id.split(":")[0]
        ms = parse_selector(selector)
        return [e["path"] for e in self.entries
                if e["name"] == name and start_ms <= e["ms"] <= end_ms
                and matches(dict(e["labels"], __name__=e["name"]), ms)]

    def merged(self, paths):
        """The pprof protobuf (not gzipped) of paths merged; b"" for none."""
        if not paths:
            return b""
        if len(paths) == 1:
            with open(paths[0], "rb") as f:
                data = f.read()
        else:
            data = subprocess.run([self.go, "tool", "pprof", "-proto"] + paths,
                                  env=self.env, capture_output=True, check=True).stdout
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data

    def series(self, type_id, selector, start_ms, end_ms, step_ms, group_by=None):
        """{label tuple: {bucket start ms: total}} of the profiles selected."""
        name, stype = type_id.split(":")[0], type_id.split(":")[1]
        ms = parse_selector(selector)
        out = {}
        for e in self.entries:
            labels = dict(e["labels"], __name__=e["name"])
            if e["name"] != name or not start_ms <= e["ms"] <= end_ms or not matches(labels, ms):
                continue
            keys = sorted(e["labels"]) if group_by is None else [k for k in group_by if k in labels]
            key = tuple((k, labels[k]) for k in keys)
            bucket = start_ms + (e["ms"] - start_ms) // step_ms * step_ms
            pts = out.setdefault(key, {})
            pts[bucket] = pts.get(bucket, 0) + profile_total(e["path"], stype)
        return out

    def label_names(self, selector=None):
        ms = parse_selector(selector) if selector else []
        names = {"__name__"}
        for e in self.entries:
            if matches(dict(e["labels"], __name__=e["name"]), ms):
                names |= set(e["labels"])
        return sorted(names)

    def label_values(self, name, selector=None):
        ms = parse_selector(selector) if selector else []
        vals = set()
        for e in self.entries:
            labels = dict(e["labels"], __name__=e["name"])
            if name in labels and matches(labels, ms):
                vals.add(labels[name])
        return sorted(vals)


def packed(v):
    """The ints of a packed or single varint field value."""
    if isinstance(v, int):
        return [signed64(v)]
    out, i = [], 0
    while i < len(v):
        x, i = read_varint(v, i)
        out.append(signed64(x))
    return out


def profile_total(path, stype):
    """The sum of the values of sample type stype in the profile at path."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    f = fields(data)
    strings = [v.decode() for n, v in f if n == 6]
    types = [strings[dict(fields(v)).get(1, 0)] for n, v in f if n == 1]
    idx = types.index(stype)
    total = 0
    for n, v in f:
        if n == 2:
            vals = []
            for k, x in fields(v):
                if k == 2:
                    vals += packed(x)
            total += vals[idx]
    return total


def rfc3339_ms(s):
    return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, ctype="application/proto"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def connect_error(self, status, code, msg):
        self.answer(status, json.dumps({"code": code, "message": msg}).encode(),
                    "application/json")

    def faulted(self):
        st = self.server.store
        for prefix, what in st.fault.items():
            if self.path.startswith(prefix):
                if what == "500":
                    self.answer(500, b"internal error: the store is down", "text/plain")
                elif what == "slow":
                    time.sleep(SLOW_SECONDS)
                    self.answer(200, b"", "application/proto")
                elif what == "garbage":
                    body = b"\xff\xff\xff\xff garbage" if "querier" in self.path \
                        else b"{\"pprof\": \"not base64!\""
                    self.answer(200, body)
                return True
        return False

    def do_GET(self):
        st = self.server.store
        st.requests.append(("GET", self.path, dict(self.headers)))
        if self.faulted():
            return
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if u.path == "/debug/pprof/heap" and st.scrape_path:
            with open(st.scrape_path, "rb") as f:
                return self.answer(200, f.read(), "application/octet-stream")
        if u.path == "/api/profiles/query":
            if q.get("mode") != "MODE_MERGE" or q.get("reportType") != "REPORT_TYPE_PPROF":
                return self.answer(400, b'{"code": 3, "message": "unsupported"}',
                                   "application/json")
            query = q["merge.query"]
            brace = query.index("{") if "{" in query else len(query)
            type_id, sel = query[:brace], query[brace:] or "{}"
            paths = st.select(type_id, sel, rfc3339_ms(q["merge.start"]),
                              rfc3339_ms(q["merge.end"]))
            prof = st.merged(paths)
            doc = {"total": "0"}
            if prof:
                doc["pprof"] = base64.b64encode(gzip.compress(prof)).decode()
            return self.answer(200, json.dumps(doc).encode(), "application/json")
        if u.path == "/api/profiles/query_range":
            query = q["query"]
            brace = query.index("{") if "{" in query else len(query)
            step_ms = int(float(q["step"].rstrip("s")) * 1000)
            start = rfc3339_ms(q["start"])
            out = st.series(query[:brace], query[brace:] or "{}", start,
                            rfc3339_ms(q["end"]), step_ms)
            doc = {"series": [
                {"labelset": {"labels": [{"name": k, "value": v} for k, v in key]},
                 "samples": [{"timestamp": datetime.datetime.fromtimestamp(
                     t / 1000, datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
                     "value": str(val)} for t, val in sorted(pts.items())]}
                for key, pts in sorted(out.items())]}
            return self.answer(200, json.dumps(doc).encode(), "application/json")
        if u.path == "/api/profiles/types":
            types = [{"name": n, "sampleType": t, "sampleUnit": unit, "periodType": "space",
                      "periodUnit": "bytes", "delta": t.startswith("alloc")}
                     for n in sorted({e["name"] for e in st.entries}) for t, unit in HEAP_TYPES]
            return self.answer(200, json.dumps({"types": types}).encode(), "application/json")
        if u.path == "/api/profiles/labels":
            names = st.label_names(q.get("match"))
            return self.answer(200, json.dumps({"labelNames": names}).encode(),
                               "application/json")
        m = re.fullmatch(r"/api/profiles/labels/([^/]+)/values", u.path)
        if m:
            vals = st.label_values(urllib.parse.unquote(m.group(1)), q.get("match"))
            return self.answer(200, json.dumps({"labelValues": vals}).encode(),
                               "application/json")
        self.answer(404, b"404 page not found", "text/plain")

    def do_POST(self):
        st = self.server.store
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        st.requests.append(("POST", self.path, dict(self.headers)))
        if self.faulted():
            return
        if self.path == "/api/profiles/writeraw":
            doc = json.loads(body)
            for s in doc["series"]:
                labels = {p["name"]: p["value"] for p in s["labels"]["labels"]}
                for smp in s["samples"]:
                    st.pushes.append({"store": "parca", "labels": labels,
                                      "raw": base64.b64decode(smp["rawProfile"]),
                                      "headers": dict(self.headers)})
            return self.answer(200, b"{}", "application/json")
        if self.headers.get("Content-Type") != "application/proto":
            return self.connect_error(415, "unknown", "want application/proto")
        if st.tenant and self.headers.get("X-Scope-OrgID") != st.tenant:
            return self.connect_error(401, "unauthenticated", "no org id")
        method = self.path.rsplit("/", 1)[-1]
        try:
            f = fields(body)
        except (ValueError, IndexError):
            return self.connect_error(400, "invalid_argument", "bad request message")
        one = {}
        many = {}
        for num, v in f:
            one[num] = v
            many.setdefault(num, []).append(v)
        if self.path == "/push.v1.PusherService/Push":
            for num, series in f:
                sf = fields(series)
                labels = {}
                for k, v in sf:
                    if k == 1:
                        lp = dict(fields(v))
                        labels[lp.get(1, b"").decode()] = lp.get(2, b"").decode()
                for k, v in sf:
                    if k == 2:
                        st.pushes.append({"store": "pyroscope", "labels": labels,
                                          "raw": dict(fields(v)).get(1, b""),
                                          "headers": dict(self.headers)})
            return self.answer(200, b"")
        if method == "ProfileTypes":
            out = b""
            for name in sorted({e["name"] for e in st.entries}):
                for t, unit in HEAP_TYPES:
                    tid = f"{name}:{t}:{unit}:space:bytes"
                    out += field_bytes(1, field_str(1, tid) + field_str(2, name) +
                                       field_str(4, t) + field_str(5, unit) +
                                       field_str(6, "space") + field_str(7, "bytes"))
            return self.answer(200, out)
        if method == "LabelNames":
            sel = many.get(1, [b""])[0].decode() or None
            return self.answer(200, b"".join(field_str(1, x) for x in st.label_names(sel)))
        if method == "LabelValues":
            sel = many.get(2, [b""])[0].decode() or None
            vals = st.label_values(one.get(1, b"").decode(), sel)
            return self.answer(200, b"".join(field_str(1, x) for x in vals))
        if method == "SelectSeries":
            group_by = [x.decode() for x in many.get(5, [])]
            step_ms = int(struct.unpack("<d", one.get(6, 0).to_bytes(8, "little"))[0] * 1000)
            start = signed64(one.get(3, 0))
            out = st.series(one.get(1, b"").decode(), one.get(2, b"{}").decode() or "{}",
                            start, signed64(one.get(4, 0)), step_ms, group_by)
            body = b""
            for key, pts in sorted(out.items()):
                ser = b"".join(field_bytes(1, field_str(1, k) + field_str(2, v)) for k, v in key)
                for t, val in sorted(pts.items()):
                    ser += field_bytes(2, varint(1 << 3 | 1) + struct.pack("<d", float(val)) +
                                       field_uint(2, t))
                body += field_bytes(1, ser)
            return self.answer(200, body)
        if method in ("SelectMergeStacktraces", "SelectMergeProfile"):
            if method == "SelectMergeStacktraces" and st.legacy:
                # Before 2.2: no format field; a flame graph answers.
                return self.answer(200, field_bytes(1, field_str(1, "total")))
            type_id = one.get(1, b"").decode()
            sel = one.get(2, b"{}").decode() or "{}"
            try:
                paths = st.select(type_id, sel, signed64(one.get(3, 0)),
                                  signed64(one.get(4, 0)))
            except ValueError as e:
                return self.connect_error(400, "invalid_argument", str(e))
            prof = st.merged(paths)
            if method == "SelectMergeProfile":
                return self.answer(200, prof)
            if one.get(6) != 4:
                return self.answer(200, field_bytes(1, field_str(1, "total")))
            return self.answer(200, field_bytes(5, field_bytes(1, prof)))
        self.connect_error(404, "unimplemented", f"{self.path} is not implemented")


class Server:
    """The stub on 127.0.0.1:PORT (ephemeral); stop() always ends it."""

    def __init__(self, store):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.store = store
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
