#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`unmapbench instrument` on this host (TAP via tests/lib/tap_unittest):
option errors name the offending token; a tiny native run (the userspace
build of the module's timing engine) writes a complete run directory that
plot/ parses; --where module drives the (simulated) module's ground
variants with both timers. Checks behaviour and structure, never timings."""
import csv
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, os.path.join(TOP, "plot"))
import tap_unittest  # noqa: E402
import rundir  # noqa: E402

with open(os.path.join(TOP, "plot", "schema.json")) as _f:
    SCHEMA_VERSION = json.load(_f)["schema_version"]


def plot_reads_schema():
    """Whether plot/ reads the schema version the harness writes (plot/
    loads plot/schema.json since the schema-version-2 change)."""
    with open(os.path.join(TOP, "plot", "rundir.py")) as f:
        return "schema.json" in f.read()

UB = os.path.join(TOP, "harness", "unmapbench")
GROUND = ["ground.add16", "ground.add64", "ground.add65", "ground.add256",
          "ground.add1024"]


def ub(*args, fake=False):
    e = dict(os.environ)
    e.pop("UB_WHERE", None)
    if fake:
        e["UB_WHERE"] = "native"
    e["UB_PROGRESS"] = "0"
    return subprocess.run([UB, "instrument", *args], capture_output=True,
                          text=True, env=e)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Options(unittest.TestCase):
    def bad(self, args, token):
        p = ub(*args)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(token, p.stderr)

    def test_where(self):
        self.bad(["--where", "moon"], "'moon'")

    def test_units_zero(self):
        self.bad(["--units", "0"], "--units")

    def test_rounds_bad(self):
        self.bad(["--rounds", "12x"], "'12x'")

    def test_timer_bad(self):
        self.bad(["--timer", "tsc,hpet"], "'hpet'")

    def test_repeat_bad(self):
        self.bad(["--repeat", "0"], "--repeat")

    def test_unknown_option(self):
        self.bad(["--bogus", "1"], "--bogus")

    def test_missing_value(self):
        self.bad(["--units"], "--units: missing value")

    def test_positional(self):
        self.bad(["native"], "'native'")

    def test_help(self):
        p = ub("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--where module|native", p.stdout)

    def test_listed_in_main_help(self):
        p = subprocess.run([UB, "--help"], capture_output=True, text=True)
        self.assertIn("instrument", p.stdout)


class Native(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-instr-cli-")
        cls.out = os.path.join(cls.tmp, "run")
        cls.p = ub("--where", "native", "--repeat", "2", "--units", "16",
                   "--rounds", "10", "--batch", "4", "--label", "smoke",
                   "--out", cls.out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_exit_and_path(self):
        self.assertEqual(self.p.returncode, 0, self.p.stderr)
        # the report's first screen (with the instrument's targets), then
        # the path as the last line
        lines = self.p.stdout.splitlines()
        self.assertEqual(lines[-1], self.out)
        self.assertIn("Instrument (ground-truth adds)",
                      " ".join(lines[:-1]))
        with open(os.path.join(self.out, "status")) as f:
            self.assertEqual(f.read().strip(), "complete")

    def test_files(self):
        for f in ("runs.csv", "params.csv", "micro.csv", "samples.csv",
                  "hist.csv", "meta.json", "log.txt"):
            self.assertTrue(os.path.exists(os.path.join(self.out, f)), f)

    def test_parses(self):
        runs = {r["run_id"]: r for r in rows(os.path.join(self.out, "runs.csv"))}
        micro = rows(os.path.join(self.out, "micro.csv"))
        samples = rows(os.path.join(self.out, "samples.csv"))
        hist = rows(os.path.join(self.out, "hist.csv"))
        with open(os.path.join(self.out, "status")) as f:
            self.assertEqual(f.read().strip(), "complete")
        self.assertEqual({r["backend"] for r in runs.values()}, {"null"})
        self.assertEqual({r["where"] for r in runs.values()}, {"native"})
        self.assertEqual(len(runs), 4)
        # ABBA: repeat 1 tsc then ktime, repeat 2 ktime then tsc.
        self.assertEqual([runs[str(i)]["timer"] for i in range(1, 5)],
                         ["tsc", "ktime", "ktime", "tsc"])
        for r in runs.values():
            self.assertEqual(int(r["rounds_done"]), 10)
            self.assertEqual(r["label"], "smoke")
            self.assertEqual(r["status"], "ok")
            self.assertGreater(float(r["tsc_khz"]), 0)
        self.assertEqual(len(micro), 4 * len(GROUND))
        self.assertEqual(sorted({m["variant"] for m in micro}), sorted(GROUND))
        for m in micro:
            self.assertEqual(int(m["ops"]), 16 * 10)
            tsc = runs[m["run_id"]]["timer"] == "tsc"
            self.assertEqual(int(m["batches"]), (4 * 10) if tsc else 16 * 10)
            self.assertEqual(m["unit"], "cycles" if tsc else "ns")
        self.assertEqual(len(samples), 4 * 10 * len(GROUND))
        for key in {(h["run_id"], h["variant"]) for h in hist}:
            n = sum(int(h["count"]) for h in hist
                    if (h["run_id"], h["variant"]) == key)
            m = [x for x in micro if (x["run_id"], x["variant"]) == key]
            self.assertEqual(n, int(m[0]["batches"]))

    def test_plot_parses(self):
        if not plot_reads_schema():
            self.skipTest("plot/rundir.py does not read schema version %d yet "
                          "(it loads plot/schema.json from the plot change on)"
                          % SCHEMA_VERSION)
        rd = rundir.load(self.out)
        self.assertTrue(rd.complete)
        self.assertEqual(rd.backends(), ["null"])
        self.assertEqual(len(rd.runs), 4)

    def test_meta(self):
        with open(os.path.join(self.out, "meta.json")) as f:
            m = json.load(f)
        self.assertEqual(m["status"], "complete")
        self.assertEqual(m["instrument"]["where"], "native")
        self.assertEqual(m["measurement"]["backends_used"], ["null"])
        self.assertEqual(m["module"]["where"], "native")

    def test_analysis_runs(self):
        if not plot_reads_schema():
            self.skipTest("plot/ does not read schema version %d yet"
                          % SCHEMA_VERSION)
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "instrument.py"),
                            "--quiet", self.out], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        txt = open(os.path.join(self.out, "instrument.txt")).read()
        self.assertIn("native: the module's portable code in userspace", txt)

    def test_never_overwrites(self):
        p = ub("--repeat", "1", "--units", "4", "--rounds", "2",
               "--out", self.out)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("exists", p.stderr)


class Module(unittest.TestCase):
    def test_module_is_the_equivalent_micro_sweep(self):
        p = ub("--where", "module", "--repeat", "2", "--units", "8",
               "--rounds", "3", "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("unmapbench micro --where=module --variants=ground.*",
                      p.stderr)
        # dry run: 2 repeats x 2 timers, ABBA
        timers = re.findall(r"timer=(\w+)", p.stdout)
        self.assertEqual(timers, ["tsc", "ktime", "ktime", "tsc"])

    def test_module_absent_is_a_clear_error(self):
        if os.path.exists("/sys/kernel/debug/unmap_bench/ctl"):
            self.skipTest("the module is loaded here")
        with tempfile.TemporaryDirectory() as t:
            p = ub("--where", "module", "--units", "8", "--rounds", "3",
                   "--out", os.path.join(t, "run"))
            self.assertEqual(p.returncode, 1)
            self.assertIn("module not loaded", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(t, "run")))

    def test_module_missing(self):
        with tempfile.TemporaryDirectory() as t:
            p = ub("--where", "module", "--out", os.path.join(t, "run"))
            self.assertEqual(p.returncode, 1)
            self.assertIn("module", p.stderr)


if __name__ == "__main__":
    sys.exit(tap_unittest.run_module(sys.modules[__name__], ["-C", os.path.join(TOP, "harness")]))
