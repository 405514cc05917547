#!/usr/bin/env bash
# net_netfront in Debian's testpmd on xensim, when the vif is not there or
# the backend does not play: each case fails with a message that says so,
# and leaves nothing granted.
#   probe_xs.sh XENSIM NETFRONT_SO
set -uo pipefail
XENSIM=$1 PMD=$2
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
fails=0
trap '"$XENSIM" stop "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT
env=()
if ldd "$PMD" | grep libasan >/dev/null; then
	env=(LD_PRELOAD="$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=1)
fi

guest() { # devargs -> output of a testpmd that starts the port and quits
	(
		eval "$("$XENSIM" env "$DIR" 1)"
		echo quit | env "${env[@]}" timeout 120 dpdk-testpmd -l 0,1 --no-huge -m 128 \
			--no-pci --no-shconf --log-level=pmd.net.netfront:info -d "$PMD" \
			--vdev "net_netfront,$1" -- -i --total-num-mbufs=2048
	) 2>&1
}

expect() { # what devargs pattern
	local out
	out=$(guest "$2")
	if grep -q -- "$3" <<<"$out"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: no '$3' in:"
		grep -i 'netfront\|fail\|error' <<<"$out" | head -10
		fails=$((fails + 1))
	fi
	left=$("$XENSIM" status "$DIR" | grep '^hv dom=1' | grep -v 'grants=0 maps=0 evtchns=0')
	if [ -n "$left" ]; then
		echo "FAIL: $1: left behind: $left"
		fails=$((fails + 1))
	fi
}

"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 >/dev/null || exit 1
expect "no vif" "vif=0" "no vif 0 in this domain"
"$XENSIM" vif add "$DIR" --frontend 1 --backend 0 >/dev/null || exit 1
expect "other vif id" "vif=3" "no vif 3 in this domain"
expect "backend never reaches InitWait" "connect_timeout_ms=300" \
	"still Initialising after 300 ms waiting for InitWait"
be=/local/domain/0/backend/vif/1/0
fe=/local/domain/1/device/vif/0
"$XENSIM" run "$DIR" 0 xenstore-write $be/state 2 $be/feature-rx-copy yes
expect "garbage feature value" "connect_timeout_ms=300" "feature-\* key that is not 0 or 1"
"$XENSIM" run "$DIR" 0 xenstore-write $be/feature-rx-copy 0
expect "backend without rx-copy" "connect_timeout_ms=300" "does not offer feature-rx-copy"
"$XENSIM" run "$DIR" 0 xenstore-write $be/feature-rx-copy 1 $be/multi-queue-max-queues 0x10
expect "garbage queue count" "connect_timeout_ms=300" "bad $be/multi-queue-max-queues"
"$XENSIM" run "$DIR" 0 xenstore-write $be/multi-queue-max-queues 1 $be/state banana
expect "garbage backend state" "connect_timeout_ms=300" "backend $be/state"
"$XENSIM" run "$DIR" 1 xenstore-write $fe/mac 00:16:3e:zz:00:01
expect "garbage mac" "" "bad $fe/mac"
exit $((fails > 0))
