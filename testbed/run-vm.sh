#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the testbed kernel in QEMU, run one guest job, bring its results
# back and exit with the job's status.
#
# usage: run-vm.sh [-t SECONDS] [-o OUTDIR] JOB[:ARG]
#   -t   hard timeout for the whole VM (default 900 s)
#   -o   where the guest's /out lands (default: a new temporary directory,
#        printed on stderr)
# Environment: UB_ACCEL=auto|tcg|kvm, UB_VM_MEM (MiB per node, default
# 1024), UB_VM_CPUS (default 2), UB_FLAVOUR=default|debug (kernel),
# UB_APPEND (extra kernel command line, e.g. ub.fuzz=1000000),
# KDIR (default: build-kernel.sh's tree for UB_FLAVOUR).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout_s=900 outdir=
while getopts t:o: opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) ub_die "usage: run-vm.sh [-t SECONDS] [-o OUTDIR] JOB[:ARG]" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || ub_die "usage: run-vm.sh [-t SECONDS] [-o OUTDIR] JOB[:ARG]"
job=$1

command -v qemu-system-x86_64 >/dev/null ||
	ub_die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
kdir=${KDIR:-$("$UB_TESTBED_DIR/build-kernel.sh")}
bz=$kdir/arch/x86/boot/bzImage
[ -f "$bz" ] || ub_die "no kernel at $bz: run 'make testbed'"

# TCG unless /dev/kvm can really run a guest: a PVM-backed /dev/kvm
# (kvm_pvm) creates VMs but cannot run ordinary guests.
accel=${UB_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] &&
	   grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=kvm
	fi
fi
case $accel in
tcg) cpu=max ;;
kvm) cpu=host ;;
*) ub_die "UB_ACCEL must be auto, tcg or kvm" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$UB_TESTBED_DIR/mkinitramfs.sh" "$kdir" "$work/initramfs.cpio.gz"
truncate -s "${UB_VM_DISK_MB:-512}M" "$work/results.img"

mem=${UB_VM_MEM:-1024} cpus=${UB_VM_CPUS:-2}
krel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || echo unknown)
qemu=(qemu-system-x86_64 -M q35 -accel "$accel" -cpu "$cpu" -smp "$cpus,sockets=2,cores=$((cpus / 2)),threads=1"
	-m "$((2 * mem))M"
	-object "memory-backend-ram,id=m0,size=${mem}M"
	-object "memory-backend-ram,id=m1,size=${mem}M"
	-numa "node,nodeid=0,cpus=0-$((cpus / 2 - 1)),memdev=m0"
	-numa "node,nodeid=1,cpus=$((cpus / 2))-$((cpus - 1)),memdev=m1"
	-drive "file=$work/results.img,format=raw,if=virtio"
	-kernel "$bz" -initrd "$work/initramfs.cpio.gz"
	-append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 ub.job=$job ub.env=qemu-$accel ${UB_APPEND:-}"
	-display none -serial stdio -monitor none -no-reboot)
ub_log "kernel $krel, accel $accel, job $job, timeout ${timeout_s}s"
[ -n "${UB_VERBOSE:-}" ] && ub_log "${qemu[*]}"
echo "${qemu[*]}" > "$work/qemu-cmdline"

set +e
timeout --signal=KILL "$timeout_s" "${qemu[@]}" < /dev/null > "$work/console.log" 2>&1
qrc=$?
set -e
[ -n "${UB_VERBOSE:-}" ] && cat "$work/console.log" >&2

if [ -z "$outdir" ]; then
	outdir=$(mktemp -d "${TMPDIR:-/tmp}/ub-vm.XXXXXX")
	ub_log "guest results in $outdir"
fi
mkdir -p "$outdir"
cp "$work/console.log" "$work/qemu-cmdline" "$outdir/"
tar -xf "$work/results.img" -C "$outdir" 2>/dev/null || true

if [ $qrc = 137 ]; then
	ub_log "VM killed after the ${timeout_s}s timeout; console tail:"
	tail -n 30 "$work/console.log" >&2
	exit 124
fi
st=$(sed -n 's/^UB-EXIT-STATUS: \([0-9]*\).*/\1/p' "$work/console.log" | tail -n1)
if [ -z "$st" ]; then
	ub_log "guest ended without an exit status (qemu rc $qrc); console tail:"
	tail -n 30 "$work/console.log" >&2
	exit 125
fi
exit "$st"
