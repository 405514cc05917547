#!/usr/bin/env bash
# The one-command demo: a simulated Xen host (xensim) with a guest domain 1
# whose vif is driven by net_netfront inside Debian's dpdk-testpmd, and a
# backend in domain 0. testpmd sends a first burst and then forwards
# everything it receives back out (io mode); the backend reflects every
# packet, so the packets circulate through both rings for a few seconds.
#
#   devtools/demo.sh            (as root on a fresh Debian 12: installs first)
#   XENPMD_NO_INSTALL=1 devtools/demo.sh
#   DEMO_SECONDS=10 devtools/demo.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${DEMO_SECONDS:-5}
build=${XENPMD_BUILD:-build}

if [ -z "${XENPMD_NO_INSTALL:-}" ] && [ "$(id -u)" -eq 0 ]; then
	devtools/install-deps.sh
fi
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null

X=$build/app/xensim/xensim
DIR=$(mktemp -d /tmp/xenpmd-demo.XXXXXX)
trap '"$X" stop "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT

echo "== a simulated Xen host in $DIR: dom0 and a guest, one vif"
"$X" start "$DIR"
"$X" domain create "$DIR" 1 --name guest
"$X" vif add "$DIR" --frontend 1 --backend 0 --mac 00:16:3e:00:00:01

echo "== backend in dom0: xb_peer (the test backend: plain protocol, grant copy, reflects packets)"
(eval "$("$X" env "$DIR" 0)"; exec "$build/test/drivers/xb_peer" --frontend 1 --seconds $((secs + 60))) \
	>"$DIR/peer.out" 2>&1 &

echo "== guest dom1: dpdk-testpmd -d librte_net_netfront.so --vdev net_netfront (io forwarding, ${secs}s)"
(
	eval "$("$X" env "$DIR" 1)"
	(sleep 1; echo "start tx_first"; sleep "$secs"; echo stop; echo "show port stats all"
	 echo "show port xstats all"; echo quit) |
		dpdk-testpmd -l 0,1 --no-huge -m 256 --no-pci --no-shconf \
			--log-level=pmd.net.netfront:info \
			-d "$build/drivers/net/netfront/librte_net_netfront.so" \
			--vdev net_netfront -- -i --total-num-mbufs=2048 --forward-mode=io
) >"$DIR/testpmd.out" 2>&1 || true
wait

grep -E 'net_netfront' "$DIR/testpmd.out" | sed 's/^[a-z_]*(): /  /' | awk '!seen[$0]++'
sed -n '/NIC statistics for port 0/,/TX-packets/p' "$DIR/testpmd.out"
grep -E '^(tx_q0_(zero_copy|copied)_packets|rx_q0_bad_responses|staging_registered_pages):' "$DIR/testpmd.out" | sed 's/^/  /'
rx=$(awk '$1 == "rx_good_packets:" { print $2 }' "$DIR/testpmd.out" | tail -1)
echo "== guest received ${rx:-0} packets in about ${secs}s ($(awk -v r="${rx:-0}" -v s="$secs" 'BEGIN { printf "%.2f", r / s / 1e6 }') Mpps each way with 32 packets of 64 B circulating; xensim models Xen's checks, not its cost)"
echo "== backend: $(cat "$DIR/peer.out")"
echo "== left behind after both exited (xensim status):"
"$X" status "$DIR" | grep '^hv ' | sed 's/^/  /'
