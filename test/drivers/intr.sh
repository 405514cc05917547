#!/usr/bin/env bash
# RX interrupts of net_netfront (notify=intr) on xensim, against xb_peer:
#   intr.sh XENSIM NETFRONT_SO XB_PEER INTR_APP
set -uo pipefail
XENSIM=$1 PMD=$2 PEER=$3 APP=$4
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
trap '"$XENSIM" stop "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT
env=()
if ldd "$PMD" | grep libasan >/dev/null; then
	env=(LD_PRELOAD="$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=1)
fi

"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 >/dev/null || exit 1
"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 >/dev/null || exit 1
(eval "$("$XENSIM" env "$DIR" 0)"; exec "$PEER" --frontend 1 --seconds 60) >"$DIR/peer.out" 2>&1 &
(
	eval "$("$XENSIM" env "$DIR" 1)"
	exec env "${env[@]}" timeout 120 "$APP" -l 0 --no-huge -m 128 --no-pci --no-shconf \
		-d "$PMD" --vdev net_netfront,notify=intr
) >"$DIR/app.out" 2>&1
rc=$?
wait
cat "$DIR/app.out" | grep -v '^EAL\|^TELEMETRY'
cat "$DIR/peer.out"
left=$("$XENSIM" status "$DIR" | grep '^hv ' | grep -v 'grants=0 maps=0 evtchns=0')
if [ -n "$left" ]; then
	echo "FAIL: left behind: $left"
	rc=1
fi
exit $rc
