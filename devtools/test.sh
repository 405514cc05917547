#!/usr/bin/env bash
# The whole test suite, as the README and CI run it: installs what is
# missing (as root), builds warning-free (-Werror), runs every meson test
# (unit, xensim, drivers, and the real-Xen lab under QEMU), builds again
# with AddressSanitizer and runs the tests there too (the lab skips itself
# there), then runs the libFuzzer targets for a bounded time (fuzz.sh).
# Ends with one line "N passed, N failed, N skipped" over both runs and a
# non-zero status if anything failed.
#
#   devtools/test.sh             install deps, build, test, ASan build, test
#   XENPMD_NO_INSTALL=1 ...      skip the install step
#   XENPMD_NO_ASAN=1 ...         skip the ASan build
#   XENPMD_NO_FUZZ=1 ...         skip the fuzzers (XENPMD_FUZZ_SECONDS: time each)
#   XENPMD_NO_XENLAB=1 ...       skip the real-Xen lab
#   extra arguments are passed to 'meson test' (e.g. --suite unit)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ -z "${XENPMD_NO_INSTALL:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		devtools/install-deps.sh || exit 1
	else
		echo "test.sh: not root, skipping devtools/install-deps.sh" >&2
	fi
fi

summaries=()
status=0
build_failures=0

run_suite() { # builddir, meson setup args...
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@"
	else
		meson configure "$dir" "$@" >/dev/null
	fi && ninja -C "$dir"
	if [ $? -ne 0 ]; then
		build_failures=$((build_failures + 1))
		return 1
	fi
	meson test -C "$dir" --print-errorlogs --num-processes 2 "${TEST_ARGS[@]}"
	local rc=$?
	summaries+=("$dir/meson-logs/testlog.json")
	return $rc
}

TEST_ARGS=("$@")
run_suite build-test --werror -Db_sanitize=none || status=1
if [ -z "${XENPMD_NO_ASAN:-}" ]; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		run_suite build-asan --werror -Db_sanitize=address -Db_lundef=false || status=1
fi

if [ -z "${XENPMD_NO_FUZZ:-}" ] && [ ${#TEST_ARGS[@]} -eq 0 ]; then
	rm -f build-fuzz/meson-logs/testlog.json
	XENPMD_FUZZ_BUILD=build-fuzz devtools/fuzz.sh || status=1
	if [ -f build-fuzz/meson-logs/testlog.json ]; then
		summaries+=(build-fuzz/meson-logs/testlog.json)
	else
		build_failures=$((build_failures + 1))
	fi
fi

python3 - "$build_failures" "${summaries[@]}" <<'PY' || status=1
import json, sys
passed = skipped = 0
failed = int(sys.argv[1])  # a build that failed counts as a failure
for path in sys.argv[2:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
s = f"{passed} passed, {failed} failed"
if skipped:
    s += f", {skipped} skipped"
print(s)
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $status
