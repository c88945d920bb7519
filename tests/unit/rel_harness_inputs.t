#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Issue 8, harness inputs: malformed options and profiles, a full disk and
# a results directory that cannot be written. Every refusal must be a
# clear error (non-zero exit, a message naming the offending token or the
# system error) and must never leave a directory named like a complete
# result: a visibly partial ".NAME.partial" with a status saying why is
# fine; "NAME" is only allowed when the command succeeded and its status
# says "complete".
#
# Runs against the host build of the harness (harness/unmapbench) with its
# native build of the module's code (UB_WHERE=native), so no kernel module is needed.
# The disk tests mount small tmpfs instances inside a private mount
# namespace (unshare -m); without root or unshare they are skipped.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
UB=${UB_BIN:-$TOP/harness/unmapbench}
export UB_WHERE=native
fails=0
ok()   { echo "ok - $*"; }
nok()  { echo "not ok - $*"; fails=$((fails + 1)); }
skip() { d=$1; shift; echo "ok - $d # SKIP $*"; }
show() { sed 's/^/#   /' "$@" | head -15; }

if [ ! -x "$UB" ]; then
	nok "harness binary $UB exists (make harness)"
	exit 1
fi

# Re-run inside a private mount namespace so that the tmpfs mounts below
# vanish with this process whatever happens.
if [ -z "${REL_IN_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
   unshare -m --propagation private true 2>/dev/null; then
	REL_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/rel-harness.XXXXXX")
cleanup() {
	for m in "$W"/mnt-*; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
	rm -rf "$W"
}
trap cleanup EXIT

# no_complete_dir DESC DIR RC: after a failed command, DIR must not exist;
# a .NAME.partial may, with a status other than "complete".
no_complete_dir() {
	local d=$1 out=$2 rc=$3 base parent st
	base=$(basename "$out") parent=$(dirname "$out")
	if [ -e "$out" ]; then
		st=$(cat "$out/status" 2>/dev/null)
		if [ "$rc" = 0 ] && [ "$st" = complete ]; then return 0; fi
		nok "$d: '$out' exists after exit $rc (status '$st'): looks complete"
		return 1
	fi
	if [ -d "$parent/.$base.partial" ]; then
		st=$(cat "$parent/.$base.partial/status" 2>/dev/null)
		if [ "$st" = complete ]; then
			nok "$d: partial directory says 'complete'"
			return 1
		fi
		# The process has ended: its status must say why, not "running".
		if [ "$st" = running ]; then
			nok "$d: partial directory still says 'running' after exit $rc"
			return 1
		fi
	fi
	return 0
}

# complete_ok DIR: status "complete", meta.json parses, every CSV parses
# with as many cells per row as its header has.
complete_ok() {
	[ "$(cat "$1/status" 2>/dev/null)" = complete ] || return 1
	python3 - "$1" <<'PY'
import csv, glob, json, os, sys
d = sys.argv[1]
meta = json.load(open(os.path.join(d, "meta.json")))
if meta.get("status") != "complete":
    sys.exit(f"meta.json says status {meta.get('status')!r} in a complete run")
if glob.glob(os.path.join(d, "*.tmp")):
    sys.exit(f"temporary files left: {glob.glob(os.path.join(d, '*.tmp'))}")
for f in glob.glob(os.path.join(d, "*.csv")):
    rows = list(csv.reader(open(f)))
    if not rows:
        sys.exit(f"{f}: empty")
    for r in rows[1:]:
        if len(r) != len(rows[0]):
            sys.exit(f"{f}: row of {len(r)} cells, header has {len(rows[0])}")
PY
}

# ---------------------------------------------------------------- options
# bad_opt DESC TOKEN CMD...: exit 2, message names TOKEN, no run directory.
bad_opt() {
	local d=$1 tok=$2 rc out=$W/o-$RANDOM; shift 2
	"$UB" "$@" --out "$out" >"$W/stdout" 2>"$W/stderr"
	rc=$?
	if [ $rc = 2 ] && grep -qF -- "$tok" "$W/stderr"; then
		if [ -e "$out" ] || [ -e "$(dirname "$out")/.$(basename "$out").partial" ]; then
			nok "option $d: refused (exit 2) but created a run directory"
		else
			ok "option $d: exit 2, message names '$tok'"
		fi
	else
		nok "option $d: exit $rc (want 2) naming '$tok'"
		show "$W/stderr"
	fi
}

bad_opt "--pages 12x" "12x" micro --pages 12x
bad_opt "--pages 0" "0" micro --pages 0
bad_opt "--pages overflow" "99999999999999999999999" micro --pages 99999999999999999999999
bad_opt "--pages -5" "-5" micro --pages -5
bad_opt "--pages empty item" "1,,2" micro --pages 1,,2
bad_opt "--size 1Q" "1Q" micro --size 1Q
bad_opt "--granule 3m" "3m" micro --granule 3m
bad_opt "--backend foo" "foo" micro --backend foo
bad_opt "--reset maybe" "maybe" micro --reset maybe
bad_opt "--cache lukewarm" "lukewarm" micro --cache lukewarm
bad_opt "--timer sundial" "sundial" micro --timer sundial
bad_opt "--threads 0" "0" micro --threads 0
bad_opt "--threads 65" "65" micro --threads 65
bad_opt "--batch 0" "0" micro --batch 0
bad_opt "--rounds x" "x" micro --rounds x
bad_opt "--seed abc" "abc" micro --seed abc
bad_opt "--max-wall 5parsecs" "5parsecs" micro --max-wall 5parsecs
bad_opt "--irq-off 2" "2" micro --irq-off 2
bad_opt "--cpus 0-" "0-" micro --cpus 0-
bad_opt "--repeat 0" "0" micro --repeat 0
bad_opt "--scale sideways" "sideways" micro --scale sideways
bad_opt "range with step 0" "1-8:0" micro --pages 1-8:0
bad_opt "range factor 1" "1-8*1" micro --pages '1-8*1'
bad_opt "unknown option" "--frobnicate" micro --frobnicate 1
bad_opt "missing value" "--rounds" micro --rounds
bad_opt "teardown --vm-type foo" "foo" teardown --vm-type foo
bad_opt "teardown --size 0" "0" teardown --size 0
bad_opt "teardown --size 4Z" "4Z" teardown --size 4Z
bad_opt "teardown --vms 0" "0" teardown --vms 0
bad_opt "teardown --trigger nope" "nope" teardown --trigger nope
bad_opt "teardown --populate x" "x" teardown --populate x
bad_opt "teardown --page-size 3k" "3k" teardown --page-size 3k
bad_opt "run: two profiles" "quick" run quick quick

"$UB" frobnicate >"$W/stdout" 2>"$W/stderr"; rc=$?
if [ $rc = 2 ] && grep -q frobnicate "$W/stderr"; then ok "unknown command: exit 2, named"
else nok "unknown command: exit $rc"; show "$W/stderr"; fi
"$UB" >"$W/stdout" 2>"$W/stderr"; rc=$?
if [ $rc = 2 ]; then ok "no command: exit 2"; else nok "no command: exit $rc"; fi

# --------------------------------------------------------------- profiles
# bad_profile DESC TOKEN TEXT: `run FILE` fails (exit 1 or 2), names the
# file:line (or the file) and TOKEN, and leaves no complete-looking result.
bad_profile() {
	local d=$1 tok=$2 text=$3 f=$W/prof-$RANDOM out=$W/p-$RANDOM rc
	printf '%b' "$text" > "$f"
	"$UB" run --out "$out" "$f" >"$W/stdout" 2>"$W/stderr"
	rc=$?
	if { [ $rc = 1 ] || [ $rc = 2 ]; } && grep -qF "$(basename "$f")" "$W/stderr" &&
	   grep -qF -- "$tok" "$W/stderr"; then
		no_complete_dir "profile $d" "$out" $rc &&
			ok "profile $d: exit $rc, names the file and '$tok'"
	else
		nok "profile $d: exit $rc, message should name $(basename "$f") and '$tok'"
		show "$W/stderr"
	fi
}

bad_profile "unknown command" "frobnicate" "micro pages=4 rounds=2\nfrobnicate a=b\n"
bad_profile "bad value" "12x" "micro pages=12x\n"
bad_profile "unknown key" "frob" "micro frob=1\n"
bad_profile "unterminated quote" 'label=' 'micro label="abc\n'
bad_profile "bad value on line 3" ":3" "# c\ndescription x\nmicro rounds=zero\n"
bad_profile "defaults for unknown command" "bogus" "defaults bogus a=1\nmicro pages=4\n"
bad_profile "include of a missing profile" "no-such-profile-xyz" "include no-such-profile-xyz\n"
bad_profile "teardown bad size" "7Q" "teardown size=7Q\n"

# Include loop: a includes b includes a.
printf 'include %s\n' "$W/loop-b" > "$W/loop-a"
printf 'include %s\nmicro pages=4 rounds=2\n' "$W/loop-a" > "$W/loop-b"
timeout 20 "$UB" run --out "$W/loop-out" "$W/loop-a" >"$W/stdout" 2>"$W/stderr"; rc=$?
if [ $rc = 1 ] || [ $rc = 2 ]; then
	no_complete_dir "profile include loop" "$W/loop-out" $rc &&
		ok "profile include loop: refused (exit $rc)"
	show "$W/stderr" | head -2
else
	nok "profile include loop: exit $rc (124 = hung)"; show "$W/stderr"
fi

# No runs at all / binary garbage / a directory / a huge line / missing.
for case in empty garbage dir longline missing eofcont; do
	f=$W/prof-$case out=$W/out-$case
	case $case in
	empty) : > "$f" ;;
	garbage) head -c 4096 /dev/urandom > "$f" ;;
	dir) mkdir -p "$f" ;;
	longline) { printf 'micro label='; head -c 200000 /dev/zero | tr '\0' a; echo; } > "$f" ;;
	missing) f=$W/does-not-exist ;;
	eofcont) printf 'micro pages=4 rounds=2 \\' > "$f" ;;	# "\" then EOF
	esac
	timeout 20 "$UB" run --out "$out" "$f" >"$W/stdout" 2>"$W/stderr"; rc=$?
	if { [ $case = longline ] || [ $case = eofcont ]; } && [ $rc = 0 ]; then
		# Legal input (a long label; a continuation ended by EOF): it
		# must then be a complete result.
		if complete_ok "$out" 2>"$W/py"; then ok "profile $case: accepted, complete"
		else nok "profile $case: exit 0 but not a complete result"; show "$W/py"; fi
	elif [ $rc = 1 ] || [ $rc = 2 ]; then
		no_complete_dir "profile $case" "$out" $rc &&
			ok "profile $case: refused (exit $rc): $(head -c 150 "$W/stderr" | tr '\n' ' ' | tr -cd '[:print:]')"
	else
		nok "profile $case: exit $rc"; show "$W/stderr"
	fi
done

# --out naming an existing directory or a path through a file.
mkdir -p "$W/exists" && echo keep > "$W/exists/file"
"$UB" micro --pages 4 --rounds 2 --out "$W/exists" >"$W/stdout" 2>"$W/stderr"; rc=$?
if [ $rc != 0 ] && [ "$(cat "$W/exists/file")" = keep ] && [ ! -e "$W/exists/status" ] &&
   grep -q exists "$W/stderr"; then ok "--out an existing directory: refused, untouched"
else nok "--out an existing directory: exit $rc"; show "$W/stderr"; fi
echo x > "$W/afile"
"$UB" micro --pages 4 --rounds 2 --out "$W/afile/r" >"$W/stdout" 2>"$W/stderr"; rc=$?
if [ $rc != 0 ] && grep -qi "not a directory" "$W/stderr"; then ok "--out under a file: clear error"
else nok "--out under a file: exit $rc"; show "$W/stderr"; fi

# ------------------------------------------------------------ disk errors
if [ -z "${REL_IN_NS:-}" ]; then
	skip "full disk and read-only results directory" \
	     "needs root and unshare -m to mount tmpfs privately (uid $(id -u))"
	echo "# $fails failures"
	[ $fails = 0 ]
	exit
fi

mnt=$W/mnt-full
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=512k,nr_inodes=64 tmpfs "$mnt" 2>"$W/stderr"; then
	skip "full disk" "mount tmpfs: $(cat "$W/stderr")"
else
	# Leave 0..15 pages free (and once, no inode free) so that every file
	# of the run directory gets its turn at being the one that fails.
	hit=0
	for free in 0 1 2 3 4 5 6 7 8 9 10 11 12 14 16 inodes; do
		rm -rf "${mnt:?}"/* "$mnt"/.[!.]* 2>/dev/null
		if [ $free = inodes ]; then
			i=0; while touch "$mnt/i$i" 2>/dev/null; do i=$((i + 1)); done
		else
			dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
			avail=$(( $(stat -f -c %a "$mnt") ))
			if [ $avail -lt $free ] || [ $free -gt 0 ]; then
				sz=$(( $(stat -c %s "$mnt/fill") / 4096 - free ))
				[ $sz -lt 0 ] && sz=0
				truncate -s $((sz * 4096)) "$mnt/fill"
			fi
		fi
		out=$mnt/r-$free
		"$UB" micro --pages 64 --rounds 20 --out "$out" >"$W/stdout" 2>"$W/stderr"
		rc=$?
		d="full disk ($free pages free)"
		if [ $rc = 0 ]; then
			# Success must mean complete and readable.
			if complete_ok "$out" 2>"$W/py"; then
				ok "$d: enough room: complete result"
			else
				nok "$d: exit 0 but the result is not complete/readable"
				show "$W/py"
			fi
			continue
		fi
		hit=$((hit + 1))
		if grep -qiE "no space left|ENOSPC|disk full|space" "$W/stderr"; then
			no_complete_dir "$d" "$out" $rc &&
				ok "$d: exit $rc, says '$(grep -iE 'space' "$W/stderr" | head -1 | cut -c1-110)'"
		else
			nok "$d: exit $rc without saying the disk is full"
			show "$W/stderr"
			no_complete_dir "$d" "$out" $rc
		fi
	done
	if [ $hit -gt 0 ]; then ok "full disk: $hit of the cases ran out of space"
	else nok "full disk: no case ran out of space (test did not bite)"; fi
	umount -l "$mnt"
fi

# Read-only results directory (root ignores permissions: a read-only mount).
ro=$W/mnt-ro
mkdir -p "$ro"
if mount -t tmpfs -o size=1m tmpfs "$ro" && mkdir "$ro/results" &&
   mount -o remount,ro "$ro"; then
	for out in "$ro/results/r1" "$ro/new/r2"; do
		"$UB" micro --pages 4 --rounds 2 --out "$out" >"$W/stdout" 2>"$W/stderr"; rc=$?
		d="read-only results directory ($out)"
		if [ $rc != 0 ] && grep -qi "read-only" "$W/stderr"; then
			no_complete_dir "$d" "$out" $rc && ok "$d: exit $rc, says read-only"
		else
			nok "$d: exit $rc without a clear error"; show "$W/stderr"
		fi
	done
	umount -l "$ro"
else
	skip "read-only results directory" "cannot mount a read-only tmpfs"
fi

# A results directory that turns read-only mid-run is the full-disk case's
# twin; a results parent made immutable (chattr +i) where supported.
imm=$W/imm
mkdir -p "$imm"
if chattr +i "$imm" 2>/dev/null; then
	"$UB" micro --pages 4 --rounds 2 --out "$imm/r" >"$W/stdout" 2>"$W/stderr"; rc=$?
	chattr -i "$imm"
	if [ $rc != 0 ] && grep -qiE "not permitted|permission" "$W/stderr"; then
		no_complete_dir "immutable results directory" "$imm/r" $rc &&
			ok "immutable results directory: exit $rc, clear error"
	else
		nok "immutable results directory: exit $rc"; show "$W/stderr"
	fi
else
	skip "immutable results directory" "chattr +i not supported on $(stat -f -c %T "$imm")"
fi

echo "# $fails failures"
[ $fails = 0 ]
