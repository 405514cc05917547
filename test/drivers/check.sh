#!/usr/bin/env bash
# Payload integrity: check_app (net_netfront, domain 1) against net_netback
# in Debian's testpmd (domain 0, io forwarding: every packet sent back as
# it came) on xensim.
#   check.sh XENSIM NETBACK_SO CHECK_APP COPY(auto|grant) [check_app args...]
set -uo pipefail
. "$(dirname "$0")/../pmd_env.sh"
XENSIM=$1 NB=$2 APP=$3 COPY=$4
shift 4
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
trap '"$XENSIM" stop "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT

"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 >/dev/null || exit 1
"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 >/dev/null || exit 1
mkfifo "$DIR/be.cmd"
(
	eval "$("$XENSIM" env "$DIR" 0)"
	exec env $(pmd_env "$NB") timeout 300 dpdk-testpmd --lcores 0@0,1@0 --no-huge -m 256 \
		--no-pci --no-shconf --file-prefix chk-be -d "$NB" \
		--vdev "net_netback,domid=1,copy=$COPY" -- -i --total-num-mbufs=8192 \
		--forward-mode=io --max-pkt-len=9018
) <"$DIR/be.cmd" >"$DIR/be.out" 2>&1 &
exec 3>"$DIR/be.cmd"
echo start >&3
# testpmd's start drains its RX queues first: let it finish before the guest
# sends, or the first packet may be drained away.
for _ in $(seq 300); do
	grep -q "packet forwarding - ports=" "$DIR/be.out" && break
	sleep 0.1
done
(
	eval "$("$XENSIM" env "$DIR" 1)"
	exec env $(pmd_env "$APP") timeout 300 "$APP" --lcores 0@1 --no-huge -m 256 --no-pci \
		--no-shconf --file-prefix chk-fe --vdev net_netfront,connect_timeout_ms=30000 \
		--log-level=pmd.net.netfront:info -- "$@"
) >"$DIR/app.out" 2>&1
rc=$?
(echo stop; echo "show port xstats 0"; echo quit) >&3
exec 3>&-
wait
grep -v '^EAL\|^TELEMETRY' "$DIR/app.out" | tail -8
if grep -q "still out" "$DIR/app.out"; then
	echo "FAIL: the driver freed a pool with mbufs out"
	rc=1
fi
left=$("$XENSIM" status "$DIR" | grep '^hv ' | grep -v 'grants=0 maps=0 evtchns=0')
if [ -n "$left" ]; then
	echo "FAIL: left behind: $left"
	rc=1
fi
[ $rc -eq 0 ] || grep -E "RX-packets|TX-packets|TX-dropped|RX-dropped|: [1-9]" "$DIR/be.out" | head -40
exit $rc
