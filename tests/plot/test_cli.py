# SPDX-License-Identifier: GPL-2.0
"""The commands of plot/ (report.py, compare.py, teardown.py,
instrument.py) as a user meets them: no input of the test corpus gives a
traceback (one line on stderr, exit 1), wrong arguments are one line in
the suite's words (exit 2), outputs are written atomically, a failed
report leaves no stale report behind, and teardown.py --summary writes
the one teardown summary."""
import csv
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import plotpath
import cli
import compare
import corpus
import instrument
import report
import rundir
import schema
import synth
import teardown


def run_main(main, *args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def script(name, *args):
    p = subprocess.run([sys.executable, os.path.join(plotpath.PLOT, name),
                        *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


class NoTraceback(corpus.WithGood):
    def one_line(self, rc, err, prog, d):
        self.assertEqual(rc, 1, err)
        self.assertNotIn("Traceback", err)
        self.assertNotIn("internal error", err)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith(f"{prog}: error: {d}"), err)

    def test_report_py_on_every_malformed_directory(self):
        for name in corpus.CASES:
            d = corpus.build(self.tmp, name)
            rc, out, err = script("report.py", "--no-plots", d)
            self.one_line(rc, err, "report", d)
            self.assertEqual(out, "")

    def test_other_commands_on_every_malformed_directory(self):
        for name in corpus.CASES:
            d = corpus.build(self.tmp, name)
            self.one_line(*run_main(compare.main, d, self.good)[::2],
                          "compare", d)
            self.one_line(*run_main(compare.main, self.good, d)[::2],
                          "compare", d)
            self.one_line(*run_main(teardown.main, "--summary", d)[::2],
                          "teardown", d)
            self.one_line(*run_main(instrument.main, d)[::2], "instrument",
                          d)

    def test_any_bad_cell_is_refused_or_analysed(self):
        """Every column of every table, set to values of the wrong type
        or range: the directory is refused with a RunDirError, or it
        loads and the report, compare and the teardown summary run."""
        d = os.path.join(self.tmp, "fuzz")
        synth.write_rundir(d, seed=5, rounds=3, ground=True)
        good = rundir.load(d)
        bad = ("", "x", "-1", "0", "1e400", "nan", "2;x", "99999999999999"
               "999999", " 1")
        rng = random.Random(1)
        sch = schema.load()
        for file, table in sch.tables.items():
            p = os.path.join(d, file)
            with open(p, newline="") as f:
                orig = f.read()
            data = list(csv.reader(io.StringIO(orig)))
            for ci, col in enumerate(table.names):
                for val in bad:
                    row = rng.randrange(1, len(data))
                    mod = [r[:] for r in data]
                    mod[row][ci] = val
                    with open(p, "w", newline="") as f:
                        csv.writer(f, lineterminator="\n").writerows(mod)
                    try:
                        rd = rundir.load(d)
                    except rundir.RunDirError as e:
                        self.assertTrue(str(e).startswith(d + os.sep),
                                        (col, val, str(e)))
                        continue
                    try:
                        report.build(rd, boot=20, plot=False)
                        compare.ab_report(good, rd)
                        compare.differences(rd, good)
                        teardown.summary_text(rd, good, d)
                    except Exception as e:      # noqa: BLE001
                        self.fail(f"{file} column {col} = {val!r}: "
                                  f"{type(e).__name__}: {e}")
            with open(p, "w", newline="") as f:
                f.write(orig)


class Usage(unittest.TestCase):
    CASES = (
        (compare.main, ["--margin-ns", "abc", "a", "b"],
         "compare: --margin-ns: 'abc' is not a number"),
        (compare.main, ["--margin-ns", "0", "a", "b"],
         "compare: --margin-ns: '0' is not above 0"),
        (compare.main, ["--margin", "1", "a", "b"],
         "compare: --margin: a relative margin is gone: the margin is "
         "absolute; use --margin-ns NS"),
        (report.main, ["d", "--margin", "1"],
         "report: --margin: a relative margin is gone"),
        (compare.main, ["a"], "compare: missing B (usage: compare "),
        (compare.main, ["a", "b", "--bogus"],
         "compare: unknown argument: --bogus (usage:"),
        (report.main, ["d", "--boot", "x"],
         "report: --boot: 'x' is not a whole number >= 0"),
        (report.main, ["d", "--margin-ns"],
         "report: --margin-ns: needs a value (usage:"),
        (teardown.main, [], "teardown: missing --summary (usage:"),
        (teardown.main, ["--summary", "d", "--baseline"],
         "teardown: --baseline: needs a value"),
        (instrument.main, [], "instrument: missing rundir (usage:"),
    )

    def test_one_line_in_our_words_exit_2(self):
        for main, args, want in self.CASES:
            rc, out, err = run_main(main, *args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, "")
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertTrue(err.startswith(want), err)

    def test_as_a_script(self):
        rc, out, err = script("compare.py", "--margin-ns", "abc", "a", "b")
        self.assertEqual((rc, err), (2, "compare: --margin-ns: 'abc' is not "
                                        "a number\n"))


class ReportFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ub-files-")
        self.d = os.path.join(self.tmp, "d")
        synth.write_rundir(self.d, seed=8, rounds=10, ground=False)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def files(self):
        return sorted(os.listdir(self.d))

    def test_written_atomically_with_teardown_summary(self):
        rc, out, err = run_main(report.main, self.d, "--no-plots",
                                "--boot", "20")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.strip(), os.path.join(self.d, "report.txt"))
        for f in report.REPORTS + (teardown.SUMMARY,):
            self.assertIn(f, self.files())
        # no temporary file is left behind
        self.assertFalse([f for f in self.files() if f.startswith(".")])

    def test_failed_rerun_removes_stale_report(self):
        self.assertEqual(run_main(report.main, self.d, "--no-plots")[0], 0)
        corpus.CASES["samples_lost_40pct"][0](self.d)
        rc, out, err = run_main(report.main, self.d, "--no-plots")
        self.assertEqual(rc, 1)
        self.assertIn("samples.csv: run r001:", err)
        for f in report.REPORTS:
            self.assertNotIn(f, self.files())
        # negative control: without the clean-up the stale report stays
        shutil.rmtree(self.d)
        synth.write_rundir(self.d, seed=8, rounds=10, ground=False)
        self.assertEqual(run_main(report.main, self.d, "--no-plots")[0], 0)
        corpus.CASES["samples_lost_40pct"][0](self.d)
        with redirect_stderr(io.StringIO()):
            rc = cli.run("report", report.parser(), report._report,
                         [self.d, "--no-plots"])
        self.assertEqual(rc, 1)
        self.assertIn("report.txt", self.files())

    def test_write_atomic_keeps_the_old_file_on_failure(self):
        p = os.path.join(self.tmp, "f.txt")
        cli.write_atomic(p, "old\n")
        with self.assertRaises(TypeError):
            cli.write_atomic(p, None)
        with open(p) as f:
            self.assertEqual(f.read(), "old\n")
        self.assertEqual(os.listdir(self.tmp).count("f.txt"), 1)
        self.assertFalse([f for f in os.listdir(self.tmp)
                          if f.startswith(".f.txt")])


class TeardownSummary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-tds-")
        cls.a = os.path.join(cls.tmp, "A")
        cls.b = os.path.join(cls.tmp, "B")
        synth.write_rundir(cls.a, seed=1, kernel="7.1.0", micro=False)
        synth.write_rundir(cls.b, seed=2, kernel="7.2.13", micro=False)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def summary(self, d):
        with open(os.path.join(d, teardown.SUMMARY), encoding="utf-8") as f:
            return f.read()

    def test_summary_is_the_report_table(self):
        rc, out, err = script("teardown.py", "--summary", self.b)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.strip(), os.path.join(self.b, teardown.SUMMARY))
        s = self.summary(self.b)
        for w in ("vCPU", "mappings", "us/page", "pages/s", "Cost curve",
                  "NON-TDX GUESTS", "no --baseline given"):
            self.assertIn(w, s)
        # one implementation: the report's teardown table, line for line
        table = teardown.table(rundir.load(self.b))
        self.assertIn("\n".join(table), s)

    def test_baseline_dir_or_csv(self):
        for base in (self.a, os.path.join(self.a, "teardown.csv")):
            rc, out, err = run_main(teardown.main, "--summary", self.b,
                                    "--baseline", base)
            self.assertEqual(rc, 0, err)
            s = self.summary(self.b)
            self.assertIn(teardown.BASELINE_TAG + os.path.abspath(base), s)
            self.assertIn("before = 7.1.0, after =", s)
            self.assertIn("change % [CI]", s)

    def test_report_keeps_the_baseline(self):
        run_main(teardown.main, "--summary", self.b, "--baseline", self.a)
        rc, _, err = run_main(report.main, self.b, "--no-plots")
        self.assertEqual(rc, 0, err)
        self.assertIn("before = 7.1.0, after =", self.summary(self.b))
        # negative control: a rewrite that forgets the baseline loses it
        real = teardown.previous_baseline
        teardown.previous_baseline = lambda rd: None
        try:
            run_main(report.main, self.b, "--no-plots")
        finally:
            teardown.previous_baseline = real
        self.assertNotIn("before = 7.1.0, after =", self.summary(self.b))

    def test_refusals(self):
        before = self.summary(self.a) if os.path.exists(
            os.path.join(self.a, teardown.SUMMARY)) else None
        for args, want in (
                (["--summary", self.a, "--baseline",
                  os.path.join(self.tmp, "nowhere")],
                 "no such run directory or teardown.csv"),
                (["--summary", os.path.join(self.tmp, "nowhere")],
                 "not a directory")):
            rc, out, err = run_main(teardown.main, *args)
            self.assertEqual(rc, 1, args)
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertIn(want, err)
        after = self.summary(self.a) if os.path.exists(
            os.path.join(self.a, teardown.SUMMARY)) else None
        self.assertEqual(before, after)

    def test_no_teardown_csv(self):
        d = os.path.join(self.tmp, "micro-only")
        synth.write_rundir(d, seed=3, rounds=5, teardown=False)
        rc, out, err = run_main(teardown.main, "--summary", d)
        self.assertEqual(rc, 1)
        self.assertIn("teardown.csv: missing", err)
        self.assertFalse(os.path.exists(os.path.join(d, teardown.SUMMARY)))


if __name__ == "__main__":
    unittest.main()
