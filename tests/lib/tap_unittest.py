# SPDX-License-Identifier: GPL-2.0
"""Run Python unittest modules and print TAP lines for tests/run.

usage: python3 tests/lib/tap_unittest.py DIR [PATTERN]
Every test method becomes one "ok"/"not ok" line; skipTest() becomes
"ok ... # SKIP reason".
"""
import sys
import unittest


class TapResult(unittest.TestResult):
    def _name(self, test):
        return test.id().split(".", 1)[-1]

    def addSuccess(self, test):
        print(f"ok - {self._name(test)}", flush=True)

    def _bad(self, test, err):
        print(f"not ok - {self._name(test)}", flush=True)
        for line in self._exc_info_to_string(err, test).splitlines():
            print(f"#   {line}")

    addFailure = _bad
    addError = _bad

    def addSkip(self, test, reason):
        print(f"ok - {self._name(test)} # SKIP {reason}", flush=True)

    def addExpectedFailure(self, test, err):
        self._bad(test, err)

    def addUnexpectedSuccess(self, test):
        print(f"not ok - {self._name(test)} (unexpected success)")


def run_module(module, build=None):
    """The tests of MODULE as TAP; first `make -s BUILD...` (a list of
    make arguments) as one test line. Returns the exit status."""
    import subprocess
    if build:
        try:
            subprocess.run(["make", "-s", *build], check=True,
                           stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError as e:
            print(f"not ok - build ({' '.join(build)}: {e})")
            return 1
        print(f"ok - build ({' '.join(build)})")
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = TapResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


def main():
    start = sys.argv[1]
    pattern = sys.argv[2] if len(sys.argv) > 2 else "test_*.py"
    suite = unittest.defaultTestLoader.discover(start, pattern=pattern,
                                                top_level_dir=start)
    result = TapResult()
    suite.run(result)
    if not result.testsRun:
        print(f"not ok - no tests found in {start}")
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
