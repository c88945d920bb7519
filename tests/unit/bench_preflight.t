#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench` refuses clearly, and writes nothing, when it cannot run:
# a kernel without module support, not root, no build tree for the
# running kernel (naming the distribution's package). The checks read
# fixture trees through UB_SYSROOT.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp"	# the unprivileged case must see the fixtures
trap 'rm -rf "$tmp"' EXIT
krel=$(uname -r)

# check DESC EXPECTED-REGEX [ENV...] -- [RUNNER...]: bench.sh must fail, say
# EXPECTED and leave no run directory behind.
check() {
	local desc=$1 want=$2; shift 2
	local envs=() runner=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	runner=("$@")
	local out=$tmp/out-$RANDOM
	if env "${envs[@]}" UB_OUT="$out" "${runner[@]}" "$top/bench/bench.sh" quick >"$tmp/log" 2>&1; then
		echo "not ok - $desc (bench.sh succeeded)"
	elif ! grep -qE "$want" "$tmp/log"; then
		echo "not ok - $desc (message lacks /$want/)"; sed 's/^/#   /' "$tmp/log"
	elif [ -e "$out" ] || ls -d "$tmp"/.out-* >/dev/null 2>&1; then
		echo "not ok - $desc (left a run directory)"
	else
		echo "ok - $desc"
	fi
}

mkdir -p "$tmp/nomod/proc" "$tmp/deb/proc" "$tmp/deb/etc" "$tmp/fed/proc" "$tmp/fed/etc"
touch "$tmp/deb/proc/modules" "$tmp/fed/proc/modules"
echo 'ID=debian' > "$tmp/deb/etc/os-release"
printf 'ID=fedora\nID_LIKE="rhel centos"\n' > "$tmp/fed/etc/os-release"

check "a kernel without module support points at make vm-bench" \
	"without module support.*" UB_SYSROOT="$tmp/nomod"
grep -q "make vm-bench" "$tmp/log" && echo "ok - ...and names make vm-bench" ||
	echo "not ok - ...and names make vm-bench"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	check "not root: says to run it as root" "needs root.*sudo make bench" \
		UB_SYSROOT="$tmp/deb" -- setpriv --reuid=65534 --regid=65534 --clear-groups
else
	echo "ok - not root: says to run it as root # SKIP needs root and setpriv to drop privileges"
fi

if [ "$(id -u)" = 0 ]; then
	check "no build tree (Debian): names linux-headers-$krel" \
		"apt-get install linux-headers-$krel" UB_SYSROOT="$tmp/deb" KDIR="$tmp/none"
	check "no build tree (Fedora): names kernel-devel-$krel" \
		"here: dnf install kernel-devel-$krel" UB_SYSROOT="$tmp/fed" KDIR="$tmp/none"
else
	echo "ok - no build tree cases # SKIP the root check comes first and this is not root"
fi
