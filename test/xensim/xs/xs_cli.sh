#!/bin/bash
# The xensim CLI: start/stop, env, status, argument errors.
. "$(dirname "$0")/common.sh"

# one daemon per directory
expect_fail "$XENSIM" start "$DIR"
pid=$(cat "$DIR/xensimd.pid")
kill -0 "$pid" || fail "xensimd $pid not running"

# status: domain lines, xs lines, hv lines
"$XENSIM" domain create "$DIR" 4 --name four >/dev/null
"$XENSIM" status "$DIR" >"$DIR/status.out"
grep -qx 'domain id=0 name=Domain-0' "$DIR/status.out" || fail "dom0 line"
grep -qx 'domain id=4 name=four' "$DIR/status.out" || fail "dom4 line"
grep -q '^xs dom=4 conns=0 watches=0 transactions=0 nodes=3 introduced=1$' \
	"$DIR/status.out" || fail "xs line: $(cat "$DIR/status.out")"
grep -q '^hv dom=4 ' "$DIR/status.out" || fail "hv line: $(cat "$DIR/status.out")"

# env: eval'd, the process is domain 4
eval "$("$XENSIM" env "$DIR" 4)"
expect_eq "$XENSIM_DOMID" "4" "XENSIM_DOMID"
expect_eq "$XENSIM_DIR" "$DIR" "XENSIM_DIR"
expect_eq "$XENSTORED_PATH" "$DIR/xs-dom4.sock" "XENSTORED_PATH"
case "$LD_LIBRARY_PATH" in
*/lib/xensim*) ;;
*) fail "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" ;;
esac
expect_eq "$(xenstore-read domid)" "4" "domid through env"
unset XENSTORED_PATH
expect_fail "$XENSIM" env "$DIR" 5

# run: the same environment, for one command
expect_eq "$("$XENSIM" run "$DIR" 4 xenstore-read domid)" "4" "run as dom4"
expect_eq "$("$XENSIM" run "$DIR" 4 sh -c 'echo $XENSIM_DOMID:$XENSTORED_PATH')" \
	"4:$DIR/xs-dom4.sock" "run environment"
expect_fail "$XENSIM" run "$DIR" 5 true
expect_fail "$XENSIM" run "$DIR" 4 /nonexistent/program

# argument errors
expect_fail "$XENSIM"
expect_fail "$XENSIM" frobnicate "$DIR"
expect_fail "$XENSIM" domain create "$DIR" notanumber
expect_fail "$XENSIM" domain create "$DIR" 6 --name "two words"
expect_fail "$XENSIM" vif add "$DIR" --frontend 4
expect_fail "$XENSIM" status /nonexistent/dir

# a directory too long for unix socket paths is refused at start
long="$DIR/$(printf 'x%.0s' $(seq 1 100))"
mkdir -p "$long"
expect_fail "$XENSIM" start "$long"

# stop: the daemon is gone when it returns, its sockets too
"$XENSIM" stop "$DIR"
state=$(sed -e "s/.*) //" "/proc/$pid/stat" 2>/dev/null | cut -c1)
case "$state" in ""|Z|X) ;; *) fail "xensimd $pid still running after stop ($state)" ;; esac
for s in ctl.sock xs-dom0.sock xs-dom4.sock; do
	[ ! -e "$DIR/$s" ] || fail "$s left behind"
done
expect_fail "$XENSIM" stop "$DIR"
expect_fail "$XENSIM" status "$DIR"

# and it starts again in the same directory, here with a request trace
XENSIM_TRACE=1 "$XENSIM" start "$DIR" >/dev/null
expect_eq "$(as 0 xenstore-read /local/domain/0/name)" "Domain-0" "restart"
grep -q 'xs: dom0 -> READ tx=0 req=[0-9]* \[/local/domain/0/name \] OK' \
	"$DIR/xensimd.log" || fail "no trace of the READ"

# even after a crash (stale sockets, no stop)
pid=$(cat "$DIR/xensimd.pid")
kill -9 "$pid"
for i in $(seq 1 1000); do
	state=$(sed -e "s/.*) //" "/proc/$pid/stat" 2>/dev/null | cut -c1)
	case "$state" in "" | Z | X) break ;; esac
	sleep 0.01
done
[ -e "$DIR/ctl.sock" ] || fail "expected a stale ctl.sock"
expect_fail "$XENSIM" status "$DIR"
"$XENSIM" start "$DIR" >/dev/null
expect_eq "$(as 0 xenstore-read /local/domain/0/domid)" "0" "start after a crash"
echo PASS
