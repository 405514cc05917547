#!/usr/bin/env bash
# Debian's dpdk-testpmd loads our plugin with -d; bad devargs and a missing
# xenstore fail the probe with a message that names the problem.
set -u
pmd=$1
fails=0

run_testpmd() { # devargs -> output
	local env=()
	# An ASan-built plugin in a testpmd that is not: preload the runtime.
	if ldd "$pmd" | grep libasan >/dev/null; then
		env=(LD_PRELOAD="$(gcc -print-file-name=libasan.so)"
			ASAN_OPTIONS=detect_leaks=1)
	fi
	env "${env[@]}" XENSTORED_PATH=/nonexistent/xs.sock timeout 120 \
		dpdk-testpmd -l 0,1 --no-huge -m 128 --no-pci --no-shconf \
		--log-level=pmd.net.netfront:info -d "$pmd" --vdev "net_netfront,$1" \
		-- --total-num-mbufs=1024 </dev/null 2>&1
}

expect() { # devargs, pattern
	local out
	out=$(run_testpmd "$1")
	if grep -q -- "$2" <<<"$out"; then
		echo "ok: '$1' -> $2"
	else
		echo "FAIL: '$1' did not print '$2'; output:"
		echo "$out" | head -20
		fails=$((fails + 1))
	fi
}

expect "queues=99" "bad value for devarg queues='99'"
expect "staging=maybe" "bad value for devarg staging='maybe': expected auto, on or off"
expect "nosuchkey=1" "known keys are vif"
expect "vif=0" "cannot open xenstore"
exit $((fails > 0))
