#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module's uapi test (tests/guest/kmod_abi.c) against the module's own
# portable code built for userspace (kmod/libubcore.a): the same cases and
# errnos the testbed asserts against unmap_bench.ko, here on the host.
bin=$(dirname "$0")/../bin/kmod_abi-native
if [ ! -x "$bin" ]; then
	echo "not ok - kmod_abi-native: $bin not built (make -C tests)"
	exit 1
fi
exec "$bin"
