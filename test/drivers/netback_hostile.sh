#!/usr/bin/env bash
# net_netback in Debian's dpdk-testpmd (domain 0, io forwarding: it echoes)
# against netback_fe, a small C frontend in domain 1, on a fresh xensim host.
#
#   netback_hostile.sh XENSIM NETBACK_SO NETBACK_FE DEVARGS MODE...
#
# Each MODE is one run of netback_fe (see netback_fe.c): it must succeed,
# the backend must survive it, and after it the backend must hold no
# mapping and no event channel. The backend's counters of bad input must
# have moved for each hostile mode, and a last 'data' run must pass.
set -uo pipefail
. "$(dirname "$0")/../pmd_env.sh"

XENSIM=$1 NB=$2 FE=$3 DEVARGS=$4
shift 4
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
fails=0
bepid=

cleanup() {
	[ -n "$bepid" ] && kill "$bepid" 2>/dev/null
	exec 3>&- 2>/dev/null
	"$XENSIM" stop "$DIR" >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

stat() { # name -> last value printed
	awk -v k="$1:" '$1 == k { v = $2 } END { printf "%.0f\n", v + 0 }' "$DIR/be.out"
}

hv_line() {
	"$XENSIM" status "$DIR" | sed -n "s/^hv dom=$1 \(grants=[0-9]* maps=[0-9]* evtchns=[0-9]*\).*/\1/p"
}

wait_for() { # pattern seconds
	for _ in $(seq $(($2 * 10))); do
		grep -q -- "$1" "$DIR/be.out" && return 0
		sleep 0.1
	done
	return 1
}


"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 --name guest >/dev/null || exit 1
"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 --devid 0 >/dev/null || exit 1

mkfifo "$DIR/be.cmd"
(
	eval "$("$XENSIM" env "$DIR" 0)"
	exec env $(pmd_env "$NB") timeout 300 dpdk-testpmd --lcores 0@0,1@1 --no-huge -m 256 \
		--no-pci --no-shconf --file-prefix nbh-be --log-level=pmd.net.netback:info \
		-d "$NB" --vdev "net_netback,domid=1,vif=0$DEVARGS" -- -i \
		--total-num-mbufs=4096 --forward-mode=io --port-topology=loop
) <"$DIR/be.cmd" >"$DIR/be.out" 2>&1 &
bepid=$!
exec 3>"$DIR/be.cmd"
echo start >&3
wait_for "InitWait" 30 || fail "backend never reached InitWait"
# testpmd's start drains the RX queues before forwarding: the frontend's
# first packets could vanish there. Its stdout is line-buffered (below).
wait_for "packet forwarding - ports=" 30 || fail "backend testpmd never started forwarding"

for mode in "$@" data; do
	(eval "$("$XENSIM" env "$DIR" 1)"; exec timeout 60 "$FE" "$mode" 500) >"$DIR/fe.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { fail "netback_fe $mode exited with $rc"; cat "$DIR/fe.out"; }
	kill -0 "$bepid" 2>/dev/null || { fail "backend died during $mode"; break; }
	echo "$mode: $(tail -1 "$DIR/fe.out")"
	# exit-midburst left its state Connected: the backend cannot know it
	# is gone until the next frontend starts (the next run checks).
	[ "$mode" = exit-midburst ] && continue
	# Each domain holds nothing once the backend let go (within 5 s).
	for dom in 0 1; do
		for _ in $(seq 50); do
			left=$(hv_line $dom)
			[ "$left" = "grants=0 maps=0 evtchns=0" ] && break
			sleep 0.1
		done
		[ "$left" = "grants=0 maps=0 evtchns=0" ] || fail "after $mode domain $dom holds $left"
	done
done

echo "show port xstats 0" >&3
echo stop >&3
sleep 1
echo quit >&3
exec 3>&-
wait "$bepid"
berc=$?
bepid=
[ $berc -eq 0 ] || fail "backend testpmd exited with $berc"
grep -q "Bye..." "$DIR/be.out" || fail "backend testpmd did not exit normally"

# Every hostile mode left its trace in a counter and a log line.
expect_stat() { # mode counter
	for m in "${@:3}"; do :; done
	case " $MODES " in *" $1 "*)
		[ "$(stat "$2")" -gt 0 ] || fail "$1: counter $2 did not move" ;;
	esac
}
MODES=" $* "
expect_stat tx-bad-gref guest_tx_copy_errors
expect_stat tx-short guest_tx_bad_len
expect_stat tx-prod-jump guest_tx_bad_req_prod
expect_stat tx-offset guest_tx_bad_offset
expect_stat tx-slots guest_tx_too_many_slots
expect_stat rx-prod-jump guest_rx_bad_req_prod
expect_stat ctrl-prod-jump ctrl_bad_req_prod
expect_stat ctrl gref_del_refused_in_use
expect_stat ctrl gref_add_failed
expect_stat bad-keys frontend_bad_xenstore_keys
expect_stat ring-overfull frontend_bad_xenstore_keys
expect_stat csum guest_tx_csum_filled
expect_stat csum guest_tx_csum_unparsed
expect_stat tx-foreign-gref guest_tx_copy_errors
expect_stat tx-foreign-gref guest_rx_copy_errors
case $DEVARGS in *gref_map_size*) expect_stat tx-foreign-gref gref_add_failed ;; esac
# Logged, and once: one bad packet each way.
logged_once() { # mode pattern
	case " $MODES " in *" $1 "*)
		n=$(grep -c -- "$2" "$DIR/be.out")
		[ "$n" -eq 1 ] || fail "$1: $n log lines matching '$2', expected 1" ;;
	esac
}
logged_once tx-foreign-gref "grant copy of a guest TX packet failed"
logged_once tx-foreign-gref "copy into a guest RX buffer failed"
# Every connection made was torn down, the vanished ones included.
[ "$(stat connects)" -eq "$(stat disconnects)" ] ||
	fail "$(stat connects) connects but $(stat disconnects) disconnects"
fatal=0
for m in "$@"; do
	case $m in *prod-jump | tx-offset | tx-slots) fatal=$((fatal + 1)) ;; esac
done
[ "$(stat protocol_breaks)" -eq $fatal ] ||
	fail "protocol_breaks = $(stat protocol_breaks), expected $fatal"
[ $fatal -eq 0 ] || [ "$(grep -c "vif marked broken" "$DIR/be.out")" -ge $fatal ] ||
	fail "not every break logged"
while read -r line; do
	case $line in
	hv\ *grants=0\ maps=0\ evtchns=0*) ;;
	hv\ *) fail "left behind: $line" ;;
	esac
done <<<"$("$XENSIM" status "$DIR")"
grep -q "Sanitizer" "$DIR/be.out" && fail "sanitizer report"
if [ $fails -gt 0 ]; then
	echo "--- backend"; grep -E "netback|xstats|: [1-9]" "$DIR/be.out" | tail -60
fi
exit $((fails > 0))
