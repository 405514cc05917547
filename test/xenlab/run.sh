#!/usr/bin/env bash
# Boots the xenlab images (test/xenlab/build.sh) under QEMU TCG: Xen 4.17,
# a PV dom0 that runs one scenario and powers off.
#
#   test/xenlab/run.sh s1        scenario 1; exit 0 on "XENLAB RESULT s1 PASS"
#   test/xenlab/run.sh shell     interactive dom0 shell on the serial console
#                                (Ctrl-a x quits QEMU)
#
# Environment: XENLAB_CACHE, XENLAB_WORK (as build.sh), XENLAB_TIMEOUT
# (seconds, default 900), XENLAB_MEM (QEMU MiB, default 3072), XENLAB_DOM0_MEM
# (default 1024M), XENLAB_XEN_ARGS (added to Xen's command line),
# XENLAB_DOM0_ARGS (added to dom0's: scenario options, see doc/xenlab.md),
# XENLAB_CPU (QEMU -cpu, default max,-smap,-fsgsbase,-xsave).
# The log (host seconds since start in front of each line) is kept in
# $XENLAB_WORK/logs/. QEMU gets no network device: nothing leaves the machine.
# One QEMU at a time: a lock in $XENLAB_CACHE serialises concurrent runs
# (xenlab-test.sh holds it from image build to the end and sets XENLAB_LOCKED).
set -uo pipefail

CACHE=${XENLAB_CACHE:-/var/cache/xenpmd/xenlab}
WORK=${XENLAB_WORK:-$CACHE/work}
SCENARIO=${1:?usage: run.sh SCENARIO|shell}
TIMEOUT=${XENLAB_TIMEOUT:-900}

for f in xen vmlinuz dom0.cpio.gz; do
	[ -f "$WORK/$f" ] || { echo "run.sh: $WORK/$f missing: run test/xenlab/build.sh first" >&2; exit 2; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "run.sh: qemu-system-x86_64 missing" >&2; exit 77; }

XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=${XENLAB_DOM0_MEM:-1024M},max:${XENLAB_DOM0_MEM:-1024M} dom0_max_vcpus=2 loglvl=all guest_loglvl=all noreboot ${XENLAB_XEN_ARGS:-}"
DOM0_ARGS="console=hvc0 earlyprintk=xen quiet xenlab=$SCENARIO ${XENLAB_DOM0_ARGS:-}"
# TCG only: KVM on these machines cannot run Xen (see doc/xenlab.md). With
# SMAP visible, the PV dom0 faults at once under TCG: -smap. With FSGSBASE
# or XSAVE visible, domU processes crash at random (bad TLS base, GPFs in
# libc) while testpmd busy-polls: -fsgsbase,-xsave.
QEMU=(qemu-system-x86_64 -accel tcg,thread=multi -cpu "${XENLAB_CPU:-max,-smap,-fsgsbase,-xsave}" -machine q35
	-m "${XENLAB_MEM:-3072}" -smp 2 -nographic -serial mon:stdio -monitor none
	-nic none -no-reboot
	-kernel "$WORK/xen" -append "$XEN_ARGS"
	-initrd "$WORK/vmlinuz $DOM0_ARGS,$WORK/dom0.cpio.gz")

mkdir -p "$CACHE" "$WORK/logs"
exec 9>"$CACHE/qemu.lock"
if [ -z "${XENLAB_LOCKED:-}" ] && ! flock -n 9; then
	echo "run.sh: another xenlab QEMU is running; waiting for it"
	flock 9
fi

if [ "$SCENARIO" = shell ]; then
	"${QEMU[@]}"
	exit $?
fi

LOG=$WORK/logs/$SCENARIO-$(date +%Y%m%d-%H%M%S).log
echo "run.sh: ${QEMU[*]}" >"$LOG"
echo "run.sh: scenario $SCENARIO, log $LOG"
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 |
	python3 -u -c '
import sys, time
t0 = time.monotonic()
for line in sys.stdin.buffer:
    text = line.decode(errors="replace").rstrip("\r\n")
    sys.stdout.write("%7.2f %s\n" % (time.monotonic() - t0, text))
' | tee -a "$LOG"
rc=${PIPESTATUS[0]}
echo "run.sh: QEMU exit $rc; log $LOG"
[ "$rc" = 124 ] && echo "run.sh: timed out after $TIMEOUT s"
echo "---- summary"
grep -E 'XENLAB: (check ok|CHECK FAILED|XENLAB FIGURE)|\(QEMU TCG' "$LOG" | sed 's/^ *[0-9.]* //'
if grep -q "XENLAB RESULT $SCENARIO PASS" "$LOG"; then
	echo "run.sh: RESULT $SCENARIO PASS"
	exit 0
fi
grep -o "XENLAB RESULT $SCENARIO .*" "$LOG" || echo "run.sh: no result line from dom0"
echo "run.sh: RESULT $SCENARIO FAIL"
exit 1
