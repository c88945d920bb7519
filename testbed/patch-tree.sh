#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A patched view of a kernel source tree that leaves the tree itself
# untouched: a tree of symbolic links to SRC (cp -as) in the cache, where
# only the files PATCH touches are real copies, patched. Made once per
# (SRC, the touched files' contents, PATCH) and reused.
# Prints the view's path on stdout.
#
# usage: patch-tree.sh SRC PATCH     PATCH applied (refused if it does not apply)
#        patch-tree.sh SRC none      no patch: a clean view of a configured
#                                    tree (its in-tree build state left out),
#                                    for O= builds
# A PATCH that does not apply gets one line on stderr and exit status 1,
# before anything is written.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# = 2 ] || ub_die "usage: patch-tree.sh SRC PATCH|none"
src=$(cd "$1" 2>/dev/null && pwd -P) || ub_die "no source tree at $1"
patch=$2
[ -f "$src/Makefile" ] || ub_die "$src is not a kernel source tree (no Makefile)"

if [ "$patch" = none ]; then
	files=() phash=none pname=clean
else
	[ -f "$patch" ] || ub_die "no patch file $patch"
	patch=$(cd "$(dirname "$patch")" && pwd -P)/$(basename "$patch")
	mapfile -t files < <(sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$patch")
	[ ${#files[@]} -gt 0 ] || ub_die "$patch touches no file (no '+++ b/' line)"
	phash=$(sha256sum < "$patch" | cut -c1-12)
	pname=$(basename "$patch" .patch)
	# Refuse before writing anything: a dry run against SRC itself.
	log=$(cd "$src" && patch -p1 --dry-run --batch -N --fuzz=0 < "$patch" 2>&1) || {
		why=$(printf '%s\n' "$log" | grep -m1 -iE 'FAILED|Reversed|can.t find|No file' || true)
		file=$(printf '%s\n' "$log" | grep -B3 -m1 -iE 'FAILED|Reversed' |
			sed -n 's/^checking file //p; s/^patching file //p' | tail -n1)
		case $why in
		*Reversed*) why="it looks applied already" ;;
		"") why=$(printf '%s\n' "$log" | head -n1) ;;
		esac
		echo "testbed: error: $(basename "$patch") does not apply to $src${file:+ ($file)}: ${why%.}; this tree's code is not the one the patch was written for" >&2
		exit 1
	}
fi

# The key covers the tree's identity and the files the view replaces.
sums=$(cd "$src" && { [ ${#files[@]} = 0 ] || sha256sum -- "${files[@]}"; })
key=$(printf '%s\n%s\n%s\n' "$src" "$phash" "$sums" | sha256sum | cut -c1-12)
dest=$UB_CACHE/trees/$(basename "$src")-$pname-$key
if [ -f "$dest/.ub-tree" ]; then
	echo "$dest"
	exit 0
fi
mkdir -p "$UB_CACHE/trees"
exec 8> "$dest.lock"
flock 8
if [ -f "$dest/.ub-tree" ]; then
	echo "$dest"
	exit 0
fi
rm -rf "$dest" "$dest.tmp"
ub_log "making a view of $src${files:+ with $(basename "$patch")} in $dest"
cp -as "$src" "$dest.tmp"
# In-tree build state of a configured tree would make O= builds refuse.
rm -rf "$dest.tmp/.config" "$dest.tmp/include/config" \
	"$dest.tmp/include/generated" "$dest.tmp/arch/x86/include/generated"
for f in "${files[@]}"; do
	# A real copy first: patching through the link would write to SRC.
	if [ -e "$src/$f" ]; then
		cp --remove-destination "$src/$f" "$dest.tmp/$f"
	fi
done
if [ "$patch" != none ]; then
	(cd "$dest.tmp" && patch -p1 --batch -N --fuzz=0 -s --no-backup-if-mismatch < "$patch" >&2) ||
		ub_die "$(basename "$patch") failed on the copy in $dest.tmp"
	for f in "${files[@]}"; do
		[ ! -L "$dest.tmp/$f" ] || ub_die "$dest.tmp/$f is still a link to the source"
	done
	cp "$patch" "$dest.tmp/.ub-patch"
fi
printf '%s\n' "$src" > "$dest.tmp/.ub-tree"
mv "$dest.tmp" "$dest"
echo "$dest"
