#!/usr/bin/env bash
# Builds the xenlab boot images from Debian packages: Xen 4.17, a Linux 6.1
# PV dom0 and a PV domU, both initramfs-only, with Debian's DPDK runtime
# (dpdk-testpmd and the libraries it loads) and our PMDs inside.
#
#   test/xenlab/build.sh [BUILD_DIR]     BUILD_DIR: a meson build dir (default: build)
#
# Nothing Xen is installed on the host: the packages are fetched with
# 'apt-get download' into $XENLAB_CACHE (default /var/cache/xenpmd/xenlab,
# kept between runs) and unpacked there with dpkg -x. The images land in
# $XENLAB_WORK (default $XENLAB_CACHE/work):
#   xen              the hypervisor (multiboot ELF)
#   vmlinuz          the dom0 kernel
#   dom0.cpio.gz     dom0: busybox, xl + xenstored + xenconsoled, xen-netback,
#                    DPDK, the netback PMD, xenlab-pkt, and the domU under /xen
#   domU.cpio.gz     domU: busybox, xenstore tools, DPDK, the netfront PMD
# Host tools: apt-get, dpkg, busybox-static, cpio, kmod, gzip, python3, ldd.
# Exit status 77: something needed cannot be had (the reason is printed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${1:-${XENPMD_BUILD:-$top/build}}
BUILD=$(cd "$BUILD" && pwd)
CACHE=${XENLAB_CACHE:-/var/cache/xenpmd/xenlab}
WORK=${XENLAB_WORK:-$CACHE/work}

skip() { echo "xenlab build: SKIP: $*" >&2; exit 77; }
say() { echo "xenlab build: $*"; }

NETFRONT_SO=$BUILD/drivers/net/netfront/librte_net_netfront.so
NETBACK_SO=$BUILD/drivers/net/netback/librte_net_netback.so
PKT=$BUILD/test/xenlab/xenlab-pkt
[ -f "$NETFRONT_SO" ] || skip "$NETFRONT_SO not built (run ninja -C $BUILD)"
[ -x "$PKT" ] || skip "$PKT not built (run ninja -C $BUILD)"

for t in apt-get dpkg cpio depmod modprobe ldconfig ldd gzip python3; do
	command -v $t >/dev/null || skip "'$t' missing on the host (devtools/install-deps.sh --lab)"
done
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx brctl ||
	skip "/bin/busybox (Debian's busybox-static) missing (devtools/install-deps.sh --lab)"
[ -x /usr/bin/dpdk-testpmd ] || skip "dpdk-testpmd missing (package dpdk)"
STDBUF=/usr/libexec/coreutils/libstdbuf.so
[ -f $STDBUF ] || skip "$STDBUF missing (package coreutils)"

mkdir -p "$CACHE/debs" "$WORK"

# ---- Debian packages: fetched once, unpacked once ----
XENVER=4.17
KVER=${XENLAB_KVER:-}
if [ -z "$KVER" ]; then
	# What linux-image-amd64 depends on, else what is already cached.
	KVER=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1)
	[ -n "$KVER" ] || KVER=$(cd "$CACHE/debs" && ls linux-image-*-amd64_*.deb 2>/dev/null |
		sed -n 's/^linux-image-\(.*-amd64\)_.*/\1/p' | sort -V | tail -1)
	[ -n "$KVER" ] || skip "no Debian linux-image-amd64 known to apt (apt-get update?)"
fi
PKGS="linux-image-$KVER xen-hypervisor-$XENVER-amd64 xen-utils-$XENVER xen-utils-common xenstore-utils"
need=
for p in $PKGS; do
	ls "$CACHE/debs/${p}_"*.deb >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	say "apt-get download$need"
	(cd "$CACHE/debs" && apt-get download -q $need) ||
		skip "cannot download$need (no network or no Debian bookworm apt source)"
fi
STAGE=$CACHE/stage-$KVER
if [ ! -e "$STAGE/.done" ]; then
	rm -rf "$STAGE"; mkdir -p "$STAGE"
	for p in $PKGS; do dpkg -x "$(ls "$CACHE/debs/${p}_"*.deb | sort -V | tail -1)" "$STAGE"; done
	depmod -b "$STAGE" "$KVER"
	touch "$STAGE/.done"
fi
XB=$STAGE/usr/lib/xen-$XENVER/bin
[ -x "$XB/xl" ] || skip "xl not found in $STAGE"

# ---- kernel and hypervisor ----
zcat "$STAGE/boot/xen-$XENVER-amd64.gz" >"$WORK/xen.new" && mv "$WORK/xen.new" "$WORK/xen"
cp -p "$STAGE/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
# The domU gets the uncompressed kernel: xl create decompresses a bzImage's
# XZ payload in dom0 userspace, which takes ~16 s under TCG (3 s as ELF).
if [ ! "$WORK/vmlinux" -nt "$WORK/vmlinuz" ]; then
	python3 - "$WORK/vmlinuz" "$WORK/vmlinux" <<'PY'
import lzma, sys
data = open(sys.argv[1], 'rb').read()
start = data.find(b'\xfd7zXZ\x00')
if start < 0:
    sys.exit("no XZ payload in " + sys.argv[1])
out = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[start:])
open(sys.argv[2], 'wb').write(out)
PY
fi

# ---- helpers ----
copy_libs() { # root file... : every library ldd names, at the same path
	local root=$1 lib
	shift
	for f in "$@"; do
		ldd "$f" | awk '/=> \//{ print $3 } /^\t\/lib64/{ print $1 }'
	done | sort -u | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	# pthread_cancel dlopen()s libgcc_s (xl aborts without it)
	mkdir -p "$root/lib/x86_64-linux-gnu"
	cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
}

copy_mods() { # root module...
	local root=$1 dst=$1/lib/modules/$KVER m f
	shift
	mkdir -p "$dst"
	cp "$STAGE/lib/modules/$KVER"/modules.{builtin,order,builtin.modinfo} "$dst/"
	for m in "$@"; do
		for f in $(modprobe -d "$STAGE" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'); do
			mkdir -p "$root/$(dirname "${f#"$STAGE"/}")"
			cp "$f" "$root/${f#"$STAGE"/}"
		done
	done
	depmod -b "$root" "$KVER"
}

base_root() { # root
	local r=$1 a
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/lib/xenpmd,proc,sys,dev,run,etc,var,root,lib64,lib/x86_64-linux-gnu}
	mkdir -m 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
	cp "$here/init" "$r/init"
	chmod 755 "$r/init"
	cp "$here"/lab-lib.sh "$here"/s*-dom0.sh "$here"/s*-domU.sh "$r/usr/local/lib/xenpmd/"
	cp $STDBUF "$r/usr/local/lib/"
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	echo "root:x:0:" >"$r/etc/group"
	# login shells (the interactive mode) get the lab's functions
	echo ". /usr/local/lib/xenpmd/lab-lib.sh" >"$r/etc/profile"
	for t in xenstore xenstore-read xenstore-write xenstore-ls xenstore-rm xenstore-list \
		xenstore-watch xenstore-chmod xenstore-exists; do
		[ -e "$STAGE/usr/bin/$t" ] && cp -P "$STAGE/usr/bin/$t" "$r/usr/bin/"
	done
	copy_libs "$r" "$STAGE/usr/bin/xenstore"
}

# Debian's DPDK 22.11: dpdk-testpmd, every library ldd names, and only the
# plugins we want in EAL's built-in plugin directory (EAL loads every *.so
# and *.so.<abi>.0 there; the PMDs testpmd links directly stay *.so.<abi>).
PMDDIR=$(dirname "$(readlink -f "$(ls /usr/lib/x86_64-linux-gnu/dpdk/pmds-*/librte_bus_vdev.so* | head -1)")")
ABI=${PMDDIR##*pmds-}; ABI=${ABI%%.*}
DPDK_PLUGINS="bus_vdev mempool_ring net_null"
add_dpdk() { # root our.so...
	local r=$1 p so
	shift
	cp /usr/bin/dpdk-testpmd "$r/usr/bin/"
	copy_libs "$r" /usr/bin/dpdk-testpmd "$@" $(for p in $DPDK_PLUGINS; do echo "$PMDDIR/librte_$p.so.$ABI"; done)
	mkdir -p "$r$PMDDIR"
	for p in $DPDK_PLUGINS; do
		cp -L "$PMDDIR/librte_$p.so.$ABI" "$r$PMDDIR/librte_$p.so.$ABI.0"
		ln -sfn "librte_$p.so.$ABI.0" "$r$PMDDIR/librte_$p.so.$ABI"
	done
	for so in "$@"; do cp "$so" "$r/usr/local/lib/xenpmd/"; done
	printf '%s\n' /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu "$PMDDIR" >"$r/etc/ld.so.conf"
	ldconfig -r "$r"
}

mkcpio() { # root out
	(cd "$1" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$2.new"
	mv "$2.new" "$2"
}

# ---- domU ----
R=$WORK/root-domU
base_root "$R"
add_dpdk "$R" "$NETFRONT_SO"
cp "$PKT" "$R/usr/local/bin/"
copy_mods "$R" xenfs xen-privcmd xen-evtchn xen-gntalloc xen-gntdev xen-netfront
mkcpio "$R" "$WORK/domU.cpio.gz"

# ---- dom0 ----
R=$WORK/root-dom0
base_root "$R"
mkdir -p "$R/usr/lib/xen-$XENVER/bin" "$R/etc/xen/scripts" "$R/xen" "$R/var/lib/xen"
for t in xl xenstored xenconsoled xen-init-dom0 xenstore-control libxl-save-helper xenconsole; do
	cp "$XB/$t" "$R/usr/lib/xen-$XENVER/bin/"
done
cp "$STAGE/etc/xen/xl.conf" "$R/etc/xen/"
cp "$here/vif-xenlab" "$R/etc/xen/scripts/"
chmod 755 "$R/etc/xen/scripts/vif-xenlab"
cp "$WORK/vmlinux" "$WORK/domU.cpio.gz" "$R/xen/"
cp "$PKT" "$R/usr/local/bin/"
sos=()
[ -f "$NETBACK_SO" ] && sos+=("$NETBACK_SO")
copy_libs "$R" "$R/usr/lib/xen-$XENVER/bin"/* "$PKT"
add_dpdk "$R" "${sos[@]}"
copy_mods "$R" xenfs xen-privcmd xen-evtchn xen-gntdev xen-gntalloc xen-netback bridge
mkcpio "$R" "$WORK/dom0.cpio.gz"

say "images in $WORK: $(cd "$WORK" && ls -s --block-size=M xen vmlinuz dom0.cpio.gz domU.cpio.gz | tr '\n' ' ')"
