#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The files a guest handed over with t_export (tests/scenarios/lib.sh):
# decodes each from the FILE-* marker lines of a run's com1.log into
# OUTDIR/NAME, then checks it arrived whole (the size the guest said) and
# parses as its extension says: .json (JSON), .svg (XML whose root is an
# svg element), .csv (a header and rows of the same width), .tar.gz (a
# gzip'd tar archive with members), anything else (non-empty UTF-8 text).
# Prints one "PASS file NAME" or "FAIL file NAME: why" line per file and
# exits with the number of failures.
#
# Usage: files.py COM1_LOG OUTDIR
import base64
import csv
import io
import json
import os
import re
import sys
import tarfile
import xml.etree.ElementTree as ET

MARK = re.compile(r"BRIG-TEST: FILE-(BEGIN|DATA|END) ([A-Za-z0-9._-]+)(?: (\S+))?")
SIZE = re.compile(r"[0-9]{1,12}")


def collect(log):
    """Each file's data lines, its announced size, names in order, and
    names seen without their FILE-BEGIN (a broken hand-over)."""
    files, sizes, order, stray = {}, {}, [], []
    with open(log, "rb") as f:
        for raw in f:
            m = MARK.search(raw.decode("utf-8", "replace").rstrip("\r\n"))
            if not m:
                continue
            kind, name, arg = m.groups()
            if kind == "BEGIN":
                files[name] = []
                sizes.pop(name, None)
                if name not in order:
                    order.append(name)
            elif name not in files:
                if name not in stray:
                    stray.append(name)
            elif kind == "DATA" and arg:
                files[name].append(arg)
            elif kind == "END":
                sizes[name] = int(arg) if arg and SIZE.fullmatch(arg) else -1
    return files, sizes, order, stray


def check(name, data):
    if name.endswith(".tar.gz"):
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            if not tar.getmembers():
                raise ValueError("an empty archive")
        return
    text = data.decode("utf-8")
    if name.endswith(".json"):
        json.loads(text)
    elif name.endswith(".svg"):
        root = ET.fromstring(data)
        if not root.tag.endswith("svg"):
            raise ValueError("root element is %s, not svg" % root.tag)
    elif name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) < 2:
            raise ValueError("no rows under the header")
        if any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("rows of different widths")
    elif not text.strip():
        raise ValueError("empty")


def main():
    log, outdir = sys.argv[1], sys.argv[2]
    files, sizes, order, stray = collect(log)
    failed = 0
    for name in stray:
        failed += 1
        print("FAIL file %s: data or end without FILE-BEGIN" % name)
    if order:
        os.makedirs(outdir, exist_ok=True)
    for name in order:
        why = None
        try:
            data = base64.b64decode("".join(files[name]), validate=True)
            if name not in sizes:
                why = "no FILE-END marker: the file did not arrive whole"
            elif sizes[name] != len(data):
                why = "%d bytes arrived, the guest sent %d" % (len(data), sizes[name])
            else:
                check(name, data)
            with open(os.path.join(outdir, name), "wb") as out:
                out.write(data)
        except Exception as e:  # any decoding or parsing error fails the file
            why = why or "does not parse: %s" % e
        if why:
            failed += 1
            print("FAIL file %s: %s" % (name, why))
        else:
            print("PASS file %s (%d bytes)" % (name, sizes[name]))
    return failed


if __name__ == "__main__":
    sys.exit(main())
