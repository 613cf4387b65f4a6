#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of the harness's own Python (make test-unit): files.py,
# which turns exported guest files back into files and parses them, and
# bench-report.py, which writes make bench's report from a fixture of a
# real run (tests/harness/bench-fixture/, from make bench on the QEMU VT-d
# board). A broken parser or report would otherwise only show in the slow
# target, or pass a run it should fail.
import base64
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read(path):
    with open(path) as f:
        return f.read()


def exported(name, data, size=None, begin=True, end=True):
    """The kernel-log lines t_export writes for one file."""
    lines = []
    if begin:
        lines.append("[ 1.0] BRIG-TEST: FILE-BEGIN %s" % name)
    b64 = base64.b64encode(data).decode()
    for i in range(0, len(b64), 76):
        lines.append("[ 1.1] BRIG-TEST: FILE-DATA %s %s" % (name, b64[i:i + 76]))
    if end:
        lines.append("[ 1.2] BRIG-TEST: FILE-END %s %s" % (name, len(data) if size is None else size))
    return lines


def tar_gz(members):
    """A gzip'd tar archive holding members (name: bytes)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class FilesPy(unittest.TestCase):
    def run_files(self, lines):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "com1.log")
            with open(log, "w") as f:
                f.write("\n".join(lines) + "\n")
            p = subprocess.run([sys.executable, os.path.join(HERE, "files.py"), log,
                                os.path.join(d, "files")], capture_output=True, text=True)
            return p.returncode, p.stdout

    def test_good_files_pass(self):
        lines = exported("a.json", b'{"x": 1}\n') + exported("b.csv", b"a,b\n1,2\n") + \
            exported("c.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>') + \
            exported("d.txt", b"hello\n") + exported("e.tar.gz", tar_gz({"m/x": b"\x00\xff"}))
        rc, out = self.run_files(lines)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.count("PASS file"), 5, out)

    def test_bad_files_fail(self):
        cases = [
            (exported("bad.json", b'{"x": '), "does not parse"),
            (exported("bad.svg", b"<html></html>"), "not svg"),
            (exported("bad.csv", b"a,b\n1\n"), "different widths"),
            (exported("short.txt", b"hello\n", size=99), "bytes arrived"),
            (exported("cut.txt", b"hello\n", end=False), "did not arrive whole"),
            (exported("odd.txt", b"hello\n", size="\u00b2"), "bytes arrived"),
            (exported("stray.txt", b"hello\n", begin=False), "without FILE-BEGIN"),
            (exported("bad.tar.gz", b"\x1f\x8b not gzip"), "does not parse"),
            (exported("empty.tar.gz", tar_gz({})), "empty archive"),
        ]
        for lines, why in cases:
            rc, out = self.run_files(lines)
            self.assertNotEqual(rc, 0, out)
            self.assertIn(why, out)


class BenchReport(unittest.TestCase):
    def report(self, logs, out):
        return subprocess.run([sys.executable, os.path.join(HERE, "bench-report.py"),
                               "--logs", logs, "--out", out, "--shift", "3",
                               "--board", "qemu-vtd", "--kernel", "6.12", "--root", ROOT],
                              capture_output=True, text=True)

    def test_fixture_report(self):
        with tempfile.TemporaryDirectory() as out:
            p = self.report(os.path.join(HERE, "bench-fixture"), out)
            self.assertEqual(p.returncode, 0, p.stderr)
            rep = json.loads(read(os.path.join(out, "report.json")))
            self.assertEqual(rep["missing"], [])
            ic = rep["icount"]
            self.assertGreater(ic["bare_metal"]["samples"], 0)
            self.assertGreater(ic["cell_idle_root"]["samples"], 0)
            self.assertEqual(ic["cell_exits_over_window"]["total"], 0)
            self.assertIsNotNone(ic["ratio_cell_to_bare"]["avg"])
            runs = rep["cell_under_load"]["runs"]
            self.assertEqual(sorted(runs), ["hackbench", "idle", "stress"])
            for v in runs.values():
                self.assertGreater(v["samples"], 0)
                self.assertEqual(v["cell_exits"], 0)
            self.assertGreater(rep["root_cost"]["workloads"]["hackbench"]["exits"]["total"], 0)
            self.assertIsNotNone(rep["cyclictest"]["native"])
            self.assertIsNotNone(rep["cyclictest"]["brig_enabled"])
            self.assertAlmostEqual(rep["ivshmem"]["root_cell"]["cell_exits_per_message"], 1.0, places=2)
            self.assertGreater(rep["footprint"]["trusted_base_lines"], 1000)
            self.assertGreater(rep["footprint"]["pool_pages_per_cell"], 0)
            self.assertIsNotNone(rep["footprint"]["pool_pages_per_cpu"])
            self.assertGreater(rep["footprint"]["static_bytes_per_cpu"] or 0, 0)
            md = read(os.path.join(out, "report.md"))
            for heading in ("bare metal vs cell", "under load", "cyclictest", "cost of being a guest",
                            "ivshmem", "Cell start by phase", "Footprint"):
                self.assertIn(heading, md)
            for svg in ("latency-icount.svg", "latency-load.svg"):
                root = ET.parse(os.path.join(out, svg)).getroot()
                self.assertTrue(root.tag.endswith("svg"))

    def test_missing_part_fails(self):
        with tempfile.TemporaryDirectory() as logs, tempfile.TemporaryDirectory() as out:
            os.symlink(os.path.join(HERE, "bench-fixture", "bench-load"), os.path.join(logs, "bench-load"))
            p = self.report(logs, out)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("missing", p.stderr)
            self.assertIn("Missing from this run", read(os.path.join(out, "report.md")))


if __name__ == "__main__":
    unittest.main(verbosity=1)
