#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a sparse new enough for the kernel tree from Debian sid's source
# package into the cache (bookworm's 0.6.4 lacks __typeof_unqual__, so
# Linux 7.2 refuses it). Source only: nothing from sid is installed.
# Prints the path of the sparse binary; exits 1 if none could be had.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

valid() { [ "$(sh "$1/scripts/checker-valid.sh" "$2" 2>/dev/null)" = 1 ]; }
src=$("$UB_TESTBED_DIR/fetch-kernel.sh")
# A system sparse the tree accepts is used as it is.
if command -v sparse >/dev/null && valid "$src" "$(command -v sparse)"; then
	command -v sparse
	exit 0
fi
dest=$UB_CACHE/sparse
if [ -x "$dest/sparse" ] && valid "$src" "$dest/sparse"; then
	echo "$dest/sparse"
	exit 0
fi
ub_sid_apt_setup
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get "${UB_APT_OPTS[@]}" source --download-only -q sparse >&2) ||
	ub_die "could not download sid's sparse source package"
dsc=$(ls "$work"/sparse_*.dsc | head -n1)
dpkg-source -x --no-check "$dsc" "$work/s" >&2
ub_log "building sparse from $(basename "$dsc")"
make -s -C "$work/s" -j"$(nproc)" CC=gcc HAVE_GTK=no HAVE_LLVM=no \
	HAVE_SQLITE=no HAVE_LIBXML=no sparse >&2
valid "$src" "$work/s/sparse" || ub_die "sid's sparse is refused by the kernel tree too"
rm -rf "$dest"; mkdir -p "$dest"
cp "$work/s/sparse" "$dest/sparse"
echo "$dest/sparse"
