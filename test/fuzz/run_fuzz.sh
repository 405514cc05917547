#!/bin/sh
# run_fuzz.sh FUZZER SEED_CORPUS ARTIFACT_DIR
#
# Runs one libFuzzer target for XENPMD_FUZZ_SECONDS (default 60; 0 only
# replays the seed corpus) over a copy of its seed corpus, so the repository
# is never written. Fails when libFuzzer reports a crash, a sanitizer error,
# a broken promise (abort), a timeout or a leak; the input that did it is
# left in ARTIFACT_DIR and shown in hex.
set -u
fuzzer=$1
seeds=$2
artifacts=$3
secs=${XENPMD_FUZZ_SECONDS:-60}

case $secs in
'' | *[!0-9]*)
	echo "run_fuzz.sh: XENPMD_FUZZ_SECONDS must be a number of seconds" >&2
	exit 2
	;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/xenpmd-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/corpus" "$artifacts" || exit 2
if [ -d "$seeds" ]; then
	cp -R "$seeds"/. "$work/corpus/" || exit 2
fi
nseeds=$(ls "$work/corpus" | wc -l)
touch "$work/start"

if [ "$secs" -eq 0 ]; then
	limit=-runs=0
else
	limit=-max_total_time=$secs
fi
echo "run_fuzz.sh: $(basename "$fuzzer"): $nseeds seeds, ${secs}s"

# -timeout: one input taking 10 s is a hang. The outer timeout catches a
# fuzzer that stops honouring its own time limit.
# libFuzzer's own exit code for a finding is 77, which meson reads as
# "skipped": ask for 1 instead, and map any 77 left over all the same.
timeout -k 10 $((secs + 300)) "$fuzzer" "$limit" -timeout=10 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "$work/corpus"
rc=$?
[ $rc -eq 77 ] && rc=1

echo "run_fuzz.sh: $(basename "$fuzzer"): exit $rc, corpus $nseeds -> $(ls "$work/corpus" | wc -l) inputs"
if [ $rc -ne 0 ]; then
	for f in $(find "$artifacts" -type f -newer "$work/start"); do
		echo "run_fuzz.sh: artifact $f:"
		od -A x -t x1z -v "$f" | head -40
	done
fi
exit $rc
