#!/usr/bin/env bash
# net_netback in Debian's dpdk-testpmd (domain 0, io forwarding: it echoes
# what the guest sends) against net_netfront in a second testpmd (domain 1),
# on a fresh xensim host.
#
#   netback_pair.sh XENSIM NETBACK_SO NETFRONT_SO echo auto|grant
#       traffic both ways; auto: staging grants registered and used (memcpy),
#       grant: control ring answers NOT_SUPPORTED, every slot grant-copied;
#       counts agree on both sides; nothing left granted, mapped or bound
#   netback_pair.sh ... reconnect
#       the frontend's port stop/start: the backend serves the second
#       connection; traffic flows on it
#   netback_pair.sh ... death
#       domain 1 destroyed mid-traffic: the backend port goes down, holds no
#       mapping or channel while still running, and serves a frontend in a
#       re-created domain 1
set -uo pipefail
. "$(dirname "$0")/../pmd_env.sh"

XENSIM=$1 NB=$2 NF=$3 WHAT=$4 COPY=${5:-auto}
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
[ -n "${NBP_KEEP:-}" ] && echo "keeping $DIR"
fails=0
bepid=

cleanup() {
	[ -n "$bepid" ] && kill "$bepid" 2>/dev/null
	[ -f "$DIR/fe.pid" ] && kill "$(cat "$DIR/fe.pid")" 2>/dev/null
	exec 3>&- 2>/dev/null
	"$XENSIM" stop "$DIR" >/dev/null 2>&1
	[ -n "${NBP_KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}


# xstat of a testpmd output: last value printed, or the nth.
stat() { # file name [nth]
	awk -v k="$2:" -v n="${3:-0}" '$1 == k { c++; if (n == 0 || c == n) v = $2 } END { printf "%.0f\n", v + 0 }' "$1"
}

hv_line() { # domid -> "grants=.. maps=.. evtchns=.."
	"$XENSIM" status "$DIR" | sed -n "s/^hv dom=$1 \(grants=[0-9]* maps=[0-9]* evtchns=[0-9]*\).*/\1/p"
}

wait_for() { # file pattern seconds
	for _ in $(seq $(($3 * 10))); do
		grep -q -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 --name guest >/dev/null || exit 1
"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 --mac 00:16:3e:00:00:01 >/dev/null || exit 1

# The backend testpmd reads its commands from a fifo: the script decides when.
mkfifo "$DIR/be.cmd"
(
	eval "$("$XENSIM" env "$DIR" 0)"
	exec env $(pmd_env "$NB") timeout 300 dpdk-testpmd --lcores 0@0,1@1 --no-huge -m 256 \
		--no-pci --no-shconf --file-prefix nbp-be --log-level=pmd.net.netback:info \
		-d "$NB" --vdev "net_netback,domid=1,vif=0,copy=$COPY" -- -i \
		--total-num-mbufs=4096 --forward-mode=io --port-topology=loop
) <"$DIR/be.cmd" >"$DIR/be.out" 2>&1 &
bepid=$!
exec 3>"$DIR/be.cmd"
echo start >&3
wait_for "$DIR/be.out" "InitWait" 30 || fail "backend never reached InitWait"
# testpmd's start drains the RX queues before forwarding: the frontend's
# first burst could vanish there.
wait_for "$DIR/be.out" "packet forwarding - ports=" 30 || fail "backend never started forwarding"

frontend() { # out-file commands...
	local out=$1
	shift
	(
		eval "$("$XENSIM" env "$DIR" 1)"
		# Commands wait until testpmd has started its port (it waits
		# for the backend): queued earlier, they would all run at once.
		(for _ in $(seq 600); do
			grep -q "Checking link statuses" "$out" 2>/dev/null && break
			sleep 0.1
		done
		sleep 0.2
		for c in "$@"; do
			case $c in sleep*) $c ;; *) echo "$c" ;; esac
		done; echo quit) |
			env $(pmd_env "$NF") timeout 120 dpdk-testpmd --lcores 0@1,1@0 --no-huge \
				-m 256 --no-pci --no-shconf --file-prefix nbp-fe \
				--log-level=pmd.net.netfront:info -d "$NF" \
				--vdev net_netfront,connect_timeout_ms=5000 -- -i \
				--total-num-mbufs=2048 --forward-mode=io &
		# timeout(1) passes a SIGTERM on to testpmd.
		echo $! >"$DIR/fe.pid"
		wait $!
	) >"$out" 2>&1
}

case $WHAT in
echo)
	frontend "$DIR/fe.out" "start tx_first" "sleep 2" stop "show port xstats 0"
	;;
reconnect)
	frontend "$DIR/fe.out" "start tx_first" "sleep 1" stop "show port xstats 0" \
		"port stop 0" "sleep 1" "port start 0" "sleep 1" \
		"start tx_first" "sleep 1" stop "show port xstats 0"
	;;
death)
	frontend "$DIR/fe.out" "start tx_first" "sleep 6" &
	fepid=$!
	wait_for "$DIR/fe.out" "connected to backend" 20 || fail "first frontend did not connect"
	sleep 1
	"$XENSIM" domain destroy "$DIR" 1 >/dev/null || fail "domain destroy failed"
	wait_for "$DIR/be.out" "disconnected" 10 || fail "backend did not notice the frontend's death"
	sleep 0.5
	left=$(hv_line 0)
	[ "$left" = "grants=0 maps=0 evtchns=0" ] ||
		fail "backend still holds after the frontend died: $left"
	kill "$(cat "$DIR/fe.pid")" 2>/dev/null
	wait "$fepid" 2>/dev/null
	# The toolstack removes the dead domain's vif (the backend answers
	# Closed), then attaches one to the new domain at the same path.
	"$XENSIM" vif remove "$DIR" --frontend 1 --devid 0 --timeout 5 >"$DIR/rm.out" 2>&1 ||
		fail "vif remove failed: $(cat "$DIR/rm.out")"
	grep -qi "warn\|timeout" "$DIR/rm.out" && fail "backend did not close: $(cat "$DIR/rm.out")"
	"$XENSIM" domain create "$DIR" 1 --name guest2 >/dev/null || fail "re-create failed"
	"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 --devid 0 --mac 00:16:3e:00:00:01 \
		>/dev/null || fail "vif add failed"
	frontend "$DIR/fe.out" "start tx_first" "sleep 2" stop "show port xstats 0"
	;;
esac

echo "show port xstats 0" >&3
echo stop >&3
sleep 1
echo quit >&3
exec 3>&-
wait "$bepid"
berc=$?
bepid=

BE=$DIR/be.out FE=$DIR/fe.out
[ $berc -eq 0 ] || fail "backend testpmd exited with $berc"
grep -q "Bye..." "$BE" || fail "backend testpmd did not exit normally"
grep -q "connected to backend domain 0" "$FE" || fail "netfront did not connect"

be_rx=$(stat "$BE" guest_tx_packets) be_tx=$(stat "$BE" guest_rx_packets)
fe_rx=$(stat "$FE" rx_good_packets) fe_tx=$(stat "$FE" tx_good_packets)
conns=$(stat "$BE" connects)
[ "$fe_rx" -gt 1000 ] || fail "netfront received only $fe_rx packets"
for c in guest_tx_bad_offset guest_tx_bad_len guest_tx_bad_flags guest_tx_bad_extra \
	guest_tx_too_many_slots guest_tx_bad_req_prod guest_tx_copy_errors \
	guest_rx_copy_errors guest_rx_bad_req_prod protocol_breaks ctrl_bad_requests; do
	[ "$(stat "$BE" $c)" -eq 0 ] || fail "$c = $(stat "$BE" $c)"
done

case $WHAT in
echo)
	# The backend read every packet the frontend sent (one slot each), but
	# for those still in the ring when the frontend left, and echoed them.
	unread=$(stat "$BE" guest_tx_slots_unread_at_disconnect)
	[ $((be_rx + unread)) -eq "$fe_tx" ] ||
		fail "frontend sent $fe_tx, backend received $be_rx (+ $unread unread)"
	# What the guest had not taken when it left is dropped, and counted.
	down=$(stat "$BE" guest_rx_drop_link_down)
	tpd=$(awk '/TX-dropped:/ { v = $4 } END { print v + 0 }' "$BE")
	[ $((be_tx + down + tpd)) -eq "$be_rx" ] ||
		fail "backend received $be_rx, echoed $be_tx, dropped $down + $tpd"
	[ $((be_rx - be_tx)) -le 256 ] || fail "backend received $be_rx, echoed only $be_tx"
	[ "$conns" -eq 1 ] || fail "$conns connections"
	if [ "$COPY" = auto ]; then
		[ "$(stat "$BE" gref_add_ok)" -gt 0 ] || fail "no staging grant registered"
		[ "$(stat "$BE" guest_tx_slots_memcpy)" -gt 0 ] || fail "guest TX never used staged pages"
		[ "$(stat "$BE" guest_rx_slots_memcpy)" -gt 0 ] || fail "guest RX never used staged pages"
	else
		[ "$(stat "$BE" gref_add_ok)" -eq 0 ] || fail "copy=grant mapped staging grants"
		[ "$(stat "$BE" ctrl_not_supported)" -gt 0 ] || fail "GREF messages not refused"
		[ "$(stat "$BE" guest_tx_slots_memcpy)" -eq 0 ] || fail "copy=grant used memcpy"
		[ "$(stat "$BE" guest_tx_slots_grant_copy)" -gt 0 ] || fail "no grant copy"
	fi
	echo "echo copy=$COPY: frontend sent $fe_tx received $fe_rx; backend received $be_rx echoed $be_tx;" \
		"slots memcpy $(stat "$BE" guest_tx_slots_memcpy) grant-copied $(stat "$BE" guest_tx_slots_grant_copy)"
	;;
reconnect)
	[ "$conns" -eq 2 ] || fail "backend counted $conns connections, expected 2"
	rx1=$(stat "$FE" rx_good_packets 1)
	[ "$fe_rx" -gt $((rx1 + 1000)) ] || fail "no traffic on the second connection ($rx1 then $fe_rx)"
	echo "reconnect: $conns connections, frontend received $rx1 then $((fe_rx - rx1)) more"
	;;
death)
	[ "$conns" -eq 2 ] || fail "backend counted $conns connections, expected 2"
	echo "death: backend released everything when domain 1 died and served the new one" \
		"($fe_rx packets echoed)"
	;;
esac

# Nothing left granted, mapped or bound by either domain.
while read -r line; do
	case $line in
	hv\ *grants=0\ maps=0\ evtchns=0*) ;;
	hv\ *) fail "left behind: $line" ;;
	esac
done <<<"$("$XENSIM" status "$DIR")"
grep -q "Sanitizer" "$BE" "$FE" && fail "sanitizer report"
grep -q "still out" "$FE" && fail "netfront: $(grep "still out" "$FE" | head -1)"

if [ $fails -gt 0 ]; then
	echo "--- backend"; tail -60 "$BE"; echo "--- frontend"; grep -E "netfront|EAL|testpmd:" "$FE" | head -20
fi
exit $((fails > 0))
