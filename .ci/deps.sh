#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian (bookworm) packages unmapbench needs. Idempotent.
set -euo pipefail
pkgs=(
	build-essential bc bison flex cpio xz-utils libelf-dev libssl-dev kmod
	file bsdextrautils debian-archive-keyring rsync	# kernel build, fetch
	qemu-system-x86 busybox-static			# testbed
	libnuma-dev					# harness
	python3 gnuplot-nox				# analysis and plots
	sparse						# kernel-side checks
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
