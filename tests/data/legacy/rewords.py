#!/usr/bin/env python3
"""Re-encodes a gperftools binary CPU profile in another word format.

usage: rewords.py IN FROM TO OUT   (FROM, TO: 32le 32be 64le 64be)

The words (header, samples, end marker) are read in format FROM and written
in format TO; the text after the end marker (memory map, or Java's location
section) is copied as it is. The profile means the same in any format, so
`go tool pprof` prints the same report for both: that is what the goldens
of the copies (tests/golden/*.top) check memtop against.
"""
import struct
import sys

FORMS = {"32le": "<I", "32be": ">I", "64le": "<Q", "64be": ">Q"}


def main():
    src, frm, to, dst = sys.argv[1:5]
    data = open(src, "rb").read()
    fi, fo = FORMS[frm], FORMS[to]
    size = struct.calcsize(fi)
    words, at = [], 0

    def take():
        nonlocal at
        (w,) = struct.unpack_from(fi, data, at)
        at += size
        words.append(w)
        return w

    for _ in range(5):
        take()
    while at < len(data):
        count, depth = take(), take()
        pcs = [take() for _ in range(depth)]
        if count == 0 and depth == 1 and pcs[0] == 0:
            break
    with open(dst, "wb") as f:
        f.write(b"".join(struct.pack(fo, w) for w in words))
        f.write(data[at:])


main()
