#!/usr/bin/env python3
"""Script-mode screen tests of the TUI.

usage: run_tui.py MEMTOP REPO_ROOT NAME      (TUI_UPDATE=1 rewrites expected/)

Runs `memtop --script tests/tui/NAME.keys ARGS` (ARGS from the "# args:" line;
"@/" in :dump paths is a temporary directory), then
  * compares every dump with tests/tui/expected/NAME/<dump> (the expected
    screens were read and checked by hand), and
  * checks the numbers on screen against go tool pprof's own output, kept in
    tests/tui/oracle/ ("# oracle DUMP FILE" lines): every top-table row must
    equal pprof -top -unit=auto's row for that function, every peek row
    pprof -peek's edge or node line.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile

PCT = r'(\S+%)'
TOP_ROW = re.compile(r'^\s*(\S+)\s+' + PCT + r'\s+' + PCT + r'\s+(\S+)\s+' + PCT +
                     r'\s+[\u2588-\u258f =#]*\s(\S.*?)\s*$')
PPROF_TOP = re.compile(r'^\s*(\S+)\s+' + PCT + r'\s+' + PCT + r'\s+(\S+)\s+' + PCT +
                       r'\s+(.*?)(?: \((?:partial-)?inline\))?$')


def pprof_top(path):
    rows = {}
    for line in open(path, encoding='utf-8'):
        m = PPROF_TOP.match(line.rstrip('\n'))
        if m and m.group(1) != 'flat':
            rows[m.group(6)] = m.groups()[:5]
    return rows


def pprof_peek(path):
    """{function: (node values, {caller: (w, pct)}, {callee: (w, pct)})}"""
    blocks, cur = {}, None
    ins, outs, node = {}, {}, None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('-----'):
            if node:
                blocks[node[0]] = (node[1], ins, outs)
            ins, outs, node = {}, {}, None
            continue
        if '|' not in line or 'calls%' in line:
            continue
        left, right = line.split('|', 1)
        name = re.sub(r' \((?:partial-)?inline\)$', '', right.strip())
        vals = left.split()
        if right.startswith('   '):
            (outs if node else ins)[name] = tuple(vals[:2])
        else:
            node = (name, tuple(vals[:5]))
    return blocks


def check_top(dump, oracle, errors):
    rows = pprof_top(oracle)
    by_flat = '\u25bcflat' in dump[1] or 'vflat' in dump[1]
    checked = 0
    for line in dump[2:-2]:
        m = TOP_ROW.match(line)
        if not m or m.group(6).startswith(('\u2026', '~')):
            continue
        name = m.group(6)
        if name not in rows:
            errors.append('row %r not in pprof output %s' % (name, oracle))
            continue
        want = rows[name]
        got = m.groups()[:5]
        idx = (0, 1, 2, 3, 4) if by_flat else (0, 1, 3, 4)
        if any(got[i] != want[i] for i in idx):
            errors.append('%s: screen %s, pprof %s' % (name, got, want))
        checked += 1
    if not checked:
        errors.append('no top rows checked against %s' % oracle)


def check_peek(dump, oracle, errors):
    blocks = pprof_peek(oracle)
    node = [l for l in dump if '\u25cf ' in l]
    if not node:
        errors.append('no peek node line')
        return
    f = node[0].split('\u25cf ', 1)[1].strip()
    if f not in blocks:
        errors.append('%s not in %s' % (f, oracle))
        return
    vals, ins, outs = blocks[f]
    nv = node[0].split('\u25cf ')[0].split()
    want = (vals[0], vals[1], vals[3], vals[4])
    if tuple(nv) != want:
        errors.append('%s: screen %s, pprof %s' % (f, nv, want))
    for mark, edges in (('\u25b2 ', ins), ('\u25bc ', outs)):
        seen = {}
        for l in dump[2:-2]:
            if mark in l:
                left, name = l.split(mark, 1)
                seen[name.strip()] = tuple(left.split())
        if seen != edges:
            errors.append('%s edges %s: screen %s, pprof %s' % (f, mark, seen, edges))


def main():
    memtop, root, name = sys.argv[1:4]
    keys = os.path.join(root, 'tests', 'tui', name + '.keys')
    expdir = os.path.join(root, 'tests', 'tui', 'expected', name)
    text = open(keys, encoding='utf-8').read()
    args = re.search(r'^# args: (.*)$', text, re.M).group(1).split()
    oracles = re.findall(r'^# oracle (\S+) (\S+) (\S+)$', text, re.M)
    env = dict(os.environ, TERM='xterm-256color', LANG='C.UTF-8', LC_ALL='C.UTF-8',
               TZ='UTC', COLUMNS='120', LINES='40')
    env.pop('NO_COLOR', None)
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, 'keys')
        open(script, 'w', encoding='utf-8').write(text.replace('@/', tmp + '/'))
        p = subprocess.run([memtop, '--script', script] + args, cwd=root, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            print('memtop exited %d: %s' % (p.returncode, p.stderr.decode()))
            return 1
        dumps = sorted(f for f in os.listdir(tmp) if f.endswith('.txt'))
        if not dumps:
            print('no dumps')
            return 1
        update = os.environ.get('TUI_UPDATE') == '1'
        if update:
            os.makedirs(expdir, exist_ok=True)
        for d in dumps:
            got = open(os.path.join(tmp, d), encoding='utf-8').read()
            exp_path = os.path.join(expdir, d)
            if update:
                open(exp_path, 'w', encoding='utf-8').write(got)
            elif not os.path.exists(exp_path):
                errors.append('%s: no expected screen' % d)
            else:
                exp = open(exp_path, encoding='utf-8').read()
                if exp != got:
                    diff = difflib.unified_diff(exp.splitlines(), got.splitlines(),
                                                'expected/' + d, 'screen', lineterm='')
                    errors.append('%s differs:\n%s' % (d, '\n'.join(diff)))
            for kind, dump, oracle in oracles:
                if dump != d:
                    continue
                lines = got.splitlines()
                path = os.path.join(root, 'tests', 'tui', 'oracle', oracle)
                (check_top if kind == 'top' else check_peek)(lines, path, errors)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
