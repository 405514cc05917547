#!/usr/bin/env bash
# meson test entry of the xenlab suite: build the images, boot one scenario.
#   xenlab-test.sh BUILD_DIR SANITIZER SCENARIO
# Exit 77 (skipped, reason printed) when the lab cannot or should not run.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=$1 SAN=$2 SCENARIO=$3

skip() {
	echo "xenlab $SCENARIO: SKIP: $*"
	exit 77
}

[ -z "${XENPMD_NO_XENLAB:-}" ] || skip "XENPMD_NO_XENLAB is set"
[ -f "$here/$SCENARIO-dom0.sh" ] || { echo "xenlab: no scenario $SCENARIO"; exit 1; }
case $SCENARIO in
s2 | s3)
	[ -f "$BUILD/drivers/net/netback/librte_net_netback.so" ] ||
		skip "net_netback is not built in $BUILD" ;;
esac
# devtools/test.sh runs every suite twice (plain and ASan builds); the lab
# boots Xen under TCG for minutes and its PMD runs in Debian's uninstrumented
# testpmd, so it runs once: in the build without a sanitizer.
[ "$SAN" = none ] || skip "sanitized build (b_sanitize=$SAN): the lab runs in the plain build only"
[ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host (QEMU TCG boots an amd64 Xen)"

have_lab_tools() {
	command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] &&
		command -v cpio >/dev/null && command -v depmod >/dev/null
}
if ! have_lab_tools && [ "$(id -u)" -eq 0 ] && [ -z "${XENPMD_NO_INSTALL:-}" ]; then
	echo "xenlab $SCENARIO: installing the lab's host packages (devtools/install-deps.sh --lab)"
	"$top/devtools/install-deps.sh" --lab || skip "devtools/install-deps.sh --lab failed: QEMU cannot be installed"
fi
have_lab_tools || skip "qemu-system-x86_64, busybox-static, cpio or kmod missing (devtools/install-deps.sh --lab, as root)"

CACHE=${XENLAB_CACHE:-/var/cache/xenpmd/xenlab}
mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ] ||
	skip "cannot write the package cache $CACHE (set XENLAB_CACHE)"

# Images of this build dir only (other build dirs may run the lab too), and
# one lab at a time from image build to power-off.
export XENLAB_WORK=${XENLAB_WORK:-$CACHE/work-$(printf %s "$BUILD" | md5sum | cut -c1-8)}
exec 9>"$CACHE/qemu.lock"
if ! flock -n 9; then
	echo "xenlab $SCENARIO: another xenlab run holds $CACHE/qemu.lock; waiting"
	flock 9
fi
export XENLAB_LOCKED=1
t0=$(date +%s)
"$here/build.sh" "$BUILD"
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "xenlab $SCENARIO: image build failed ($rc)"; exit 1; }
echo "xenlab $SCENARIO: images built in $(($(date +%s) - t0)) s"
"$here/run.sh" "$SCENARIO"
rc=$?
echo "xenlab $SCENARIO: $(($(date +%s) - t0)) s in all"
exit $rc
