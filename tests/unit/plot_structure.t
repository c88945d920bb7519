#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# plot/ tests: tests/plot/test_structure.py as TAP.
exec python3 "$(dirname "$0")/../lib/tap_unittest.py" "$(dirname "$0")/../plot" test_structure.py
