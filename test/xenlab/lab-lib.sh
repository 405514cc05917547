# Shell functions for the xenlab scenarios (busybox sh), sourced by /init in
# dom0 and in the domU.
#
# dom0 and the domU talk through the domU's xenstore directory data/:
# the domU announces a phase with 'phase NAME' (data/phase=NAME) and waits
# for dom0 to write data/ack=NAME; dom0 runs 'serve_phases HANDLER', which
# calls HANDLER NAME for each new phase and then acknowledges it. A phase
# named 'end' finishes the exchange.

up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "[$(up)] XENLAB: $*"; }
# testpmd's stdout through a pipe or into a file stays line-buffered
STDBUF_ENV="LD_PRELOAD=/usr/local/lib/libstdbuf.so _STDBUF_O=L _STDBUF_E=L"

# ---------------------------------------------------------------- dom0
dom0_toolstack() {
	for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd bridge; do
		modprobe $m || say "modprobe $m FAILED"
	done
	mkdir -p /var/run/xenstored /var/lib/xenstored /var/lib/xen /var/run/xen /var/log/xen/console
	xenstored --pid-file /var/run/xenstored.pid || say "xenstored FAILED"
	i=0
	until xenstore-read / >/dev/null 2>&1 || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
	xen-init-dom0 || say "xen-init-dom0 FAILED"
	xenconsoled --pid-file=/var/run/xenconsoled.pid --log=guest \
		--log-dir=/var/log/xen/console || say "xenconsoled FAILED"
	brctl addbr xenbr0 && ip link set xenbr0 up
	xl info | grep -E 'xen_version|nr_cpus|total_memory|free_memory|xen_commandline'
	say "dom0 toolstack ready"
}

shell_help() {
	cat <<'EOF'
== xenlab dom0 shell ==========================================================
  lab_domu [SCENARIO [MEM_MB]]   create the domU (xenlab=SCENARIO in its kernel
                                 command line; 'shell' gives it a shell too)
  xl console domu                its console (Ctrl-] back to dom0)
  xl list; xl destroy domu; xl dmesg; xenstore-ls -p /local/domain
  xen-netback is loaded: the vif needs a backend within 10 s of xl create;
  for net_netback instead: rmmod xen-netback, then as s2-dom0.sh does
  (testpmd with no port, lab_domu_bg, 'port attach net_netback,domid=1,vif=0')
  dpdk-testpmd, /usr/local/lib/xenpmd/*.so, xenlab-pkt; poweroff -f to quit
  (Ctrl-a x leaves QEMU)
===============================================================================
EOF
}

DOMU_MAC=00:16:3e:00:00:01
# lab_domu SCENARIO [MEM_MB] [VIF_SPEC]: create the domU "domu" (domid 1 on
# a fresh dom0), its console appended to our output with "domU| " in front.
lab_domu() {
	lab_domu_cfg "$@"
	t0=$(up)
	xl create /etc/xen/domu.cfg || { say "xl create FAILED"; return 1; }
	say "xl create took $(echo "$(up) - $t0" | bc) s"
	DOMID=$(xl domid domu)
	if [ "${1:-shell}" != shell ]; then
		(tail -F /var/log/xen/console/guest-domu.log 2>/dev/null |
			while IFS= read -r l; do echo "domU| $l"; done) &
		TAILPID=$!
	fi
}
lab_domu_cfg() {
	cat >/etc/xen/domu.cfg <<EOF
name = "domu"
type = "pv"
kernel = "/xen/vmlinux"
ramdisk = "/xen/domU.cpio.gz"
extra = "console=hvc0 xenlab=${1:-shell}"
memory = ${2:-768}
vcpus = 1
vif = [ '${3:-bridge=xenbr0,script=vif-xenlab,mac=$DOMU_MAC}' ]
on_poweroff = "preserve"
on_crash = "preserve"
EOF
}

# vifstat IFACE COUNTER
vifstat() { cat /sys/class/net/$1/statistics/$2 2>/dev/null || echo 0; }

# serve_phases HANDLER [TIMEOUT_S]: until the domU announces 'end', a result
# or the timeout (default 600 s) passes.
serve_phases() {
	local handler=$1 to=${2:-600} last= ph t0
	t0=$(up)
	while :; do
		ph=$(xenstore-read /local/domain/$DOMID/data/phase 2>/dev/null)
		if [ -n "$ph" ] && [ "$ph" != "$last" ]; then
			last=$ph
			say "domU phase '$ph'"
			[ "$ph" = end ] && { xenstore-write /local/domain/$DOMID/data/ack end; return 0; }
			$handler "$ph"
			xenstore-write /local/domain/$DOMID/data/ack "$ph"
		fi
		if [ "$(echo "$(up) - $t0 > $to" | bc)" = 1 ]; then
			say "timeout: the domU did not finish within $to s (last phase '$last')"
			return 1
		fi
		sleep 0.2
	done
}

# domU_key NAME: what the domU reported in data/NAME
domU_key() { xenstore-read /local/domain/$DOMID/data/$1 2>/dev/null; }

# fail REASON: the scenario fails (dom0)
fail() {
	say "CHECK FAILED: $*"
	RESULT=FAIL
	WHY="${WHY:+$WHY; }$*"
}
check() { # check DESCRIPTION CONDITION...
	local d=$1
	shift
	if "$@"; then say "check ok: $d"; else fail "$d"; fi
}

# ---------------------------------------------------------------- domU
# phase NAME: tell dom0, wait (at most 300 s) for its acknowledgement
phase() {
	local i=0
	xenstore-write data/phase "$1"
	say "phase $1"
	while [ "$(xenstore-read data/ack 2>/dev/null)" != "$1" ]; do
		i=$((i + 1))
		[ $i -gt 1500 ] && { say "no ack for phase $1 from dom0"; return 1; }
		sleep 0.2
	done
}
report() { xenstore-write "data/$1" "$2"; say "report $1=$2"; }

# Kernel netfront: wait until it is connected, then take the vif from it.
unbind_kernel_netfront() {
	local i=0
	until [ -e /sys/bus/xen/devices/vif-0/driver ] && [ "$(xenstore-read device/vif/0/state)" = 4 ] ||
		[ $i -gt 100 ]; do
		i=$((i + 1)); sleep 0.1
	done
	say "vif-0: driver $(readlink /sys/bus/xen/devices/vif-0/driver), state $(xenstore-read device/vif/0/state)"
	echo vif-0 >/sys/bus/xen/drivers/vif/unbind && say "kernel netfront unbound from vif-0"
}

# testpmd in the background, commands through a fifo (fd 3), output in $TPLOG
TPLOG=/run/testpmd.log
tp_start() { # EAL and testpmd arguments...
	rm -f /run/tp.in
	mkfifo /run/tp.in
	say "dpdk-testpmd $*"
	env $STDBUF_ENV dpdk-testpmd "$@" </run/tp.in >$TPLOG 2>&1 &
	TPPID=$!
	exec 3>/run/tp.in
	(tail -f $TPLOG | while IFS= read -r l; do echo "[$(up)] testpmd| $l"; done) &
	TPTAIL=$!
}
tp() { echo "$*" >&3; }
# tp_stats: ask for the port stats and wait (at most 60 s) for them;
# sets RXP TXP (packets since the last 'clear port stats'), RXPPS TXPPS.
tp_stats() {
	local n0 n i=0
	n0=$(grep -c 'NIC statistics for port 0' $TPLOG)
	tp "show port stats 0"
	while n=$(grep -c 'NIC statistics for port 0' $TPLOG); [ "${n:-0}" -le "${n0:-0}" ]; do
		i=$((i + 1))
		kill -0 $TPPID 2>/dev/null || { say "testpmd is gone"; return 1; }
		[ $i -gt 300 ] && { say "testpmd did not answer 'show port stats'"; return 1; }
		sleep 0.2
	done
	sleep 0.5
	RXP=$(awk '/RX-packets:/ { v = $2 } END { print v + 0 }' $TPLOG)
	TXP=$(awk '/TX-packets:/ { v = $2 } END { print v + 0 }' $TPLOG)
	RXPPS=$(awk '/Rx-pps:/ { v = $2 } END { print v + 0 }' $TPLOG)
	TXPPS=$(awk '/Tx-pps:/ { v = $2 } END { print v + 0 }' $TPLOG)
}
tp_quit() {
	local i=0
	tp quit
	exec 3>&-
	while kill -0 $TPPID 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.2; done
	kill $TPPID 2>/dev/null
	wait $TPPID
	TPRC=$?
	sleep 0.3
	pkill -P $TPTAIL 2>/dev/null # the tail -f under the subshell
	kill $TPTAIL 2>/dev/null
	say "testpmd exited ($TPRC)"
}

# tp_ready: wait (at most 120 s) until testpmd reads its commands
# (works with no port, unlike tp_stats)
tp_ready() {
	local n0 n i=0
	n0=$(grep -c 'Change verbose level' $TPLOG)
	tp "set verbose 0"
	while n=$(grep -c 'Change verbose level' $TPLOG); [ "${n:-0}" -le "${n0:-0}" ]; do
		i=$((i + 1))
		kill -0 $TPPID 2>/dev/null || { say "testpmd is gone"; return 1; }
		[ $i -gt 600 ] && { say "testpmd did not start reading commands"; return 1; }
		sleep 0.2
	done
}
# xstat NAME: its last value in the testpmd output (after 'show port xstats')
xstat() { awk -v k="$1:" '$1 == k { v = $2 } END { print v + 0 }' $TPLOG; }

# dom0, scenarios with net_netback: testpmd runs with no port; the domU is
# created in the background (the kernel's xen-netback is not loaded, so
# nothing else serves the vif), and as soon as libxl has written the vif's
# backend directory the port is attached and started: libxl waits only
# 10 s for the backend to reach InitWait. Sets DOMID.
netback_domu() { # SCENARIO MEM_MB
	local i=0 be=/local/domain/0/backend/vif/1/0
	lab_domu_bg "$@"
	until xenstore-exists $be/frontend-id 2>/dev/null || [ $i -gt 600 ]; do
		i=$((i + 1)); sleep 0.05
	done
	tp "port attach net_netback,domid=1,vif=0,connect_timeout_ms=0"
	tp "port start 0"
	wait $XLPID || { say "xl create FAILED"; return 1; }
	say "xl create took $(echo "$(up) - $XLT0" | bc) s"
	DOMID=$(xl domid domu)
	[ "$DOMID" = 1 ] || { say "domU got id $DOMID, not 1"; return 1; }
	(tail -F /var/log/xen/console/guest-domu.log 2>/dev/null |
		while IFS= read -r l; do echo "domU| $l"; done) &
	TAILPID=$!
}
lab_domu_bg() { # SCENARIO MEM_MB
	lab_domu_cfg "$@"
	XLT0=$(up)
	xl create /etc/xen/domu.cfg &
	XLPID=$!
}
