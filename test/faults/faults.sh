#!/usr/bin/env bash
# Faults under load, net_netfront against net_netback over xensim, each side
# in Debian's dpdk-testpmd (io forwarding, a loop of packets between them).
#
#   faults.sh XENSIM NETBACK_SO NETFRONT_SO kill-backend
#       the backend testpmd is killed (SIGKILL) under load: the netfront
#       port reports link down (LSC) while its mbufs stay its own; a new
#       backend testpmd starts and the netfront reconnects by itself;
#       traffic resumes. Prints the reconnect time.
#   faults.sh ... quit-backend
#       the same with a backend that quits cleanly (its vif goes Closed).
#   faults.sh ... pause-backend
#       the backend testpmd is stopped (SIGSTOP) for 3 s under load: link
#       down while it does not answer, up again without a reconnect when it
#       goes on (SIGCONT).
#   faults.sh ... kill-guest
#       the frontend testpmd is killed under load: the backend serves the
#       next frontend of the same domain, and keeps no mapping of the dead
#       one (it maps as much for the second as it did for the first).
#   faults.sh ... destroy-backend
#       the backend runs in a driver domain (2), which is destroyed under
#       load: the netfront port goes down, then reconnects to a backend in
#       a re-created domain 2.
# The testpmds run without timeout(1), so that the pid killed is theirs;
# the meson timeout and the exit trap end them if the script hangs.
# Every case ends with both testpmds quitting normally, nothing granted,
# mapped or bound in any domain, no mbuf left out of a netfront pool and no
# sanitizer report.
set -uo pipefail
. "$(dirname "$0")/../pmd_env.sh"

XENSIM=$1 NB=$2 NF=$3 WHAT=$4
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
[ -n "${FAULTS_KEEP:-}" ] && echo "keeping $DIR"
fails=0
BEDOM=0
[ "$WHAT" = destroy-backend ] && BEDOM=2

cleanup() {
	for f in "$DIR"/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	exec 3>&- 4>&- 2>/dev/null
	"$XENSIM" stop "$DIR" >/dev/null 2>&1
	[ -n "${FAULTS_KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}


wait_for() { # file pattern seconds
	for _ in $(seq $(($3 * 10))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

count() { grep -c -- "$2" "$1" 2>/dev/null; }

# Last value of an xstat printed in a testpmd output.
stat() { # file name
	awk -v k="$2:" '$1 == k { v = $2 } END { printf "%.0f\n", v + 0 }' "$1"
}

hv_line() { # domid -> "grants=.. maps=.. evtchns=.."
	"$XENSIM" status "$DIR" | sed -n "s/^hv dom=$1 \(grants=[0-9]* maps=[0-9]* evtchns=[0-9]*\).*/\1/p"
}

now_ms() { date +%s%3N; }

# backend N: a backend testpmd reading commands from fifo be$N.cmd (fd 3).
backend() {
	local n=$1
	rm -f "$DIR/be$n.cmd"
	mkfifo "$DIR/be$n.cmd"
	(
		eval "$("$XENSIM" env "$DIR" $BEDOM)"
		exec env $(pmd_env "$NB") dpdk-testpmd --lcores 0@0,1@1 \
			--no-huge -m 256 --no-pci --no-shconf --file-prefix flt-be$n \
			--log-level=pmd.net.netback:info -d "$NB" \
			--vdev "net_netback,domid=1,vif=0" -- -i \
			--total-num-mbufs=4096 --forward-mode=io --port-topology=loop
	) <"$DIR/be$n.cmd" >"$DIR/be$n.out" 2>&1 &
	echo $! >"$DIR/be.pid"
	exec 3>"$DIR/be$n.cmd"
	echo start >&3
}

backend_quit() {
	echo "show port xstats 0" >&3
	echo stop >&3
	echo quit >&3
	exec 3>&-
	wait "$(cat "$DIR/be.pid")"
	local rc=$?
	rm -f "$DIR/be.pid"
	return $rc
}

# frontend N: a netfront testpmd reading commands from fe$N.cmd (fd 4).
frontend() {
	local n=$1
	rm -f "$DIR/fe$n.cmd"
	mkfifo "$DIR/fe$n.cmd"
	(
		eval "$("$XENSIM" env "$DIR" 1)"
		exec env $(pmd_env "$NF") dpdk-testpmd --lcores 0@1,1@0 \
			--no-huge -m 256 --no-pci --no-shconf --file-prefix flt-fe$n \
			--log-level=pmd.net.netfront:info -d "$NF" \
			--vdev net_netfront,connect_timeout_ms=5000 -- -i \
			--total-num-mbufs=2048 --forward-mode=io
	) <"$DIR/fe$n.cmd" >"$DIR/fe$n.out" 2>"$DIR/fe$n.err" &
	echo $! >"$DIR/fe.pid"
	exec 4>"$DIR/fe$n.cmd"
}

frontend_quit() {
	echo "show port xstats 0" >&4
	echo stop >&4
	echo quit >&4
	exec 4>&-
	wait "$(cat "$DIR/fe.pid")"
	local rc=$?
	rm -f "$DIR/fe.pid"
	return $rc
}

# The frontend's received packets, as `show port stats` prints them now.
fe_rx_now() { # n
	local before
	before=$(count "$DIR/fe$1.out" "RX-packets:")
	echo "show port stats 0" >&4
	for _ in $(seq 50); do
		[ "$(count "$DIR/fe$1.out" "RX-packets:")" -gt "$before" ] && break
		sleep 0.1
	done
	awk '/RX-packets:/ { v = $2 } END { print v + 0 }' "$DIR/fe$1.out"
}

"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 --name guest >/dev/null || exit 1
if [ $BEDOM -ne 0 ]; then
	"$XENSIM" domain create "$DIR" $BEDOM --name driver >/dev/null || exit 1
fi
"$XENSIM" vif add "$DIR" --frontend 1 --backend $BEDOM --mac 00:16:3e:00:00:01 \
	>/dev/null || exit 1

backend 1
wait_for "$DIR/be1.out" "packet forwarding - ports=" 30 || fail "backend never started forwarding"
frontend 1
wait_for "$DIR/fe1.err" "connected to backend domain $BEDOM" 30 || fail "netfront did not connect"
wait_for "$DIR/fe1.out" "testpmd> " 30
echo "start tx_first 8" >&4
sleep 1.5
rx1=$(fe_rx_now 1)
[ "$rx1" -gt 1000 ] || fail "before the fault: netfront received only $rx1 packets"
maps1=$(hv_line $BEDOM)

case $WHAT in
kill-backend | quit-backend | destroy-backend)
	t0=$(now_ms)
	case $WHAT in
	kill-backend)
		kill -9 "$(cat "$DIR/be.pid")"
		wait "$(cat "$DIR/be.pid")" 2>/dev/null
		exec 3>&-
		rm -f "$DIR/be.pid"
		;;
	quit-backend)
		backend_quit || fail "first backend testpmd exited with $?"
		;;
	destroy-backend)
		"$XENSIM" domain destroy "$DIR" $BEDOM >/dev/null || fail "domain destroy failed"
		# Its processes die with it.
		kill -9 "$(cat "$DIR/be.pid")"
		wait "$(cat "$DIR/be.pid")" 2>/dev/null
		exec 3>&-
		rm -f "$DIR/be.pid"
		;;
	esac
	wait_for "$DIR/fe1.err" "link down" 10 || fail "netfront did not report link down"
	t1=$(now_ms)
	wait_for "$DIR/fe1.out" "Port 0: link state change event" 5 ||
		fail "no LSC event reached testpmd"
	sleep 0.5
	if [ $WHAT = destroy-backend ]; then
		# The toolstack re-creates the driver domain and attaches the vif
		# anew, as xl would after a driver domain restart.
		"$XENSIM" vif remove "$DIR" --frontend 1 --devid 0 --force >/dev/null ||
			fail "vif remove failed"
		"$XENSIM" domain create "$DIR" $BEDOM --name driver2 >/dev/null ||
			fail "re-create failed"
		"$XENSIM" vif add "$DIR" --frontend 1 --backend $BEDOM --devid 0 \
			--mac 00:16:3e:00:00:01 >/dev/null || fail "vif add failed"
	fi
	t2=$(now_ms)
	backend 2
	wait_for "$DIR/be2.out" "> InitWait" 30 || fail "new backend never reached InitWait"
	t2b=$(now_ms)
	wait_for "$DIR/fe1.err" "reconnected to backend" 30 || fail "netfront did not reconnect"
	t3=$(now_ms)
	wait_for "$DIR/be2.out" "packet forwarding - ports=" 30 || fail "new backend never forwarded"
	# The packets in flight were lost with the old backend: send anew.
	sleep 0.5
	echo "stop" >&4
	echo "start tx_first 8" >&4
	sleep 1.5
	rx2=$(fe_rx_now 1)
	[ "$rx2" -gt $((rx1 + 1000)) ] || fail "no traffic after the reconnect ($rx1 then $rx2)"
	lost=$(grep -o "reconnected to backend domain [0-9]*, [0-9]* ms after" "$DIR/fe1.err" |
		awk '{ print $6 }' | tail -1)
	echo "$WHAT: link down $((t1 - t0)) ms after the fault;" \
		"reconnected $((t3 - t2b)) ms after the new backend's port was ready" \
		"($((t3 - t2)) ms after its process was started, $lost ms of link down" \
		"in all); $rx1 packets before, $((rx2 - rx1)) after"
	frontend_quit || fail "frontend testpmd exited with $?"
	backend_quit || fail "second backend testpmd exited with $?"
	FE=$DIR/fe1.out
	[ "$(stat "$FE" reconnects)" -ge 1 ] || fail "xstat reconnects = $(stat "$FE" reconnects)"
	[ "$(stat "$FE" backend_losses)" -ge 1 ] ||
		fail "xstat backend_losses = $(stat "$FE" backend_losses)"
	if [ $WHAT = kill-backend ]; then
		[ "$(stat "$FE" backend_stalls)" -ge 1 ] ||
			fail "xstat backend_stalls = $(stat "$FE" backend_stalls)"
	fi
	;;
pause-backend)
	kill -STOP "$(cat "$DIR/be.pid")"
	wait_for "$DIR/fe1.err" "link down" 10 || fail "netfront did not report link down"
	sleep 2
	kill -CONT "$(cat "$DIR/be.pid")"
	wait_for "$DIR/fe1.err" "answers again" 10 || fail "netfront did not report the backend back"
	sleep 1
	rx2=$(fe_rx_now 1)
	[ "$rx2" -gt $((rx1 + 1000)) ] || fail "no traffic after the pause ($rx1 then $rx2)"
	echo "pause-backend: $(grep -o "answers again after [0-9]* ms" "$DIR/fe1.err");" \
		"$rx1 packets before, $((rx2 - rx1)) after"
	frontend_quit || fail "frontend testpmd exited with $?"
	backend_quit || fail "backend testpmd exited with $?"
	FE=$DIR/fe1.out
	[ "$(stat "$FE" backend_stalls)" -eq 1 ] ||
		fail "xstat backend_stalls = $(stat "$FE" backend_stalls)"
	[ "$(stat "$FE" reconnects)" -eq 0 ] || fail "xstat reconnects = $(stat "$FE" reconnects)"
	[ "$(count "$DIR/fe1.out" "Port 0: link state change event")" -eq 2 ] ||
		fail "$(count "$DIR/fe1.out" "Port 0: link state change event") LSC events, expected 2"
	;;
kill-guest)
	kill -9 "$(cat "$DIR/fe.pid")"
	wait "$(cat "$DIR/fe.pid")" 2>/dev/null
	exec 4>&-
	rm -f "$DIR/fe.pid"
	sleep 0.5
	frontend 2
	wait_for "$DIR/fe2.err" "connected to backend domain $BEDOM" 30 ||
		fail "second netfront did not connect"
	wait_for "$DIR/fe2.out" "testpmd> " 30
	echo "start tx_first 8" >&4
	sleep 1.5
	rx2=$(fe_rx_now 2)
	[ "$rx2" -gt 1000 ] || fail "second frontend received only $rx2 packets"
	maps2=$(hv_line $BEDOM)
	[ "$maps2" = "$maps1" ] ||
		fail "backend holds $maps2 for the second frontend, $maps1 for the first"
	echo "kill-guest: first frontend $rx1 packets, killed; second $rx2;" \
		"backend holds $maps2 for each"
	frontend_quit || fail "second frontend testpmd exited with $?"
	backend_quit || fail "backend testpmd exited with $?"
	conns=$(stat "$DIR/be1.out" connects)
	[ "$conns" -eq 2 ] || fail "backend counted $conns connections, expected 2"
	;;
*)
	echo "unknown case $WHAT" >&2
	exit 2
	;;
esac

while read -r line; do
	case $line in
	hv\ *grants=0\ maps=0\ evtchns=0*) ;;
	hv\ *) fail "left behind: $line" ;;
	esac
done <<<"$("$XENSIM" status "$DIR")"
for f in "$DIR"/fe*.err "$DIR"/fe*.out "$DIR"/be*.out; do
	grep -q "still out" "$f" && fail "$(basename "$f"): $(grep "still out" "$f" | head -1)"
	grep -q "Sanitizer" "$f" && fail "$(basename "$f"): sanitizer report"
done

if [ $fails -gt 0 ]; then
	for f in "$DIR"/be*.out "$DIR"/fe*.err; do
		echo "--- $(basename "$f")"
		grep -E "net_net|netfront|netback|EAL: Error" "$f" | tail -30
	done
fi
exit $((fails > 0))
