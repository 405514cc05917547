#!/bin/bash
# Domain lifecycle: create writes domid/name and fires @introduceDomain;
# destroy removes the subtree, fires watches on it and @releaseDomain,
# closes the domain's connections and socket.
. "$(dirname "$0")/common.sh"

as 0 timeout 10 xenstore-watch -n 2 @introduceDomain >"$DIR/intro.out" &
ipid=$!
wait_lines "$DIR/intro.out" 1
"$XENSIM" domain create "$DIR" 3 --name victim >/dev/null
wait $ipid || fail "no @introduceDomain"
expect_eq "$(tr '\n' ' ' <"$DIR/intro.out")" "@introduceDomain @introduceDomain " \
	"@introduceDomain events"
expect_eq "$(as 3 xenstore-read domid)" "3" "domid"
expect_eq "$(as 3 xenstore-read name)" "victim" "name"
expect_eq "$(status_field 3 introduced)" "1" "introduced"

# a duplicate or out of range domain is refused
expect_fail "$XENSIM" domain create "$DIR" 3
expect_fail "$XENSIM" domain create "$DIR" 32752
expect_fail "$XENSIM" domain destroy "$DIR" 0
expect_fail "$XENSIM" domain destroy "$DIR" 4

as 3 xenstore-write data/a 1 device/vif/0/state 4
# nodes elsewhere that name the domain
as 0 xenstore-write /shared/owned 1 /shared/listed 1
as 0 xenstore-chmod /shared/owned n3 r0
as 0 xenstore-chmod /shared/listed n0 r3 b5
# dom0 watches: @releaseDomain, the domain's directory, a node inside it
as 0 timeout 10 xenstore-watch -n 2 @releaseDomain >"$DIR/rel.out" &
rpid=$!
as 0 timeout 10 xenstore-watch -n 2 /local/domain/3 >"$DIR/dir.out" &
dpid=$!
as 0 timeout 10 xenstore-watch -n 2 /local/domain/3/device/vif/0/state \
	>"$DIR/state.out" &
spid=$!
# the domain itself, connected with a watch of its own
as 3 timeout 10 xenstore-watch -n 5 data >"$DIR/own.out" &
opid=$!
wait_lines "$DIR/rel.out" 1
wait_lines "$DIR/dir.out" 1
wait_lines "$DIR/state.out" 1
wait_lines "$DIR/own.out" 1
wait_status 3 conns 1

"$XENSIM" domain destroy "$DIR" 3 >/dev/null
wait $rpid || fail "no @releaseDomain"
wait $dpid || fail "no event on /local/domain/3"
wait $spid || fail "no event on a node of the removed subtree"
expect_eq "$(tail -n 1 "$DIR/rel.out")" "@releaseDomain" "@releaseDomain"
expect_eq "$(tail -n 1 "$DIR/dir.out")" "/local/domain/3" "directory event"
expect_eq "$(tail -n 1 "$DIR/state.out")" "/local/domain/3/device/vif/0/state" \
	"removed node event"
# the domain's own client lost its connection: xenstore-watch ends
# (before its 10 s timeout, without more events)
rc=0
wait $opid || rc=$?
[ $rc -ne 124 ] || fail "dom3's watcher kept its connection"
expect_eq "$(wc -l <"$DIR/own.out")" "1" "events seen by dom3's own watcher"

expect_fail as 0 xenstore-exists /local/domain/3
[ ! -e "$DIR/xs-dom3.sock" ] || fail "xs-dom3.sock still exists"
"$XENSIM" status "$DIR" | grep -q '^domain id=3 ' && fail "dom3 in status"
"$XENSIM" status "$DIR" | grep -q '^xs dom=3 ' && fail "dom3 in xs status"

# what it owned goes to dom0, it leaves the permission lists
perms() { as 0 xenstore-ls -p /shared | grep "^$1 " | sed -e 's/.*(//; s/)//'; }
expect_eq "$(perms owned)" "n0,r0" "owner gone"
expect_eq "$(perms listed)" "n0,b5" "entry of the dead domain dropped"

# the same id can be created again, fresh
"$XENSIM" domain create "$DIR" 3 >/dev/null
expect_fail as 3 xenstore-read data/a
expect_eq "$(as 3 xenstore-read name)" "dom3" "default name"
echo PASS
