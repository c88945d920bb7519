# SPDX-License-Identifier: GPL-2.0
"""Put plot/ and tests/plot/ on sys.path for the plot tests."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PLOT = os.path.join(TOP, "plot")
for p in (PLOT, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)
