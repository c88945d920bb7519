#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host tests of the unmapbench command line (TAP via tests/lib/tap_unittest).

- CSV and JSON writers read back by Python's csv and json modules;
- environment capture from fixture /proc and /sys trees
  (tests/fixtures/harness/*) through `unmapbench info --root DIR --json`;
- option and profile errors name the offending token (and FILE:LINE);
- --dry-run works without the module;
- the whole run-directory pipeline with the module's code run natively
  (UB_WHERE=native): columns, row counts, meta.json, never-overwrite,
  SIGINT leaves a visibly partial directory.
Asserts behaviour, never timings.
"""
import csv
import gzip
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import tap_unittest  # noqa: E402

UB = os.path.join(TOP, "harness", "unmapbench")
UNIT = os.path.join(TOP, "harness", "unit", "ub-unit")
FIX = os.path.join(TOP, "tests", "fixtures", "harness")

# Must match ub-unit.c's cells[].
EXPECTED_CELLS = ["plain", "with,comma", 'with "quotes"', "multi\nline", " lead",
                  "trail ", "", "semi;colon", "unicode \u00e9\u20ac", "cr\rlf"]

# The documented columns: plot/schema.json, generated from the harness's
# schema definition (tests/unit/harness_schema.t checks that it is).
with open(os.path.join(TOP, "plot", "schema.json")) as _f:
    SCHEMA = json.load(_f)
COLS = {t["file"]: [c["name"] for c in t["columns"]] for t in SCHEMA["tables"]}
RUNS_COLS = COLS["runs.csv"]
MICRO_COLS = COLS["micro.csv"]
SAMPLES_COLS = COLS["samples.csv"]
HIST_COLS = COLS["hist.csv"]
COUNTERS_COLS = COLS["counters.csv"]
FAKE_KVM = {"UB_TEST_FAKE_KVM": "vm_types=0x3,prefault=1,gmem_flags=0x3,attrs=0x8,"
            "modules=kvm_amd", "UB_TEST_FAKE_MEM": "avail=64G,node0=32G"}


def ub(*args, env=None, fake=False):
    e = dict(os.environ)
    e.pop("UB_WHERE", None)
    if fake:
        e["UB_WHERE"] = "native"
    e["UB_PROGRESS"] = "0"
    if env:
        e.update(env)
    return subprocess.run([UB, *args], capture_output=True, text=True, env=e)


def rows(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return header, list(r)


class Writers(unittest.TestCase):
    def test_csv_read_back(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "t.csv")
            subprocess.run([UNIT, "write-csv", p], check=True)
            with open(p, newline="", encoding="utf-8") as f:
                got = list(csv.reader(f))
        self.assertEqual(got[0], ["id", "text", "num", "dbl"])
        self.assertEqual([r[1] for r in got[1:]], EXPECTED_CELLS)
        for i, r in enumerate(got[1:]):
            self.assertEqual(int(r[0]), i)
            self.assertEqual(int(r[2]), 2**64 - 1 - i)
            self.assertEqual(float(r[3]), 1.0 / 3.0 + i)

    def test_json_read_back(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "t.json")
            subprocess.run([UNIT, "write-json", p], check=True)
            with open(p, encoding="utf-8") as f:
                got = json.load(f)
        self.assertEqual(got["cells"], EXPECTED_CELLS)
        self.assertEqual(got["control"], "tab\there\x01\x1f bs\\ slash/ del\x7f")
        self.assertEqual(got["bad_utf8"], "a\ufffdb\ufffd")
        self.assertEqual(got['key "quoted"'], "v")
        self.assertEqual(got["neg"], -2**63)
        self.assertEqual(got["big"], 2**64 - 1)
        self.assertEqual(got["third"], 1.0 / 3.0)
        self.assertIsNone(got["nan"])
        self.assertIs(got["t"], True)
        self.assertIsNone(got["n"])
        self.assertIsNone(got["null_str"])
        self.assertEqual(got["empty_obj"], {})
        self.assertEqual(got["empty_arr"], [])


class Environment(unittest.TestCase):
    def info(self, root):
        p = ub("info", "--root", root, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_tdx_host_fixture(self):
        d = self.info(os.path.join(FIX, "tdx-host"))
        h, c, n = d["host"], d["cpu"], d["numa"]
        self.assertEqual(h["hostname"], "tdxhost1.example.com")
        self.assertEqual(h["kernel_release"], "7.2.13-tdx")
        self.assertIn("kvm_intel.tdx=1", h["cmdline"])
        self.assertEqual(h["config_source"], "/boot/config-7.2.13-tdx")
        self.assertEqual(h["config"]["CONFIG_INTEL_TDX_HOST"], "y")
        self.assertEqual(h["config"]["CONFIG_KVM_SW_PROTECTED_VM"], "n")
        self.assertEqual(h["config"]["CONFIG_MODULE_SIG_FORCE"], "y")
        self.assertIsNone(h["config"]["CONFIG_KASAN"])
        self.assertEqual((c["vendor"], c["family"], c["model"], c["stepping"]),
                         ("GenuineIntel", 6, 143, 8))
        self.assertEqual(c["microcode"], "0x2b000603")
        self.assertTrue(all(c["flags"][k] for k in
                            ("movdir64b", "clflushopt", "clwb", "rdtscp",
                             "constant_tsc", "nonstop_tsc")))
        self.assertFalse(c["flags"]["hypervisor"])
        self.assertTrue(c["bugs"]["tdx_pw_mce"])
        self.assertEqual((c["smt"], c["governor"], c["turbo"]), ("on", "performance", "off"))
        self.assertEqual([x["id"] for x in n["nodes"]], [0, 1])
        self.assertEqual(n["nodes"][1]["cpus"], [2, 3])
        self.assertEqual(n["nodes"][0]["mem_total_kb"], 528000000)
        self.assertEqual(n["distances"], [[10, 21], [21, 10]])
        self.assertEqual(d["thp"], {"enabled": "madvise", "defrag": "madvise"})
        self.assertEqual(d["tdx"]["status"], "initialized")
        self.assertEqual(d["tdx"]["module_version"], "1.5")
        self.assertIn("virt/tdx", d["tdx"]["source"])
        self.assertEqual(d["environment"]["emulation"], "none")

    def test_qemu_guest_fixture(self):
        with tempfile.TemporaryDirectory() as d:
            root = os.path.join(d, "root")
            shutil.copytree(os.path.join(FIX, "qemu-guest"), root)
            with open(os.path.join(root, "proc", "config.txt"), "rb") as f, \
                    gzip.open(os.path.join(root, "proc", "config.gz"), "wb") as g:
                g.write(f.read())
            info = self.info(root)
        self.assertEqual(info["environment"]["emulation"], "qemu-tcg")
        self.assertIn("ub.env=qemu-tcg", info["environment"]["evidence"])
        self.assertEqual(info["host"]["config_source"], "/proc/config.gz")
        self.assertEqual(info["host"]["config"]["CONFIG_KVM_SW_PROTECTED_VM"], "y")
        self.assertEqual(info["host"]["config"]["CONFIG_MODULE_SIG_FORCE"], "n")
        self.assertTrue(info["cpu"]["flags"]["hypervisor"])
        self.assertFalse(info["cpu"]["flags"]["movdir64b"])
        self.assertEqual(len(info["numa"]["nodes"]), 1)
        self.assertEqual(info["numa"]["nodes"][0]["cpus"], [0, 1])
        self.assertEqual(info["tdx"]["status"], "not available")
        self.assertEqual(info["thp"]["enabled"], "always")

    def test_empty_root_is_unreadable_not_fatal(self):
        with tempfile.TemporaryDirectory() as d:
            info = self.info(d)
        self.assertEqual(info["host"]["config"], "unreadable")
        self.assertEqual(info["cpu"]["vendor"], "unknown")

    def test_empty_root_prints_unknown_not_minus_one(self):
        with tempfile.TemporaryDirectory() as d:
            p = ub("info", "--root", d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("family unknown", p.stdout)
        self.assertIn("unknown CPUs online", p.stdout)
        self.assertNotRegex(p.stdout, r"(^|[ (])-1\b|-1024")

    def test_missing_root_is_an_error(self):
        for root, why in (("/nonexistent-ub-root", "No such file"),
                          ("/etc/hostname", "not a directory")):
            p = ub("info", "--root", root)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertEqual(p.stdout, "")
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
            self.assertIn("--root " + root + ": " + why, p.stderr)

    def test_info_on_this_host(self):
        p = ub("info")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"module: ")
        p = ub("info", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        d = json.loads(p.stdout)
        self.assertIn("loaded", d["module"])
        self.assertIn("kvm", d)


class Errors(unittest.TestCase):
    def bad(self, args, *needles):
        p = ub(*args)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for n in needles:
            self.assertIn(n, p.stderr)

    def test_bad_option_values(self):
        self.bad(["micro", "--dry-run", "--pages", "64,12x"], "'12x'")
        self.bad(["micro", "--dry-run", "--granule", "4k,1g"], "'1g'")
        self.bad(["micro", "--dry-run", "--backend", "fast"], "'fast'")
        self.bad(["micro", "--dry-run", "--threads", "0"], "'0'")
        self.bad(["micro", "--dry-run", "--bogus", "1"],
                 "unknown option --bogus (see unmapbench micro --help)")
        self.bad(["micro", "--dry-run", "--node", "77"], "node 77")

    def test_bad_profile_names_file_line_token(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "prof")
            with open(p, "w") as f:
                f.write("# test\nmicro size=4M\nmicro size=4M cache=tepid\n")
            self.bad(["run", "--dry-run", p], p + ":3", "'tepid'")
            with open(p, "w") as f:
                f.write("micro size=4M\nbenchmark size=4M\n")
            self.bad(["run", "--dry-run", p], p + ":2", "'benchmark'")
            self.bad(["run", "--dry-run", "no-such-profile"], "no-such-profile")


class DryRun(unittest.TestCase):
    def test_micro_dry_run_lists_product(self):
        p = ub("micro", "--dry-run", "--size", "4M,8M", "--granule", "4k,2m",
               "--reset", "kernel,force", "--placement", "local")
        self.assertEqual(p.returncode, 0, p.stderr)
        runs = [l for l in p.stdout.splitlines() if l.startswith("run ")]
        self.assertEqual(len(runs), 8)
        self.assertRegex(p.stdout, r"8 runs, estimated")

    def test_profiles_dry_run(self):
        # Teardown lines plan against KVM: fake capabilities, so the test
        # does not depend on this host's /dev/kvm.
        for prof in ("quick", "default", "full"):
            p = ub("run", "--dry-run", prof, env=FAKE_KVM)
            self.assertEqual(p.returncode, 0, prof + ": " + p.stderr)
            self.assertRegex(p.stdout, r"profile .*%s: \d+ runs?, estimated" % prof)


class Pipeline(unittest.TestCase):
    """Run directories made with the simulated module (not measurements)."""

    def setUp(self):
        self.d = tempfile.mkdtemp(prefix="ub-cli-")

    def tearDown(self):
        shutil.rmtree(self.d, ignore_errors=True)

    def check_dir(self, out, nruns):
        self.assertEqual(open(os.path.join(out, "status")).read().strip(), "complete")
        meta = json.load(open(os.path.join(out, "meta.json")))
        self.assertEqual(meta["schema_version"], SCHEMA["schema_version"])
        self.assertEqual(meta["status"], "complete")
        self.assertTrue(meta["end_utc"])
        self.assertEqual(meta["module"]["where"], "native")
        self.assertEqual(meta["measurement"]["runs_done"], nruns)
        for k in ("host", "cpu", "numa", "thp", "tdx", "environment"):
            self.assertIn(k, meta)
        h, runs = rows(os.path.join(out, "runs.csv"))
        self.assertEqual(h, RUNS_COLS)
        self.assertEqual([int(r[0]) for r in runs], list(range(1, nruns + 1)))
        h, micro = rows(os.path.join(out, "micro.csv"))
        self.assertEqual(h, MICRO_COLS)
        h, samples = rows(os.path.join(out, "samples.csv"))
        self.assertEqual(h, SAMPLES_COLS)
        h, hist = rows(os.path.join(out, "hist.csv"))
        self.assertEqual(h, HIST_COLS)
        h, ctr = rows(os.path.join(out, "counters.csv"))
        self.assertEqual(h, COUNTERS_COLS)
        for r in runs:
            R = dict(zip(RUNS_COLS, r))
            rid, thr = R["run_id"], int(R["threads"])
            self.assertIn(R["backend"], ("null", "model", "tdx"))
            self.assertIn(R["placement"], ("local", "remote", "mixed"))
            self.assertEqual(len(R["cpus"].split(";")), thr)
            self.assertEqual(len(R["cpu_nodes"].split(";")), thr)
            m = [x for x in micro if x[0] == rid]
            self.assertEqual(len(m) % thr, 0)
            nsel = len(m) // thr
            s = [x for x in samples if x[0] == rid]
            self.assertEqual(len(s), thr * int(R["rounds_done"]) * nsel)
            hc = {}
            for x in hist:
                if x[0] == rid:
                    hc[(x[1], x[2])] = hc.get((x[1], x[2]), 0) + int(x[5])
            for x in m:
                M = dict(zip(MICRO_COLS, x))
                self.assertEqual(hc[(M["variant"], M["thread"])], int(M["batches"]))
                self.assertLessEqual(int(M["min"]), float(M["mean"]))
                self.assertLessEqual(float(M["mean"]), int(M["max"]))
        for x in ctr:
            if x[3] == "unavailable":
                self.assertTrue(x[4], "unavailable counter without a reason")
            else:
                int(x[3])
        return meta, runs

    def test_micro_run_directory(self):
        out = os.path.join(self.d, "r")
        p = ub("micro", "--size", "4M", "--granule", "4k,2m", "--threads", "1,2",
               "--rounds", "3", "--variants", "unmap.*,ground.add16", "--placement",
               "local", "--label", "a,b \"c\"", "--out", out, fake=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        # The report's first screen, then the path as the last line.
        lines = p.stdout.splitlines()
        self.assertEqual(lines[-1], out)
        with open(os.path.join(out, "report.txt")) as f:
            first = f.read().splitlines()
        self.assertGreater(len(lines), 2)
        self.assertEqual(lines[:-1], first[:len(lines) - 1])
        meta, runs = self.check_dir(out, 4)
        self.assertEqual(runs[0][2], 'a,b "c"')
        self.assertIn("--label", meta["command_line"])

    def test_progress_within_a_run(self):
        # A run held for 2 s by the wall cap: the poller (every 250 ms)
        # must show the rounds moving; UB_PROGRESS=1 stands in for a tty.
        out = os.path.join(self.d, "prog")
        p = ub("micro", "--pages", "4096", "--rounds", "1000000",
               "--max-wall", "2s", "--variants", "unmap.*", "--no-report",
               "--out", out, fake=True, env={"UB_PROGRESS": "1"})
        self.assertEqual(p.returncode, 0, p.stderr)
        notes = re.findall(r"\(cli: (?:round (\d+)|warm-up \d+)/\d+\)",
                           p.stderr.replace("\r", "\n"))
        self.assertGreaterEqual(len(notes), 2, p.stderr[-400:])
        rounds = [int(r) for r in notes if r]
        self.assertEqual(rounds, sorted(rounds))
        # not on a terminal and not forced: no progress line at all
        p = ub("micro", "--pages", "64", "--rounds", "4", "--no-report",
               "--out", out + "2", fake=True)
        self.assertNotIn("elapsed", p.stderr)

    def test_no_report_prints_only_the_path(self):
        out = os.path.join(self.d, "nr")
        p = ub("micro", "--pages", "4", "--rounds", "2", "--placement",
               "local", "--no-report", "--out", out, fake=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, out + "\n")
        self.assertFalse(os.path.exists(os.path.join(out, "report.txt")))

    def test_report_missing_leaves_the_run_complete(self):
        # No plot/ to find (the testbed guest has no python3 either): the
        # run is complete, stdout is the path, stderr says why no report.
        out = os.path.join(self.d, "noplot")
        empty = os.path.join(self.d, "empty-plot")
        os.mkdir(empty)
        p = ub("micro", "--pages", "4", "--rounds", "2", "--placement",
               "local", "--out", out, fake=True, env={"UB_PLOT_DIR": empty})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, out + "\n")
        self.assertIn("no report:", p.stderr)
        with open(os.path.join(out, "status")) as f:
            self.assertEqual(f.read().strip(), "complete")

    def test_command_line_recorded_in_full(self):
        out = os.path.join(self.d, "argv")
        args = ["-q", "micro", "--size=4M", "--rounds", "2", "--placement",
                "local", "--out", out]
        p = ub(*args, fake=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        meta = json.load(open(os.path.join(out, "meta.json")))
        # the program name and the global flag -q are part of it
        self.assertEqual(meta["command_line"], [UB] + args)
        self.assertTrue(os.path.getsize(os.path.join(out, "log.txt")) > 0)

    def test_run_quick(self):
        out = os.path.join(self.d, "q")
        p = ub("run", "quick", "--out", out, fake=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        meta, runs = self.check_dir(out, len(rows(os.path.join(out, "runs.csv"))[1]))
        self.assertEqual(meta["profile"]["name"], "quick")
        self.assertGreaterEqual(len(runs), 2)

    def test_existing_directory_refused_untouched(self):
        out = os.path.join(self.d, "exists")
        os.mkdir(out)
        with open(os.path.join(out, "keep"), "w") as f:
            f.write("x")
        p = ub("micro", "--size", "4M", "--rounds", "2", "--out", out, fake=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("already exists", p.stderr)
        self.assertEqual(os.listdir(out), ["keep"])
        self.assertFalse(os.path.exists(os.path.join(self.d, ".exists.partial")))

    def test_sigint_leaves_partial(self):
        out = os.path.join(self.d, "int")
        e = dict(os.environ, UB_WHERE="native", UB_PROGRESS="0")
        # runs that last until the signal (the wall cap bounds each)
        proc = subprocess.Popen([UB, "micro", "--size", "4M", "--rounds",
                                 "1000000", "--max-wall", "30s", "--no-samples",
                                 "--no-hist",
                                 "--seed", "1-20", "--placement", "local",
                                 "--out", out], env=e, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        partial = os.path.join(self.d, ".int.partial")
        for _ in range(100):
            if os.path.exists(os.path.join(partial, "meta.json")):
                break
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130, err)
        self.assertFalse(os.path.exists(out))
        st = open(os.path.join(partial, "status")).read().strip()
        self.assertRegex(st, r"^interrupted: SIGINT after \d+/20 runs$")
        meta = json.load(open(os.path.join(partial, "meta.json")))
        self.assertEqual(meta["status"], st)

    def test_no_module_is_a_clear_error(self):
        out = os.path.join(self.d, "nomod")
        p = ub("micro", "--size", "4M", "--out", out)
        if p.returncode == 0:
            self.skipTest("the unmap_bench module is loaded on this host")
        self.assertIn("module", p.stderr)
        self.assertTrue("insmod" in p.stderr or "vm-bench" in p.stderr, p.stderr)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    sys.exit(tap_unittest.run_module(sys.modules[__name__], ["-C", os.path.join(TOP, "harness"), "all", "unit"]))
