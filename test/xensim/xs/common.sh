# Shared setup of the xensim xenstore tests: a fresh host in a short state
# dir, stopped on exit whatever happens. Source it from a bash test.
set -euo pipefail

XENSIM=${XENSIM:?set XENSIM to the xensim CLI}
DIR=$(mktemp -d /tmp/xsim.XXXXXX)

cleanup() {
	local rc=$?
	"$XENSIM" stop "$DIR" >/dev/null 2>&1 || true
	# A sanitizer report of the daemon (ASan builds) fails the test.
	if grep -q 'Sanitizer' "$DIR/xensimd.log" 2>/dev/null; then
		echo "FAIL: sanitizer report in xensimd.log" >&2
		rc=1
	fi
	if [ $rc -ne 0 ] && [ -f "$DIR/xensimd.log" ]; then
		echo "--- xensimd.log" >&2
		tail -n 60 "$DIR/xensimd.log" >&2
	fi
	rm -rf "$DIR"
	exit $rc
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# as DOMID CMD...: run a command as that domain (its xenstore socket)
as() {
	local d=$1
	shift
	XENSTORED_PATH="$DIR/xs-dom$d.sock" "$@"
}

expect_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# expect_fail CMD...: the command must fail
expect_fail() {
	if "$@" >/dev/null 2>&1; then
		fail "should have failed: $*"
	fi
}

# wait_lines FILE N: wait (at most 10 s) until FILE has N lines
wait_lines() {
	local i
	for i in $(seq 1 1000); do
		if [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; then
			return 0
		fi
		sleep 0.01
	done
	fail "$1: fewer than $2 lines after 10 s: $(cat "$1" 2>/dev/null)"
}

# status_field DOM FIELD: a field of the "xs dom=DOM" status line
status_field() {
	"$XENSIM" status "$DIR" | awk -v d="dom=$1" -v f="$2" '
		$1 == "xs" && $2 == d {
			for (i = 3; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == f) print kv[2]
			}
		}'
}

# wait_status DOM FIELD VALUE: wait (at most 10 s) for a status value
wait_status() {
	local i v=
	for i in $(seq 1 1000); do
		v=$(status_field "$1" "$2")
		[ "$v" = "$3" ] && return 0
		sleep 0.01
	done
	fail "status dom=$1 $2: expected $3, got '$v'"
}

"$XENSIM" start "$DIR" >/dev/null
