#!/bin/sh
# Installs what xenpmd needs to build and test on Debian 12, as root, and
# downloads the DPDK driver SDK headers' source package. Idempotent: installs
# only what is missing and runs 'apt-get update' only when it has to.
#
#   devtools/install-deps.sh            build + test dependencies
#   devtools/install-deps.sh --lab      also what the real-Xen lab needs
#   devtools/install-deps.sh --bench    also what devtools/bench plots with
set -eu

BUILD_PKGS="gcc make libdpdk-dev dpdk-dev libxen-dev xenstore-utils meson
ninja-build pkg-config dpkg-dev patch xz-utils python3 binutils procps"
# The lab's Xen and Linux packages are never installed on the host:
# test/xenlab/build.sh fetches them with 'apt-get download' and unpacks them.
LAB_PKGS="qemu-system-x86 busybox-static cpio kmod"

here=$(cd "$(dirname "$0")" && pwd)

pkgs=$BUILD_PKGS
[ "${1:-}" = "--lab" ] && pkgs="$pkgs $LAB_PKGS"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs gnuplot-nox"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (it installs Debian packages)" >&2
	exit 1
fi

missing() {
	for p in $pkgs; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			echo "$p"
	done
}

# deb-src entries for the Debian suites apt already uses, so that
# 'apt-get source dpdk=<installed version>' can work.
add_deb_src() {
	if apt-get indextargets 2>/dev/null | grep -q '^MetaKey: .*/source/Sources'; then
		return 1
	fi
	out=/etc/apt/sources.list.d/xenpmd-deb-src.sources
	: >"$out.tmp"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		[ "$f" = "$out" ] && continue
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
		     /(^|\n)Types:[^\n]*deb([ \t\n]|$)/ && /URIs:[^\n]*debian/ && !/Enabled: *no/ {
			sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$out.tmp"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# One-line format: turn each debian 'deb' line into a deb822 stanza.
		awk '$1 == "deb" && /debian/ {
			i = 2; opts = ""
			if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $i, $(i+1)
			for (j = i + 2; j <= NF; j++) printf " %s", $j
			printf "\n\n" }' "$f" >>"$out.tmp"
	done
	if [ -s "$out.tmp" ]; then
		mv "$out.tmp" "$out"
		echo "install-deps: added deb-src entries in $out"
		return 0
	fi
	rm -f "$out.tmp"
	echo "install-deps: no Debian 'deb' entry found to derive a deb-src entry from" >&2
	return 1
}

need=$(missing)
if [ -n "$need" ]; then
	echo "install-deps: installing" $need
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

if add_deb_src; then
	apt-get update -qq
fi

"$here/dpdk-sdk-headers.sh" --fetch
echo "install-deps: done"
