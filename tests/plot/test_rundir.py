# SPDX-License-Identifier: GPL-2.0
"""Malformed or truncated run directories give a clear error naming the
file and the line; good ones load."""
import json
import os
import shutil
import tempfile
import unittest

import plotpath  # noqa: F401
import rundir
import synth


class RunDirErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-rundir-")
        cls.good = os.path.join(cls.tmp, "good")
        synth.write_rundir(cls.good, seed=7, rounds=12, ground=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def copy(self, name):
        d = os.path.join(self.tmp, name)
        shutil.copytree(self.good, d)
        return d

    def edit(self, d, fname, fn):
        p = os.path.join(d, fname)
        with open(p) as f:
            text = f.read()
        with open(p, "w") as f:
            f.write(fn(text))

    def assertError(self, d, *parts):
        with self.assertRaises(rundir.RunDirError) as cm:
            rundir.load(d)
        msg = str(cm.exception)
        for p in parts:
            self.assertIn(p, msg)
        return msg

    def test_good_loads(self):
        rd = rundir.load(self.good)
        self.assertTrue(rd.complete)
        self.assertTrue(rd.runs and rd.samples and rd.micro and rd.hist)
        self.assertEqual(rd.to_ns(2000.0, "cycles", "r001"), 1000.0)

    def test_truncated_samples(self):
        d = self.copy("trunc")
        self.edit(d, "samples.csv", lambda t: t[:len(t) // 2 + 3])
        msg = self.assertError(d, "samples.csv line ")
        self.assertTrue("truncated" in msg or "fields" in msg, msg)

    def test_cut_mid_line_names_last_line(self):
        d = self.copy("cut")
        n = None

        def cut(t):
            nonlocal n
            lines = t.split("\n")
            n = len(lines) - 1            # complete lines
            return "\n".join(lines[:-2]) + "\n" + lines[-2][:5]
        self.edit(d, "micro.csv", cut)
        self.assertError(d, f"micro.csv line {n}", "truncated")

    def test_wrong_field_count(self):
        d = self.copy("fields")
        self.edit(d, "runs.csv", lambda t: t.replace("\n", ",extra\n", 2)
                  .replace("emulation,extra", "emulation"))
        self.assertError(d, "runs.csv line 2", "28 fields, expected 27")

    def test_bad_number(self):
        d = self.copy("num")

        def bad(t):
            lines = t.split("\n")
            f = lines[4].split(",")
            f[4] = "12x"
            lines[4] = ",".join(f)
            return "\n".join(lines)
        self.edit(d, "samples.csv", bad)
        self.assertError(d, "samples.csv line 5", "column value",
                         "'12x' is not a number")

    def test_bad_enum(self):
        d = self.copy("enum")
        self.edit(d, "runs.csv", lambda t: t.replace(",hot,", ",tepid,", 1))
        self.assertError(d, "runs.csv line 2", "column cache", "tepid")

    def test_bad_header(self):
        d = self.copy("hdr")
        self.edit(d, "hist.csv", lambda t: t.replace("count", "cnt", 1))
        self.assertError(d, "hist.csv line 1", "missing count",
                         "unexpected cnt")

    def test_empty_file(self):
        d = self.copy("empty")
        open(os.path.join(d, "teardown.csv"), "w").close()
        self.assertError(d, "teardown.csv line 1", "empty")

    def test_unknown_run(self):
        d = self.copy("unk")
        self.edit(d, "micro.csv", lambda t: t.replace("\nr001,", "\nr999,",
                                                      1))
        self.assertError(d, "micro.csv line 2", "r999", "not in runs.csv")

    def test_duplicate_sample(self):
        d = self.copy("dup")
        self.edit(d, "samples.csv",
                  lambda t: t + t.split("\n")[1] + "\n")
        self.assertError(d, "samples.csv line", "duplicate")

    def test_bad_json(self):
        d = self.copy("json")
        with open(os.path.join(d, "meta.json")) as f:
            line = f.read().split('"host"')[0].count("\n") + 1
        self.edit(d, "meta.json", lambda t: t.replace('"host"', 'host', 1))
        self.assertError(d, f"meta.json line {line}:")

    def test_counters_unavailable_is_not_zero(self):
        rd = rundir.load(self.good)
        un = [c for c in rd.counters if c["counter"] == "llc_misses"]
        self.assertTrue(un)
        self.assertTrue(all(c["value"] is None for c in un))

    def test_partial_dir_warns(self):
        d = os.path.join(self.tmp, ".x.partial")
        synth.write_rundir(d, seed=1, rounds=8, teardown=False,
                           status="interrupted: SIGINT after 1/3 runs")
        rd = rundir.load(d)
        self.assertFalse(rd.complete)
        self.assertIn("PARTIAL", rd.warnings[0])

    def test_teardown_only(self):
        d = os.path.join(self.tmp, "tdonly")
        synth.write_rundir(d, seed=1, micro=False)
        rd = rundir.load(d)
        self.assertEqual(rd.runs, {})
        self.assertTrue(rd.teardown)

    def test_no_figures(self):
        d = os.path.join(self.tmp, "none")
        os.makedirs(d)
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump({}, f)
        self.assertError(d, "no figures")


if __name__ == "__main__":
    unittest.main()
