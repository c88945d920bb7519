#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/run's own output: KTAP as kselftest prints it ("TAP version 13",
"ok N desc", "not ok N desc", "ok N desc # SKIP reason", diagnostics as
"# ..." lines, the plan "1..N"), then the last line "N passed, N failed,
N skipped". Fed programs with known results through run_tap()."""
import contextlib
import importlib.machinery
import importlib.util
import io
import os
import re
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import tap_unittest  # noqa: E402


def load_runner():
    path = os.path.join(TOP, "tests", "run")
    loader = importlib.machinery.SourceFileLoader("ub_tests_run", path)
    spec = importlib.util.spec_from_loader("ub_tests_run", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


RUN = load_runner()


class Ktap(unittest.TestCase):
    def prog(self, d, name, body):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(p, 0o755)
        return p

    def drive(self, programs):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            t = RUN.Tally(False)
            for suite, p in programs:
                RUN.run_tap(t, suite, [p])
            rc = RUN.finish(t)
        return rc, out.getvalue().splitlines()

    def test_numbered_results_plan_and_tally(self):
        with tempfile.TemporaryDirectory() as d:
            a = self.prog(d, "a", "echo 'ok - first'\n"
                          "echo 'noise that is not TAP'\n"
                          "echo 'not ok - second'\n"
                          "echo '#   why it failed'\n"
                          "echo 'ok - third # SKIP no /dev/kvm'\n"
                          "exit 1\n")
            b = self.prog(d, "b", "echo 'ok 7 - numbered by the program'\n")
            rc, lines = self.drive([("unit/a", a), ("unit/b", b)])
        self.assertEqual(rc, 1)
        self.assertEqual(lines[0], "TAP version 13")
        results = [x for x in lines if re.match(r"(not )?ok ", x)]
        self.assertEqual(results, [
            "ok 1 unit/a: first",
            "not ok 2 unit/a: second",
            "ok 3 unit/a: third # SKIP no /dev/kvm",
            "ok 4 unit/b: numbered by the program"])
        self.assertIn("#   why it failed", lines)
        self.assertNotIn("noise that is not TAP", "\n".join(lines))
        self.assertIn("1..4", lines)
        self.assertLess(lines.index("ok 4 unit/b: numbered by the program"),
                        lines.index("1..4"))
        self.assertEqual(lines[-1], "2 passed, 1 failed, 1 skipped")
        for x in lines:
            self.assertRegex(x, r"^(TAP version 13|(not )?ok \d+ |#|1\.\.\d+$|"
                                r"\d+ passed, \d+ failed, \d+ skipped$)")

    def test_silent_failures_count(self):
        with tempfile.TemporaryDirectory() as d:
            crash = self.prog(d, "crash", "echo 'ok - fine'\nexit 3\n")
            mute = self.prog(d, "mute", "exit 0\n")
            rc, lines = self.drive([("unit/crash", crash), ("unit/mute", mute)])
        self.assertEqual(rc, 1)
        self.assertIn("not ok 2 unit/crash: exited 3 without reporting a "
                      "failure", lines)
        self.assertIn("not ok 3 unit/mute: ran no test", lines)
        self.assertEqual(lines[-1], "1 passed, 2 failed, 0 skipped")

    def test_all_pass_exits_0(self):
        with tempfile.TemporaryDirectory() as d:
            a = self.prog(d, "a", "echo 'ok - one'\n")
            rc, lines = self.drive([("unit/a", a)])
        self.assertEqual(rc, 0)
        self.assertEqual(lines[-2:], ["1..1", "1 passed, 0 failed, 0 skipped"])


if __name__ == "__main__":
    sys.exit(tap_unittest.run_module(sys.modules[__name__]))
