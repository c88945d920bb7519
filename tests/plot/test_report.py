# SPDX-License-Identifier: GPL-2.0
"""report.py, compare.py and teardown.py end to end on synthetic run
directories: the first screen (<= report.FIRST_SCREEN lines of <= 75 ASCII columns) and
--first-screen, files and plots, verdicts.json, caveats on every output
and every row they touch, no per-page figure without mappings anywhere,
teardown figures by KVM's mappings, and compare with runs as the unit."""
import glob
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import plotpath
import codegen
import compare
import corpus
import instrument
import patch
import provenance
import report
import rundir
import stats
import synth
import teardown

PNG_SIG = b"\x89PNG\r\n\x1a\n"


def gnuplot():
    return shutil.which("gnuplot")


def script(name, *args):
    r = subprocess.run([sys.executable, os.path.join(plotpath.PLOT, name),
                        *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    return r.returncode, r.stdout, r.stderr


def run_main(main, *args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def read(d, name):
    with open(os.path.join(d, name), encoding="utf-8") as f:
        return f.read()


def text_outputs(b, cmp, md_path):
    """Every text output that shows B's teardown figures: its report,
    summary, and the compare of A with B (text and --md)."""
    with open(md_path, encoding="utf-8") as f:
        md = f.read()
    return {"report.txt": read(b, "report.txt"),
            "report.md": read(b, "report.md"),
            "summary": read(b, teardown.SUMMARY),
            "compare": cmp, "compare.md": md}


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-report-")
        cls.emu = os.path.join(cls.tmp, "emu")
        synth.write_rundir(cls.emu, seed=3, rounds=24, emulation="qemu-tcg",
                           granules=("4k", "2m"), threads=(1, 2),
                           hostname="ub-testbed",
                           effects_ns={"wbinvd": -200.0})
        cls.rc, cls.out, cls.err = script("report.py", cls.emu, "--boot",
                                          "100", "--first-screen")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def text(self):
        return read(self.emu, "report.txt")

    def test_sizes_in_binary_units(self):
        # Sizes are binary multiples everywhere (KiB, MiB, GiB), as the
        # command line takes them: never a decimal-looking "GB" or "MB".
        dec = re.compile(r"\d(\.\d+)? ?[KMGT]B\b")
        for f in report.REPORTS + (teardown.SUMMARY,):
            txt = read(self.emu, f)
            self.assertIsNone(dec.search(txt), (f, dec.search(txt)))
        self.assertRegex(read(self.emu, "report.txt"), r"\d ?(KiB|MiB|GiB)")

    def test_exit_and_files(self):
        self.assertEqual(self.rc, 0, self.err)
        for f in report.REPORTS + (teardown.SUMMARY,):
            self.assertGreater(os.path.getsize(os.path.join(self.emu, f)),
                               500, f)

    def test_75_ascii_columns(self):
        for i, line in enumerate(self.text().splitlines(), 1):
            self.assertLessEqual(len(line), 75, f"line {i}: {line!r}")
            self.assertTrue(line.isascii(), f"line {i}: {line!r}")

    def test_first_screen_printed_exactly(self):
        first = self.out.rstrip("\n").split("\n")
        self.assertLessEqual(len(first), report.FIRST_SCREEN)
        self.assertEqual(self.text().split("\n")[:len(first)], first)
        for line in first:
            self.assertLessEqual(len(line), 75, line)
            self.assertTrue(line.isascii(), line)

    def test_first_screen_content(self):
        first = self.out
        head = first.splitlines()[0]
        self.assertTrue(head.startswith("EMULATED (qemu-tcg); NOT TDX"),
                        head)
        self.assertIn("ub-testbed", head)
        self.assertNotIn("TDX hardware figures", first)
        for want in ("total time per 4K page, 95% CI; Holm over 16 rows",
                     "Shown: model module reset=kernel cache=hot local "
                     "threads=1", "ns/page [95% CI]", "floor",
                     "*2m = 512 x 4K removals", "Margin +-5 ns/page: 0.1% "
                     "of the published ~5 us/page removal",
                     "18 GiB:", "400 GiB:", "published 5539 -> 467 s",
                     "Teardown, one guest"):
            self.assertIn(want, " ".join(first.split()))
        rows = [l for l in first.splitlines() if l.startswith("wbinvd")]
        self.assertEqual(len(rows), 2)
        self.assertTrue(all("pfn faster" in l for l in rows), rows)

    def test_verdicts_json(self):
        doc = json.loads(read(self.emu, "verdicts.json"))
        self.assertEqual((doc["format"], doc["version"]),
                         (report.VERDICTS_FORMAT, report.VERDICTS_VERSION))
        self.assertIn("emulated", [c["code"] for c in
                                   doc["provenance"]["caveats"]])
        self.assertEqual(doc["family"]["patch"]["rows"], len(doc["patch"]))
        self.assertEqual(doc["margin"]["ns_per_page"], 5.0)
        r = next(x for x in doc["patch"] if x["path"] == "wbinvd" and
                 x["headline"] and x["granule"] == "4k")
        for k in ("change", "ci", "p", "p_holm", "change_pct",
                  "change_cycles", "ci_cycles"):
            self.assertIn(k, r["total"])
        self.assertEqual(r["verdict"], "faster")
        self.assertIsNotNone(r["floor"])
        self.assertIn("change", r["median"])
        self.assertEqual(len(doc["aa"]), 2 * len(doc["patch"]))
        self.assertTrue(all(x["unit"] == "ns/op" for x in doc["range"]))
        self.assertEqual(len(doc["extrapolation"]["guests"]), 3)
        self.assertIn("rows", doc["teardown"])

    def test_provenance_is_the_first_line(self):
        # every file the report writes that shows a figure starts with
        # the provenance line; a title may follow it
        head = provenance.headline(rundir.load(self.emu))
        self.assertTrue(head.startswith("EMULATED (qemu-tcg)"), head)
        for f in ("report.txt", "report.md", teardown.SUMMARY):
            lines = read(self.emu, f).splitlines()
            self.assertEqual(lines[0], head, f)
        self.assertTrue(read(self.emu, teardown.SUMMARY).splitlines()[1]
                        .startswith("# unmapbench teardown summary: "))

    def test_instrument_txt_starts_with_the_provenance(self):
        # instrument.txt (figures of its own, printed by make
        # bench-instrument) too; the report, which starts with the line
        # already, leaves it out of its instrument section
        rd = rundir.load(self.emu)
        real = instrument.render
        instrument.render = lambda res: ["Instrument validation", "fig"]
        try:
            instrument.write(rd, res={"stub": True})
        finally:
            instrument.render = real
        try:
            lines = read(self.emu, "instrument.txt").splitlines()
            self.assertEqual(lines, [provenance.headline(rd),
                                     "Instrument validation", "fig"])
            self.assertEqual(report.instrument_lines(rd, print),
                             ["Instrument validation", "fig"])
        finally:
            os.unlink(os.path.join(self.emu, "instrument.txt"))

    def test_md(self):
        md = read(self.emu, "report.md")
        self.assertIn("| path | gran |", md.replace("| config ", "| "))
        self.assertIn("EMULATED (qemu-tcg)", md)
        self.assertIn("A/A controls", md)

    def test_default_plots_answer(self):
        if not gnuplot():
            self.skipTest("gnuplot not installed")
        pd = os.path.join(self.emu, "plots")
        pngs = sorted(f for f in os.listdir(pd) if f.endswith(".png"))
        self.assertEqual(pngs, ["patch.png", "teardown.png"])
        for p in pngs:
            with open(os.path.join(pd, p), "rb") as f:
                data = f.read()
            self.assertEqual(data[:8], PNG_SIG, p)
            self.assertGreater(len(data), 8000, p)
            with open(os.path.join(pd, p[:-4] + ".svg"),
                      encoding="utf-8") as f:
                self.assertIn("<svg", f.read(2000))
        self.assertNotIn("gnuplot failed", self.text())

    def test_all_plots(self):
        if not gnuplot():
            self.skipTest("gnuplot not installed")
        d = os.path.join(self.tmp, "all")
        synth.write_rundir(d, seed=4, rounds=16, threads=(1, 2))
        rc, out, err = script("report.py", d, "--boot", "20", "--all-plots")
        self.assertEqual(rc, 0, err)
        kinds = {p.split("-")[0].split(".")[0] for p in
                 os.listdir(os.path.join(d, "plots")) if p.endswith(".png")}
        self.assertEqual(kinds, {"patch", "teardown", "cdf", "box",
                                 "pairdiff", "throughput"})
        self.assertTrue(os.path.exists(os.path.join(d, "plots",
                                                    "teardown-vms.png")))

    def test_no_gnuplot_skips_plots(self):
        d = os.path.join(self.tmp, "nognu")
        synth.write_rundir(d, seed=4, rounds=12, teardown=False)
        env = dict(os.environ, PATH="/nonexistent")
        r = subprocess.run([sys.executable,
                            os.path.join(plotpath.PLOT, "report.py"), d,
                            "--boot", "20"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("gnuplot not found", read(d, "report.txt"))

    def test_bad_dir_is_error(self):
        d = os.path.join(self.tmp, "bad")
        synth.write_rundir(d, seed=4, rounds=5, teardown=False)
        with open(os.path.join(d, "samples.csv"), "a") as f:
            f.write("r001,0,1")
        rc, _, err = run_main(report.main, d, "--no-plots")
        self.assertEqual(rc, 1)
        self.assertIn("samples.csv line", err)
        self.assertFalse(os.path.exists(os.path.join(d, "report.txt")))

    def test_codegen_hook(self):
        # The first screen keeps report.CODEGEN_LINES lines of the hook's
        # output, right after the provenance line, and drops the rest.
        rd = rundir.load(self.emu)
        n = report.CODEGEN_LINES
        lines = ["codegen: pfn 2 insns fewer (synthetic)"] + \
            ["codegen line %d" % i for i in range(2, n + 1)] + \
            ["beyond the limit (dropped)"]
        out = report.build(rd, boot=0, plot=False, codegen=lambda rd: lines)
        self.assertEqual(out["first"][1:1 + n], lines[:n])
        self.assertNotIn("beyond the limit", "\n".join(out["first"]))
        self.assertLessEqual(len(out["first"]), report.FIRST_SCREEN)


class CodegenSummary(unittest.TestCase):
    """Every line report.codegen_summary() gives fits the first screen's
    75 columns as written, so textfmt.fit() never cuts one: codegen.json
    with wide (but real-looking) figures, and a native run."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-cgsum-")
        cls.d = os.path.join(cls.tmp, "d")
        synth.write_rundir(cls.d, seed=1, rounds=8, teardown=False)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def check(self, lines, n):
        self.assertEqual(len(lines), n, lines)
        for x in lines:
            self.assertLessEqual(len(x), 75, x)
            self.assertFalse(x.endswith("~"), f"cut by textfmt.fit: {x}")
        out = report.build(rundir.load(self.d), boot=0, plot=False,
                           codegen=lambda rd: lines)
        self.assertEqual(out["first"][1:1 + n], lines)

    def test_kernel_codegen_json(self):
        tot = lambda i, l: {"insns": i, "loads": l}  # noqa: E731
        cg = {"schema": codegen.SCHEMA,
              "schema_version": codegen.SCHEMA_VERSION,
              "kernel": {"version": "7.10.0-rc7"},
              "compiler": {"short": "clang 19.1.7", "opt": "-O2"},
              "kernel_path": {"before": {"total": tot(1146, 327)},
                              "after": {"total": tot(1035, 223)},
                              "delta": tot(111, 104)},
              "check": {"equal": False, "module": tot(-108, 103),
                        "kernel": tot(111, 104)}}
        with open(os.path.join(self.d, "codegen.json"), "w") as f:
            json.dump(cg, f)
        try:
            lines = report.codegen_summary(rundir.load(self.d))
        finally:
            os.unlink(os.path.join(self.d, "codegen.json"))
        self.check(lines, 3)
        text = "\n".join(lines)
        for want in ("Linux 7.10.0-rc7", "clang 19.1.7", "-O2",
                     "kernel pfn - page: -111 insns, -104 loads (page "
                     "1146/327, pfn 1035/223)", "module pfn - page: +108 "
                     "insns, -103 loads: differs from the kernel's"):
            self.assertIn(want, text)

    def test_native_run(self):
        d = os.path.join(self.tmp, "native")
        shutil.copytree(self.d, d)
        corpus.meta(d, lambda m: m["module"].update(object=sys.executable))
        tot = lambda i, l: {"insns": i, "loads": l}  # noqa: E731
        real = codegen.kmod_analysis
        codegen.kmod_analysis = lambda build, backend: {
            "before": {"total": tot(1135, 119)},
            "after": {"total": tot(1028, 106)}, "delta": tot(107, 13)}
        try:
            lines = report.codegen_summary(rundir.load(d))
        finally:
            codegen.kmod_analysis = real
        self.check(lines, 2)
        self.assertIn("native build", lines[0])
        self.assertEqual(lines[1], "  module pfn - page: -107 insns, -13 "
                         "loads (page 1135/119, pfn 1028/106)")

    def test_native_binary(self):
        ub = os.path.join(plotpath.TOP, "harness", "unmapbench")
        if not os.path.exists(ub):
            self.skipTest("harness/unmapbench not built (make harness)")
        for x in codegen.native_lines(ub):
            self.assertLessEqual(len(x), 75, x)


T975_DF2 = 4.302652729911275      # t(0.975, 2), from tables


class PmuCounts(unittest.TestCase):
    """PMU counts per 4K page, page vs pfn, in report.txt's details,
    report.md and verdicts.json (known answers from synth.py: per-run
    pfn - page differences of effect -+ pmu_spread); the reason once when
    the PMU was unavailable; APERF/MPERF said what it is, or absent."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-pmu-")
        kw = dict(rounds=8, teardown=False, ground=False, hist=False)
        cls.out = {}
        for name, extra in (
                ("three", dict(pmu=True, repeats=3, granules=("4k", "2m"),
                               aperf=0.97)),
                ("one", dict(pmu=True, threads=(2,), aperf=0.8)),
                ("none", dict(emulation="qemu-tcg", pmu_reason="unavailable"
                              ": not supported (-95)")),
                ("unasked", {}),
                ("partial", dict(pmu=True, pmu_counters=("instructions",),
                                 pmu_reason="unavailable: core cycles: not "
                                 "supported (-95), L1D read misses: not "
                                 "supported (-95)"))):
            d = os.path.join(cls.tmp, name)
            synth.write_rundir(d, seed=len(name), **kw, **extra)
            cls.out[name] = report.build(rundir.load(d), boot=0, plot=False)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def section(self, name, md=False):
        text = self.out[name]["md" if md else "txt"]
        return text.split("PMU counts per 4K page: page vs pfn")[1] \
            .split("Counters recorded")[0]

    def rows(self, name, path, granule, counter):
        doc = json.loads(self.out[name]["json"])
        return [r["counters"][counter] for r in doc["pmu"]["rows"]
                if r["path"] == path and r["granule"] == granule and
                counter in r["counters"]]

    def test_known_answer(self):
        hw = T975_DF2 * 0.5 / 3 ** 0.5
        for g in ("4k", "2m"):
            for c, page, ch in (("instructions", 560.0, -7.0),
                                ("l1d_misses", 70.0, -1.0),
                                ("core_cycles", 3500.0, 0.0)):
                (f,) = self.rows("three", "unmap", g, c)
                self.assertEqual(f["runs"], 3)
                self.assertAlmostEqual(f["page"], page, places=6)
                self.assertAlmostEqual(f["pfn"], page + ch, places=6)
                self.assertAlmostEqual(f["change"], ch, places=6)
                self.assertAlmostEqual(f["ci"][0], ch - hw, places=4)
                self.assertAlmostEqual(f["ci"][1], ch + hw, places=4)

    def test_text_md_not_first_screen(self):
        out = self.out["three"]
        for md in (False, True):
            sec = self.section("three", md)
            rows = [l for l in sec.splitlines()
                    if l.lstrip("| ").startswith("unmap")]
            self.assertEqual(len(rows), 2, sec)
            self.assertTrue(all("insns" in r and "560.0" in r and "553.0"
                                in r and "-7.00 [-8.24,-5.76]" in r
                                for r in rows), rows)
        self.assertNotIn("PMU", "\n".join(out["first"]))
        for line in out["txt"].splitlines():
            self.assertLessEqual(len(line), 75, line)

    def test_one_run(self):
        sec = self.section("one")
        row = next(l for l in sec.splitlines() if l.startswith("unmap"))
        self.assertIn("-7.00 (1 run)", row)
        (f,) = self.rows("one", "unmap", "4k", "instructions")
        self.assertIsNone(f["ci"])
        # two threads, op-weighted: 560 + 0.25 x the mean thread index
        self.assertAlmostEqual(f["page"], 560.125, places=6)

    def test_unavailable_says_the_reason_once(self):
        why = "unavailable: not supported (-95)"
        for md in (False, True):
            sec = self.section("none", md)
            self.assertEqual(" ".join(sec.split()).count(why), 1, sec)
            self.assertIn("No PMU counts: the PMU was unavailable", sec)
            self.assertIn("QEMU's emulator (TCG) offers no hardware PMU",
                          " ".join(sec.split()))
            self.assertNotIn("pfn-page", sec)
        doc = json.loads(self.out["none"]["json"])
        self.assertEqual((doc["pmu"]["counted"], doc["pmu"]["rows"]),
                         ([], []))
        self.assertEqual(doc["pmu"]["not_counted"],
                         [{"reason": why, "runs": 1}])
        self.assertIn("No PMU counts: none was asked for (micro --no-pmu).",
                      " ".join(self.section("unasked").split()))

    def test_some_counters_missing(self):
        rows = [l.split()[2] for l in self.section("partial").splitlines()
                if l.endswith("(1 run)")]
        self.assertEqual(rows, ["insns"] * 4)
        sec = " ".join(self.section("partial").split())
        self.assertIn("Counters missing (runs.csv pmu_reason): "
                      "unavailable: core cycles: not supported (-95)", sec)
        self.assertEqual(self.rows("partial", "unmap", "4k", "l1d_misses"),
                         [])

    def test_aperf_mperf(self):
        sec = " ".join(self.section("three").split())
        self.assertIn("APERF/MPERF, the effective-frequency ratio", sec)
        self.assertIn("far from 1: the frequency changed", sec)
        self.assertIn("0 of 6 threads read are more than 5% from 1", sec)
        sec = " ".join(self.section("one").split())
        self.assertIn("2 of 2 threads read are more than 5% from 1", sec)
        doc = json.loads(self.out["one"]["json"])
        (a,) = doc["aperf_mperf"]["rows"]
        self.assertEqual((a["min"], a["max"], a["far"]), (0.8, 0.81, 2))
        sec = " ".join(self.section("none").split())
        self.assertIn("APERF/MPERF, the effective-frequency ratio", sec)
        self.assertIn("not recorded (micro.csv aperf_mperf is empty", sec)
        doc = json.loads(self.out["none"]["json"])
        self.assertIsNone(doc["aperf_mperf"]["rows"][0]["median"])

    def test_beside_codegen(self):
        d = os.path.join(self.tmp, "three")
        cg = {"schema": codegen.SCHEMA,
              "schema_version": codegen.SCHEMA_VERSION,
              "check": {"equal": False, "kernel": {"insns": 11, "loads": 4},
                        "module": {"insns": 8, "loads": 3}}}
        with open(os.path.join(d, "codegen.json"), "w") as f:
            json.dump(cg, f)
        try:
            txt = report.build(rundir.load(d), boot=0, plot=False)["txt"]
        finally:
            os.unlink(os.path.join(d, "codegen.json"))
        sec = " ".join(txt.split("PMU counts per 4K page")[1].split())
        self.assertIn("pfn - page): kernel -11, module -8 (its tdx "
                      "backend's copy); the PMU counted -7.00 [-8.24,-5.76] "
                      "instructions per page for unmap 4k here", sec)
        self.assertNotIn("Beside codegen.json", self.out["three"]["txt"])


def first_line(**kw):
    tmp = tempfile.mkdtemp(prefix="ub-prov-")
    try:
        d = os.path.join(tmp, "d")
        synth.write_rundir(d, seed=1, rounds=8, **kw)
        return report.build(rundir.load(d), boot=0, plot=False)["first"][0]
    finally:
        shutil.rmtree(tmp)


class Provenance(unittest.TestCase):
    def test_model_backend_not_tdx(self):
        self.assertIn("NOT TDX (model backend)", first_line(backend="model"))

    def test_tdx_on_hardware(self):
        f = first_line(backend="tdx", vm_type="tdx",
                       hostname="a-very-long-hostname.example.org",
                       kernel="7.2.13-200.fc45.x86_64+debug")
        self.assertTrue(f.startswith("TDX hardware figures"), f)
        self.assertIn("LOWER BOUND", f)
        self.assertNotIn("NOT", f)
        self.assertLessEqual(len(f), 75)

    def test_tdx_backend_non_tdx_guests(self):
        self.assertIn("NON-TDX", first_line(backend="tdx",
                                            vm_type="sw-protected"))

    def test_native(self):
        f = first_line(backend="null", where="native")
        self.assertTrue(f.startswith("NATIVE userspace (null backend): API "
                                     "shapes only, not kernel, not TDX"), f)

    def test_simulated_module_says_so(self):
        # The harness's test double must never read as a measurement, even
        # when it claims the tdx backend on a bare-metal host.
        tmp = tempfile.mkdtemp(prefix="ub-prov-")
        try:
            d = os.path.join(tmp, "d")
            synth.write_rundir(d, seed=1, rounds=8, backend="tdx",
                               vm_type="tdx")
            corpus.meta(d, lambda m: m["module"].update(simulated=True))
            first = report.build(rundir.load(d), boot=0,
                                 plot=False)["first"][0]
        finally:
            shutil.rmtree(tmp)
        self.assertTrue(first.startswith("SIMULATED"), first)
        self.assertNotIn("TDX hardware figures", first)


class MarksTravel(unittest.TestCase):
    """A partial or wall-capped run is marked on every verdict row of
    every output, not only in a header."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-marks-")
        kw = dict(rounds=12, repeats=3, teardown=False, ground=False)
        cls.part = os.path.join(cls.tmp, ".part.partial")
        synth.write_rundir(cls.part, seed=1, status="interrupted: SIGINT "
                           "after 3/3 runs", **kw)
        cls.cap = os.path.join(cls.tmp, "cap")
        synth.write_rundir(cls.cap, seed=2, run_status="wall_cap", **kw)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def patch_rows(self, text):
        return [l for l in text.splitlines()
                if l.split()[:1] and l.split()[0] in ("unmap", "wbinvd",
                                                      "reset", "convert")]

    def test_report_rows(self):
        for d, long_, short in ((self.part, "[partial]", "[P]"),
                                (self.cap, "[wall-capped]", "[W]")):
            out = report.build(rundir.load(d), boot=0, plot=False)
            first = out["first"]
            rows = self.patch_rows("\n".join(first))
            self.assertEqual(len(rows), 4, first)
            self.assertTrue(all(short in r for r in rows), rows)
            body = out["txt"].split("Patch verdict")[1].split("Details")[0]
            rows = self.patch_rows(body)
            self.assertEqual(len(rows), 4, body)
            self.assertTrue(all(long_ in r for r in rows), rows)
            doc = json.loads(out["json"])
            self.assertTrue(all(long_[1:-1] in r["marks"]
                                for r in doc["patch"] + doc["aa"]))

    def test_compare_rows_text_and_md(self):
        md = os.path.join(self.tmp, "cmp.md")
        rc, out, err = run_main(compare.main, self.cap, self.part,
                                "--force", "--md", md, "--boot", "20")
        self.assertEqual(rc, 0, err)
        with open(md, encoding="utf-8") as f:
            mdt = f.read()
        for text in (out, mdt):
            lines = text.splitlines()
            rows = [" ".join([l] + [x for x in lines[i + 1:i + 3]
                                    if x.startswith("    ")])
                    for i, l in enumerate(lines)
                    if l.startswith(("unmap.", "wbinvd.", "reset.",
                                     "convert."))]
            self.assertEqual(len(rows), 8, text)
            self.assertTrue(all("[partial]" in r and "[wall-capped]" in r
                                for r in rows), rows)
            # the caveats and the warnings are in the output, not only
            # on stderr
            self.assertIn("PARTIAL run directory", " ".join(text.split()))
            self.assertIn("WARNING: PARTIAL", text)
            self.assertIn("NOT TDX (model backend)", text)


NOMAP = list(synth.TEARDOWN) + [
    dict(size_mb=96, vms=1, populate="gmem", mapped=0.0),
    dict(size_mb=96, vms=4, populate="gmem", mapped=0.0),
    dict(size_mb=512, vms=1, vm_type="tdx"),
    dict(size_mb=32, vms=1, populate="touch", trigger="punch")]


class NoPerPageWithoutMappings(unittest.TestCase):
    """Issue 14: a row without mappings never shows a per-page figure,
    in any output: report.txt, report.md, teardown-summary.txt, compare
    (text and --md), verdicts.json, the plots' data."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-nomap-")
        cls.a = os.path.join(cls.tmp, "A")
        cls.b = os.path.join(cls.tmp, "B")
        for d, s, k in ((cls.a, 1, "7.1.0"), (cls.b, 2, "7.2.13")):
            synth.write_rundir(d, seed=s, micro=False, kernel=k,
                               teardown_spec=NOMAP)
        rc, _, err = run_main(report.main, cls.b, "--boot", "0")
        assert rc == 0, err
        cls.md = os.path.join(cls.tmp, "cmp.md")
        rc, cls.cmp, err = run_main(compare.main, cls.a, cls.b, "--md",
                                    cls.md)
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def outputs(self):
        return text_outputs(self.b, self.cmp, self.md)

    def rows_of(self, text, gib="0.0938"):
        """Lines of the 96 MiB (0.0938 GiB) configurations and what is
        printed under them (labels)."""
        out = []
        lines = text.splitlines()
        for i, l in enumerate(lines):
            if f" {gib}" in l and ("gmem" in l):
                out.append(" ".join([l] + [x for x in lines[i + 1:i + 3]
                                           if x.startswith("    ")]))
        return out

    def test_text_outputs(self):
        for name, text in self.outputs().items():
            rows = self.rows_of(text)
            self.assertTrue(rows, name)
            for r in rows:
                self.assertIn("not measured: no mappings", r, (name, r))

    def test_json(self):
        doc = json.loads(read(self.b, "verdicts.json"))
        rows = [r for r in doc["teardown"]["rows"]
                if r["populate"] == "gmem"]
        self.assertEqual(len(rows), 2)
        for r in rows:
            self.assertIsNone(r["us_per_page"])
            self.assertIsNone(r["pages_per_s"])
            self.assertTrue(r["not_measured"].startswith(
                "not measured: no mappings ("))

    def test_plot_data(self):
        us = os.path.join(self.b, "plots", "teardown-us.dat")
        with open(us) as f:
            pts = [l.split() for l in f if l.strip()]
        gib = {round(float(p[0]), 4) for p in pts}
        self.assertNotIn(0.0938, gib)
        self.assertIn(0.0625, gib)
        if gnuplot():
            self.assertTrue(os.path.exists(os.path.join(self.b, "plots",
                                                        "teardown.png")))

    def test_negative_control(self):
        # the check has teeth: a teardown whose definition gave every row
        # a per-page figure fails it
        real = teardown.Config.finish

        def finish(self):
            real(self)
            self.us_per_page = self.us_per_page or 1.0
            self.mapped = True
            self.mappings = self.mappings or 1
            return self
        teardown.Config.finish = finish
        try:
            text = teardown.summary_text(rundir.load(self.b))
        finally:
            teardown.Config.finish = real
        self.assertFalse(any("not measured" in r for r in
                             self.rows_of(text)))


class TeardownFigures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-td-")
        cls.d = os.path.join(cls.tmp, "d")
        spec = [dict(size_mb=s, vms=1, repeats=4) for s in (64, 256, 1024)]
        spec += [dict(size_mb=128, vms=8), dict(size_mb=512, vms=1,
                                                vm_type="tdx"),
                 dict(size_mb=32, vms=1, populate="touch")]
        synth.write_rundir(cls.d, seed=4, micro=False, teardown_spec=spec,
                           fixed_s=0.05, marginal_ns=900.0,
                           teardown_noise=0.01)
        cls.rd = rundir.load(cls.d)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_us_per_page_is_seconds_over_mappings(self):
        per = teardown.summarize(self.rd)
        for c in per.values():
            if c.vms != 1 or not c.mapped:
                self.assertIsNone(c.us_per_page)
                continue
            want = stats.median([r["seconds"] * 1e6 / r["mappings"]
                                 for r in c.reps])
            self.assertAlmostEqual(c.us_per_page, want)

    def test_cost_curve_known_answer(self):
        f = next(x for x in teardown.fits(self.rd)
                 if x["key"][0] == "sw-protected" and x["fit"])
        fit = f["fit"]
        self.assertLessEqual(fit["a_lo"], 0.05)
        self.assertGreaterEqual(fit["a_hi"], 0.05)
        self.assertLessEqual(fit["b_lo"], 900e-9)
        self.assertGreaterEqual(fit["b_hi"], 900e-9)
        self.assertAlmostEqual(fit["b"] * 1e9, 900, delta=30)

    def test_first_screen_shortened_keeps_fit_and_caveats(self):
        # room for fewer lines than the whole table: the largest size
        # per configuration with the fit's marginal cost, caveats kept
        full = teardown.first_screen(self.rd, 100)
        self.assertEqual(len(full), 9)
        cut = teardown.first_screen(self.rd, 6)
        self.assertLessEqual(len(cut), 6)
        self.assertIn("more rows in report.txt", cut[-1])
        short = teardown.first_screen(self.rd, 8)
        self.assertLessEqual(len(short), 8)
        text = "\n".join(short)
        self.assertIn("at its largest size", text)
        self.assertIn("marginal us [95% CI]", text)
        f = next(x for x in teardown.fits(self.rd)
                 if x["key"][0] == "sw-protected" and x["fit"])
        self.assertIn(f"{f['fit']['b'] * 1e6:.3g} [", text)
        self.assertIn("^ added, never accepted by the guest: lower bound",
                      text)
        self.assertNotIn(" 0.0625 ", text)      # not the smallest size
        self.assertIn("report.txt", short[-1])

    def test_tables_and_labels(self):
        text = "\n".join(teardown.table(self.rd))
        self.assertIn("^ added, never accepted by the guest: lower bound",
                      text)
        self.assertIn("^ guest ran: wrote and verified", text)
        self.assertIn("Aggregate throughput, many guests at once", text)
        self.assertIn("pages/s", text)
        # the many-guest row is in the aggregate table only
        single = text.split("Aggregate")[0]
        self.assertNotIn(" 0.125 ", single)

    def test_before_after(self):
        rc, out, err = run_main(teardown.main, "--summary", self.d,
                                "--baseline", self.d)
        self.assertEqual(rc, 0, err)
        s = read(self.d, teardown.SUMMARY)
        self.assertIn("change % [CI]", s)
        self.assertIn("within spread", s)   # the same run
        self.assertIn(f"n<{teardown.MIN_REPEATS}", s)   # 3 vs 1 repeat


def edit_teardown(d, fn):
    """Rewrite d/teardown.csv, fn(row) changing each row (a dict of
    strings) in place: the statuses and counts synth.py does not write."""
    import csv
    p = os.path.join(d, "teardown.csv")
    with open(p, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        fn(r)
    with open(p, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


FAILED = "failed: teardown: KVM_SET_MEMORY_ATTRIBUTES: Bad address"
NOTE = ("no mappings populated: KVM_PRE_FAULT_MEMORY unsupported; "
        "populated the memory by writing it from the harness (no guest ran)")
ROWSTATUS = [dict(size_mb=s, vms=1) for s in (64, 128, 256)] + [
    dict(size_mb=40, vms=1, trigger="punch"),       # stats unreadable
    dict(size_mb=48, vms=1, trigger="convert",      # counted, yet no-map
         status="ok-no-mappings: " + NOTE),
    dict(size_mb=72, vms=1, populate="touch"),      # repeat 2 failed
    dict(size_mb=80, vms=4, populate="touch"),      # repeat 3 guest 1
    dict(size_mb=512, vms=1, vm_type="tdx"),        # two TD sizes: no fit
    dict(size_mb=1024, vms=1, vm_type="tdx")]


def _rowstatus(r):
    mb = int(r["size_bytes"]) >> 20
    if mb == 40:
        for c in ("mappings_populated", "mapped_4k", "mapped_2m",
                  "mapped_1g"):
            r[c] = ""
    if (mb == 72 and r["repeat"] == "2") or \
            (mb == 80 and r["repeat"] == "3" and r["vm"] in ("1", "all")):
        r["status"] = FAILED


class TeardownRowStatus(unittest.TestCase):
    """Issue 14, the output side: a repeat that failed is no figure; a
    row whose status says no mappings, or whose KVM stats were
    unreadable, has no per-page figure and the right reason, in full;
    the cost curve needs 3 sizes; the plots label TD prefault rows a
    lower bound."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-tdstatus-")
        cls.a = os.path.join(cls.tmp, "A")
        cls.b = os.path.join(cls.tmp, "B")
        for d, s, k in ((cls.a, 5, "7.1.0"), (cls.b, 6, "7.2.13")):
            synth.write_rundir(d, seed=s, micro=False, kernel=k,
                               teardown_spec=ROWSTATUS,
                               emulation="qemu-tcg")
            edit_teardown(d, _rowstatus)
        rc, _, err = run_main(report.main, cls.b, "--boot", "0")
        assert rc == 0, err
        rc, _, err = run_main(teardown.main, "--summary", cls.b,
                              "--baseline", cls.a)
        assert rc == 0, err
        cls.md = os.path.join(cls.tmp, "cmp.md")
        rc, cls.cmp, err = run_main(compare.main, cls.a, cls.b, "--md",
                                    cls.md)
        assert rc == 0, err
        cls.rd = rundir.load(cls.b)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def texts(self):
        return text_outputs(self.b, self.cmp, self.md)

    def config(self, mb, vms=1):
        return next(c for c in teardown.summarize(self.rd).values()
                    if c.key[2] == mb << 20 and c.vms == vms)

    def test_failed_repeat_is_no_figure(self):
        ok = [t for t in self.rd.teardown if t["size_bytes"] == 72 << 20
              and t["status"] == "ok"]
        c = self.config(72)
        self.assertEqual(c.n, 2)
        self.assertEqual(sorted(c.seconds),
                         sorted(t["teardown_s"] for t in ok))
        self.assertEqual(self.config(80, 4).n, 2)
        doc = json.loads(read(self.b, "verdicts.json"))
        self.assertTrue(any(FAILED in x for x in doc["teardown"]["not_run"]))
        for name, text in self.texts().items():
            if name.startswith("compare"):
                continue        # compare shows the change, from ok repeats
            self.assertIn(FAILED, " ".join(text.split()), name)

    def test_reasons_in_full(self):
        unread = self.config(40)
        self.assertFalse(unread.mapped)
        self.assertEqual(unread.not_measured(),
                         "not measured: no mappings (KVM's stats "
                         "unreadable)")
        nomap = self.config(48)
        self.assertFalse(nomap.mapped)
        self.assertIsNone(nomap.us_per_page)
        self.assertEqual(nomap.not_measured(),
                         f"not measured: no mappings ({NOTE})")
        for name, text in self.texts().items():
            flat = " ".join(text.split())
            for c in (unread, nomap):
                self.assertIn(c.not_measured(), flat, name)
        doc = json.loads(read(self.b, "verdicts.json"))
        row = next(r for r in doc["teardown"]["rows"]
                   if r["size_bytes"] == 48 << 20)
        self.assertIsNone(row["us_per_page"])
        self.assertEqual(row["not_measured"], nomap.not_measured())

    def test_no_mappings_caveat_by_status(self):
        # a guest whose status says no mappings, though KVM counted some,
        # is a no-mappings caveat too
        d = os.path.join(self.tmp, "status-only")
        synth.write_rundir(d, seed=7, micro=False, teardown_spec=[
            dict(size_mb=64, vms=1, status="ok-no-mappings: " + NOTE)])
        codes = [c.code for c in provenance.caveats(rundir.load(d))]
        self.assertIn("no-mappings", codes)

    def test_fit_needs_three_sizes(self):
        fs = {f["key"]: f for f in teardown.fits(self.rd)}
        pre = ("4k", "prefault")
        self.assertTrue(fs[("sw-protected", "destroy") + pre]["fit"])
        self.assertIsNone(fs[("tdx", "destroy") + pre]["fit"])
        text = "\n".join(teardown.fit_lines(self.rd))
        self.assertIn("tdx 4k destroy/prefault: no fit: 2 sizes (needs 3)",
                      text)

    def test_plot_titles(self):
        import plots
        seen = {}
        real = plots.Plotter.plot

        def plot(self, script, name, title, **var):
            seen[name] = var
        plots.Plotter.plot = plot
        out = os.path.join(self.tmp, "p")
        os.makedirs(out)
        try:
            plots._teardown(plots.Plotter(self.rd, out, lambda *a: None),
                            self.rd)
        finally:
            plots.Plotter.plot = real
        titles, us = seen["teardown"]["titles"], seen["teardown"]["utitles"]
        self.assertIn(f"'tdx destroy/pre ({teardown.LOWER_BOUND})", titles)
        self.assertIn("'tdx destroy/pre (lower bound)'", us)
        # the rows without mappings: seconds only, and not on the us panel
        self.assertEqual(titles.count("not measured: no mappings"), 2,
                         titles)
        self.assertNotIn("punch/pre", us)
        self.assertNotIn("convert/pre", us)


class CompareAB(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-cmp-")
        kw = dict(rounds=16, ground=False, hist=False)
        cls.a = os.path.join(cls.tmp, "A")
        cls.b = os.path.join(cls.tmp, "B")
        cls.c = os.path.join(cls.tmp, "C")
        cls.a3 = os.path.join(cls.tmp, "A3")
        cls.b3 = os.path.join(cls.tmp, "B3")
        synth.write_rundir(cls.a, seed=1, kernel="7.1.0", **kw)
        synth.write_rundir(cls.b, seed=2, kernel="7.2.13", **kw)
        synth.write_rundir(cls.c, seed=3, hostname="other",
                           caches=("cold",), **kw)
        synth.write_rundir(cls.a3, seed=4, kernel="7.1.0", repeats=3, **kw)
        synth.write_rundir(cls.b3, seed=5, kernel="7.2.13", repeats=3, **kw)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_cmp(self, *args):
        return run_main(compare.main, *args, "--boot", "50")

    def test_one_run_per_side_cannot_decide(self):
        rc, out, err = self.run_cmp(self.a, self.b)
        self.assertEqual(rc, 0, err)
        rows = [l for l in out.splitlines() if l.startswith("unmap.pfn.4k")]
        self.assertTrue(rows and all("cannot decide: 1 run per side" in l
                                     for l in rows), out)
        self.assertIn("before = 7.1.0, after =", out)
        for line in out.splitlines():
            self.assertLessEqual(len(line), 75, line)

    def test_three_runs_per_side_decide(self):
        rc, out, err = self.run_cmp(self.a3, self.b3)
        self.assertEqual(rc, 0, err)
        rows = [l for l in out.splitlines() if l.startswith("unmap.pfn.4k")]
        self.assertTrue(rows)
        self.assertNotIn("cannot decide", rows[0])
        self.assertIn("3/3", rows[0])
        first = out.split("\n\n")[0].splitlines()
        self.assertLessEqual(len(first), compare.FIRST_SCREEN)
        self.assertTrue(first[0].startswith("A: NOT TDX"), first[0])

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

    def test_same_directory_refused(self):
        for b in (self.a, self.a + os.sep):
            rc, out, err = self.run_cmp(self.a, b)
            self.assertEqual(rc, 2)
            self.assertIn("A and B are the same run directory", err)
        rc, out, err = self.run_cmp(self.a, self.a, "--force")
        self.assertEqual(rc, 0, err)
        self.assertIn("A and B are the same run directory", out)
        real = compare.same_run
        compare.same_run = lambda A, B: None
        try:
            self.assertEqual(self.run_cmp(self.a, self.a)[0], 0)
        finally:
            compare.same_run = real

    def test_tsc_rate_calibration_tolerated_another_clock_refused(self):
        # A TSC calibrated 0.2% apart (two TCG boots) is the same clock,
        # flagged; 1% apart is another clock, refused.
        def with_khz(name, factor):
            d = os.path.join(self.tmp, name)
            shutil.copytree(self.b, d)

            def fn(m):
                m.setdefault("module", {})["tsc_khz"] = \
                    self_khz * factor
            corpus.meta(d, fn)
            return d
        self_khz = rundir.load(self.a).tsc_khz() or 2000000.0
        near = with_khz("tsc-near", 1.002)
        rc, out, err = self.run_cmp(self.a, near)
        self.assertEqual(rc, 0, err)
        self.assertIn("TSC rate calibrated +0.20% apart", out)
        far = with_khz("tsc-far", 1.01)
        rc, out, err = self.run_cmp(self.a, far)
        self.assertEqual(rc, 2)
        self.assertIn("tsc_khz:", err)

    def test_differing_units_per_thread_refused(self):
        d = os.path.join(self.tmp, "scale")
        shutil.copytree(self.b, d)

        def fn(data):
            for r in data:
                r["units"] = "32"
                r["bytes_per_thread"] = str(32 * int(r["unit_bytes"]))
        corpus.rows(d, "params.csv", fn)
        rc, out, err = self.run_cmp(self.a, d)
        self.assertEqual(rc, 2)
        self.assertIn("units per thread (scale) 64x4096B vs 32x4096B", err)
        real = compare._units
        compare._units = lambda rd, rid: ""
        try:
            self.assertEqual(self.run_cmp(self.a, d)[0], 0)
        finally:
            compare._units = real

    def test_differing_unit_of_measurement_refused(self):
        d = os.path.join(self.tmp, "ktime")
        synth.write_rundir(d, seed=2, rounds=16, ground=False, hist=False,
                           kernel="7.2.13", tsc_unit="ns")
        rc, out, err = self.run_cmp(self.a, d)
        self.assertEqual(rc, 2)
        self.assertIn("unit of measurement: A cycles (timer tsc), B ns "
                      "(timer ktime)", err)

    def test_prepatch_kernel_caveat_under_provenance(self):
        # A side on the testbed's pre-patch kernel (release -prepatch):
        # right under the two provenance lines, in text and in --md, the
        # compare says it tests the workflow, not the patch.
        d = os.path.join(self.tmp, "prepatch")
        shutil.copytree(self.a, d)
        corpus.meta(d, lambda m: m["host"].update(
            kernel_release="7.2.13-prepatch"))
        md = os.path.join(self.tmp, "prepatch.md")
        rc, out, err = self.run_cmp(d, self.b, "--md", md)
        self.assertEqual(rc, 0, err)
        cav = codegen.compare_caveat("7.2.13-prepatch", "7.2.13")
        self.assertIn("A ran the pre-patch testbed kernel", cav[0])
        self.assertIn("not the patch", " ".join(cav))
        with open(md, encoding="utf-8") as f:
            mdt = f.read()
        for text in (out, mdt):
            lines = [x for x in text.splitlines() if x]
            i = min(i for i, l in enumerate(lines) if l.startswith("B: "))
            self.assertEqual(lines[i - 1][:3], "A: ")
            self.assertEqual(lines[i + 1:i + 1 + len(cav)], cav)
        rc, out, err = self.run_cmp(self.a, self.b)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("pre-patch testbed kernel", out)

    def test_md_starts_with_the_provenance(self):
        md = os.path.join(self.tmp, "first.md")
        rc, out, err = self.run_cmp(self.a, self.b, "--md", md)
        self.assertEqual(rc, 0, err)
        with open(md, encoding="utf-8") as f:
            mdl = f.read().splitlines()
        txt = out.splitlines()
        self.assertTrue(txt[0].startswith("A: NOT TDX"), txt[0])
        self.assertEqual(mdl[0], txt[0])
        self.assertEqual(mdl[2], txt[1])
        self.assertTrue(mdl[4].startswith("# unmapbench compare: "), mdl)

    def test_simulated_side_says_so_in_text_and_md(self):
        d = os.path.join(self.tmp, "sim")
        shutil.copytree(self.b, d)
        corpus.meta(d, lambda m: m["module"].update(simulated=True))
        md = os.path.join(self.tmp, "sim.md")
        rc, out, err = self.run_cmp(self.a, d, "--force", "--md", md)
        self.assertEqual(rc, 0, err)
        with open(md, encoding="utf-8") as f:
            mdt = f.read()
        for text in (out, mdt):
            self.assertIn("B: SIMULATED module: NOT MEASUREMENTS", text)


class CompareMargin(unittest.TestCase):
    """compare derives its equivalence margin from the two runs as the
    report derives its own (patch.margin()), --margin-ns overriding, and
    states it with its source on the first screen."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-margin-")
        kw = dict(rounds=16, ground=False, hist=False, teardown=False,
                  ranges=False)
        cls.a = os.path.join(cls.tmp, "A")
        cls.b = os.path.join(cls.tmp, "B")
        cls.m = os.path.join(cls.tmp, "M")
        cls.n = os.path.join(cls.tmp, "N")
        synth.write_rundir(cls.a, seed=1, backend="tdx", **kw)
        # B's pfn WBINVD costs 10% more: A's removal cost is the smaller
        synth.write_rundir(cls.b, seed=2, backend="tdx",
                           effects={"wbinvd": 10.0}, **kw)
        synth.write_rundir(cls.m, seed=3, **kw)
        synth.write_rundir(cls.n, seed=4, **kw)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def first_screen(self, *args):
        rc, out, err = run_main(compare.main, *args, "--boot", "0")
        self.assertEqual(rc, 0, err)
        return " ".join(out.split("\n\n")[0].split())

    def test_tdx_runs_measure_the_margin(self):
        # the report's margin of each side, from its own analysis
        ma = patch.analyse(rundir.load(self.a), boot=0).margin
        mb = patch.analyse(rundir.load(self.b), boot=0).margin
        self.assertEqual((ma.kind, mb.kind), ("measured-tdx",) * 2)
        self.assertLess(ma.ns, mb.ns)
        for args in ((self.a, self.b), (self.b, self.a)):
            first = self.first_screen(*args)
            self.assertIn(f"Margin +-{ma.ns:.3g} ns/page: 0.1% of this "
                          "host's tdx WBINVD + reset", first)
            self.assertIn("the smaller of A", first)
            self.assertNotIn("published", first)

    def test_option_overrides(self):
        first = self.first_screen(self.a, self.b, "--margin-ns", "7")
        self.assertIn("Margin +-7 ns/page: +-7 ns/page (--margin-ns).",
                      first)

    def test_no_tdx_published(self):
        first = self.first_screen(self.m, self.n)
        self.assertIn("Margin +-5 ns/page: 0.1% of the published ~5 "
                      "us/page removal", first)


class CompareRunsAsUnit(unittest.TestCase):
    """Two identical kernels (same true costs, run-to-run variation of
    1.5% per variant): with runs as the unit, few rows are called
    different; treating rounds as independent samples calls most."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-units-")
        cls.pairs = []
        for s in range(6):
            a = os.path.join(cls.tmp, f"a{s}")
            b = os.path.join(cls.tmp, f"b{s}")
            for d, seed in ((a, 2 * s + 100), (b, 2 * s + 101)):
                synth.write_rundir(d, seed=seed, rounds=16, repeats=3,
                                   run_sd=0.015, ground=False, hist=False,
                                   teardown=False, ranges=False)
            cls.pairs.append((rundir.load(a), rundir.load(b)))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_identical_kernels(self):
        rows = [r for A, B in self.pairs for r in
                compare.ab_rows(A, B, 5.0, boot=100)]
        called = sum(1 for r in rows if r["code"] in ("faster", "slower"))
        # 6 pairs x 8 rows, Holm per pair: expect ~0
        self.assertLessEqual(called / len(rows), 0.05, called)

    def test_negative_control_rounds_as_units(self):
        # the old analysis: every round an independent sample
        called = n = 0
        for A, B in self.pairs:
            for r in compare.ab_rows(A, B, 5.0, boot=0):
                v = r["variant"].name
                ra = sum(compare.run_values(A, list(A.runs), v), [])
                rb = sum(compare.run_values(B, list(B.runs), v), [])
                w = stats.welch_log(ra, rb)
                n += 1
                called += w[1] > 0 or w[2] < 0
        self.assertGreater(called / n, 0.3)

    def test_run_variance_widens_the_ci(self):
        def width(run_sd):
            d = os.path.join(self.tmp, f"w{run_sd}")
            out = []
            for side in "ab":
                synth.write_rundir(d + side, seed=len(side) + 7, rounds=16,
                                   repeats=3, run_sd=run_sd, ground=False,
                                   hist=False, teardown=False, ranges=False)
            rows = compare.ab_rows(rundir.load(d + "a"),
                                   rundir.load(d + "b"), 5.0, boot=100)
            for r in rows:
                out.append(r["res"]["diff_hi"] - r["res"]["diff_lo"])
            return stats.mean(out)
        self.assertGreater(width(0.05), 2 * width(0.0))


if __name__ == "__main__":
    unittest.main()
