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
import shutil
import json
import os
import re
import subprocess
import sys
import tempfile

PCT = r'(\S+%)'
TOP_ROW = re.compile(r'^\s*(\S+)\s+' + PCT + r'\s+' + PCT + r'\s+(\S+)\s+' + PCT +
                     r'\s+[\u2588-\u258f =#]*\s(\S.*?)\s*$')
# The name keeps pprof's "(inline)" mark: the viewer must show the same.
PPROF_TOP = re.compile(r'^\s*(\S+)\s+' + PCT + r'\s+' + PCT + r'\s+(\S+)\s+' + PCT +
                       r'\s+(.*?)$')


def short_pct(p):
    """pprof's percentage as the viewer shows it: "<0.01%" below 0.01%
    (pprof: "4.4e-06%"), the rest as pprof prints it."""
    v = float(p.rstrip('%'))
    return '<0.01%' if 0 < abs(v) < 0.01 else p


def pprof_top(path, marks=False):
    """{name: (flat, flat%, sum%, cum, cum%)}; with marks the names keep
    pprof's " (inline)" / " (partial-inline)" (the top view shows them)."""
    rows = {}
    for line in open(path, encoding='utf-8'):
        m = PPROF_TOP.match(line.rstrip('\n'))
        if m and m.group(1) != 'flat':
            g = m.groups()
            name = g[5] if marks else re.sub(r' \((?:partial-)?inline\)$', '', g[5])
            rows[name] = (g[0], short_pct(g[1]), short_pct(g[2]), g[3], short_pct(g[4]))
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
            (outs if node else ins)[name] = (vals[0], short_pct(vals[1]))
        else:
            node = (name, (vals[0], short_pct(vals[1]), short_pct(vals[2]), vals[3],
                           short_pct(vals[4])))
    return blocks


def check_top(dump, oracle, errors, values_only=False):
    rows = pprof_top(oracle, marks=True)
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
        if values_only:
            idx = (0, 3)
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


def pprof_total(path):
    for line in open(path, encoding='utf-8'):
        m = re.match(r'^Showing nodes accounting for .* of (\S+) total', line)
        if m:
            return m.group(1)
    return None


def b_value(s):
    return int(s[:-1]) if s.endswith('B') else int(s)


DIFF_ROW = re.compile(r'^\s*(\S+)\s+(\S+)\s+(\S+)\s+[\u2588-\u258f =#]*?\s*'
                      r'(\S+%|new)\s+(\S.*?)\s*$')


def pct_text(p):
    """A delta% in at most 8 columns, as view 4 writes it: two decimals
    below 1000%, none up to 999999%, then a factor."""
    if abs(p) < 999.995:
        return '%+.2f%%' % p
    if abs(p) < 999999.5:
        return '%+.0f%%' % p
    if abs(p) / 100 < 9999999.5:
        return '%+.0fx' % (p / 100)
    return 'huge' if p > 0 else '-huge'


def check_diff(dump, files, errors):
    """View 4's table against pprof: base and new columns against -top of
    each profile, delta against -top -base (or -normalize -base), delta%
    from the -unit=B versions. files: base.top,new.top|-,delta.top,
    base.B.top,delta.B.top"""
    base, new, delta, base_b, delta_b = files.split(',')
    o = lambda f: os.path.join(os.path.dirname(__file__), 'oracle', f)
    tb, td = pprof_top(o(base)), pprof_top(o(delta))
    tn = pprof_top(o(new)) if new != '-' else None
    bb, db = pprof_top(o(base_b)), pprof_top(o(delta_b))
    cum = any('name (cum)' in l for l in dump[:4])
    col = 3 if cum else 0
    # the totals line
    head = dump[1]
    if ' ' + pprof_total(o(base)) + ' ' not in head + ' ':
        errors.append('base total %s not in %r' % (pprof_total(o(base)), head))
    if tn is not None and ' ' + pprof_total(o(new)) + ' ' not in head + ' ':
        errors.append('new total %s not in %r' % (pprof_total(o(new)), head))
    checked = 0
    for line in dump[3:-2]:
        m = DIFF_ROW.match(line)
        if not m or m.group(5).startswith(('\u2026', '~')):
            continue
        b, n, d, pct, name = m.groups()
        want_b = tb[name][col] if name in tb else '0'
        want_d = td[name][col] if name in td else '0'
        if b != want_b:
            errors.append('%s: base %s, pprof %s' % (name, b, want_b))
        if tn is not None:
            want_n = tn[name][col] if name in tn else '0'
            if n != want_n:
                errors.append('%s: new %s, pprof %s' % (name, n, want_n))
        if d.lstrip('+') != want_d:
            errors.append('%s: delta %s, pprof -base %s' % (name, d, want_d))
        vb = b_value(bb[name][col]) if name in bb else 0
        vd = b_value(db[name][col]) if name in db else 0
        want_p = '0%' if vd == 0 else 'new' if vb == 0 else pct_text(100.0 * vd / abs(vb))
        if pct != want_p:
            errors.append('%s: delta%% %s, from pprof %s' % (name, pct, want_p))
        checked += 1
    if checked < 5:
        errors.append('only %d diff rows checked' % checked)


def check_dpeek(dump, files, errors):
    """The diff drill-down against pprof -peek of base, new and -base."""
    o = lambda f: os.path.join(os.path.dirname(__file__), 'oracle', f)
    pb, pn, pd = (pprof_peek(o(f)) for f in files.split(','))
    node = [l for l in dump if '\u25cf ' in l]
    if not node:
        errors.append('no diff peek node line')
        return
    f = node[0].split('\u25cf ', 1)[1].strip()
    for blocks, what in ((pb, 'base'), (pn, 'new'), (pd, '-base')):
        if f not in blocks:
            errors.append('%s not in the %s peek' % (f, what))
            return
    got = node[0].split('\u25cf ')[0].split()[:3]
    want = [pb[f][0][3], pn[f][0][3], pd[f][0][3]]
    if [got[0], got[1], got[2].lstrip('+')] != want:
        errors.append('%s cum: screen %s, pprof %s' % (f, got, want))
    flat = re.search(r'flat: base (\S+), new (\S+), delta (\S+)', dump[1])
    if not flat or [flat.group(1), flat.group(2).rstrip(','),
                    flat.group(3).lstrip('+')] != [pb[f][0][0], pn[f][0][0], pd[f][0][0]]:
        errors.append('%s flat: %r, pprof %s' % (f, dump[1], [pb[f][0][0], pn[f][0][0], pd[f][0][0]]))
    for mark, k in (('\u25b2 ', 1), ('\u25bc ', 2)):
        seen = {}
        for l in dump[3:-2]:
            if mark in l:
                left, name = l.split(mark, 1)
                seen[name.strip()] = left.split()[:3]
        names = set(pb[f][k]) | set(pn[f][k]) | set(pd[f][k])
        if set(seen) != names:
            errors.append('%s %s: screen %s, pprof %s' % (f, mark, sorted(seen), sorted(names)))
        for name, v in seen.items():
            want = [pb[f][k].get(name, ('0',))[0], pn[f][k].get(name, ('0',))[0],
                    pd[f][k].get(name, ('0',))[0]]
            if [v[0], v[1], v[2].lstrip('+')] != want:
                errors.append('%s %s %s: screen %s, pprof %s' % (f, mark, name, v, want))


def check_dflame(dump, files, errors):
    """The diff flame's status line: the selected frame's base and new cum
    against pprof -top of each profile (the script selects frames reached
    by one path only), root against the totals."""
    o = lambda f: os.path.join(os.path.dirname(__file__), 'oracle', f)
    base, new = files.split(',')
    st = [l for l in dump if ' \u2502 base ' in l]
    if not st:
        errors.append('no diff flame status line')
        return
    # A leading "^ 2 above | " says where hidden levels are: not the frame.
    line = re.sub(r'^ [^\u2502]*(?:above|below) \u2502', '', st[-1])
    m = re.match(r'^ ?(.*?) \u2502 base (\S+) \u2502 new (\S+) \u2502 delta', line)
    name, b, n = m.groups()
    if name == 'root':
        want = [pprof_total(o(base)), pprof_total(o(new))]
    else:
        tb, tn = pprof_top(o(base)), pprof_top(o(new))
        want = [tb[name][3] if name in tb else '0', tn[name][3] if name in tn else '0']
    if [b, n] != want:
        errors.append('diff flame %s: screen %s, pprof cum %s' % (name, [b, n], want))


def gor_rows(dump):
    """View 6's group rows: (count, state, wait, top frame, creator), cut
    by the columns of the title line. The wait column is there only when a
    goroutine says its wait; a creator shown as '"' is the row above's."""
    rows, cols = [], None
    for line in dump[1:-2]:
        if cols is None:
            m = re.match(r'^.?count\s+(state)\s+(?:(.?wait)\s+)?(?:.?trend.*?)?(top frame)\s+(created by)',
                         line)
            if m:
                cols = [m.start(i) if m.group(i) else None for i in range(1, 5)]
            continue
        if not re.match(r'^\s*\d+  ', line):
            break
        line = line.ljust(cols[3] + 1)
        state_end = cols[1] if cols[1] is not None else cols[2]
        creator = line[cols[3]:].strip()
        if creator == '"' and rows:
            creator = rows[-1][4]
        rows.append((int(line[:cols[0]].split()[0]), line[cols[0]:state_end].strip(),
                     line[cols[1]:cols[1] + 10].strip() if cols[1] is not None else '',
                     line[cols[2]:cols[3]].strip(), creator))
    return rows


def same(screen, want):
    """A screen cell equals want, or is want cut with an ellipsis, or either
    of those without want's import path (runtime/pprof.f -> pprof.f)."""
    short = re.sub(r'^[^( ]*/', '', want)
    if short != want and same(screen, short):
        return True
    if screen == want:
        return True
    if screen.endswith(('\u2026', '~')):
        return want.startswith(screen[:-1])
    if screen.startswith(('\u2026', '~')):
        return want.endswith(screen[1:])
    return False


def state_counts(dump, states):
    """Counts of the state summary for the given states (names may be cut)."""
    text = '\n'.join(dump[2:9])
    got = {}
    for st in states:
        for n in range(len(st), min(len(st), 9) - 1, -1):
            m = re.search(r'(?:^| )' + re.escape(st[:n]) + '\u2026?' + r'\s+(\d+) ', text, re.M)
            if m:
                got[st] = int(m.group(1))
                break
    return got


# The runtime and the standard library's waiting machinery (issue 16): a
# group is named by its first frame outside them (main.waitMutex, not
# sync.runtime_SemacquireMutex; main.sleeper, not time.Sleep).
WAITING = ("runtime.", "runtime/internal/", "internal/", "sync.", "sync/atomic.",
           "syscall.", "golang.org/x/sys/unix.", "time.Sleep", "time.sleep",
           "net.(*netFD).", "net.(*conn).", "net.(*pollDesc).",
           "net.(*TCPListener).accept", "net.(*TCPListener).Accept",
           "net.(*UnixListener).accept", "net.(*UnixListener).Accept",
           "net.(*UDPConn).readFrom", "net.(*UDPConn).ReadFrom",
           "os.(*File).Read", "os.(*File).read", "os.(*File).Write", "os.(*File).write",
           "os/signal.signal_recv", "io.ReadAtLeast", "io.ReadFull", "io.Copy",
           "io.copyBuffer", "bufio.(*Reader).", "testing/synctest.")


def top_frame(funcs):
    """The frame view 6 shows as the top one: the first outside the runtime
    and the waiting machinery; when all are in them, the outermost one that
    is not runtime.goexit."""
    for f in funcs:
        if not f.startswith(WAITING):
            return f
    for f in reversed(funcs):
        if f != 'runtime.goexit':
            return f
    return ''


def pprof_traces(path):
    """[(count, [frames leaf first])] of go tool pprof -traces, labels
    dropped (view 6 groups a profile's samples by stack)."""
    out, cur = {}, None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('-----'):
            cur = None
            continue
        m = re.match(r'^\s+(\d+)   (\S.*)$', line)
        if m and cur is None:
            cur = [int(m.group(1)), [re.sub(r' \(inline\)$', '', m.group(2))]]
            out.setdefault(id(cur), cur)
            continue
        m = re.match(r'^\s{13}(\S.*)$', line)
        if m and cur is not None:
            cur[1].append(re.sub(r' \(inline\)$', '', m.group(1)))
    stacks = {}
    for n, frames in out.values():
        stacks[tuple(frames)] = stacks.get(tuple(frames), 0) + n
    return stacks


def check_gor(dump, spec, root, args, errors):
    """View 6 against oracles: 'states=FILE' (counts per state, by hand from
    how the program parks them), 'expect=FILE' (panic-expect.txt, written by
    the Go program itself: state, a function, creator, count, wait range),
    'json' (memtop goroutines --format json: every row is one of its groups)."""
    kind, _, arg = spec.partition('=')
    rows = gor_rows(dump)
    if not rows:
        errors.append('no goroutine rows')
        return
    if kind == 'traces':
        # A goroutine profile: one group per stack, state "profile".
        want = sorted((n, 'profile', top_frame(list(f)))
                      for f, n in pprof_traces(os.path.join(root, arg)).items())
        for r in rows:
            hit = [w for w in want if w[0] == r[0] and w[1] == r[1] and same(r[3], w[2])]
            if hit:
                want.remove(hit[0])
            else:
                errors.append('row %s not in pprof -traces' % (r,))
        if want:
            errors.append('pprof -traces stacks not on screen: %s' % want)
        return
    total = re.search(r'^ (\d+) goroutines? in (\d+) groups?', dump[1])
    if kind in ('states', 'expect'):
        want, wtotal, kinds = {}, None, []
        for line in open(os.path.join(root, arg), encoding='utf-8'):
            if line.startswith('#') or not line.strip():
                continue
            f = line.rstrip('\n').split('\t')
            if f[0] == 'total':
                wtotal = int(f[1])
            elif kind == 'states':
                want[f[0]] = int(f[1])
            else:
                want[f[0]] = want.get(f[0], 0) + int(f[3])
                kinds.append(f)
        if not total or int(total.group(1)) != wtotal:
            errors.append('total: screen %r, oracle %s' % (dump[1], wtotal))
        got = state_counts(dump, want)
        if got != want:
            errors.append('states: screen %s, oracle %s' % (got, want))
        for f in kinds:
            state, _, creator, count, wmin, wmax = f[:6]
            wait = '' if wmax == '0' else ('%s min' % wmax if wmin == wmax else
                                           '%s-%s min' % (wmin, wmax))
            # The group is named by the function the program says parked it
            # (the running goroutine by a closure of it: main.main.func2).
            fn = f[1]
            hit = [r for r in rows if same(r[1], state) and r[0] == int(count) and r[2] == wait
                   and same(r[4], creator)
                   and (kind != 'expect' or same(r[3], fn) or r[3].startswith(fn + '.'))]
            if not hit:
                errors.append('no row for %s' % f)
        if kind == 'expect' and sum(r[0] for r in rows) != wtotal:
            errors.append('rows add up to %d, not %d' % (sum(r[0] for r in rows), wtotal))
        return
    p = subprocess.run([MEMTOP, 'goroutines', '--format', 'json', args[-1]], cwd=root,
                       stdout=subprocess.PIPE, check=True)
    js = json.loads(p.stdout)
    groups = [(g['count'], g['state'], top_frame([f['function'] for f in g['frames']]))
              for g in js['groups']]
    if not total or int(total.group(1)) != js['total']:
        errors.append('total: screen %r, json %s' % (dump[1], js['total']))
    for r in rows:
        hit = [g for g in groups if g[0] == r[0] and same(r[1], g[1]) and same(r[3], g[2])]
        if not hit:
            errors.append('row %s not in memtop goroutines --format json' % (r,))
        else:
            groups.remove(hit[0])
    if not [l for l in dump if 'filter' in l or 'state=' in l] and groups:
        errors.append('groups not on screen: %s' % groups)


def check_series(dump, spec, root, errors):
    """View 6 across stored snapshots against what tests/go/goleak says it
    parked per round (expect.txt: round, function, state, count): each
    state's row shows the last count, the growth, '!' when it only grew, and
    a sparkline of the counts; sorted by growth the leak comes first."""
    series = {}
    for line in open(os.path.join(root, spec.partition('=')[2]), encoding='utf-8'):
        rnd, fn, state, n = line.rstrip('\n').split('\t')
        series.setdefault(state, []).append(int(n))
    text = [l for l in dump if re.match(r'^\s*\d+  ', l)]
    rows = {}
    for l in text:
        m = re.match(r'^\s*(\d+)  (\S.*?)\s{2,}([\u2581-\u2588]+)\s+([+-]\d+)(!?)\s', l)
        if m:
            rows[m.group(2)] = (int(m.group(1)), m.group(3), int(m.group(4)), m.group(5))
    for state, v in series.items():
        lo, hi = min(v), max(v)
        spark = ''.join(chr(0x2581 + (int((x - lo) * 7.0 / (hi - lo) + 0.5) if hi > lo else 3))
                        for x in v)
        grows = all(b >= a for a, b in zip(v, v[1:])) and v[-1] > v[0]
        want = (v[-1], spark, v[-1] - v[0], '!' if grows else '')
        if v[-1] == 0:
            continue
        got = [r for st, r in rows.items() if same(st, state)]
        if got != [want]:
            errors.append('%s: screen %s, goleak %s' % (state, got, want))
    if '\u25bctrend' in '\n'.join(dump) and text and 'chan receive' not in text[0]:
        errors.append('sorted by growth, the leak is not first: %r' % text[0])


def check_since(dump, spec, root, errors):
    """The stack view of the leaking group over stored dumps: 'there since:
    @k n' must be how many goroutines tests/go/goleak had parked in
    main.leakyWaiter by round k (it never lets one go, and the dumps were
    imported in round order, so snapshot @k is round k)."""
    parked = {}
    for line in open(os.path.join(root, spec.partition('=')[2]), encoding='utf-8'):
        rnd, fn, state, n = line.rstrip('\n').split('\t')
        if fn == 'main.leakyWaiter':
            parked[int(rnd)] = int(n)
    line = next((l for l in dump if l.startswith(' there since:')), '')
    got = {int(k): int(n) for k, n in re.findall(r'@(\d+) (\d+)', line)}
    want = {k: n for k, n in parked.items() if k < max(parked)}
    if got != want:
        errors.append('there since: screen %s, goleak %s' % (got, want))


def check_gdiff(dump, spec, root, errors):
    """View 4 on two dumps of tests/go/goleak (spec: expect.txt,A,B for
    rounds A and B) against what the program says it parked per round:
    base and new counts per function, 'both', 'new' or 'base' by which side
    has goroutines, and kept (the same ids in both) equal to the base count
    for the groups whose goroutines never exit (the leak and the steady
    workers). Only goroutine 1, which wrote the dumps, may add a row."""
    path, a, b = spec.partition('=')[2].split(',')
    a, b = int(a), int(b)
    counts = {}
    for line in open(os.path.join(root, path), encoding='utf-8'):
        rnd, fn, state, n = line.rstrip('\n').split('\t')
        counts.setdefault(fn, {})[int(rnd)] = int(n)
    rows = {}
    for l in dump:
        m = re.match(r'^\s*(\d+)\s+(\d+)\s+([+-]\d+|[+-]\u2026)\s+(\S+)\s+(both|new|base)\s+(\S+)', l)
        if m:
            rows[m.group(6)] = (int(m.group(1)), int(m.group(2)), m.group(4), m.group(5))
    for fn, c in counts.items():
        bn, nn = c[a], c[b]
        if not bn and not nn:
            continue
        where = 'both' if bn and nn else 'new' if nn else 'base'
        kept = str(bn) if fn in ('main.leakyWaiter', 'main.steadyWorker') else None
        got = rows.pop(fn, None)
        want = (bn, nn, kept if kept is not None else (got[2] if got else None), where)
        if where != 'both':
            want = (bn, nn, '-', where)
        if got != want:
            errors.append('%s: screen %s, goleak rounds %d/%d %s' % (fn, got, a, b, want))
    extra = [k for k in rows if not k.startswith('runtime/pprof.')]
    if extra:
        errors.append('rows goleak did not park: %s' % extra)


CHECKS = {'top': None, 'peek': None, 'diff': check_diff, 'dpeek': check_dpeek,
          'dflame': check_dflame}


def main():
    global MEMTOP
    memtop, root, name = sys.argv[1:4]
    MEMTOP = memtop = os.path.abspath(memtop)
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
        imports = re.search(r'^# import: (.*)$', text, re.M)
        if imports:
            # Snapshots of one source: each file in turn at the same path.
            db, src = os.path.join(tmp, 'db'), os.path.join(tmp, 'goroutines.txt')
            for f in imports.group(1).split():
                shutil.copyfile(os.path.join(root, f), src)
                subprocess.run([memtop, 'import', '--db', db, src], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, check=True)
            args = [a.replace('@DB', db) for a in args]
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
                if kind in ('top', 'topv'):
                    check_top(lines, path, errors, kind == 'topv')
                elif kind == 'peek':
                    check_peek(lines, path, errors)
                elif kind == 'series':
                    check_series(lines, oracle, root, errors)
                elif kind == 'since':
                    check_since(lines, oracle, root, errors)
                elif kind == 'gdiff':
                    check_gdiff(lines, oracle, root, errors)
                elif kind in CHECKS:
                    CHECKS[kind](lines, oracle, errors)
                else:
                    check_gor(lines, oracle, root, args, errors)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
