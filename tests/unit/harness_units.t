#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unit tests of the harness's building blocks (options, profiles, run
# directories, CSV/JSON writers): builds harness/unit/ub-unit and runs it.
top=$(cd "$(dirname "$0")/../.." && pwd)
if ! out=$(make -s -C "$top/harness" unit 2>&1); then
	echo "not ok - build harness/unit/ub-unit"
	echo "$out" | sed 's/^/#   /'
	exit 1
fi
echo "ok - build harness/unit/ub-unit"
exec "$top/harness/unit/ub-unit"
