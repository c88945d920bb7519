#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One option parser for every command, and where run directories go
(TAP via tests/lib/tap_unittest). Each behaviour one by one, on every
command it concerns:

- an unknown option is "unknown option --x (see unmapbench CMD --help)",
  never "needs a value", exit 2, in exactly one line with one prefix;
- empty list items and trailing commas are refused in every list;
- an item listed twice counts once, with one note line;
- conflicting options are refused (--size with --pages);
- every accepted syntax is in --help; `unmapbench help [CMD]` works;
- limits are never printed as 2^63 or 2^64;
- --max-wall 0 is refused;
- a NUL byte in a profile names FILE:LINE;
- a bad --baseline stops teardown before anything runs (exit 2);
- UB_RESULTS_DIR and UB_PROGRESS are in `unmapbench --help`;
- without --out, runs land in the source tree's results/ wherever the
  command runs from, and never collide; a stale .NAME.partial does not
  block a run.
Asserts behaviour, never timings.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import tap_unittest  # noqa: E402

UB = os.path.join(TOP, "harness", "unmapbench")
FAKE_KVM = {"UB_TEST_FAKE_KVM": "vm_types=0x3,prefault=1,gmem_flags=0x3,attrs=0x8,"
            "modules=kvm_amd", "UB_TEST_FAKE_MEM": "avail=64G,node0=32G"}
COMMANDS = ("info", "micro", "teardown", "run", "compare", "instrument", "schema")


def ub(*args, env=None, fake=False, cwd=None):
    e = dict(os.environ, UB_PROGRESS="0")
    for k in ("UB_WHERE", "UB_RESULTS_DIR", "UB_TEST_FAKE_KVM",
              "UB_TEST_FAKE_MEM"):
        e.pop(k, None)
    if fake:
        e["UB_WHERE"] = "native"
    e.update(env or {})
    return subprocess.run([UB, *args], capture_output=True, text=True, env=e,
                          cwd=cwd)


def lines(text):
    return [x for x in text.splitlines() if x.strip()]


class Unknown(unittest.TestCase):
    def test_every_command(self):
        for cmd in COMMANDS:
            for args in (["--frob", "1"], ["--frob"], ["--frob=1"]):
                p = ub(cmd, *args, env=FAKE_KVM)
                want = "unknown option --frob (see unmapbench %s --help)" % cmd
                self.assertEqual(p.returncode, 2, (cmd, args, p.stderr))
                self.assertEqual(lines(p.stderr), ["unmapbench: error: " + want],
                                 (cmd, args))

    def test_never_needs_a_value(self):
        p = ub("micro", "--bogus")
        self.assertNotIn("value", p.stderr)
        self.assertIn("unknown option --bogus", p.stderr)

    def test_known_option_missing_value(self):
        for cmd, opt in (("micro", "--rounds"), ("teardown", "--size"),
                         ("instrument", "--units"), ("run", "--out")):
            p = ub(cmd, opt)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(lines(p.stderr),
                             ["unmapbench: error: %s: missing value (see "
                              "unmapbench %s --help)" % (opt, cmd)])

    def test_global_unknown_option(self):
        p = ub("--frob", "micro")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(lines(p.stderr), ["unmapbench: error: unknown option "
                                           "--frob (see unmapbench --help)"])


class OneLine(unittest.TestCase):
    def test_profile_error_once_with_one_prefix(self):
        with tempfile.TemporaryDirectory() as d:
            prof = os.path.join(d, "prof")
            for text, token in (("micro pages=4\nmicro cache=tepid\n", "'tepid'"),
                                ("teardown size=7Q\n", "'7Q'"),
                                ("micro frob=1\n", "unknown option --frob"),
                                ("teardown trigger=destroy,,punch\n", "empty item")):
                with open(prof, "w") as f:
                    f.write(text)
                p = ub("run", "--dry-run", prof, env=FAKE_KVM)
                self.assertEqual(p.returncode, 2, text)
                err = lines(p.stderr)
                self.assertEqual(len(err), 1, err)
                self.assertIn(token, err[0])
                self.assertEqual(err[0].count(prof + ":"), 1, err[0])

    def test_teardown_error_once(self):
        p = ub("teardown", "--dry-run", "--size", "12x", env=FAKE_KVM)
        self.assertEqual(lines(p.stderr), ["unmapbench: error: --size: bad value "
                                           "'12x': expected a number (K/M/G/T "
                                           "suffix allowed)"])


class EmptyItems(unittest.TestCase):
    CASES = [("micro", "--size", "64M,"), ("micro", "--pages", ",4"),
             ("micro", "--granule", "4k,"), ("micro", "--cache", "hot,,cold"),
             ("micro", "--variants", "unmap.*,"), ("micro", "--node", "0,"),
             ("micro", "--irq-off", "0,"), ("micro", "--timer", ""),
             ("micro", "--cpus", "0,"), ("teardown", "--size", "64M,"),
             ("teardown", "--trigger", ""), ("teardown", "--vms", "1,,4"),
             ("teardown", "--node", "any,"), ("teardown", "--vm-type", ",default"),
             ("instrument", "--timer", "tsc,")]

    def test_refused_everywhere(self):
        for cmd, opt, val in self.CASES:
            p = ub(cmd, "--dry-run", opt, val, env=FAKE_KVM)
            self.assertEqual(p.returncode, 2, (cmd, opt, val, p.stderr))
            self.assertRegex(p.stderr, r"empty (item|value|CPU set)",
                             (cmd, opt, val))
            self.assertEqual(len(lines(p.stderr)), 1, p.stderr)

    def test_negative_control_without_the_comma(self):
        for cmd, opt, val in self.CASES:
            val = val.strip(",").replace(",,", ",") or "tsc" if opt == "--timer" \
                else val.strip(",").replace(",,", ",")
            if not val:
                continue
            p = ub(cmd, "--dry-run", opt, val, env=FAKE_KVM)
            self.assertEqual(p.returncode, 0, (cmd, opt, val, p.stderr))


class Duplicates(unittest.TestCase):
    def test_counted_once_with_a_note(self):
        for cmd, opt, val, item, runs in (
                ("micro", "--cache", "hot,hot", "'hot'", 1),
                ("micro", "--seed", "1-3,2", "2 ", 3),
                ("teardown", "--trigger", "destroy,all", "'destroy'", 3),
                ("teardown", "--vms", "1,1", "1 ", 1),
                ("teardown", "--size", "64M,64M", "67108864 ", 1),
                ("teardown", "--size", "5%,5%", "'5%'", 1)):
            p = ub(cmd, "--dry-run", opt, val, "--placement" if cmd == "micro"
                   else "--vcpus", "local" if cmd == "micro" else "1",
                   env=FAKE_KVM)
            self.assertEqual(p.returncode, 0, p.stderr)
            notes = [x for x in lines(p.stderr) if "listed more than once" in x]
            self.assertEqual(len(notes), 1, p.stderr)
            self.assertIn(opt + ": " + item.strip(), notes[0])
            self.assertIn("%s: %d run%s," % (cmd, runs, "" if runs == 1 else "s"),
                          p.stdout)


class Conflicts(unittest.TestCase):
    def test_size_with_pages(self):
        for args in (["--size", "4M", "--pages", "64"], ["--pages=64", "--size=4M"]):
            p = ub("micro", "--dry-run", *args)
            self.assertEqual(p.returncode, 2)
            self.assertIn("--size and --pages cannot be combined", p.stderr)
        self.assertEqual(ub("micro", "--dry-run", "--pages", "64").returncode, 0)


class Help(unittest.TestCase):
    def test_syntaxes_listed(self):
        h = ub("micro", "--help").stdout
        for s in ("0x", "K, M, G or T", "A-B", "A-B:S", "A-B*F", "DUR", "500us",
                  "comma-separated", "counts once", "off|on"):
            self.assertIn(s, h)
        t = ub("teardown", "--help").stdout
        for s in ("P%", "P%:MAX", "any"):
            self.assertIn(s, t)

    def test_help_command(self):
        for cmd in COMMANDS:
            a, b = ub("help", cmd), ub(cmd, "--help")
            self.assertEqual((a.returncode, b.returncode), (0, 0), cmd)
            self.assertEqual(a.stdout, b.stdout, cmd)
            self.assertIn("usage: unmapbench " + cmd, a.stdout)
        p = ub("help")
        self.assertEqual(p.returncode, 0)
        for cmd in COMMANDS:
            self.assertIn(cmd, p.stdout)
        p = ub("help", "nosuch")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command 'nosuch'", p.stderr)

    def test_environment_documented(self):
        h = ub("--help").stdout
        for var in ("UB_RESULTS_DIR", "UB_PROGRESS"):
            self.assertIn(var, h)


class Limits(unittest.TestCase):
    def test_no_giant_numbers(self):
        for args in (["teardown", "--size", "0"], ["teardown", "--size", "2048T"],
                     ["micro", "--pages", "0"], ["micro", "--size", "1"],
                     ["micro", "--seed", "99999999999999999999"],
                     ["micro", "--rounds", "0"], ["instrument", "--seed", "x"],
                     ["teardown", "--vms", "0"], ["micro", "--batch", "0"]):
            p = ub(*args, "--dry-run", env=FAKE_KVM)
            self.assertEqual(p.returncode, 2, args)
            for big in ("18446744073709551615", "9223372036854775807",
                        "4611686018427387904"):
                self.assertNotIn(big, p.stderr, args)

    def test_max_wall_zero_refused(self):
        for cmd in ("micro", "instrument"):
            p = ub(cmd, "--dry-run", "--max-wall", "0")
            self.assertEqual(p.returncode, 2, cmd)
            self.assertIn("--max-wall: '0' is outside 1ms", p.stderr)
            self.assertEqual(ub(cmd, "--dry-run", "--max-wall", "1ms",
                                fake=True).returncode, 0)


class Profiles(unittest.TestCase):
    def test_nul_byte_named_by_line(self):
        with tempfile.TemporaryDirectory() as d:
            prof = os.path.join(d, "nul")
            with open(prof, "wb") as f:
                f.write(b"# one\nmicro pages=4\nmicro label=a\x00b\n")
            p = ub("run", "--dry-run", prof)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(lines(p.stderr), ["unmapbench: error: %s:3: a NUL "
                                               "byte: a profile is text" % prof])


class Baseline(unittest.TestCase):
    def test_bad_baseline_before_anything_runs(self):
        with tempfile.TemporaryDirectory() as d:
            junk = os.path.join(d, "junk.csv")
            with open(junk, "w") as f:
                f.write("a,b\n1,2\n")
            good = os.path.join(d, "teardown.csv")
            with open(good, "w") as f:
                f.write("run_id,repeat,vm,teardown_s,status\n")
            for path, why in ((os.path.join(d, "none"), "cannot read"),
                              (d + "/empty-dir-missing-csv", "cannot read"),
                              (junk, "is not a teardown.csv")):
                out = os.path.join(d, "out")
                p = ub("teardown", "--baseline", path, "--out", out)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("--baseline: ", p.stderr)
                self.assertIn(why, p.stderr)
                self.assertFalse(os.path.exists(out))
                self.assertFalse(os.path.exists(os.path.join(d, ".out.partial")))
            # negative control: a teardown.csv (or its directory) is taken
            for path in (good, d):
                p = ub("teardown", "--dry-run", "--baseline", path, env=FAKE_KVM)
                self.assertEqual(p.returncode, 0, p.stderr)


def default_name(base, t):
    host = socket.gethostname().split(".")[0]
    krel = os.uname().release
    clean = lambda s: "".join(c if c.isalnum() or c in "._+-" else "_" for c in s)
    return os.path.join(base, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)) +
                        "-" + clean(host) + "-" + clean(krel))


class Location(unittest.TestCase):
    MICRO = ["micro", "--pages", "4", "--rounds", "2", "--placement", "local",
             "--no-report"]

    def test_source_tree_results_from_anywhere(self):
        before = set(os.listdir(os.path.join(TOP, "results")))
        with tempfile.TemporaryDirectory() as cwd:
            p = ub(*self.MICRO, fake=True, cwd=cwd)
            self.assertEqual(p.returncode, 0, p.stderr)
            made = p.stdout.strip()
            try:
                self.assertEqual(os.path.dirname(made), os.path.join(TOP, "results"))
                self.assertEqual(os.listdir(cwd), [])
            finally:
                if made and made.startswith(os.path.join(TOP, "results") + "/"):
                    shutil.rmtree(made, ignore_errors=True)
        self.assertEqual(set(os.listdir(os.path.join(TOP, "results"))), before)

    def test_results_dir_variable(self):
        with tempfile.TemporaryDirectory() as d:
            p = ub(*self.MICRO, fake=True, env={"UB_RESULTS_DIR": d})
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(os.path.dirname(p.stdout.strip()), d)

    def test_names_never_collide(self):
        with tempfile.TemporaryDirectory() as d:
            now = time.time()
            taken = [default_name(d, now + k) for k in range(-1, 6)]
            for t in taken:
                os.mkdir(t)
            p = ub(*self.MICRO, fake=True, env={"UB_RESULTS_DIR": d})
            self.assertEqual(p.returncode, 0, p.stderr)
            made = p.stdout.strip()
            self.assertTrue(made.endswith("-2"), made)
            self.assertIn(made[:-2], taken)
            self.assertEqual([os.listdir(t) for t in taken], [[]] * len(taken))

    def test_stale_partial_never_blocks(self):
        with tempfile.TemporaryDirectory() as d:
            stale = os.path.join(d, ".r.partial")
            os.mkdir(stale)
            with open(os.path.join(stale, "status"), "w") as f:
                f.write("running\n")
            out = os.path.join(d, "r")
            p = ub(*self.MICRO, "--out", out, fake=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "status")) as f:
                self.assertEqual(f.read().strip(), "complete")
            self.assertEqual(os.listdir(stale), ["status"])

    def test_live_partial_still_refused(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "live")
            e = dict(os.environ, UB_WHERE="native", UB_PROGRESS="0")
            # a run that lasts until the signal (the wall cap bounds it)
            first = subprocess.Popen([UB, "micro", "--pages", "4",
                                      "--rounds", "1000000", "--max-wall", "30s",
                                      "--no-samples", "--no-hist",
                                      "--placement", "local", "--out", out],
                                     env=e, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            for _ in range(100):
                if os.path.exists(os.path.join(d, ".live.partial", "meta.json")):
                    break
                time.sleep(0.05)
            p = ub(*self.MICRO, "--out", out, fake=True)
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("may still be writing it", p.stderr)


if __name__ == "__main__":
    sys.exit(tap_unittest.run_module(sys.modules[__name__], ["-C", os.path.join(TOP, "harness")]))
