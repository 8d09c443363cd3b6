"""A minimal profile.proto writer for the fault tests (the Python twin of
tests/pbenc.h): exact small profiles and precise corruptions by hand."""


def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def fu(field, v):
    """A varint field."""
    return varint(field << 3) + varint(v)


def fb(field, data):
    """A length-delimited field."""
    return varint(field << 3 | 2) + varint(len(data)) + data


def profile(samples, funcs, kind=("inuse_space", "bytes"), time=0, mappings=(), lines=True,
            file="x.go"):
    """samples: [(location ids leaf first, value)]; funcs: function names,
    function and location i + 1 being funcs[i] (in file, line 7 + i);
    mappings: [(file, build id)], mapping 1 covering every location.
    Without lines, locations are bare addresses, left to the symbolizer."""
    strs = ["", kind[0], kind[1], file]
    index = {x: i for i, x in enumerate(strs)}

    def s(x):
        if x not in index:
            index[x] = len(strs)
            strs.append(x)
        return index[x]

    p = [fb(1, fu(1, 1) + fu(2, 2))]
    for locs, v in samples:
        p.append(fb(2, fb(1, b"".join(varint(x) for x in locs)) + fu(2, v)))
    for i, (f, bid) in enumerate(mappings):
        p.append(fb(3, fu(1, i + 1) + fu(2, 0x400000) + fu(3, 0x800000) + fu(5, s(f)) +
                    fu(6, s(bid))))
    for i, name in enumerate(funcs):
        loc = fu(1, i + 1) + fu(3, 0x401000 + 16 * i)
        if lines:
            loc += fb(4, fu(1, i + 1) + fu(2, 7 + i))
        if mappings:
            loc += fu(2, 1)
        p.append(fb(4, loc))
        if lines:
            p.append(fb(5, fu(1, i + 1) + fu(2, s(name)) + fu(4, 3)))
    p += [fb(6, x.encode()) for x in strs]
    if time:
        p.append(fu(9, time))
    return b"".join(p)
