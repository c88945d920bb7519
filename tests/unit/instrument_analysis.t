#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known answers for plot/instrument.py on synthetic run directories
(TAP via tests/lib/tap_unittest). Behaviour, never timings:
- cost = a + b*k exactly gives slope b, intercept a and 0 error;
- add65 = add64 + 1 cycle with small noise is resolved, add65 = add64 is
  not;
- a baseline with 100x the variance of the suite gives a CI ratio > 10 at
  equal run time, one with the same variance does not;
- report.py includes instrument.txt; a directory without ground samples
  is refused with a clear error."""
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, os.path.join(TOP, "plot"))
import tap_unittest  # noqa: E402
import instrument  # noqa: E402
import rundir  # noqa: E402
import schema  # noqa: E402

SCHEMA = schema.load()

KS = (16, 64, 65, 256, 1024)
OPS = 256


def write_dir(d, cost, rounds=200, repeat=3, noise=0.0, base_sd=None,
              base_n=None, seed=1, ktime=True, elapsed_s=1.0, common=0.0,
              wall_cap=False):
    """A run directory like `unmapbench instrument --where native`.
    cost(k) = true TSC cycles per op (tsc_khz 1e6: 1 cycle = 1 ns);
    noise = sd of the per-round per-op value (cycles), plus a per-round
    effect of sd common shared by every variant of the round (what
    pairing cancels); the baseline's
    per-op samples have mean cost(k) + 20 ns and sd base_sd (ns),
    base_n of them per run (default: rounds). wall_cap: every run
    stopped at the wall-time cap after `rounds` of 2 x rounds."""
    rng = random.Random(seed)
    os.makedirs(d)
    with open(os.path.join(d, "status"), "w") as f:
        f.write("complete\n")
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump({"schema_version": SCHEMA.version,
                   "environment": {"emulation": "none"},
                   "host": {"hostname": "synth", "kernel_release": "0"},
                   "module": {"loaded": False, "usable": False}}, f)
    runs, params, micro, smp = ([SCHEMA.table(f).names] for f in (
        "runs.csv", "params.csv", "micro.csv", "samples.csv"))
    ground = [f"ground.add{k}" for k in KS]
    rid = 0
    for rep in range(1, repeat + 1):
        for timer in (("tsc", "ktime") if ktime else ("tsc",)):
            rid += 1
            unit = "cycles" if timer == "tsc" else "ns"
            runs.append([rid, rep, "", "null", "null", "synthetic", "4k", 0,
                         "0", "0", "local", 1, "kernel", "hot", 32, 32,
                         2 * rounds if wall_cap else rounds, rounds, 1,
                         timer, 0,
                         "rdtscp" if timer == "tsc" else "clock_gettime",
                         52 if timer == "tsc" else 20, 1000000,
                         int(elapsed_s * 1e9), "wall_cap" if wall_cap else "ok",
                         "none",
                         "native", 0, 0, 1, "", "", ""])
            params.append([rid, 1, 0, 0, ";".join(ground), 0, 0,
                           "instrument-native"])
            shared = [rng.gauss(0, common) for _ in range(rounds)]
            for k in KS:
                if timer == "tsc":
                    vals = [max(0.0, cost(k) + shared[r] + rng.gauss(0, noise))
                            for r in range(rounds)]
                    for r, v in enumerate(vals):
                        smp.append([rid, 0, r, f"ground.add{k}",
                                    repr(v * OPS), OPS, unit, 0,
                                    KS.index(k)])
                    mean = sum(vals) / len(vals)
                    micro.append([rid, f"ground.add{k}", "none", "ground",
                                  "4k", k, 0, 0, 0, OPS * rounds, rounds,
                                  repr(mean), repr(noise), 0, 0, unit, 0, 0,
                                  0, "", "", "", ""])
                else:
                    n = base_n or rounds
                    micro.append([rid, f"ground.add{k}", "none", "ground",
                                  "4k", k, 0, 0, 0, n, n,
                                  repr(cost(k) + 20.0), repr(base_sd or 1.0),
                                  0, 0, unit, 0, 0, 0, "", "", "", ""])
                    for r in range(rounds):
                        smp.append([rid, 0, r, f"ground.add{k}",
                                    repr((cost(k) + 20.0) * OPS), OPS, unit,
                                    0, KS.index(k)])
    for name, rows in (("runs.csv", runs), ("params.csv", params),
                       ("micro.csv", micro), ("samples.csv", smp)):
        with open(os.path.join(d, name), "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return d


class Analysis(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ub-instr-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def d(self, name, **kw):
        return rundir.load(write_dir(os.path.join(self.tmp, name), **kw))

    def test_exact_line(self):
        rd = self.d("line", cost=lambda k: 3.0 + 0.7 * k)
        r = instrument.analyse(rd)
        self.assertAlmostEqual(r["slope"], 0.7, places=9)
        self.assertAlmostEqual(r["intercept"], 3.0, places=6)
        self.assertLess(r["lin_err"], 1e-9)
        self.assertLess(r["lin_err_max"], 1e-9)
        self.assertEqual(r["runs_tsc"], 3)
        self.assertEqual(r["runs_ktime"], 3)

    def test_nonlinear_is_caught(self):
        # add16 5% above the line through the others.
        rd = self.d("bent", cost=lambda k: k * 1.0 + (0.8 if k == 16 else 0))
        r = instrument.analyse(rd)
        self.assertGreater(r["lin_err"], 0.02)

    def test_one_add_resolved(self):
        rd = self.d("one", cost=lambda k: 1.0 * k, noise=0.3, rounds=300)
        r = instrument.analyse(rd)
        self.assertTrue(r["resolved"])
        self.assertTrue(r["contains_one"])
        self.assertGreater(r["d_lo"], 0)
        self.assertLess(r["d_hw"], 1.0)
        self.assertAlmostEqual(r["d_med"], 1.0, delta=0.1)

    def test_no_difference_not_resolved(self):
        rd = self.d("zero", cost=lambda k: 1.0 * min(k, 64) + (k > 65) * k,
                    noise=0.3, rounds=300)
        r = instrument.analyse(rd)
        self.assertFalse(r["resolved"])
        self.assertLessEqual(r["d_lo"], 0)

    # A suite sample (per-round per-op value) has variance 0.3^2 + 0.1^2
    # = 0.1, most of it a per-round effect the pairing cancels.
    def test_baseline_100x_variance(self):
        # Baseline per-op variance 10 = 100x a suite sample's, as many
        # samples, same run time per method.
        rd = self.d("ratio", cost=lambda k: 1.0 * k, noise=0.1, common=0.3,
                    rounds=400, base_sd=10 ** 0.5)
        r = instrument.analyse(rd)
        self.assertGreater(r["ratio"], 10.0)

    def test_baseline_same_variance(self):
        rd = self.d("same", cost=lambda k: 1.0 * k, noise=0.1, common=0.3,
                    rounds=400, base_sd=0.1 ** 0.5)
        r = instrument.analyse(rd)
        self.assertLess(r["ratio"], 10.0)

    def test_equal_time_normalisation(self):
        # A baseline that took 4x longer for the same CI is 2x worse.
        a = instrument.analyse(self.d("t1", cost=lambda k: 1.0 * k,
                                      noise=0.3, base_sd=3.0))
        d = write_dir(os.path.join(self.tmp, "t4"), cost=lambda k: 1.0 * k,
                      noise=0.3, base_sd=3.0)
        p = os.path.join(d, "runs.csv")
        with open(p) as f:
            rows = list(csv.reader(f))
        col = {c: i for i, c in enumerate(rows[0])}
        for row in rows[1:]:
            if row[col["timer"]] == "ktime":
                row[col["elapsed_ns"]] = str(int(row[col["elapsed_ns"]]) * 4)
        with open(p, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
        b = instrument.analyse(rundir.load(d))
        self.assertAlmostEqual(b["ratio"] / a["ratio"], 2.0, places=6)

    def test_text_and_report(self):
        d = write_dir(os.path.join(self.tmp, "txt"), cost=lambda k: 1.0 * k,
                      noise=0.3, base_sd=3.0)
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "instrument.py"), d],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        txt = open(os.path.join(d, "instrument.txt")).read()
        for line in txt.splitlines():
            self.assertLessEqual(len(line), 75, line)
        self.assertIn("linearity", txt)
        self.assertIn("met", txt)
        self.assertIn("bare-metal host", txt)
        self.assertNotIn("TDX figure", txt.replace("Not TDX figures", ""))
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "report.py"),
                            "--no-plots", d], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = open(os.path.join(d, "report.txt")).read()
        self.assertIn("Instrument validation", rep)

    def test_first_screen_has_the_targets(self):
        d = write_dir(os.path.join(self.tmp, "fs"), cost=lambda k: 1.0 * k,
                      noise=0.3, base_sd=30.0)
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "report.py"),
                            "--no-plots", "--first-screen", d],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        screen = " ".join(p.stdout.split())
        self.assertIn("Instrument (ground-truth adds): linearity", screen)
        self.assertIn("(>= 10x) met", screen)
        self.assertLessEqual(len(p.stdout.splitlines()), 25)

    def test_report_writes_it_when_missing(self):
        d = write_dir(os.path.join(self.tmp, "rep"), cost=lambda k: 1.0 * k,
                      noise=0.3)
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "report.py"),
                            "--no-plots", d], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(os.path.join(d, "instrument.txt")))

    def test_no_baseline(self):
        rd = self.d("nob", cost=lambda k: 1.0 * k, noise=0.3, ktime=False)
        r = instrument.analyse(rd)
        self.assertIsNone(r.get("ratio"))
        txt = "\n".join(instrument.render(r))
        self.assertIn("no baseline runs", txt)
        self.assertIn("Missed: CI ratio", txt)

    def test_wall_cap_explains_what_was_missed(self):
        rd = self.d("cap", cost=lambda k: 1.0 * k, noise=0.3, ktime=False,
                    rounds=50, wall_cap=True)
        txt = " ".join(instrument.render(instrument.analyse(rd)))
        self.assertIn("Missed: CI ratio", txt)
        self.assertIn("3 of 3 runs stopped at the wall-time cap", txt)
        self.assertIn("after 150 of 300 rounds", txt)
        rd = self.d("nocap", cost=lambda k: 1.0 * k, noise=0.3, ktime=False,
                    rounds=50)
        txt = " ".join(instrument.render(instrument.analyse(rd)))
        self.assertNotIn("wall-time cap", txt)

    def test_not_applicable(self):
        d = write_dir(os.path.join(self.tmp, "na"), cost=lambda k: 1.0 * k)
        os.remove(os.path.join(d, "samples.csv"))
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "instrument.py"), d],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no ground.add* samples", p.stderr)
        p = subprocess.run([sys.executable,
                            os.path.join(TOP, "plot", "instrument.py"),
                            os.path.join(self.tmp, "nonexistent")],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a directory", p.stderr)


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = tap_unittest.TapResult()
    suite.run(res)
    sys.exit(0 if res.wasSuccessful() else 1)
