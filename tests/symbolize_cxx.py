#!/usr/bin/env python3
"""C++ names: tests/c/names.cpp built with g++ -O2 -g.

1. Every address of its functions (shapes::..., main): memtop's frames,
   innermost first (name, file base name, line), equal binutils'
   `addr2line -f -i -C` with google-pprof's own simplification of demangled
   names applied (ShortFunctionName in /usr/bin/google-pprof: no arguments,
   no template arguments, no leading return type), the names pprof shows.
2. A tcmalloc heap profile of it: every function `google-pprof --text`
   prints has the same flat and cum in `memtop top --format json`.

usage: symbolize_cxx.py MEMTOP SYMBOLIZE_TOOL REPO_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MEMTOP, TOOL, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
SRC = os.path.join(ROOT, "tests", "c", "names.cpp")
for tool in ("g++", "addr2line", "nm"):
    if not shutil.which(tool):
        print(f"SKIP: no {tool}")
        sys.exit(77)
failed = 0


def short_function_name(f):
    """google-pprof's ShortFunctionName, regex for regex."""
    while True:
        g = re.sub(r"\([^()]*\)(\s*const)?", "", f)
        if g == f:
            break
        f = g
    f = re.sub(r"<[0-9a-f]*>$", "", f)
    while True:
        g = re.sub(r"<[^<>]*>", "", f)
        if g == f:
            break
        f = g
    return re.sub(r"^.*\s+(\w+::)", r"\1", f)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, check=True, **kw).stdout


tmp = tempfile.mkdtemp()
try:
    binary = os.path.join(tmp, "names")
    # No sibling calls: fill<64> keeps its own frame in the heap profile.
    cxxflags = ["-O2", "-g", "-fno-optimize-sibling-calls"]
    run(["g++"] + cxxflags + ["-o", binary, SRC])
    funcs = []
    for line in run(["nm", "-S", binary]).splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "TtWw" and (parts[3] == "main" or
                                                        parts[3].startswith("_ZN6shapes")):
            funcs.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    # 3. Names with operators, clones, return types and nested templates:
    # memtop's simplification against c++filt + ShortFunctionName, over the
    # binary's own symbols and libstdc++'s.
    syms = {p.split()[-1].split("@")[0] for p in run(["nm", binary]).splitlines()
            if " _Z" in p}
    lib = run(["sh", "-c", "ls /usr/lib/x86_64-linux-gnu/libstdc++.so.6 2>/dev/null || true"]).strip()
    if lib:
        syms |= {p.split()[-1].split("@")[0] for p in run(["nm", "-D", lib]).splitlines()
                 if " _Z" in p}
    syms = sorted(s for s in syms if not s.startswith(("_ZT", "_ZGV", "_ZTH", "_ZTW")))
    plain = run(["c++filt"], input="\n".join(syms) + "\n").splitlines()
    mine = run([TOOL, "--demangle"] + syms).splitlines()
    # Where google-pprof's regexes and go tool pprof's demangler part ways,
    # memtop shows what go tool pprof does and the name is not compared:
    # google-pprof eats "(anonymous namespace)", operator()'s parentheses and
    # a conversion operator's own name ("operator std::string_view"), and
    # keeps ref-qualifiers and volatile after the arguments; libstdc++'s
    # demangler (like go's) says std::istream and std::string (the Ss, Si
    # abbreviations) where c++filt spells them out; google-pprof leaves the
    # space of "operator<< <T>" at the end.
    def comparable(p):
        return not (re.search(r"\(anonymous namespace\)|operator\(\)|\{lambda|decltype|"
                              r"operator [a-zA-Z]|^transaction clone|basic_[io]stream<char",
                              p) or re.search(r"\) ?(const )?(&&?|volatile)$", p))
    bad = [(s, short_function_name(p), m) for s, p, m in zip(syms, plain, mine)
           if comparable(p) and not re.search(r"std::(string|[io]+stream)\b", m) and
           short_function_name(p).rstrip() != m]
    if bad or len(mine) != len(syms):
        failed += 1
        print(f"FAIL: {len(bad)} of {len(syms)} names differ from c++filt + "
              f"ShortFunctionName, e.g. {bad[:3]}")
    else:
        print(f"ok   {len(syms)} linkage names match c++filt + ShortFunctionName")
    if len(funcs) < 5:
        print(f"FAIL: expected 5 functions in {binary}, nm found {funcs}")
        sys.exit(1)
    addrs = [f"{a:x}" for start, size, _ in funcs for a in range(start, start + size)]
    want = []
    # -a heads each address's block of frames with the address.
    out = run(["addr2line", "-a", "-f", "-i", "-C", "-e", binary] + addrs).splitlines()
    i, depth, cur = 0, 0, None
    while i < len(out):
        if re.fullmatch(r"0x[0-9a-f]+", out[i]):
            cur, depth = int(out[i], 16), 0
            i += 1
            continue
        name, loc = out[i], re.sub(r" \(discriminator \d+\)", "", out[i + 1])
        f, _, ln = loc.rpartition(":")
        want.append((cur, depth, short_function_name(name), os.path.basename(f), ln))
        depth += 1
        i += 2
    got = []
    for line in run([TOOL, binary] + addrs).splitlines():
        a, d, name, f, ln = line.split("\t")
        got.append((int(a, 16), int(d), name, os.path.basename(f), ln))
    inl = sum(1 for g in got if g[1] > 0)
    names = sorted({g[2] for g in got})
    if want != got:
        failed += 1
        print("FAIL: frames differ from addr2line -f -i -C + ShortFunctionName (want, got):")
        for w, g in zip(want, got):
            if w != g:
                print("  ", w, "\n  ", g)
                break
        print(f"   {len(want)} vs {len(got)} frames")
    else:
        print(f"ok   {len(got)} frames of {len(addrs)} addresses ({inl} inlined) "
              f"match addr2line -C; names: {', '.join(names)}")
    for must in ("shapes::Canvas::paint", "shapes::Canvas::row", "shapes::detail::Pool::grab",
                 "shapes::fill"):
        if must not in names:
            failed += 1
            print(f"FAIL: {must} not among the names")

    # The heap profile, where Debian's tcmalloc is installed.
    tc = run(["sh", "-c", "ls /usr/lib/x86_64-linux-gnu/libtcmalloc.so* 2>/dev/null || true"])
    if not tc.strip() or not shutil.which("google-pprof"):
        print("skip heap profile: no tcmalloc or google-pprof")
    else:
        run(["g++"] + cxxflags + ["-o", binary, SRC, "-ltcmalloc"])
        env = dict(os.environ, HEAPPROFILE=os.path.join(tmp, "h"),
                   HEAP_PROFILE_ALLOCATION_INTERVAL="1073741824")
        subprocess.run([binary], env=env, capture_output=True, check=True, cwd=tmp)
        prof = sorted(p for p in os.listdir(tmp) if p.endswith(".heap"))[-1]
        prof = os.path.join(tmp, prof)
        oracle = {}
        for line in subprocess.run(["google-pprof", "--text", "--show_bytes", "--inuse_space",
                                    binary, prof], capture_output=True, text=True,
                                   cwd=tmp).stdout.splitlines():
            m = re.match(r"^\s*(\d+)\s+\S+%\s+\S+%\s+(\d+)\s+\S+%\s+(.+?)\s*$", line)
            if m:  # google-pprof marks inlined frames " (inline)"
                oracle[re.sub(r" \(inline\)$", "", m.group(3))] = (int(m.group(1)),
                                                                    int(m.group(2)))
        j = json.loads(run([MEMTOP, "top", "--format", "json", "-n", "0", "-i",
                            "inuse_space", "--binary", binary, prof]))
        mine = {r["name"]: (r["flat"], r["cum"]) for r in j["rows"]}
        ours = {k: v for k, v in oracle.items() if k.startswith("shapes::") or k == "main"}
        if len(ours) < 4:
            failed += 1
            print(f"FAIL: google-pprof shows too few of our functions: {oracle}")
        for name, v in sorted(ours.items()):
            if mine.get(name) != v:
                failed += 1
                print(f"FAIL: {name}: google-pprof flat,cum {v}, memtop {mine.get(name)}")
        if not failed:
            print(f"ok   heap profile: {len(ours)} functions match google-pprof --text: "
                  + ", ".join(f"{k} {v[0]} {v[1]}" for k, v in sorted(ours.items())))
finally:
    shutil.rmtree(tmp)
sys.exit(1 if failed else 0)
