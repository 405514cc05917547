#!/usr/bin/env bash
# The one-command demo: DPDK to DPDK across two domains of a simulated Xen
# host (xensim). Domain 0 runs Debian's dpdk-testpmd with net_netback as the
# backend of the guest's vif; domain 1 runs dpdk-testpmd with net_netfront.
# Both forward in io mode: the guest sends a first burst, the backend sends
# back what it gets, the guest sends back what it gets, so packets
# circulate through both rings with staging grants (the guest's pages stay
# mapped in the backend: a memcpy per packet, no grant copy).
#
#   devtools/demo.sh            (as root on a fresh Debian 12: installs first)
#   XENPMD_NO_INSTALL=1 devtools/demo.sh
#   DEMO_SECONDS=10 DEMO_COPY=grant devtools/demo.sh   (every packet grant-copied)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${DEMO_SECONDS:-5}
copy=${DEMO_COPY:-auto}
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

echo "== dom0: dpdk-testpmd -d librte_net_netback.so --vdev net_netback,domid=1,copy=$copy (io)"
mkfifo "$DIR/be.cmd"
(
	eval "$("$X" env "$DIR" 0)"
	exec dpdk-testpmd --lcores 0@0,1@0 --no-huge -m 256 --no-pci --no-shconf \
		--file-prefix demo-be --log-level=pmd.net.netback:info \
		-d "$build/drivers/net/netback/librte_net_netback.so" \
		--vdev "net_netback,domid=1,copy=$copy" -- -i --total-num-mbufs=4096 \
		--forward-mode=io
) <"$DIR/be.cmd" >"$DIR/backend.out" 2>&1 &
exec 3>"$DIR/be.cmd"
echo start >&3

echo "== dom1: dpdk-testpmd -d librte_net_netfront.so --vdev net_netfront (io, ${secs}s)"
(
	eval "$("$X" env "$DIR" 1)"
	(sleep 1; echo "start tx_first"; sleep "$secs"; echo stop; echo "show port stats all"
	 echo "show port xstats all"; echo quit) |
		dpdk-testpmd --lcores 0@1,1@1 --no-huge -m 256 --no-pci --no-shconf \
			--file-prefix demo-fe --log-level=pmd.net.netfront:info \
			-d "$build/drivers/net/netfront/librte_net_netfront.so" \
			--vdev net_netfront -- -i --total-num-mbufs=2048 --forward-mode=io
) >"$DIR/guest.out" 2>&1 || true
(echo stop; echo "show port xstats all"; echo quit) >&3
exec 3>&-
wait

grep -hE 'net_netfront|net_netback' "$DIR/backend.out" "$DIR/guest.out" |
	sed 's/^testpmd> //; s/^[a-z_]*(): /  /' | awk '!seen[$0]++' | grep -v 'disconnected'
sed -n '/NIC statistics for port 0/,/TX-packets/p' "$DIR/guest.out"
grep -E '^(tx_q0_(zero_copy|copied)_packets|rx_q0_bad_responses|staging_registered_pages):' \
	"$DIR/guest.out" | sed 's/^/  guest /'
rx=$(awk '$1 == "rx_good_packets:" { print $2 }' "$DIR/guest.out" | tail -1)
echo "== guest received ${rx:-0} packets in about ${secs}s" \
	"($(awk -v r="${rx:-0}" -v s="$secs" 'BEGIN { printf "%.2f", r / s / 1e6 }') Mpps each way," \
	"packets of 64 B circulating; both processes share this machine's cores;" \
	"xensim models Xen's checks, not its cost)"
echo "== left behind after both exited (xensim status):"
"$X" status "$DIR" | grep '^hv ' | sed 's/^/  /'
