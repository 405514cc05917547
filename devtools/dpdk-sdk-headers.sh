#!/bin/sh
# Puts the five DPDK driver SDK headers that Debian's libdpdk-dev does not ship
# into OUTDIR, taken from Debian's dpdk source package of exactly the installed
# libdpdk-dev version. The source package is downloaded once into a cache
# directory ($XENPMD_CACHE, default /var/cache/xenpmd when writable, else
# ~/.cache/xenpmd); only the five headers are extracted.
#
#   dpdk-sdk-headers.sh OUTDIR          extract (download first if not cached)
#   dpdk-sdk-headers.sh --fetch         only make sure the cache holds the source
#
# Exit status is non-zero, with a message saying what to do, when the headers
# cannot be had; OUTDIR is then left without headers, never half-filled.
set -eu

HEADERS="lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/dev_driver.h
lib/eal/include/bus_driver.h"

die() {
	echo "dpdk-sdk-headers: $*" >&2
	exit 1
}

installed_version() {
	v=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) || true
	[ -n "$v" ] || die "libdpdk-dev is not installed; run devtools/install-deps.sh (as root)"
	echo "$v"
}

cache_dir() {
	if [ -n "${XENPMD_CACHE:-}" ]; then
		echo "$XENPMD_CACHE"
	elif mkdir -p /var/cache/xenpmd 2>/dev/null && [ -w /var/cache/xenpmd ]; then
		echo /var/cache/xenpmd
	else
		echo "${HOME:-/tmp}/.cache/xenpmd"
	fi
}

# The upstream version of a Debian version: 22.11.11-0+deb12u1 -> 22.11.11
upstream_of() {
	echo "$1" | sed -e 's/^[0-9]*://' -e 's/-[^-]*$//'
}

find_orig() {
	ls "$1"/dpdk_"$2".orig.tar.* 2>/dev/null | head -n 1
}

fetch() {
	ver=$(installed_version)
	up=$(upstream_of "$ver")
	dir=$(cache_dir)/dpdk-$ver
	mkdir -p "$dir"
	if [ -n "$(find_orig "$dir" "$up")" ] && ls "$dir"/*.dsc >/dev/null 2>&1; then
		return 0
	fi
	command -v apt-get >/dev/null || die "apt-get not found: this needs a Debian system"
	echo "dpdk-sdk-headers: downloading Debian source package dpdk=$ver into $dir" >&2
	if ! (cd "$dir" && apt-get source --download-only "dpdk=$ver" >"$dir/apt.log" 2>&1); then
		cat "$dir/apt.log" >&2
		die "could not download the source package dpdk=$ver. It must be exactly the
version of the installed libdpdk-dev. Check that apt has deb-src entries for the
suites it installs from (devtools/install-deps.sh adds them), run 'apt-get update',
and that dpdk=$ver is still offered ('apt-cache showsrc dpdk'). If libdpdk-dev was
upgraded or downgraded, run devtools/install-deps.sh again."
	fi
	[ -n "$(find_orig "$dir" "$up")" ] || die "no dpdk_$up.orig.tar.* in $dir after download"
}

extract() {
	out=$1
	ver=$(installed_version)
	up=$(upstream_of "$ver")
	pcver=$(pkg-config --modversion libdpdk 2>/dev/null) || die "pkg-config cannot find libdpdk"
	[ "$pcver" = "$up" ] || die "pkg-config reports libdpdk $pcver but libdpdk-dev is $ver;
reinstall libdpdk-dev (devtools/install-deps.sh) so that both agree"
	fetch
	dir=$(cache_dir)/dpdk-$ver
	orig=$(find_orig "$dir" "$up")
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/xenpmd-sdk.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	pats=""
	for h in $HEADERS; do
		pats="$pats --wildcards */$h"
	done
	# shellcheck disable=SC2086
	tar -C "$tmp" -xf "$orig" $pats || die "could not extract headers from $orig"
	# Debian's own patches may touch these headers: apply the ones that do.
	deb=$(ls "$dir"/dpdk_*.debian.tar.* 2>/dev/null | head -n 1)
	top=$(ls "$tmp")
	if [ -n "$deb" ]; then
		mkdir "$tmp/debian"
		tar -C "$tmp/debian" -xf "$deb"
		series="$tmp/debian/debian/patches/series"
		if [ -f "$series" ]; then
			grep -v '^#' "$series" | while read -r p _; do
				[ -n "$p" ] || continue
				f="$tmp/debian/debian/patches/$p"
				touches=0
				for h in $HEADERS; do
					grep -q "^+++ [^/]*/$h" "$f" && touches=1
				done
				[ $touches -eq 1 ] || continue
				(cd "$tmp/$top" && patch -s -p1 --no-backup-if-mismatch <"$f" >/dev/null 2>&1) || true
			done
		fi
	fi
	mkdir -p "$out.tmp"
	for h in $HEADERS; do
		[ -f "$tmp/$top/$h" ] || die "$h missing from $orig"
		cp "$tmp/$top/$h" "$out.tmp/"
	done
	echo "$ver" >"$out.tmp/VERSION"
	rm -rf "$out"
	mv "$out.tmp" "$out"
}

case "${1:-}" in
--fetch) fetch ;;
"" | -h | --help)
	sed -n '2,12p' "$0"
	exit 2
	;;
*) extract "$1" ;;
esac
