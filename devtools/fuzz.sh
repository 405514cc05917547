#!/usr/bin/env bash
# Builds the libFuzzer targets of test/fuzz/ with clang in their own build
# directory and runs each for a bounded time (meson test suite 'fuzz').
# Installs clang and the compiler-rt runtime first when missing (as root).
# Exits non-zero when the build fails or any target finds a crash; the
# input that did it stays in <builddir>/test/fuzz/artifacts/<target>/.
#
#   devtools/fuzz.sh                      every target, 60 s each
#   XENPMD_FUZZ_SECONDS=600 devtools/fuzz.sh   longer; 0 replays the corpus only
#   XENPMD_FUZZ_BUILD=dir ...             build directory (default build-fuzz)
#   extra arguments go to 'meson test' (e.g. fuzz_ctrl to run one target)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${XENPMD_FUZZ_BUILD:-build-fuzz}

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
# libFuzzer and the sanitizer runtimes of Debian's clang 14.
dpkg-query -W -f '${Status}' libclang-rt-14-dev 2>/dev/null |
	grep -q 'ok installed' || missing+=(libclang-rt-14-dev)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "fuzz.sh: missing ${missing[*]}; run as root to install" >&2
		exit 1
	fi
	apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" ||
		exit 1
fi

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Ddrivers=disabled || exit 1
elif ! grep -A1 '^rule c_COMPILER' "$build/build.ninja" | grep -q clang; then
	echo "fuzz.sh: $build was configured with another compiler than clang;" \
		"remove it or set XENPMD_FUZZ_BUILD" >&2
	exit 1
else
	meson configure "$build" -Dfuzz=true -Ddrivers=disabled >/dev/null || exit 1
fi
# Only the fuzz targets (test/fuzz/fuzz_<name>.c -> fuzz_<name>): the rest of
# the tree is built and tested by devtools/test.sh, with gcc.
targets=()
for f in test/fuzz/fuzz_*.c; do
	targets+=("test/fuzz/$(basename "$f" .c)")
done
ninja -C "$build" "${targets[@]}" || exit 1
# One target at a time (is_parallel: false): each gets a whole core.
meson test -C "$build" --no-rebuild --suite fuzz --print-errorlogs "$@"
rc=$?
echo "fuzz.sh: $(grep -c . "$build/meson-logs/testlog.json" 2>/dev/null || echo 0) targets run, exit $rc (log: $build/meson-logs/testlog.txt)"
exit $rc
