#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-<series> from the sid suite into the cache,
# using a private apt sources list: the system's apt configuration and its
# package lists are never touched, and nothing from sid is installed.
#
# Prints the path of the extracted tree on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$UB_CACHE/src"

# Reuse an extracted tree when one is there (the stamp is written last).
stamp=$(ls -d "$UB_CACHE"/src/linux-source-*/.ub-extracted 2>/dev/null | sort -V | tail -n1 || true)
if [ -n "$stamp" ] && [ -z "${UB_REFETCH:-}" ]; then
	dirname "$stamp"
	exit 0
fi

ub_sid_apt_setup
apt_opts=("${UB_APT_OPTS[@]}")

# Take linux-source-<series>; if sid has moved on, the newest 7.x it offers.
pkg=linux-source-$UB_KSERIES
if ! apt-cache "${apt_opts[@]}" show "$pkg" >/dev/null 2>&1; then
	pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-source-7. 2>/dev/null | sort -V | tail -n1)
	[ -n "$pkg" ] || ub_die "sid offers neither linux-source-$UB_KSERIES nor any linux-source-7.*"
	ub_log "linux-source-$UB_KSERIES is gone from sid; using $pkg"
fi
ver=$(apt-cache "${apt_opts[@]}" show "$pkg" | awk '/^Version:/ { print $2; exit }')
ub_log "downloading $pkg $ver"
dl=$UB_CACHE/dl
rm -rf "$dl"; mkdir -p "$dl"
(cd "$dl" && apt-get "${apt_opts[@]}" download -q "$pkg" >&2) || ub_die "apt-get download $pkg failed"
deb=$(ls "$dl"/*.deb | head -n1)
rm -rf "$dl/x"; dpkg-deb -x "$deb" "$dl/x"
tarball=$(ls "$dl"/x/usr/src/linux-source-*.tar.* | head -n1)
[ -f "$tarball" ] || ub_die "no source tarball inside $deb"
name=$(basename "$tarball"); name=${name%.tar.*}
dest=$UB_CACHE/src/$name
rm -rf "$dest" "$dest.tmp"; mkdir -p "$dest.tmp"
ub_log "extracting $name"
tar -xf "$tarball" -C "$dest.tmp" --strip-components=1
echo "$pkg $ver" > "$dest.tmp/.ub-debian-version"
mv "$dest.tmp" "$dest"
touch "$dest/.ub-extracted"
rm -rf "$dl"
echo "$dest"
