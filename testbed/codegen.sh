#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make codegen`: build the objects that hold the unmap tail twice, from
# the tree as it is (after: the PFN API) and with
# patches/pre-pfn-unmap.patch (before: the struct-page API), plus the
# module's objects against the "after" tree, then let plot/codegen.py count
# and compare their machine code. Builds are cached in UB_CACHE/codegen,
# keyed on kernel version, tree, configuration, patch and compiler.
#
# usage: codegen.sh [--into DIR] [KSRC]
#   KSRC   a kernel source tree (configured or not) or an O= build
#          directory of one. A configuration there (.config) is used as
#          the base; without one, and without KSRC (the testbed's fetched
#          tree), x86_64_defconfig + codegen.config. codegen-tdx.config is
#          merged onto either. The tree itself is never written.
#   --into DIR   write codegen.json and codegen.txt into the existing run
#          directory DIR (make bench) instead of a run directory of its own
# Environment: UB_OUT (the run directory to create; default
# results/<UTC>-codegen-<kernel version>), UB_JOBS, CC.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

into=
while [ $# -gt 0 ]; do
	case $1 in
	--into) [ $# -ge 2 ] || ub_die "--into needs a directory"; into=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) ub_die "unknown option $1 (usage: codegen.sh [--into DIR] [KSRC])" ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || ub_die "usage: codegen.sh [--into DIR] [KSRC]"
ksrc=${1:-}
start_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cmdline=("$0" ${into:+--into "$into"} "$@")
patch=$UB_TESTBED_DIR/patches/pre-pfn-unmap.patch
frags=("$UB_TESTBED_DIR/codegen-tdx.config")

# Where the source is and which configuration to start from.
if [ -z "$ksrc" ]; then
	src=$("$UB_TESTBED_DIR/fetch-kernel.sh")
	base=
else
	[ -d "$ksrc" ] || ub_die "KSRC=$ksrc is not a directory"
	ksrc=$(cd "$ksrc" && pwd -P)
	src=$ksrc
	[ -e "$ksrc/source/Makefile" ] && src=$(cd "$ksrc/source" && pwd -P)
	base=
	[ -f "$ksrc/.config" ] && base=$ksrc/.config
fi
for f in arch/x86/virt/vmx/tdx/tdx.c arch/x86/kvm/vmx/tdx.c; do
	[ -f "$src/$f" ] || ub_die "no $f under $src: give a full kernel source tree (a headers-only build directory such as /lib/modules/\$(uname -r)/build is not enough)"
done
[ -n "$base" ] || frags+=("$UB_TESTBED_DIR/codegen.config")
[ -z "$into" ] || [ -d "$into" ] || ub_die "--into $into: no such run directory"
[ -z "$into" ] || [ ! -e "$into/codegen.json" ] || ub_die "$into/codegen.json exists already; not overwriting"

# Refuse early, before any build, when the patch does not apply.
pre_tree=$("$UB_TESTBED_DIR/patch-tree.sh" "$src" "$patch")
post_tree=$src
if [ -e "$src/.config" ] || [ -d "$src/include/config" ] ||
   [ -d "$src/arch/x86/include/generated" ]; then
	# Configured in-tree: O= builds need a view without that state.
	post_tree=$("$UB_TESTBED_DIR/patch-tree.sh" "$src" none)
fi

kver=$(make -s -C "$src" kernelversion)
cc=${CC:-gcc}
ccver=$("$cc" --version | head -n1)
phash=$(sha256sum < "$patch" | cut -c1-64)
cfg_desc=${base:-x86_64_defconfig}
for f in "${frags[@]}"; do cfg_desc+=" + ${f#"$UB_TOP"/}"; done
key=$( { echo "$src $kver $ccver $phash"; cat ${base:+"$base"} "${frags[@]}"; } |
	sha256sum | cut -c1-12)
work=$UB_CACHE/codegen/$kver-$key
objs=(arch/x86/virt/vmx/tdx/tdx.o arch/x86/kvm/vmx/tdx.o)

# The run directory (results/README.md): .NAME.partial with status
# "running" until everything is written; a failure leaves it with a status
# saying why. With --into, only the two files go into DIR.
if [ -n "$into" ]; then
	dest=$into
else
	out=${UB_OUT:-$UB_TOP/results/$(date -u +%Y%m%dT%H%M%SZ)-codegen-$kver}
	dest=$(dirname "$out")/.$(basename "$out").partial
	[ ! -e "$out" ] || ub_die "$out exists already; not overwriting"
	[ ! -e "$dest" ] || ub_die "$dest exists already; not overwriting"
	mkdir -p "$dest"
	echo running > "$dest/status"
	trap 'rc=$?; [ $rc = 0 ] || echo "failed: exit status $rc during $step" > "$dest/status"' EXIT
	trap 'echo "interrupted: SIGINT during $step" > "$dest/status"; trap - EXIT; exit 130' INT
	trap 'echo "interrupted: SIGTERM during $step" > "$dest/status"; trap - EXIT; exit 143' TERM
fi
step="waiting for the build lock"
jobs=${UB_JOBS:-$(nproc)}
mkdir -p "$UB_CACHE/codegen"
exec 9> "$work.lock"
if ! flock -n 9; then
	ub_log "another codegen build in $work is running; waiting for it"
	flock 9
fi

# build_side NAME TREE [EXTRA TARGETS]: configure and build the objects once.
build_side() {
	local side=$1 o=$work/$1 tree=$2
	shift 2
	[ -f "$o/.ub-built" ] && return 0
	step="configuring and building the $side tree"
	ub_log "codegen: configuring $kver ($side) in $o"
	rm -rf "$o"; mkdir -p "$o"
	if [ -n "$base" ]; then
		cp "$base" "$o/.config"
	else
		make -s -C "$tree" O="$o" CC="$cc" x86_64_defconfig >&2
	fi
	(cd "$o" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "${frags[@]}" >"$o/merge.log" 2>&1) ||
		ub_die "merge_config.sh failed: see $o/merge.log"
	make -s -C "$tree" O="$o" CC="$cc" olddefconfig >&2
	ub_check_config "$o/.config" "${frags[@]}" ||
		ub_die "codegen config did not apply to $kver (see above)"
	ub_log "codegen: building ${objs[*]} $* with -j$jobs"
	make -s -C "$tree" O="$o" CC="$cc" -j"$jobs" "${objs[@]}" "$@" >&2 ||
		ub_die "building the $side objects failed"
	touch "$o/.ub-built"
}
build_side after "$post_tree" modules_prepare
build_side before "$pre_tree"

# The module's objects, built against the "after" tree from a copy of
# kmod/ (the tree's kmod/ is never written), keyed on their sources.
khash=$(ub_kmod_hash)
kmod=$work/kmod-$khash
if [ ! -f "$kmod/.ub-built" ]; then
	step="building the module's objects"
	ub_log "codegen: building the module's objects in $kmod"
	rm -rf "$kmod"; mkdir -p "$kmod"
	ub_kmod_copy "$kmod"
	# Objects only: modpost cannot resolve symbols without a built vmlinux.
	make -s -C "$work/after" M="$kmod" CC="$cc" KBUILD_MODPOST_WARN=1 -j"$jobs" modules >"$kmod/build.log" 2>&1 ||
		{ tail -n 20 "$kmod/build.log" >&2; ub_die "building the module's objects failed (see above)"; }
	touch "$kmod/.ub-built"
fi

step="the analysis (plot/codegen.py)"
python3 "$UB_TOP/plot/codegen.py" analyse \
	--before "$work/before" --after "$work/after" --kmod "$kmod" \
	--src "$src" --kver "$kver" --compiler "$ccver" --config "$cfg_desc" \
	--patch "$patch" --start-utc "$start_utc" \
	${into:+--into} --out "$dest" -- "${cmdline[@]}"
if [ -z "$into" ]; then
	echo complete > "$dest/status"
	mv "$dest" "$out"
	trap - EXIT INT TERM
	dest=$out
fi
python3 "$UB_TOP/plot/codegen.py" --summary "$dest"
echo "codegen: $dest/codegen.txt"
