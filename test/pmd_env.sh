# Sourced by the test scripts that run a process loading one of our PMDs.
#
# pmd_env SO: the environment for that process, as assignments for env(1).
# With an ASan-built SO in a program that is not (Debian's testpmd), the ASan
# runtime must come first in LD_PRELOAD; LeakSanitizer is on. Then libstdbuf
# with _STDBUF_O=L (what stdbuf -oL does): stdout line-buffered, so that the
# script reads each line when it is printed and a process killed by a
# timeout leaves all it printed.
pmd_env() {
	local pre=/usr/libexec/coreutils/libstdbuf.so
	if ldd "$1" | grep libasan >/dev/null; then
		pre="$(gcc -print-file-name=libasan.so):$pre"
		echo ASAN_OPTIONS=detect_leaks=1
	fi
	echo LD_PRELOAD="$pre" _STDBUF_O=L
}
