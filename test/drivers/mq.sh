#!/usr/bin/env bash
# Two queue pairs: net_netfront (queues=2) against net_netback (queues=2),
# both in Debian's testpmd on xensim, io forwarding; the guest sends a first
# burst on each queue and each side sends back on the queue it received on.
# Checks that both queues carry traffic, that each queue's pages are registered in its
# own staging table, and that nothing is left granted.
#   mq.sh XENSIM NETBACK_SO NETFRONT_SO
set -uo pipefail
. "$(dirname "$0")/../pmd_env.sh"
XENSIM=$1 NB=$2 NF=$3
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
fails=0
trap '"$XENSIM" stop "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
stat() { awk -v k="$2:" '$1 == k { v = $2 } END { printf "%.0f\n", v + 0 }' "$1"; }

"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 >/dev/null || exit 1
"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 >/dev/null || exit 1
mkfifo "$DIR/be.cmd"
(
	eval "$("$XENSIM" env "$DIR" 0)"
	exec env $(pmd_env "$NB") timeout 120 dpdk-testpmd --lcores 0@1,1@0 --no-huge -m 256 \
		--no-pci --no-shconf --file-prefix mq-be --log-level=pmd.net.netback:info \
		-d "$NB" --vdev net_netback,domid=1,queues=2 -- -i --total-num-mbufs=8192 \
		--forward-mode=io --rxq=2 --txq=2
) <"$DIR/be.cmd" >"$DIR/be.out" 2>&1 &
bepid=$!
exec 3>"$DIR/be.cmd"
echo start >&3
# The backend's port is up and forwarding before the guest starts.
for _ in $(seq 600); do
	grep -q "packet forwarding - ports=" "$DIR/be.out" && break
	sleep 0.1
done
(
	eval "$("$XENSIM" env "$DIR" 1)"
	(
		# Commands once the port is up (the prompt is there), so that the
		# sleep times traffic, not a slow start.
		for _ in $(seq 1200); do
			grep -q 'testpmd> ' "$DIR/fe.out" 2>/dev/null && break
			sleep 0.1
		done
		echo "start tx_first"; sleep 2; echo stop; echo "show port xstats 0"; echo quit
	) |
		env $(pmd_env "$NF") timeout 120 dpdk-testpmd --lcores 0@0,1@1 --no-huge -m 512 \
			--no-pci --no-shconf --file-prefix mq-fe --log-level=pmd.net.netfront:info \
			-d "$NF" --vdev net_netfront,queues=2,connect_timeout_ms=30000 -- -i \
			--total-num-mbufs=4096 --forward-mode=io --rxq=2 --txq=2
# stderr apart while it runs: a log line inside a prompt would hide it.
) >"$DIR/fe.out" 2>"$DIR/fe.err" || fail "frontend testpmd failed"
cat "$DIR/fe.err" >>"$DIR/fe.out"
(echo stop; echo quit) >&3
exec 3>&-
wait $bepid

grep -q "connected to backend domain 0 (2 queue pairs" "$DIR/fe.out" || fail "not connected with 2 queue pairs"
grep -q "connected: 2 queue(s)" "$DIR/be.out" || fail "backend did not serve 2 queues"
for q in 0 1; do
	n=$(stat "$DIR/fe.out" rx_q${q}_packets)
	[ "$n" -gt 1000 ] || fail "queue $q received only $n packets"
done
# Each queue registers its 512 RX pool pages and 256 TX staging pages.
reg=$(stat "$DIR/fe.out" staging_registered_pages)
[ "$reg" -eq 1536 ] || fail "$reg pages registered, expected 1536"
left=$("$XENSIM" status "$DIR" | grep '^hv ' | grep -v 'grants=0 maps=0 evtchns=0')
[ -z "$left" ] || fail "left behind: $left"
bad=$(grep -h "still out\|Sanitizer" "$DIR/fe.out" "$DIR/be.out" | head -1)
[ -z "$bad" ] || fail "$bad"
echo "mq: q0 $(stat "$DIR/fe.out" rx_q0_packets), q1 $(stat "$DIR/fe.out" rx_q1_packets) packets received, $reg pages registered"
if [ $fails -gt 0 ]; then tail -30 "$DIR/fe.out"; tail -20 "$DIR/be.out"; fi
exit $((fails > 0))
