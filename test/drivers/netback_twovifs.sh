#!/usr/bin/env bash
# One testpmd serving two vifs with net_netback (port 0: domain 1, port 1:
# domain 2, each echoing to itself). Domain 1 runs a series of protocol
# breaks while domain 2 sends packets and checks every echoed byte: the
# hostile frontend must not stall, slow to a halt or disturb the other vif,
# and its breaks are counted on its own port only.
#   netback_twovifs.sh XENSIM NETBACK_SO NETBACK_FE
set -uo pipefail
. "$(dirname "$0")/../pmd_env.sh"

XENSIM=$1 NB=$2 FE=$3
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
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pstat() { # port name -> value in that port's last xstats block
	awk -v p="$1" -v k="$2:" '/NIC extended statistics for port/ { cur = $NF }
		cur == p && $1 == k { v = $2 } END { printf "%.0f\n", v + 0 }' "$DIR/be.out"
}

"$XENSIM" start "$DIR" >/dev/null || exit 1
for d in 1 2; do
	"$XENSIM" domain create "$DIR" $d >/dev/null || exit 1
	"$XENSIM" vif add "$DIR" --frontend $d --backend 0 --devid 0 >/dev/null || exit 1
done
mkfifo "$DIR/be.cmd"
(
	eval "$("$XENSIM" env "$DIR" 0)"
	exec env $(pmd_env "$NB") timeout 300 dpdk-testpmd --lcores 0@0,1@1 --no-huge -m 256 \
		--no-pci --no-shconf --file-prefix nb2-be --log-level=pmd.net.netback:info \
		-d "$NB" --vdev net_netback0,domid=1,vif=0 --vdev net_netback1,domid=2,vif=0 \
		-- -i --total-num-mbufs=8192 --forward-mode=io --port-topology=loop
) <"$DIR/be.cmd" >"$DIR/be.out" 2>&1 &
bepid=$!
exec 3>"$DIR/be.cmd"
echo start >&3
for _ in $(seq 300); do
	[ "$(grep -c -- '-> InitWait' "$DIR/be.out")" -ge 2 ] && break
	sleep 0.1
done
# testpmd's start drains the RX queues first: frontends start after it.
for _ in $(seq 300); do
	grep -q "packet forwarding - ports=" "$DIR/be.out" && break
	sleep 0.1
done

# Domain 2: a long checked data run. Domain 1: one break after another.
(eval "$("$XENSIM" env "$DIR" 2)"; exec timeout 120 "$FE" data 4000) >"$DIR/fe2.out" 2>&1 &
fe2=$!
breaks=0
for mode in tx-prod-jump ctrl-prod-jump tx-offset tx-slots rx-prod-jump tx-prod-jump; do
	(eval "$("$XENSIM" env "$DIR" 1)"; exec timeout 60 "$FE" "$mode") >"$DIR/fe1.out" 2>&1 ||
		fail "domain 1 $mode: $(tail -2 "$DIR/fe1.out")"
	breaks=$((breaks + 1))
done
wait $fe2 || fail "domain 2 data run failed: $(tail -3 "$DIR/fe2.out")"

echo "show port xstats all" >&3
echo stop >&3
sleep 1
echo quit >&3
exec 3>&-
wait "$bepid" || fail "backend testpmd failed"
bepid=
grep -q "Bye..." "$DIR/be.out" || fail "backend testpmd did not exit normally"
[ "$(pstat 0 protocol_breaks)" -eq $breaks ] ||
	fail "port 0 counted $(pstat 0 protocol_breaks) breaks, expected $breaks"
[ "$(pstat 1 protocol_breaks)" -eq 0 ] || fail "port 1 counted breaks"
[ "$(pstat 1 connects)" -eq 1 ] || fail "domain 2 connected $(pstat 1 connects) times"
[ "$(pstat 1 guest_tx_packets)" -ge 4000 ] || fail "port 1 got $(pstat 1 guest_tx_packets) packets"
while read -r line; do
	case $line in
	hv\ *grants=0\ maps=0\ evtchns=0*) ;;
	hv\ *) fail "left behind: $line" ;;
	esac
done <<<"$("$XENSIM" status "$DIR")"
grep -q "Sanitizer" "$DIR/be.out" && fail "sanitizer report"
echo "two vifs: domain 1 broke the protocol $breaks times; domain 2: $(tail -2 "$DIR/fe2.out" | head -1)"
if [ $fails -gt 0 ]; then grep -E "netback_" "$DIR/be.out" | tail -30; fi
exit $((fails > 0))
