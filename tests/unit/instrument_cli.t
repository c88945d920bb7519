#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`unmapbench instrument` on this host (TAP via tests/lib/tap_unittest):
option errors name the offending token; a tiny native run (the userspace
build of the module's timing engine) writes a complete run directory that
plot/ parses; --where module drives the (simulated) module's ground
variants with both timers. Checks behaviour and structure, never timings."""
import csv
import json
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

UB = os.path.join(TOP, "harness", "unmapbench")
GROUND = ["ground.add16", "ground.add64", "ground.add65", "ground.add256",
          "ground.add1024"]


def ub(*args, fake=False):
    e = dict(os.environ)
    e.pop("UB_TEST_FAKE_MODULE", None)
    if fake:
        e["UB_TEST_FAKE_MODULE"] = "1"
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
        self.bad(["--units"], "--units needs a value")

    def test_positional(self):
        self.bad(["native"], "'native'")

    def test_help(self):
        p = ub("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--where native|module", p.stdout)

    def test_listed_in_main_help(self):
        p = subprocess.run([UB, "--help"], capture_output=True, text=True)
        self.assertIn("instrument", p.stdout)


class Native(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-instr-cli-")
        cls.out = os.path.join(cls.tmp, "run")
        cls.p = ub("--where", "native", "--repeat", "2", "--units", "16",
                   "--rounds", "5", "--batch", "4", "--label", "smoke",
                   "--out", cls.out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_exit_and_path(self):
        self.assertEqual(self.p.returncode, 0, self.p.stderr)
        self.assertEqual(self.p.stdout.strip(), self.out)
        with open(os.path.join(self.out, "status")) as f:
            self.assertEqual(f.read().strip(), "complete")

    def test_files(self):
        for f in ("runs.csv", "params.csv", "micro.csv", "samples.csv",
                  "hist.csv", "meta.json", "log.txt"):
            self.assertTrue(os.path.exists(os.path.join(self.out, f)), f)

    def test_parses(self):
        rd = rundir.load(self.out)
        self.assertTrue(rd.complete)
        self.assertEqual(rd.backends(), ["user"])
        self.assertEqual(len(rd.runs), 4)
        # ABBA: repeat 1 tsc then ktime, repeat 2 ktime then tsc.
        self.assertEqual([rd.runs[str(i)]["timer"] for i in range(1, 5)],
                         ["tsc", "ktime", "ktime", "tsc"])
        for r in rd.runs.values():
            self.assertEqual(r["rounds_done"], 5)
            self.assertEqual(r["label"], "smoke")
            self.assertEqual(r["status"], "ok")
            self.assertGreater(r["tsc_khz"], 0)
        self.assertEqual(len(rd.micro), 4 * len(GROUND))
        self.assertEqual(sorted({m["variant"] for m in rd.micro}),
                         sorted(GROUND))
        for m in rd.micro:
            self.assertEqual(m["ops"], 16 * 5)
            tsc = rd.runs[m["run_id"]]["timer"] == "tsc"
            self.assertEqual(m["batches"], (4 * 5) if tsc else 16 * 5)
            self.assertEqual(m["unit"], "cycles" if tsc else "ns")
        self.assertEqual(len(rd.samples), 4 * 5 * len(GROUND))
        for key in {(h["run_id"], h["variant"]) for h in rd.hist}:
            n = sum(h["count"] for h in rd.hist
                    if (h["run_id"], h["variant"]) == key)
            m = [x for x in rd.micro if (x["run_id"], x["variant"]) == key]
            self.assertEqual(n, m[0]["batches"])

    def test_meta(self):
        with open(os.path.join(self.out, "meta.json")) as f:
            m = json.load(f)
        self.assertEqual(m["status"], "complete")
        self.assertEqual(m["instrument"]["where"], "native")
        self.assertEqual(m["measurement"]["backends_used"], ["user"])
        self.assertFalse(m["module"]["simulated"])

    def test_analysis_runs(self):
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "instrument.py"),
                            "--quiet", self.out], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        txt = open(os.path.join(self.out, "instrument.txt")).read()
        self.assertIn("native: userspace build of the engine", txt)

    def test_never_overwrites(self):
        p = ub("--repeat", "1", "--units", "4", "--rounds", "2",
               "--out", self.out)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("exists", p.stderr)


class Module(unittest.TestCase):
    def test_simulated_module(self):
        with tempfile.TemporaryDirectory() as t:
            out = os.path.join(t, "run")
            p = ub("--where", "module", "--repeat", "2", "--units", "8",
                   "--rounds", "3", "--out", out, fake=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            rd = rundir.load(out)
            self.assertEqual(sorted(r["timer"] for r in rd.runs.values()),
                             ["ktime", "ktime", "tsc", "tsc"])
            self.assertTrue(all(m["variant"].startswith("ground.")
                                for m in rd.micro))
            with open(os.path.join(out, "meta.json")) as f:
                self.assertIn("micro", json.load(f)["command_line"])

    def test_module_missing(self):
        with tempfile.TemporaryDirectory() as t:
            p = ub("--where", "module", "--out", os.path.join(t, "run"))
            self.assertEqual(p.returncode, 1)
            self.assertIn("module", p.stderr)


if __name__ == "__main__":
    try:
        subprocess.run(["make", "-s", "-C", os.path.join(TOP, "harness")],
                       check=True, stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError as e:
        print(f"not ok - build harness ({e})")
        sys.exit(1)
    print("ok - build harness")
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = tap_unittest.TapResult()
    suite.run(res)
    sys.exit(0 if res.wasSuccessful() else 1)
