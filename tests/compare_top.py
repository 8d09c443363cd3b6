#!/usr/bin/env python3
"""Checks memtop's top table against a `go tool pprof -top` golden.

Usage:
  compare_top.py GOLDEN.top MEMTOP_JSON   (MEMTOP_JSON may be - for stdin)
  compare_top.py --self-test [GOLDEN.top...]

GOLDEN.top is the standard output of
  go tool pprof -top -nodefraction=0 [-sample_index=I] -unit=B|ns ... PROFILE
(see tests/regen-goldens.sh and tests/golden/goldens.tsv), and MEMTOP_JSON the
output of `memtop top --format json -n 0 ...` with the same options, shaped as
  {"sample_type": "inuse_space", "unit": "bytes", "total": N,
   "rows": [{"name": "main.leak", "flat": N, "cum": N}, ...]}
(JSON values in microseconds, milliseconds or seconds are compared in nanoseconds,
the unit of the goldens' -unit=ns)

The check passes when both list the same function names (pprof's "(inline)"
and "(partial-inline)" labels removed) in the same order, with identical flat
and cum per name, the same total (the T of pprof's "Showing nodes accounting
for X, P% of T total") and, where the golden has a "Type:" line, the same
sample type. Any mismatch is printed and the exit status is 1.

A golden that is not exact (a value like "1.94s" or "12.50MB": pprof was not
run with -unit=B or -unit=ns) or that cannot be parsed is an error of the test
itself: exit status 2. So is a JSON document of the wrong shape.

--self-test parses every golden (default: all of tests/golden/*.top), checks
that each has rows and that its flat values add up to pprof's "accounting for"
sum, and checks that the comparison accepts a golden's own rows and rejects
altered ones. Python 3 standard library only.
"""

import glob
import json
import os
import re
import sys

# pprof formats every value through a float64 ("%.2f"), so integers above
# 2**53 may not be printed exactly.
EXACT_LIMIT = 2**53

HEADER_RE = re.compile(r"^\s*flat\s+flat%\s+sum%\s+cum\s+cum%\s*$")
SHOWING_RE = re.compile(
    r"^Showing nodes accounting for (\S+), (\S+) of (\S+) total\s*$")
ROW_RE = re.compile(r"^\s*(\S+)\s+(\S+%)\s+(\S+%)\s+(\S+)\s+(\S+%)\s+(\S.*)$")
VALUE_RE = re.compile(r"^(-?[0-9]+)(B|ns)?$")
INLINE_LABELS = (" (inline)", " (partial-inline)")
# Nanoseconds per unit of the time units a profile may count in.
TIME_UNITS = {"microseconds": 1000, "milliseconds": 1000000, "seconds": 1000000000}


class GoldenError(Exception):
    """The golden (or the JSON) is unusable: the test is broken, not memtop."""


def parse_value(text, where):
    """Returns the exact integer pprof printed as text (e.g. 1536B, 0, 10ns)."""
    m = VALUE_RE.match(text)
    if not m:
        if "." in text:
            raise GoldenError(
                f"{where}: value {text!r} is rounded, so the golden is not exact;"
                " regenerate it with -unit=B (or -unit=ns for times)")
        raise GoldenError(
            f"{where}: value {text!r} is not an integer with unit B or ns;"
            " regenerate the golden with -unit=B (or -unit=ns for times)")
    value = int(m.group(1))
    if abs(value) > EXACT_LIMIT:
        raise GoldenError(
            f"{where}: value {text!r} is beyond 2**53, where pprof's float"
            " formatting is no longer exact")
    return value


def strip_inline(name):
    """Removes pprof's trailing inline label from a row's name."""
    for label in INLINE_LABELS:
        if name.endswith(label):
            return name[: -len(label)]
    return name


def parse_golden(path):
    """Parses a pprof -top golden into a dict: type, total, showing, rows.

    rows is a list of (name, flat, cum) in pprof's order.
    """
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    sample_type = None
    total = showing = None
    rows = []
    in_rows = False
    for n, line in enumerate(lines, 1):
        where = f"{path}:{n}"
        if in_rows:
            if line == "":
                continue
            m = ROW_RE.match(line)
            if not m:
                raise GoldenError(f"{where}: cannot parse row {line!r}")
            flat = parse_value(m.group(1), where)
            cum = parse_value(m.group(4), where)
            rows.append((strip_inline(m.group(6)), flat, cum))
            continue
        if line.startswith("Type: "):
            sample_type = line[len("Type: "):].strip()
        m = SHOWING_RE.match(line)
        if m:
            showing = parse_value(m.group(1), where)
            total = parse_value(m.group(3), where)
        if HEADER_RE.match(line):
            in_rows = True
    if total is None:
        raise GoldenError(f"{path}: no 'Showing nodes accounting for X, P% of T total' line")
    if not in_rows:
        raise GoldenError(f"{path}: no 'flat  flat%  sum%  cum  cum%' header line")
    return {"type": sample_type, "total": total, "showing": showing, "rows": rows}


def load_json(path):
    """Reads memtop's top JSON and returns (sample_type, total, rows)."""
    try:
        if path == "-":
            doc = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
    except (OSError, ValueError) as e:
        raise GoldenError(f"{path}: not readable as JSON: {e}")

    def exact_int(v, what):
        if type(v) is not int:
            raise GoldenError(f"{path}: {what} is {v!r}, not an exact integer")
        return v

    if not isinstance(doc, dict):
        raise GoldenError(f"{path}: top level is not an object")
    for key in ("sample_type", "unit", "total", "rows"):
        if key not in doc:
            raise GoldenError(f"{path}: missing key {key!r}")
    total = exact_int(doc["total"], "total")
    if not isinstance(doc["rows"], list):
        raise GoldenError(f"{path}: rows is not a list")
    # JSON values are in the profile's own unit; goldens print times in ns
    # (-unit=ns). A Java contention profile counts its delay in microseconds.
    scale = TIME_UNITS.get(doc["unit"], 1)
    rows = []
    for i, r in enumerate(doc["rows"]):
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            raise GoldenError(f"{path}: rows[{i}] has no string name: {r!r}")
        rows.append((r["name"], exact_int(r.get("flat"), f"rows[{i}].flat") * scale,
                     exact_int(r.get("cum"), f"rows[{i}].cum") * scale))
    return doc["sample_type"], total * scale, rows


def fmt_row(row):
    return f"flat={row[1]} cum={row[2]} {row[0]}"


def compare(golden, sample_type, total, rows, limit=40):
    """Returns a list of mismatch descriptions (empty when memtop agrees)."""
    problems = []
    if golden["type"] is not None and sample_type != golden["type"]:
        problems.append(
            f"sample type: pprof {golden['type']!r}, memtop {sample_type!r}")
    if total != golden["total"]:
        problems.append(
            f"total: pprof {golden['total']}, memtop {total} (delta {total - golden['total']:+d})")

    want, got = golden["rows"], rows
    for label, lst in (("pprof", want), ("memtop", got)):
        seen = set()
        for r in lst:
            if r[0] in seen:
                problems.append(f"{label} lists {r[0]!r} more than once")
            seen.add(r[0])
    want_by = {r[0]: r for r in want}
    got_by = {r[0]: r for r in got}
    missing = [r for r in want if r[0] not in got_by]
    extra = [r for r in got if r[0] not in want_by]
    if missing:
        problems.append(f"{len(missing)} name(s) only in pprof's golden:")
        problems += ["  - " + fmt_row(r) for r in missing[:limit]]
        if len(missing) > limit:
            problems.append(f"  ... and {len(missing) - limit} more")
    if extra:
        problems.append(f"{len(extra)} name(s) only in memtop's output:")
        problems += ["  + " + fmt_row(r) for r in extra[:limit]]
        if len(extra) > limit:
            problems.append(f"  ... and {len(extra) - limit} more")

    diffs = []
    for name, flat, cum in want:
        g = got_by.get(name)
        if g is None:
            continue
        parts = []
        if g[1] != flat:
            parts.append(f"flat pprof {flat} memtop {g[1]} ({g[1] - flat:+d})")
        if g[2] != cum:
            parts.append(f"cum pprof {cum} memtop {g[2]} ({g[2] - cum:+d})")
        if parts:
            diffs.append(f"  {name}: " + ", ".join(parts))
    if diffs:
        problems.append(f"{len(diffs)} name(s) with different values:")
        problems += diffs[:limit]
        if len(diffs) > limit:
            problems.append(f"  ... and {len(diffs) - limit} more")

    # Order: compare the sequences of the names both sides list.
    common = set(want_by) & set(got_by)
    want_order = [r[0] for r in want if r[0] in common]
    got_order = [r[0] for r in got if r[0] in common]
    if want_order != got_order:
        i = next(k for k, (a, b) in enumerate(zip(want_order, got_order)) if a != b)
        lo, hi = max(0, i - 2), min(len(want_order), i + 5)
        problems.append(
            f"row order differs from position {i + 1} (of the names both list):")
        for k in range(lo, hi):
            mark = "!" if want_order[k] != got_order[k] else " "
            problems.append(
                f" {mark} {k + 1:5d}  pprof {fmt_row(want_by[want_order[k]])}")
            problems.append(
                f" {mark} {'':5s}  memtop {fmt_row(got_by[got_order[k]])}")
    return problems


def self_test(paths):
    """Parses goldens and checks the checker on them; returns an exit status."""
    if not paths:
        here = os.path.dirname(os.path.abspath(__file__))
        paths = sorted(glob.glob(os.path.join(here, "golden", "*.top")))
    if not paths:
        print("self-test: no goldens found", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            g = parse_golden(path)
        except GoldenError as e:
            print(f"FAIL {e}")
            failed += 1
            continue
        rows = g["rows"]
        errs = []
        if not rows:
            errs.append("no rows")
        flat_sum = sum(r[1] for r in rows)
        if g["showing"] is not None and flat_sum != g["showing"]:
            errs.append(f"flat values add up to {flat_sum}, pprof shows {g['showing']}")
        if compare(g, g["type"], g["total"], rows):
            errs.append("rejects its own rows")
        if len(rows) >= 2:
            swapped = rows[:]
            swapped[0], swapped[1] = swapped[1], swapped[0]
            altered = [(rows[0][0], rows[0][1] + 1, rows[0][2])] + rows[1:]
            for what, bad in (("swapped rows", swapped), ("a changed flat", altered),
                              ("a missing row", rows[:-1]),
                              ("an extra row", rows + [("memtop.extra", 0, 0)])):
                if not compare(g, g["type"], g["total"], bad):
                    errs.append(f"accepts {what}")
        if not compare(g, g["type"], g["total"] + 1, rows):
            errs.append("accepts a changed total")
        if errs:
            print(f"FAIL {path}: " + "; ".join(errs))
            failed += 1
        else:
            print(f"ok   {path}: {len(rows)} rows, total {g['total']}, type {g['type']}")
    print(f"self-test: {len(paths) - failed} of {len(paths)} goldens ok")
    return 1 if failed else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "--self-test":
        return self_test(argv[2:])
    if len(argv) != 3 or argv[1].startswith("-"):
        print("usage: compare_top.py GOLDEN.top MEMTOP_JSON|-\n"
              "       compare_top.py --self-test [GOLDEN.top...]", file=sys.stderr)
        return 2
    golden_path, json_path = argv[1], argv[2]
    try:
        golden = parse_golden(golden_path)
        sample_type, total, rows = load_json(json_path)
    except GoldenError as e:
        print(f"compare_top: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"compare_top: {e}", file=sys.stderr)
        return 2
    problems = compare(golden, sample_type, total, rows)
    if problems:
        print(f"MISMATCH {golden_path} vs {json_path}")
        for p in problems:
            print(p)
        return 1
    print(f"ok {golden_path}: {len(rows)} rows, total {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
