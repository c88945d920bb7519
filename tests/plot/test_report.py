# SPDX-License-Identifier: GPL-2.0
"""report.py and compare.py end to end on synthetic run directories:
files written, <= 75 columns, a first line that never lets emulated or
model figures read as TDX figures, plots that render, and A-vs-B refusal
and forcing."""
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import plotpath
import compare
import corpus
import report
import synth

PNG_SIG = b"\x89PNG\r\n\x1a\n"


def gnuplot():
    return shutil.which("gnuplot")


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-report-")
        cls.emu = os.path.join(cls.tmp, "emu")
        synth.write_rundir(cls.emu, seed=3, rounds=60, emulation="qemu-tcg",
                           threads=(1, 2), hostname="ub-testbed")
        r = subprocess.run([sys.executable,
                            os.path.join(plotpath.PLOT, "report.py"),
                            cls.emu, "--boot", "200"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=300)
        cls.rc, cls.out, cls.err = r.returncode, r.stdout, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def text(self):
        with open(os.path.join(self.emu, "report.txt"), encoding="utf-8") \
                as f:
            return f.read()

    def test_exit_and_files(self):
        self.assertEqual(self.rc, 0, self.err)
        for f in ("report.txt", "report.md"):
            self.assertGreater(os.path.getsize(os.path.join(self.emu, f)),
                               500)

    def test_75_columns(self):
        for i, line in enumerate(self.text().splitlines(), 1):
            self.assertLessEqual(len(line), 75, f"line {i}: {line!r}")

    def test_first_line_says_emulated(self):
        first = self.text().splitlines()[0]
        self.assertIn("ub-testbed", first)
        self.assertIn("7.2.13-synth", first)
        self.assertIn("backend=model", first)
        self.assertIn("EMULATED (qemu-tcg)", first)
        self.assertNotIn("TDX hardware figures", first.replace(
            "not TDX hardware figures", ""))

    def test_verdicts_in_text(self):
        t = self.text()
        self.assertIn("unmap.4k", t)
        self.assertIn("faster", t)
        self.assertIn("pfn is", t)           # the sentence form
        self.assertIn("95% CI", t)

    def test_md_has_tables(self):
        with open(os.path.join(self.emu, "report.md"),
                  encoding="utf-8") as f:
            md = f.read()
        self.assertIn("| path |", md)
        self.assertIn("EMULATED (qemu-tcg)", md)
        self.assertIn("bootstrap 95% CI", md)

    def test_plots_render(self):
        if not gnuplot():
            self.skipTest("gnuplot not installed")
        pd = os.path.join(self.emu, "plots")
        pngs = sorted(f for f in os.listdir(pd) if f.endswith(".png"))
        kinds = {p.split("-")[0].split(".")[0] for p in pngs}
        self.assertEqual(kinds, {"cdf", "box", "pairdiff", "throughput",
                                 "teardown"}, pngs)
        for p in pngs:
            with open(os.path.join(pd, p), "rb") as f:
                data = f.read()
            self.assertEqual(data[:8], PNG_SIG, p)
            self.assertGreater(len(data), 8000, p)
            svg = os.path.join(pd, p[:-4] + ".svg")
            with open(svg, encoding="utf-8") as f:
                self.assertIn("<svg", f.read(2000), svg)
        self.assertNotIn("gnuplot failed", self.text())

    def test_teardown_size_plot_one_series_per_guest_count(self):
        # the size plot's series are the guest counts (1 and 4 here), each
        # over the three sizes; not one series per point
        with open(os.path.join(self.emu, "plots", "teardown-size.dat")) as f:
            blocks = [b for b in f.read().split("\n\n\n") if b.strip()]
        self.assertEqual(len(blocks), 2)
        self.assertTrue(all(len(b.strip().split("\n")) == 3 for b in blocks))

    def test_no_gnuplot_skips_plots(self):
        d = os.path.join(self.tmp, "nognu")
        synth.write_rundir(d, seed=4, rounds=20, teardown=False)
        env = dict(os.environ, PATH="/nonexistent")
        r = subprocess.run([sys.executable,
                            os.path.join(plotpath.PLOT, "report.py"), d,
                            "--boot", "50"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(d, "report.txt"), encoding="utf-8") as f:
            self.assertIn("gnuplot not found", f.read())

    def test_bad_dir_is_error(self):
        d = os.path.join(self.tmp, "bad")
        synth.write_rundir(d, seed=4, rounds=5, teardown=False)
        with open(os.path.join(d, "samples.csv"), "a") as f:
            f.write("r001,0,1")
        err = io.StringIO()
        with redirect_stderr(err):
            rc = report.main([d, "--no-plots"])
        self.assertEqual(rc, 1)
        self.assertIn("samples.csv line", err.getvalue())
        self.assertFalse(os.path.exists(os.path.join(d, "report.txt")))


class Provenance(unittest.TestCase):
    def first(self, **kw):
        tmp = tempfile.mkdtemp(prefix="ub-prov-")
        try:
            d = os.path.join(tmp, "d")
            synth.write_rundir(d, seed=1, rounds=8, **kw)
            txt, _, _, _ = report.build(report.rundir.load(d), boot=0,
                                        plot=False)
            return txt.splitlines()[0]
        finally:
            shutil.rmtree(tmp)

    def test_model_backend_not_tdx(self):
        f = self.first(backend="model")
        self.assertIn("NOT TDX", f.upper())

    def test_tdx_on_hardware(self):
        f = self.first(backend="tdx", vm_type="tdx",
                       hostname="a-very-long-hostname.example.org",
                       kernel="7.2.13-200.fc45.x86_64+debug")
        self.assertIn("TDX hardware figures", f)
        self.assertNotIn("NOT", f)
        self.assertLessEqual(len(f), 75)

    def test_tdx_backend_non_tdx_guests(self):
        f = self.first(backend="tdx", vm_type="sw-protected")
        self.assertIn("NON-TDX", f)

    def test_simulated_module_says_so(self):
        # The harness's test double must never read as a measurement, even
        # when it claims the tdx backend on a bare-metal host.
        tmp = tempfile.mkdtemp(prefix="ub-prov-")
        try:
            d = os.path.join(tmp, "d")
            synth.write_rundir(d, seed=1, rounds=8, backend="tdx",
                               vm_type="tdx")
            mp = os.path.join(d, "meta.json")
            with open(mp) as f:
                meta = json.load(f)
            meta.setdefault("module", {})["simulated"] = True
            with open(mp, "w") as f:
                json.dump(meta, f)
            txt, _, _, _ = report.build(report.rundir.load(d), boot=0,
                                        plot=False)
            first = txt.splitlines()[0]
        finally:
            shutil.rmtree(tmp)
        self.assertIn("SIMULATED", first)
        self.assertNotIn("TDX hardware figures", first)


class CompareAB(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-cmp-")
        cls.a = os.path.join(cls.tmp, "A")
        cls.b = os.path.join(cls.tmp, "B")
        cls.c = os.path.join(cls.tmp, "C")
        synth.write_rundir(cls.a, seed=1, rounds=80, kernel="7.1.0")
        synth.write_rundir(cls.b, seed=2, rounds=80, kernel="7.2.13")
        synth.write_rundir(cls.c, seed=3, rounds=80, hostname="other",
                           caches=("cold",))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_cmp(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = compare.main(list(args))
        return rc, out.getvalue(), err.getvalue()

    def test_same_host_compares(self):
        rc, out, err = self.run_cmp(self.a, self.b)
        self.assertEqual(rc, 0, err)
        self.assertIn("unmap.pfn.4k", out)
        self.assertIn("before = 7.1.0, after =", out)
        self.assertIn("7.2.13\nvCPUs", out)
        for line in out.splitlines():
            self.assertLessEqual(len(line), 75, line)
        # same true costs in A and B: no row may be a big difference
        self.assertNotIn("inf", out)

    def test_refuses_and_lists(self):
        rc, out, err = self.run_cmp(self.a, self.c)
        self.assertEqual(rc, 2)
        self.assertIn("host.hostname: 'synth-host' vs 'other'", err)
        self.assertIn("only in A:", err)
        self.assertIn("cache=hot", err)
        self.assertIn("--force", err)
        self.assertEqual(out, "")

    def test_force(self):
        rc, out, err = self.run_cmp(self.a, self.c, "--force")
        self.assertEqual(rc, 0, err)
        self.assertIn("FORCED", out)

    def variant_of(self, name, edit=None, **kw):
        """B again (same seed) with kw changed, or a copy edited."""
        d = os.path.join(tempfile.mkdtemp(dir=self.tmp), name)
        if edit:
            shutil.copytree(self.b, d)
            edit(d)
        else:
            synth.write_rundir(d, **dict(dict(seed=2, rounds=80,
                                              kernel="7.2.13"), **kw))
        return d

    def test_same_directory_refused(self):
        for b in (self.a, self.a + os.sep):
            rc, out, err = self.run_cmp(self.a, b)
            self.assertEqual(rc, 2)
            self.assertIn("A and B are the same run directory", err)
        rc, out, err = self.run_cmp(self.a, self.a, "--force")
        self.assertEqual(rc, 0, err)
        self.assertIn("FORCED", out)
        self.assertIn("A and B are the same run directory", out)
        # negative control: without the check, a run "equals" itself
        real = compare.same_run
        compare.same_run = lambda A, B: None
        try:
            self.assertEqual(self.run_cmp(self.a, self.a)[0], 0)
        finally:
            compare.same_run = real

    def test_copy_is_the_same_run(self):
        d = self.variant_of("copy", edit=lambda d: None)
        rc, out, err = self.run_cmp(self.b, d)
        self.assertEqual(rc, 2)
        self.assertIn("A and B are the same run (copies", err)

    def test_differing_units_per_thread_refused(self):
        def scale(d):
            def fn(data):
                for r in data:
                    r["units"] = "32"
                    r["bytes_per_thread"] = str(32 * int(r["unit_bytes"]))
            corpus.rows(d, "params.csv", fn)
        d = self.variant_of("scale", edit=scale)
        rc, out, err = self.run_cmp(self.a, d)
        self.assertEqual(rc, 2)
        self.assertIn("units per thread (scale) 64x4096B vs 32x4096B", err)
        # negative control: compare that does not read params.csv
        real = compare._units
        compare._units = lambda rd, rid: ""
        try:
            self.assertEqual(self.run_cmp(self.a, d)[0], 0)
        finally:
            compare._units = real

    def test_differing_unit_of_measurement_refused(self):
        d = self.variant_of("ktime", tsc_unit="ns")
        rc, out, err = self.run_cmp(self.a, d)
        self.assertEqual(rc, 2)
        self.assertIn("unit of measurement: A cycles (timer tsc), B ns "
                      "(timer ktime)", err)
        # negative control: matched by the whole key, the rows only say
        # "only in A/B" and never name the units
        real = compare._without_timer
        compare._without_timer = lambda k: k
        try:
            rc, out, err = self.run_cmp(self.a, d)
        finally:
            compare._without_timer = real
        self.assertEqual(rc, 2)
        self.assertNotIn("unit of measurement", err)

    def test_cmdline_and_repeats_flagged_not_refused(self):
        def cmdline(d):
            corpus.meta(d, lambda m: m["host"].update(
                cmdline="console=ttyS0 mitigations=off"))
        d = self.variant_of("cmdline", edit=cmdline)
        rc, out, err = self.run_cmp(self.a, d)
        self.assertEqual(rc, 0, err)
        self.assertIn("NOTE (not refused):", out)
        self.assertIn("kernel command line differs: A 'console=ttyS0', B "
                      "'console=ttyS0 mitigations=off'", " ".join(out.split()))
        d = self.variant_of("repeats", repeats=2)
        rc, out, err = self.run_cmp(self.a, d)
        self.assertEqual(rc, 0, err)
        self.assertIn("repeats: 1 in A, 2 in B", out)
        rc, out, err = self.run_cmp(self.a, self.b)
        self.assertNotIn("NOTE", out)

    def test_rows_without_samples_say_mean(self):
        def nosamples(d):
            os.remove(os.path.join(d, "samples.csv"))
        a = self.variant_of("a-nos", edit=nosamples)
        b = self.variant_of("b-nos", edit=lambda d: (
            nosamples(d), corpus.rows(d, "runs.csv", lambda data: [
                dict(r, seed="1") for r in data])))
        rc, out, err = self.run_cmp(a, b)
        self.assertEqual(rc, 0, err)
        self.assertIn("mean only: no per-round samples", out)
        rows = [l for l in out.splitlines() if l.startswith("unmap.pfn.4k")]
        self.assertTrue(rows and all("mean only" in l for l in rows), out)


if __name__ == "__main__":
    unittest.main()


class TeardownPerPage(unittest.TestCase):
    def test_ns_per_page_is_wall_time_over_all_guests_pages(self):
        # One definition of ns/page for a run: the seconds until every
        # guest of a repeat is gone over the pages of all its guests (as
        # the harness's teardown-summary.txt), never a per-guest figure.
        import teardown as td
        tmp = tempfile.mkdtemp(prefix="ub-td-")
        try:
            d = os.path.join(tmp, "d")
            synth.write_rundir(d, seed=2, rounds=5)
            rd = report.rundir.load(d)
            per = td.summarize(rd)
            multi = [k for k in per if k[3] > 1]
            self.assertTrue(multi)
            for k in multi:
                want = []
                reps = {}
                for t in rd.teardown:
                    if td.config_key(t) != k or t["vm"] == "all":
                        continue
                    r = reps.setdefault((t["run_id"], t["repeat"]), [0, 0])
                    r[0] = max(r[0], t["teardown_s"])
                    r[1] += t["pages"]
                want = sorted(s * 1e9 / p for s, p in reps.values())
                mid = len(want) // 2
                med = want[mid] if len(want) % 2 else \
                    (want[mid - 1] + want[mid]) / 2
                self.assertAlmostEqual(per[k].median_nspp, med, places=6)
        finally:
            shutil.rmtree(tmp)
