# SPDX-License-Identifier: GPL-2.0
# Shared settings for the testbed scripts. Source it; do not run it.

# Everything large lives outside the clone.
UB_CACHE=${UB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unmapbench}
# Kernel series the suite is built on; the PFN API exists from 7.2 on.
UB_KSERIES=${UB_KSERIES:-7.2}
UB_TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UB_TOP=$(cd "$UB_TESTBED_DIR/.." && pwd)

ub_die() { echo "testbed: error: $*" >&2; exit 1; }
ub_log() { echo "testbed: $*" >&2; }

# Set UB_APT_OPTS to apt options that read a private sources list for
# Debian's sid suite (binary and source) kept in the cache, and update it.
# The system's apt configuration and lists are never touched.
ub_sid_apt_setup() {
	local apt_dir=$UB_CACHE/apt uri="" f keyring
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
	# The archive URI comes from the system's own Debian sources.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /debian\/?$/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || ub_die "no Debian archive URI found in /etc/apt/sources.list{,.d}"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$keyring" ] || ub_die "missing $keyring (install debian-archive-keyring)"
	{
		echo "deb [signed-by=$keyring] $uri sid main"
		echo "deb-src [signed-by=$keyring] $uri sid main"
	} > "$apt_dir/sources.list"
	UB_APT_OPTS=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
		     -o "Dir::Etc::sourceparts=-"
		     -o "Dir::State::Lists=$apt_dir/lists"
		     -o "Dir::Cache::Archives=$apt_dir/archives"
		     -o "APT::Get::List-Cleanup=0"
		     -o "APT::Sandbox::User=root")
	ub_log "apt-get update (private list: $uri sid)"
	apt-get "${UB_APT_OPTS[@]}" update -q >&2 ||
		ub_die "apt-get update of the private sid list failed"
}

# ub_check_config CONFIG FRAGMENT...: every option the fragments ask for
# must really be set in CONFIG (Kconfig silently drops what an unmet
# dependency forbids). Prints each miss; returns 1 if any.
ub_check_config() {
	local config=$1 line want got bad=0
	shift
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		want=$line
		case "$line" in *=n) want="# ${line%%=*} is not set" ;; esac
		if ! grep -qx "$want" "$config"; then
			got=$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo "absent")
			echo "testbed: config: asked for $line, got: $got" >&2
			bad=1
		fi
	done < <(cat "$@")
	return $bad
}

# The module's sources as a Kbuild needs them (no build products):
# ub_kmod_hash prints a hash of them, ub_kmod_copy DEST mirrors them into
# DEST (files removed from kmod/ are removed there too).
UB_KMOD_SOURCES=(-name '*.[chS]' -o -name '*.def' -o -name Kbuild -o -name Makefile)
ub_kmod_hash() {
	(cd "$UB_TOP/kmod" && find . \( "${UB_KMOD_SOURCES[@]}" \) -type f |
		LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}
ub_kmod_copy() {
	rsync -a --delete --include='*/' --include='*.[chS]' --include='*.def' \
		--include=Kbuild --include=Makefile --exclude='*' "$UB_TOP/kmod/" "$1/"
}
