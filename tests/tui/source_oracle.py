#!/usr/bin/env python3
"""The source view's numbers against go tool pprof -list.

usage: source_oracle.py MEMTOP REPO_ROOT NAME

Runs tests/tui/NAME.keys like run_tui.py does (its "# args:" line, "@/" dumps
in a temporary directory) and, for every "# source-oracle DUMP FILE" line,
requires each routine heading and each source line on the screen to be in
pprof's listing tests/tui/oracle/FILE, made by

  go tool pprof -sample_index=T -list='main\\.leak|leakyCache' -unit=auto \\
      -trim_path=/work/main tests/data/go/heap.pb.gz

with the same flat, cum, line number and text (tabs at 8 columns), and every
line pprof lists for that routine to be on the screen.

"# source-diff-oracle DUMP BASE NEW" lines check the source view opened from
the diff (view 4): on each line, the base and new columns must be the cum
pprof -list gives that line in BASE and NEW ('.' where pprof has none), and
the delta their difference as pprof -list -base prints it (oracle files
heap.diff.list, heap2.diff.list, heap2.base.diff.list, made with
-list='main\\.leak$|leakyCache|main\\.newBuf' and for the last -base).
"""
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r'^\s*(\S+)\s+(\S+)\s+(\d+):(.*)$')
HEAD = re.compile(r'^\s*(\S+)\s+(\S+) \(flat, cum\)\s+(\S+) of Total$')
SCREEN_LINE = re.compile(r'^\s*(\S+)\s+(\S+)\s+(\d+)(?:  (.*))?$')
SCREEN_HEAD = re.compile(r'^\s*(\S+)\s+(\S+)\s+\u25bc (\S+) in (\S+) \((\S+) of total\)$')


def pprof_list(path):
    """{(function, file): ((flat, cum, pct), {line: (flat, cum, text)})}"""
    out, cur = {}, None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        m = re.match(r'^ROUTINE =+ (\S+) in (\S+)$', line)
        if m:
            cur = (m.group(1), m.group(2))
            out[cur] = [None, {}]
            continue
        m = HEAD.match(line)
        if m and cur:
            out[cur][0] = m.groups()
            continue
        m = LINE.match(line)
        if m and cur:
            out[cur][1][int(m.group(3))] = (m.group(1), m.group(2),
                                            m.group(4).expandtabs(8).rstrip())
    return out


def check(dump, oracle, errors):
    want = pprof_list(oracle)
    cur, seen, checked = None, {}, 0
    for line in dump[2:-2]:
        m = SCREEN_HEAD.match(line)
        if m:
            cur = (m.group(3), m.group(4))
            if cur not in want:
                errors.append('%s in %s not in pprof -list' % cur)
                cur = None
                continue
            got = (m.group(1), m.group(2), m.group(5))
            if got != want[cur][0]:
                errors.append('%s: heading %s, pprof %s' % (cur[0], got, want[cur][0]))
            seen[cur] = set()
            continue
        m = SCREEN_LINE.match(line)
        if not m or not cur:
            continue
        n = int(m.group(3))
        got = (m.group(1), m.group(2), (m.group(4) or '').rstrip())
        w = want[cur][1].get(n)
        if got != w:
            errors.append('%s line %d: screen %s, pprof %s' % (cur[0], n, got, w))
        seen[cur].add(n)
        checked += 1
    for r, lines in seen.items():
        if lines != set(want[r][1]):
            errors.append('%s: screen lines %s, pprof %s' % (r[0], sorted(lines),
                                                            sorted(want[r][1])))
    if not checked:
        errors.append('no source lines checked against %s' % oracle)


DIFF_HEAD = re.compile(r'^\s*\u25bc (\S+) in (\S+)$')
DIFF_LINE = re.compile(r'^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\d+)(?:  (.*))?$')


def check_diff(dump, base, new, delta, errors):
    b, n, d = pprof_list(base), pprof_list(new), pprof_list(delta)
    cur, checked, nonzero = None, 0, 0
    for line in dump[2:-2]:
        m = DIFF_HEAD.match(line)
        if m:
            # At 80 columns the file name may be cut ("tests/go/…").
            f = m.group(2)
            keys = [r for r in n if r[0] == m.group(1) and
                    (r[1] == f or (f.endswith('\u2026') and r[1].startswith(f[:-1])))]
            cur = keys[0] if len(keys) == 1 else None
            if not cur:
                errors.append('%s in %s not in pprof -list of NEW' % m.groups())
            continue
        m = DIFF_LINE.match(line)
        if not m or not cur:
            continue
        k = int(m.group(4))
        bw = b.get(cur, [None, {}])[1].get(k, ('.', '.', ''))[1]
        nw = n[cur][1].get(k, ('.', '.', ''))[1]
        dw = d.get(cur, [None, {}])[1].get(k, ('.', '.', ''))[1]
        dw = '+' + dw if dw not in ('.', '0') and not dw.startswith('-') else dw
        got = (m.group(1), m.group(2), m.group(3))
        if got != (bw, nw, dw):
            errors.append('%s line %d: screen %s, pprof base/new/delta %s' %
                          (cur[0], k, got, (bw, nw, dw)))
        checked += 1
        nonzero += got[2] != '.'
    if not checked or not nonzero:
        errors.append('no changed source lines checked against %s' % new)


def main():
    memtop, root, name = sys.argv[1:4]
    memtop = os.path.abspath(memtop)
    text = open(os.path.join(root, 'tests', 'tui', name + '.keys'), encoding='utf-8').read()
    args = re.search(r'^# args: (.*)$', text, re.M).group(1).split()
    oracles = re.findall(r'^# source-oracle (\S+) (\S+)$', text, re.M)
    diffs = re.findall(r'^# source-diff-oracle (\S+) (\S+) (\S+) (\S+)$', text, re.M)
    if not oracles and not diffs:
        print('no "# source-oracle" lines in %s.keys' % name)
        return 1
    env = dict(os.environ, TERM='xterm-256color', LANG='C.UTF-8', LC_ALL='C.UTF-8',
               TZ='UTC', COLUMNS='120', LINES='40')
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, 'keys')
        open(script, 'w', encoding='utf-8').write(text.replace('@/', tmp + '/'))
        p = subprocess.run([memtop, '--script', script] + args, cwd=root, env=env,
                           capture_output=True, timeout=60)
        if p.returncode != 0:
            print('memtop exited %d: %s' % (p.returncode, p.stderr.decode()))
            return 1
        for dump, oracle in oracles:
            lines = open(os.path.join(tmp, dump), encoding='utf-8').read().splitlines()
            check(lines, os.path.join(root, 'tests', 'tui', 'oracle', oracle), errors)
        for dump, base, new, delta in diffs:
            lines = open(os.path.join(tmp, dump), encoding='utf-8').read().splitlines()
            o = [os.path.join(root, 'tests', 'tui', 'oracle', f) for f in (base, new, delta)]
            check_diff(lines, o[0], o[1], o[2], errors)
    for e in errors:
        print(e)
    if not errors:
        print('ok: %d screens agree with pprof -list' % (len(oracles) + len(diffs)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
