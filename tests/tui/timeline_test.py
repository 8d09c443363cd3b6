#!/usr/bin/env python3
"""View 5 (the timeline) in script mode, and live in tmux.

usage: timeline_test.py MEMTOP REPO_ROOT NAME   (TUI_UPDATE=1 rewrites expected/)

Builds a database in a temporary directory from real inputs:
  * tests/data/go/heapseries/heap-NN.pb.gz, 12 heap profiles written by
    tests/go/series (main.leakGrow keeps 64 KiB more each step,
    main.sawtoothGrow grows and drops back, main.steadyHold stays), stored
    with `memtop import --time` 0.5 s apart from 2023-11-14T22:13:20Z;
  * tests/data/go/gctrace.log (a real GODEBUG=gctrace=1 log) through
    `memtop import`, its mtime set so that its first cycle is at the same
    moment (the importer anchors the log's end at the file's mtime).
Then runs tests/tui/NAME.keys (`memtop --script ... --db DB`) and
  * compares every dump with tests/tui/expected/NAME/ (read by hand);
  * checks the numbers on screen against oracles that are not view 5:
    - every snapshot row's total against `memtop ls --format json` and the
      total line of `go tool pprof -top` of that file;
    - the charts' values at the cursor after Home / End against the first /
      last points of `memtop metrics --format json` (and the first / last
      snapshot totals for the totals chart);
    - the diff opened by b + Enter (and by Enter on a leak suspect) against
      `memtop diff --format json` of the two snapshots, and row by row
      against go tool pprof -top of each file and -top -base (run_tui.py's
      check_diff);
    - the leak suspects: main.leakGrow first and flagged, its first and last
      equal to pprof's flat in the first and last profile and to
      `memtop leaks --format json`, the sawtooth not flagged.
With NAME "live", runs memtop --db DB in tmux instead, stores one more
snapshot with `memtop import` while it runs, and waits (bounded, polling
capture-pane) for view 5 to show it without a key.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_tui  # noqa: E402  (check_diff, pprof_top: the pprof oracles)

T0 = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
DATA = 'memtop-timeline-test-data/heapseries'  # long enough to be cut on screen
ENV = dict(os.environ, TERM='xterm-256color', LANG='C.UTF-8', LC_ALL='C.UTF-8',
           TZ='UTC', COLUMNS='120', LINES='40')
ENV.pop('NO_COLOR', None)
ENV.pop('MEMTOP_DB', None)


def run(args, **kw):
    return subprocess.run(args, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=True, **kw).stdout.decode()


def build_db(memtop, root, tmp):
    """The database; returns (db, heap files by snapshot id)."""
    db = os.path.join(tmp, 'db')
    src = os.path.join(tmp, DATA)
    os.makedirs(src)
    files = {}
    for i in range(12):
        f = os.path.join(src, 'heap-%02d.pb.gz' % i)
        shutil.copyfile(os.path.join(root, 'tests/data/go/heapseries/heap-%02d.pb.gz' % i), f)
        t = (T0 + datetime.timedelta(milliseconds=500 * i)).strftime('%Y-%m-%dT%H:%M:%S.%f')
        out = run([memtop, 'import', '--db', db, '--time', t[:-3] + 'Z', f])
        files[int(out.split()[0])] = f
    log = os.path.join(tmp, 'gctrace.log')
    shutil.copyfile(os.path.join(root, 'tests/data/go/gctrace.log'), log)
    last = float(re.findall(r'@([0-9.]+)s', open(log).read())[-1])
    end = int(T0.timestamp()) * 10**9 + round(last * 1e9)
    os.utime(log, ns=(end, end))
    run([memtop, 'import', '--db', db, log])
    return db, files


# ---- formatting of values as memtop (pprof) prints them ----

def scaled(v, unit='bytes'):
    """pprof's ScaledLabel with -unit=auto for bytes: "%.2f" without a
    trailing ".00", units of 1024."""
    if unit != 'bytes' or v == 0:
        return str(v)
    units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
    x, k = abs(v), 0
    while x >= 1024 and k < len(units) - 1:
        x, k = x / 1024.0, k + 1
    s = '%.2f' % x
    if s.endswith('.00'):
        s = s[:-3]
    return ('-' if v < 0 else '') + s + units[k]


def metric_str(v, unit):
    return {'%': '%.4g%%' % v, 'MB': '%.4gMB' % v}.get(unit, '%.4g' % v)


CHARTS = {'heap live (gc)': ('gctrace.heap_live_mb', 'MB'),
          'GC CPU (gc)': ('gctrace.gc_cpu_percent', '%')}


def chart_values(dump, lw):
    """{title: value at the cursor} of the chart labels."""
    out = {}
    for i, line in enumerate(dump[2:-2], 2):
        label = line[:lw - 1].strip()
        for title in list(CHARTS) + ['inuse_space']:
            if label == title and i + 1 < len(dump):
                out[title] = dump[i + 1][:lw - 1].strip()
            elif label.startswith(title) and label != title:
                out[title] = label[len(title):].strip()
    return out


SNAP_ROW = re.compile(r'^(.) @(\d+)\s+(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\s+(\S+)\s+(\S+) (\S.*)$')


def check_snapshots(dump, ls, pprof_totals, errors):
    rows = [SNAP_ROW.match(l) for l in dump]
    rows = [m for m in rows if m]
    if len(rows) < 3:
        errors.append('only %d snapshot rows' % len(rows))
    for m in rows:
        sid, kind, total, source = int(m.group(2)), m.group(3), m.group(4), m.group(5)
        want = ls[sid]
        if kind != want['kind'] or total != scaled(want['total']):
            errors.append('@%d: screen %s %s, memtop ls %s %s' %
                          (sid, kind, total, want['kind'], scaled(want['total'])))
        if total != pprof_totals[sid]:
            errors.append('@%d: total %s, go tool pprof %s' % (sid, total, pprof_totals[sid]))
        if not run_tui.same(source, want['source']):
            errors.append('@%d: source %r, memtop ls %r' % (sid, source, want['source']))


def check_charts(dump, lw, which, metrics, ls, errors):
    """which: 0 (Home: first points) or -1 (End: last points)."""
    got = chart_values(dump, lw)
    for title, (name, unit) in CHARTS.items():
        pts = [s for s in metrics['series'] if s['name'] == name][0]['points']
        want = metric_str(pts[which]['value'], unit)
        if got.get(title) != want:
            errors.append('%s at %s: screen %r, memtop metrics %r' %
                          (title, 'Home' if which == 0 else 'End', got.get(title), want))
    snaps = [ls[k] for k in sorted(ls)]  # imported in time order
    want = scaled(snaps[which]['total'])
    if got.get('inuse_space') != want:
        errors.append('totals chart: screen %r, memtop ls %r' % (got.get('inuse_space'), want))


def pprof_files(tmp, base, new, tag):
    """go tool pprof -top outputs for run_tui.check_diff."""
    out = []
    for args, name in ((['-unit=auto', base], 'base.top'), (['-unit=auto', new], 'new.top'),
                       (['-unit=auto', '-base=' + base, new], 'delta.top'),
                       (['-unit=B', base], 'base.B.top'),
                       (['-unit=B', '-base=' + base, new], 'delta.B.top')):
        p = os.path.join(tmp, '%s.%s' % (tag, name))
        with open(p, 'w') as f:
            f.write(run(['go', 'tool', 'pprof', '-top', '-nodefraction=0'] + args))
        out.append(p)
    return ','.join(out)


def check_diff(memtop, db, dump, files, tmp, errors, want_ids=None):
    m = re.match(r'^ base @(\d+) .* new @(\d+) ', dump[1])
    if not m:
        errors.append('no diff header: %r' % dump[1])
        return
    b, n = int(m.group(1)), int(m.group(2))
    if want_ids and (b, n) != want_ids:
        errors.append('diff of @%d @%d, not @%d @%d' % ((b, n) + want_ids))
    js = json.loads(run([memtop, 'diff', '--db', db, '--format', 'json', '@%d' % b, '@%d' % n]))
    rows = {r['name']: r for r in js['rows']}
    if scaled(js['base_total']) not in dump[1] or scaled(js['new_total']) not in dump[1]:
        errors.append('diff totals %s %s not in %r' % (js['base_total'], js['new_total'], dump[1]))
    checked = 0
    for line in dump[3:-2]:
        mm = run_tui.DIFF_ROW.match(line)
        if not mm or mm.group(5).startswith(('\u2026', '~')):
            continue
        bv, nv, dv, _, name = mm.groups()
        r = rows.get(name)
        want = [scaled(r['base_flat']), scaled(r['new_flat']),
                scaled(r['new_flat'] - r['base_flat'])] if r else None
        if [bv, nv, dv.lstrip('+')] != want:
            errors.append('%s: screen %s, memtop diff %s' % (name, [bv, nv, dv], want))
        checked += 1
    if checked < 5:
        errors.append('only %d diff rows checked against memtop diff' % checked)
    run_tui.check_diff(dump, pprof_files(tmp, files[b], files[n], '%d-%d' % (b, n)), errors)


SUSPECT = re.compile(r'^(.) (\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d\.\d\d)\s')


def check_suspects(memtop, db, dump, files, errors):
    rows = [SUSPECT.match(l) for l in dump if SUSPECT.match(l)]
    if not rows:
        errors.append('no leak suspects on screen')
        return
    # memtop leaks has a section per series: the heap one is the timeline's.
    series = json.loads(run([memtop, 'leaks', '--db', db, '--format', 'json']))['series']
    heap = [s for s in series if s['kind'] == 'heap']
    if len(heap) != 1:
        errors.append('memtop leaks: %d heap series, want 1' % len(heap))
        return
    leaks = {r['name']: r for r in heap[0]['rows']}
    first = run_tui.pprof_top_b(files[min(files)])
    last = run_tui.pprof_top_b(files[max(files)])
    if rows[0].group(2) != 'main.leakGrow' or rows[0].group(1) != '!':
        errors.append('the leak is not first and flagged: %r' % rows[0].group(0))
    for m in rows:
        mark, name, f, l = m.group(1), m.group(2), m.group(3), m.group(4)
        if name.startswith(('\u2026', '~')):
            continue
        want = [scaled(first.get(name, 0)), scaled(last.get(name, 0))]
        if [f, l] != want:
            errors.append('%s first/last: screen %s, go tool pprof flat %s' % (name, [f, l], want))
        if (mark == '!') != leaks[name]['leak']:
            errors.append('%s: flag %r, memtop leaks %s' % (name, mark, leaks[name]['leak']))
        if name in ('main.sawtoothGrow', 'main.steadyHold') and mark == '!':
            errors.append('%s flagged as a leak' % name)


def pprof_top_b(path):
    """name -> flat bytes of go tool pprof -top -unit=B."""
    out = {}
    for line in run(['go', 'tool', 'pprof', '-top', '-nodefraction=0', '-unit=B', path]).splitlines():
        m = re.match(r'\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s+(.*)$', line)
        if m:
            out[re.sub(r' \((partial-)?inline\)$', '', m.group(3).strip())] = int(m.group(1))
    return out


run_tui.pprof_top_b = pprof_top_b


def pprof_total(path):
    m = re.search(r'of (\S+) total', run(['go', 'tool', 'pprof', '-top', '-unit=auto', path]))
    return m.group(1)


def live(memtop, root, db, tmp):
    """memtop --db DB in tmux at 120x40; a snapshot imported meanwhile
    appears in view 5 with no key pressed."""
    if not shutil.which('tmux'):
        print('SKIP: no tmux')
        return 77
    sock = os.path.join(tmp, 'tmux.sock')
    t = ['tmux', '-S', sock]
    env = ' '.join('%s=%s' % kv for kv in (('TERM', 'xterm-256color'), ('LANG', 'C.UTF-8'),
                                             ('LC_ALL', 'C.UTF-8'), ('TZ', 'UTC')))
    subprocess.run(t + ['-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '40',
                        'env %s %s --db %s' % (env, memtop, db)], check=True)

    def wait(text, limit=10.0, pattern=None):
        """The screen once it shows text (and matches pattern): a capture
        may catch a redraw half done, so it polls until both hold."""
        end = time.monotonic() + limit
        scr = ''
        while time.monotonic() < end:
            scr = subprocess.run(t + ['capture-pane', '-p'], stdout=subprocess.PIPE).stdout.decode()
            if text in scr and (not pattern or re.search(pattern, scr, re.M)):
                return scr
            time.sleep(0.1)
        print(scr)
        return None

    try:
        if not wait('12 snapshots in 1 series'):
            print('view 5 did not open on the database')
            return 1
        other = os.path.join(tmp, 'other', 'heap.pb.gz')
        os.makedirs(os.path.dirname(other))
        shutil.copyfile(os.path.join(root, 'tests/data/go/heap.pb.gz'), other)
        run([memtop, 'import', '--db', db, other])
        if not wait('13 snapshots in 2 series'):
            print('the new snapshot did not appear without a key')
            return 1
        # Its series (a directory of its own) gets a line with its total.
        total = scaled(json.loads(run([memtop, 'ls', '--db', db, '--format', 'json']))
                       ['snapshots'][-1]['total'])
        line = r'heap +1 snapshot .* %s \S+ %s .*/other$' % (re.escape(total), re.escape(total))
        if not wait('13 snapshots in 2 series', pattern=line):
            print('no series line for the new snapshot (total %s)' % total)
            return 1
        subprocess.run(t + ['send-keys', 'q'], check=True)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if subprocess.run(t + ['has-session'], stderr=subprocess.DEVNULL).returncode:
                return 0
            time.sleep(0.1)
        print('memtop did not quit')
        return 1
    finally:
        subprocess.run(t + ['kill-server'], stderr=subprocess.DEVNULL)


def main():
    memtop, root, name = sys.argv[1:4]
    memtop = os.path.abspath(memtop)
    run_tui.MEMTOP = memtop
    if not shutil.which('go'):
        print('SKIP: no go toolchain (go tool pprof is the oracle)')
        return 77
    errors = []
    # A fixed-length directory name: the screens show paths cut to fit.
    with tempfile.TemporaryDirectory(prefix='memtop-tl-', dir='/tmp') as tmp:
        db, files = build_db(memtop, root, tmp)
        if name == 'live':
            return live(memtop, root, db, tmp)
        keys = os.path.join(root, 'tests', 'tui', name + '.keys')
        text = open(keys, encoding='utf-8').read()
        args = [a.replace('@DB', db) for a in
                re.search(r'^# args: (.*)$', text, re.M).group(1).split()]
        dumps = os.path.join(tmp, 'dumps')
        os.mkdir(dumps)
        script = os.path.join(tmp, 'keys')
        open(script, 'w', encoding='utf-8').write(text.replace('@/', dumps + '/'))
        p = subprocess.run([memtop, '--script', script] + args, cwd=root, env=ENV,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            print('memtop exited %d: %s' % (p.returncode, p.stderr.decode()))
            return 1
        ls = {s['id']: s for s in
              json.loads(run([memtop, 'ls', '--db', db, '--format', 'json']))['snapshots']}
        metrics = json.loads(run([memtop, 'metrics', '--db', db, '--format', 'json']))
        totals = {sid: pprof_total(f) for sid, f in files.items()}
        lw = 22 if '120x' in ' '.join(args) else 17
        expdir = os.path.join(root, 'tests', 'tui', 'expected', name)
        update = os.environ.get('TUI_UPDATE') == '1'
        if update:
            os.makedirs(expdir, exist_ok=True)
        rand = os.path.basename(tmp)[len('memtop-tl-'):]
        for d in sorted(os.listdir(dumps)):
            got = open(os.path.join(dumps, d), encoding='utf-8').read()
            # The temporary directory's random part, for the comparison.
            norm = got.replace(rand, 'X' * len(rand))
            exp_path = os.path.join(expdir, d)
            if update:
                open(exp_path, 'w', encoding='utf-8').write(norm)
            elif not os.path.exists(exp_path):
                errors.append('%s: no expected screen' % d)
            elif open(exp_path, encoding='utf-8').read() != norm:
                import difflib
                diff = difflib.unified_diff(open(exp_path, encoding='utf-8').read().splitlines(),
                                            norm.splitlines(), 'expected/' + d, 'screen',
                                            lineterm='')
                errors.append('%s differs:\n%s' % (d, '\n'.join(diff)))
            lines = got.splitlines()
            view = lines[0]
            if '[5 snapshots]' in view or '[snapshots]' in view:
                check_snapshots(lines, ls, totals, errors)
                check_suspects(memtop, db, lines, files, errors)
                if 'home' in d:
                    check_charts(lines, lw, 0, metrics, ls, errors)
                if 'end' in d:
                    check_charts(lines, lw, -1, metrics, ls, errors)
            elif '[4 diff]' in view or '[diff]' in view:
                want = (min(files), max(files)) if 'suspect' in d else None
                check_diff(memtop, db, lines, files, tmp, errors, want)
            else:
                errors.append('%s: unexpected view %r' % (d, view))
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
