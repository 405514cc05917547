#!/usr/bin/env bash
# netfront PMD (Debian's dpdk-testpmd in domain 1) against a backend in
# domain 0, on a fresh xensim host.
#
#   pair.sh XENSIM NETFRONT_SO XB_PEER echo            traffic both ways, nothing leaked
#   pair.sh XENSIM NETFRONT_SO XB_PEER hostile MODE    the backend breaks the protocol:
#                                                      testpmd survives, counts it, says so
#                                                      once, leaks nothing (modes: xb_peer.c)
#   pair.sh XENSIM NETFRONT_SO XB_PEER chain           10000-byte packets of 5 mbufs: copied
#                                                      into 3 slots, received as chains,
#                                                      forwarded back zero copy
#   pair.sh XENSIM NETFRONT_SO XB_PEER fwdmodes        each testpmd forwarding mode runs
#   pair.sh XENSIM NETFRONT_SO XB_PEER staging CTRL    the backend serves the control ring
#                                                      (xb_peer --ctrl CTRL): pages registered
#                                                      as it answers, all deleted at stop
#   pair.sh XENSIM NETFRONT_SO XB_PEER restart         port stop + start reconnects; traffic
#                                                      flows on the second connection too
set -uo pipefail
. "$(dirname "$0")/../pmd_env.sh"

XENSIM=$1 PMD=$2 PEER=$3 WHAT=$4 MODE=${5:-echo}
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
OUT=$DIR/out
fails=0

cleanup() {
	"$XENSIM" stop "$DIR" >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}


"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 --name guest >/dev/null || exit 1
"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 --mac 00:16:3e:00:00:01 >/dev/null || exit 1

conns=1 peer_mode=$MODE ctrl=none timeout=5000
[ "$WHAT" = restart ] && conns=2
if [ "$WHAT" = staging ]; then
	peer_mode=echo ctrl=$MODE timeout=1000
fi
# A backend that does not answer costs a connect timeout per wait.
case $MODE in silent | xs-early-connected) timeout=1000 ;; esac
(eval "$("$XENSIM" env "$DIR" 0)"; exec "$PEER" --frontend 1 --mode "$peer_mode" --seconds 60 \
	--connections $conns --ctrl $ctrl) \
	>"$DIR/peer.out" 2>&1 &
peer=$!

FWD_MODES="io mac macswap flowgen rxonly txonly csum icmpecho 5tswap"

prompts() { grep -o 'testpmd> ' "$OUT" 2>/dev/null | wc -l; }

# Send a command and wait until testpmd is back at its prompt, so that the
# sleeps below time traffic, not a slow start on a loaded machine.
run() {
	local n
	n=$(prompts)
	echo "$1"
	for _ in $(seq 1200); do
		[ "$(prompts)" -gt "$n" ] && return 0
		sleep 0.1
	done
}

commands() {
	for _ in $(seq 1200); do
		[ "$(prompts)" -gt 0 ] && break
		sleep 0.1
	done
	# Traffic runs for two seconds: a duration, not an assertion.
	if [ "$WHAT" = fwdmodes ]; then
		for m in $FWD_MODES; do
			run "set fwd $m"; run "start tx_first"; sleep 1; run stop
			run "show port xstats all"
		done
		echo quit
		return
	fi
	if [ "$MODE" = xs-early-connected ]; then
		echo quit # the port did not start
		return
	fi
	[ "$WHAT" = chain ] && run "set txpkts 2000,2000,2000,2000,2000"
	case $MODE in
	rx-rewrite*) run start ;; # only the backend's packets in flight
	*) run "start tx_first" ;;
	esac
	sleep 2
	# From here on each command must come back in bounded time, whatever
	# the backend does (silent: it never answers nor changes state).
	date +%s >"$DIR/t_stop"
	run stop; run "show port xstats all"
	if [ "$WHAT" = staging ] || [ "$MODE" = silent ]; then
		# Staging: the DELs at port stop; the counters after them.
		run "port stop 0"; run "show port xstats all"
	fi
	if [ "$WHAT" = restart ]; then
		run "port stop 0"; run "port start 0"
		run "start tx_first"; sleep 2; run stop; run "show port xstats all"
	fi
	echo quit
}

(
	eval "$("$XENSIM" env "$DIR" 1)"
	commands |
		env $(pmd_env "$PMD") timeout 120 dpdk-testpmd -l 0,1 --no-huge -m 256 --no-pci \
			--no-shconf --log-level=pmd.net.netfront:info -d "$PMD" \
			--vdev net_netfront,connect_timeout_ms=$timeout -- -i \
			--total-num-mbufs=2048 --forward-mode=io
# The driver's log (stderr) in a file of its own while testpmd runs: a log
# line landing in the middle of a prompt would hide it from prompts().
) >"$OUT" 2>"$OUT.err"
rc=$?
t_end=$(date +%s)
cat "$OUT.err" >>"$OUT"
wait $peer
prc=$?

stat() { # xstat name [nth] -> value (last one printed, or the nth)
	awk -v k="$1:" -v n="${2:-0}" '$1 == k { c++; if (n == 0 || c == n) v = $2 } END { printf "%.0f\n", v + 0 }' "$OUT"
}

[ $rc -eq 0 ] || fail "testpmd exited with $rc"
grep -q "Bye..." "$OUT" || fail "testpmd did not exit normally"
if [ "$MODE" != xs-early-connected ]; then
	grep -q "connected to backend domain 0" "$OUT" || fail "netfront did not connect"
fi
# Every mbuf back in its pool when the port closed.
grep -q "mbufs still out" "$OUT" && fail "$(grep -m1 'mbufs still out' "$OUT")"
peer_stat() { sed -n "s/.*[ :]$1=\([0-9]*\).*/\1/p" "$DIR/peer.out"; }
# Log lines matching $1: at least one, and not one per event: for $2 events
# at most 1 + log2($2) (a log at the 1st, 2nd, 4th, ... is once enough).
logged_once() {
	local n max=1 e=${2:-1}
	n=$(grep -c -- "$1" "$OUT")
	while [ "$e" -gt 1 ]; do e=$((e / 2)); max=$((max + 1)); done
	[ "$n" -ge 1 ] || fail "$MODE: nothing logged matching '$1'"
	[ "$n" -le $max ] || fail "$MODE: $n log lines matching '$1' for ${2:-1} events"
}

rx=$(stat rx_good_packets) tx=$(stat tx_good_packets) prev_t=0
case $WHAT in
echo)
	[ "$rx" -gt 1000 ] || fail "only $rx packets received"
	[ "$tx" -gt 1000 ] || fail "only $tx packets sent"
	[ "$(stat rx_q0_bad_responses)" -eq 0 ] || fail "bad RX responses counted"
	[ "$(stat tx_q0_bad_responses)" -eq 0 ] || fail "bad TX responses counted"
	[ "$(stat tx_q0_zero_copy_packets)" -gt 0 ] || fail "io forwarding did not send zero copy"
	[ $prc -eq 0 ] || fail "backend peer failed ($prc)"
	peer_tx=$(sed -n 's/.*tx=\([0-9]*\).*/\1/p' "$DIR/peer.out")
	[ "$peer_tx" = "$tx" ] || fail "backend received $peer_tx packets, netfront sent $tx"
	echo "echo: netfront rx=$rx tx=$tx, backend $(cat "$DIR/peer.out")"
	;;
chain)
	[ "$rx" -gt 100 ] || fail "only $rx packets received"
	[ "$(stat rx_good_bytes)" -eq $((rx * 10000)) ] ||
		fail "received $(stat rx_good_bytes) bytes in $rx packets, not 10000 each"
	[ "$(stat tx_q0_zero_copy_packets)" -gt 0 ] || fail "chains not forwarded zero copy"
	[ "$(stat rx_q0_bad_responses)" -eq 0 ] || fail "bad RX responses counted"
	echo "chain: $rx packets of 10000 B received"
	;;
fwdmodes)
	n=0
	for m in $FWD_MODES; do
		n=$((n + 1))
		t=$(stat tx_good_packets $n)
		[ "$t" -gt "$prev_t" ] || fail "mode $m: no packet sent"
		prev_t=$t
	done
	[ "$rx" -gt 0 ] || fail "nothing received"
	echo "fwdmodes: $FWD_MODES ran; $(stat tx_good_packets) sent, $rx received"
	;;
staging)
	[ "$rx" -gt 1000 ] || fail "only $rx packets received"
	reg=$(stat staging_registered_pages)
	peer_added=$(sed -n 's/.*added=\([0-9]*\).*/\1/p' "$DIR/peer.out")
	peer_deleted=$(sed -n 's/.*deleted=\([0-9]*\).*/\1/p' "$DIR/peer.out")
	case $MODE in
	ok | huge) want=768 ;;    # 512 RX pool pages + 256 TX staging pages
	per-entry) want=384 ;;    # every other entry: 256 of the RX pool, 128 of TX staging
	*) want=0 ;;
	esac
	case $MODE in
	late-add) want=512 ;;     # the RX pool; the TX staging ADD timed out
	esac
	reg=$(stat staging_registered_pages 1) # before port stop
	[ "$reg" -eq $want ] || fail "ctrl $MODE: $reg pages registered, expected $want"
	added_want=$want
	[ "$MODE" = late-add ] && added_want=768 # it took the late ADD too
	[ "$peer_added" = "$added_want" ] || fail "ctrl $MODE: backend took $peer_added"
	[ "$peer_deleted" = "$want" ] || fail "ctrl $MODE: $peer_deleted deleted at stop, expected $want"
	[ "$(stat staging_registered_pages)" -eq 0 ] ||
		fail "ctrl $MODE: $(stat staging_registered_pages) pages registered after port stop"
	case $MODE in
	late-get | late-add)
		# One timeout counted and logged; the late answer, read at the
		# next call (late-add: the DELs), skipped as a bad response.
		[ "$(stat ctrl_timeouts)" -eq 1 ] || fail "ctrl $MODE: ctrl_timeouts = $(stat ctrl_timeouts)"
		logged_once "no answer to" 1
		want_bad=0
		[ "$MODE" = late-add ] && want_bad=1
		[ "$(stat ctrl_bad_responses)" -eq $want_bad ] ||
			fail "ctrl $MODE: ctrl_bad_responses = $(stat ctrl_bad_responses), expected $want_bad"
		grep -q "bad answer to" "$OUT" && fail "ctrl $MODE: the late answer taken for a bad one"
		;;
	esac
	if [ $want -eq 0 ]; then
		grep -q "plain protocol" "$OUT" || fail "ctrl $MODE: no 'plain protocol' line"
	fi
	if [ "$MODE" = wrong-id ]; then
		[ "$(stat ctrl_bad_responses)" -gt 0 ] || fail "wrong ids not counted"
	fi
	echo "staging $MODE: $reg pages registered, backend added $peer_added and deleted $peer_deleted; $rx packets received"
	;;
restart)
	[ "$(grep -c "connected to backend domain 0" "$OUT")" -eq 2 ] ||
		fail "expected two connections"
	rx1=$(stat rx_good_packets 1)
	[ "$rx1" -gt 1000 ] || fail "only $rx1 packets received on the first connection"
	[ "$rx" -gt $((rx1 + 1000)) ] || fail "no traffic after the restart ($rx1 then $rx)"
	[ $prc -eq 0 ] || fail "backend peer failed ($prc)"
	grep -q "connections=2" "$DIR/peer.out" || fail "backend saw $(cat "$DIR/peer.out")"
	echo "restart: received $rx1 before, $((rx - rx1)) after port stop/start"
	;;
hostile)
	bad=$(( $(stat rx_q0_bad_responses) + $(stat tx_q0_bad_responses) ))
	case $MODE in
	rx-flags)
		# Dropped and counted, not fatal: the port carries traffic on.
		grep -q "backend broke the protocol" "$OUT" &&
			fail "mode $MODE: the device was stopped for a droppable response"
		[ "$rx" -gt 1000 ] || fail "mode $MODE: only $rx packets received"
		[ "$bad" -eq 16 ] || fail "mode $MODE: $bad bad responses counted, 16 sent"
		logged_once "unknown flags" "$bad"
		;;
	rx-rewrite*)
		# Entries rewritten while read: each copied once, in one load
		# (netif_rx_rsp_copy), so the netfront sees whole versions
		# only, valid ones or droppable ones: it never stops.
		grep -q "backend broke the protocol" "$OUT" &&
			fail "mode $MODE: device stopped: $(grep -m1 'backend broke' "$OUT")"
		[ "$rx" -gt 1000 ] || fail "mode $MODE: only $rx packets received"
		if [ "$MODE" = rx-rewrite ]; then
			[ "$bad" -eq 0 ] || fail "mode $MODE: $bad valid responses counted bad"
		else
			[ "$bad" -gt 0 ] || fail "mode $MODE: nothing counted as a bad response"
			logged_once "unknown flags" "$bad"
		fi
		;;
	silent)
		# Nothing answered: the commands came back, in bounded time.
		[ $((t_end - $(cat "$DIR/t_stop"))) -le 20 ] ||
			fail "mode $MODE: stop, port stop and quit took $((t_end - $(cat "$DIR/t_stop"))) s"
		[ "$rx" -eq 0 ] || fail "mode $MODE: $rx packets received from a silent backend"
		[ "$(stat backend_stalls)" -eq 1 ] || fail "mode $MODE: backend_stalls = $(stat backend_stalls)"
		logged_once "backend answered none of TX queue" 1
		;;
	xs-early-connected)
		grep -q "connected to backend" "$OUT" && fail "mode $MODE: netfront connected"
		# One line for each wait that timed out: for Closed before
		# connecting, then for Closing and Closed when giving up.
		n=$(grep -c "still Connected after" "$OUT")
		[ "$n" -ge 1 ] && [ "$n" -le 3 ] || fail "mode $MODE: $n 'still Connected' lines"
		;;
	xs-garbage-state)
		[ "$rx" -gt 1000 ] || fail "mode $MODE: only $rx packets received"
		[ "$(stat backend_losses)" -eq 1 ] || fail "mode $MODE: backend_losses = $(stat backend_losses)"
		logged_once "backend went Unknown: link down" 1
		;;
	*)
		[ "$bad" -gt 0 ] || fail "mode $MODE: nothing counted as a bad response"
		logged_once "backend broke the protocol" "$bad"
		[ "$(grep -c "backend broke the protocol" "$OUT")" -eq 1 ] ||
			fail "mode $MODE: the break logged more than once"
		;;
	esac
	case $MODE in rx-rewrite*)
		[ "$(peer_stat bad_echo)" = 0 ] ||
			fail "mode $MODE: the backend got back $(peer_stat bad_echo) packets it never sent"
		;;
	esac
	echo "hostile $MODE: rx=$rx bad=$bad; $(grep -m1 -E 'backend broke|backend went|answered none|still Connected' "$OUT" | sed 's/.*: net_netfront/net_netfront/'); backend $(cat "$DIR/peer.out" | tail -1)"
	;;
esac

# Nothing left granted, mapped or bound by either domain (a grant revoked
# while mapped goes once the mapping does: a few scans of the timer).
for _ in $(seq 50); do
	status=$("$XENSIM" status "$DIR")
	grep '^hv ' <<<"$status" | grep -vq 'grants=0 maps=0 evtchns=0' || break
	sleep 0.1
done
while read -r line; do
	case $line in
	hv\ *grants=0\ maps=0\ evtchns=0*) ;;
	hv\ *) fail "left behind: $line" ;;
	esac
done <<<"$status"
grep -q "Sanitizer" "$OUT" && fail "sanitizer report"

if [ $fails -gt 0 ]; then
	echo "--- testpmd"; tail -40 "$OUT"; echo "--- peer"; cat "$DIR/peer.out"
fi
exit $((fails > 0))
