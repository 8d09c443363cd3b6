#!/usr/bin/env python3
"""Writes a C header that holds a text file as a string constant.

Usage: embed.py INPUT OUTPUT NAME
"""
import sys

src, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, "rb") as f:
    data = f.read()
lines = ["/* Generated from %s by data/embed.py; do not edit. */" % src.split("/")[-1],
         "static const char %s[] =" % name]
for line in data.decode("utf-8").splitlines(True):
    esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    lines.append('\t"%s"' % esc)
lines.append("\t;")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
