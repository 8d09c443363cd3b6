#!/usr/bin/env python3
"""Checks memtop's JSON of tree, peek and traces against go tool pprof's text.

For one golden named in tests/golden/json.tsv (a text golden of texts.tsv,
made with -unit=B or -unit=ns so that every value is an exact integer),
runs the memtop command of texts.tsv with --format json and requires the
JSON to carry what pprof printed:

  tree/peek: {"sample_type", "unit", "total", "nodes": [{"name", "flat", "cum",
             "callers": [{"name", "weight", "inline"}], "callees": [...]}]}
             the same nodes in the same order with the same flat and cum, and
             per node the same callers and callees (pprof's "| name" lines
             above and below it) in order, with their weights and "(inline)".
  traces:    {"sample_type", "unit", "total", "samples": [{"value",
             "labels": {key: [values]}, "frames": [{"name", "inline"}]}]}
             the same samples in order: value, frames leaf first with their
             "(inline)", the label keys, and the values of string labels.

The total is pprof's "of T total" (tree, peek) and the type its "Type:".

Usage: golden_json.py MEMTOP REPO_ROOT GOLDEN_NAME
"""
import json
import os
import re
import subprocess
import sys

memtop, root, name = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
VALUE = re.compile(r"^(-?[0-9]+)(B|ns)?$")
SEP_TREE = "----------------------------------------------------------+-------------"
SEP_TRACES = "-----------+-------------------------------------------------------"


def value(text, where):
    m = VALUE.match(text)
    if not m:
        sys.exit(f"golden_json.py: {name}: {where}: {text!r} is not exact;"
                 " make the golden with -unit=B or -unit=ns")
    return int(m.group(1))


def split_inline(label):
    if label.endswith(" (inline)"):
        return label[: -len(" (inline)")], True
    return label, False


def parse_header(lines):
    h = {}
    for l in lines:
        if l.startswith("Type: "):
            h["type"] = l[6:]
        m = re.match(r"^Showing nodes accounting for \S+, \S+ of (\S+) total$", l)
        if m:
            h["total"] = value(m.group(1), "total")
    return h


def parse_tree(text):
    lines = text.splitlines()
    h = parse_header(lines)
    nodes, cur, above = [], None, []
    edge = re.compile(r"^ {30,}(\S+) +\S+% \|   (.*)$")
    node = re.compile(r"^ *(\S+) +\S+% +\S+% +(\S+) +\S+% +\| (.*)$")
    started = False
    for l in lines:
        if l == SEP_TREE:
            started = True
            cur, above = None, []
            continue
        if not started or "calls calls%" in l:
            continue
        m = edge.match(l)
        if m:
            n, inl = split_inline(m.group(2))
            e = {"name": n, "weight": value(m.group(1), l), "inline": inl}
            (above if cur is None else cur["callees"]).append(e)
            continue
        m = node.match(l)
        if m:
            cur = {"name": m.group(3), "flat": value(m.group(1), l),
                   "cum": value(m.group(2), l), "callers": above, "callees": []}
            nodes.append(cur)
            continue
        sys.exit(f"golden_json.py: {name}: cannot parse {l!r}")
    return h, nodes


def parse_traces(text):
    lines = text.splitlines()
    h = parse_header(lines)
    samples, cur = [], None
    for l in lines:
        if l == SEP_TRACES:
            cur = {"labels": {}, "frames": []}
            samples.append(cur)
            continue
        if cur is None:
            continue
        if len(l) > 10 and l[10] == ":" and not cur["frames"]:
            cur["labels"][l[:10].strip()] = l[13:]
            continue
        if l[10:13] != "   ":
            sys.exit(f"golden_json.py: {name}: cannot parse {l!r}")
        if not cur["frames"]:
            cur["value"] = value(l[:10].strip(), l)
        n, inl = split_inline(l[13:])
        cur["frames"].append({"name": n, "inline": inl})
    if samples and not samples[-1]["frames"]:
        samples.pop()  # the closing separator
    return h, samples


for line in open(os.path.join(here, "golden", "texts.tsv")):
    if line.startswith("#"):
        continue
    g, prof, _, cmd = line.rstrip("\n").split("\t")
    if g == name:
        break
else:
    sys.exit(f"no golden {name} in texts.tsv")
args = cmd.split(" ")
r = subprocess.run([memtop] + args + ["--format", "json", prof], cwd=root,
                   capture_output=True, text=True, env=dict(os.environ, TZ="UTC", LC_ALL="C"))
if r.returncode != 0:
    sys.exit(f"FAIL: memtop {cmd} --format json exited {r.returncode}: {r.stderr}")
got = json.loads(r.stdout)
golden = open(os.path.join(here, "golden", name)).read()
errors = []
if args[0] in ("tree", "peek"):
    h, want = parse_tree(golden)
    have = got["nodes"]
    if [n["name"] for n in have] != [n["name"] for n in want]:
        errors.append(f"nodes {[n['name'] for n in have]} != pprof's {[n['name'] for n in want]}")
    else:
        for a, b in zip(have, want):
            if a != b:
                errors.append(f"node {b['name']}: memtop {a} != pprof {b}")
    if "total" in h and got["total"] != h["total"]:
        errors.append(f"total {got['total']} != pprof's {h['total']}")
    count = len(want)
elif args[0] == "traces":
    h, want = parse_traces(golden)
    have = got["samples"]
    if len(have) != len(want):
        errors.append(f"{len(have)} samples, pprof {len(want)}")
    for i, (a, b) in enumerate(zip(have, want)):
        if a["value"] != b["value"] or a["frames"] != b["frames"]:
            errors.append(f"sample {i}: memtop {a['value']} {a['frames']} != pprof "
                          f"{b['value']} {b['frames']}")
        if sorted(a["labels"]) != sorted(b["labels"]):
            errors.append(f"sample {i}: label keys {sorted(a['labels'])} != pprof's "
                          f"{sorted(b['labels'])}")
        for k, vs in a["labels"].items():
            if vs and isinstance(vs[0], str) and " ".join(vs) != b["labels"].get(k):
                errors.append(f"sample {i}: label {k} {vs} != pprof's {b['labels'].get(k)!r}")
    count = len(want)
else:
    sys.exit(f"golden_json.py: {name}: no JSON check for {args[0]}")
if h.get("type") and got["sample_type"] != h["type"]:
    errors.append(f"sample_type {got['sample_type']} != pprof's {h['type']}")
if errors:
    print("\n".join(errors[:20]))
    sys.exit(f"FAIL: memtop {cmd} --format json differs from pprof")
print(f"ok: memtop {cmd} --format json == pprof ({count} {'nodes' if args[0] != 'traces' else 'samples'})")
