#!/bin/bash
# xensim vif add/remove: the frontend and backend entries, with the
# permissions, that `xl network-attach` writes (libxl_nic.c and
# libxl__device_generic_add), and libxl's removal handshake.
. "$(dirname "$0")/common.sh"

"$XENSIM" domain create "$DIR" 1 >/dev/null
"$XENSIM" domain create "$DIR" 2 >/dev/null

# "path = value (perms)" lines
ls_p() {
	as 0 xenstore-ls -fp "$1" | sed -e 's/ [ .]*(/ (/'
}

"$XENSIM" vif add "$DIR" --frontend 1 --backend 2 --mac 00:16:3e:aa:bb:cc \
	>/dev/null
expect_eq "$(ls_p /local/domain/1/device/vif/0)" \
'/local/domain/1/device/vif/0/backend = "/local/domain/2/backend/vif/1/0" (n1,r2)
/local/domain/1/device/vif/0/backend-id = "2" (n1,r2)
/local/domain/1/device/vif/0/state = "1" (n1,r2)
/local/domain/1/device/vif/0/handle = "0" (n1,r2)
/local/domain/1/device/vif/0/mac = "00:16:3e:aa:bb:cc" (n1,r2)
/local/domain/1/device/vif/0/trusted = "1" (n1,r2)
/local/domain/1/device/vif/0/mtu = "1500" (n2,r1)' "frontend entries"
expect_eq "$(as 0 xenstore-ls -p /local/domain/1/device/vif | head -n 1 |
	sed -e 's/ [ .]*(/ (/')" '0 = "" (n1,r2)' "frontend directory"
expect_eq "$(ls_p /local/domain/2/backend/vif/1/0)" \
'/local/domain/2/backend/vif/1/0/frontend = "/local/domain/1/device/vif/0" (n2,r1)
/local/domain/2/backend/vif/1/0/frontend-id = "1" (n2,r1)
/local/domain/2/backend/vif/1/0/online = "1" (n2,r1)
/local/domain/2/backend/vif/1/0/state = "1" (n2,r1)
/local/domain/2/backend/vif/1/0/script = "/etc/xen/scripts/vif-bridge" (n2,r1)
/local/domain/2/backend/vif/1/0/mac = "00:16:3e:aa:bb:cc" (n2,r1)
/local/domain/2/backend/vif/1/0/bridge = "xenbr0" (n2,r1)
/local/domain/2/backend/vif/1/0/handle = "0" (n2,r1)
/local/domain/2/backend/vif/1/0/type = "vif" (n2,r1)
/local/domain/2/backend/vif/1/0/hotplug-status = "connected" (n2,r1)' \
	"backend entries"
expect_eq "$(as 0 xenstore-ls -p /local/domain/2/backend/vif/1 | head -n 1 |
	sed -e 's/ [ .]*(/ (/')" '0 = "" (n2,r1)' "backend directory"
expect_eq "$(as 0 xenstore-read /libxl/1/device/vif/0/frontend)" \
	/local/domain/1/device/vif/0 "libxl frontend"
expect_eq "$(as 0 xenstore-read /libxl/1/device/vif/0/backend)" \
	/local/domain/2/backend/vif/1/0 "libxl backend"
# the guest reaches its vif with relative paths
expect_eq "$(as 1 xenstore-read device/vif/0/backend-id)" "2" "relative"

# what a guest left in its frontend directory is replaced
as 1 xenstore-write device/vif/3/backend /evil device/vif/3/junk 1
as 1 xenstore-chmod device/vif/3 b1
"$XENSIM" vif add "$DIR" --frontend 1 --backend 2 --devid 3 >/dev/null
expect_fail as 0 xenstore-exists /local/domain/1/device/vif/3/junk
expect_eq "$(as 0 xenstore-read /local/domain/1/device/vif/3/backend)" \
	/local/domain/2/backend/vif/1/3 "backend path replaced"
expect_eq "$(as 0 xenstore-ls -p /local/domain/1/device/vif | grep '^3 ' |
	sed -e 's/.*(//; s/)//')" "n1,r2" "frontend perms reset"
"$XENSIM" vif remove "$DIR" --frontend 1 --devid 3 --force

# next devid, default MAC, non-default MTU, no hotplug emulation
"$XENSIM" vif add "$DIR" --frontend 1 --backend 2 --mtu 9000 --no-hotplug \
	>/dev/null
expect_eq "$(as 0 xenstore-read /local/domain/1/device/vif/1/mac)" \
	"00:16:3e:00:01:01" "default MAC"
expect_eq "$(as 0 xenstore-read /local/domain/2/backend/vif/1/1/mtu)" "9000" \
	"backend mtu"
expect_eq "$(as 0 xenstore-read /local/domain/1/device/vif/1/mtu)" "9000" \
	"frontend mtu"
expect_eq "$(as 0 xenstore-read /local/domain/2/backend/vif/1/1/hotplug-status)" \
	"" "no hotplug"

# refused: existing vif, unknown domains, same domain, bad MAC
expect_fail "$XENSIM" vif add "$DIR" --frontend 1 --backend 2 --devid 0
expect_fail "$XENSIM" vif add "$DIR" --frontend 9 --backend 2
expect_fail "$XENSIM" vif add "$DIR" --frontend 1 --backend 9
expect_fail "$XENSIM" vif add "$DIR" --frontend 1 --backend 1
expect_fail "$XENSIM" vif add "$DIR" --frontend 1 --backend 2 --mac 00:11
expect_fail "$XENSIM" vif remove "$DIR" --frontend 1 --devid 7

# remove with a backend that answers: online=0, state Closing, it closes
be=/local/domain/2/backend/vif/1/0
(
	for i in $(seq 1 1000); do
		if [ "$(as 2 xenstore-read $be/state)" = 5 ]; then
			as 2 xenstore-read $be/online >"$DIR/online.seen"
			as 2 xenstore-write $be/state 6
			exit 0
		fi
		sleep 0.01
	done
	exit 1
) &
bpid=$!
"$XENSIM" vif remove "$DIR" --frontend 1 --devid 0 --timeout 10 \
	2>"$DIR/remove.err" || fail "vif remove"
wait $bpid || fail "the fake backend never saw Closing"
[ ! -s "$DIR/remove.err" ] || fail "remove waited for the timeout: $(cat "$DIR/remove.err")"
expect_eq "$(cat "$DIR/online.seen")" "0" "online=0 before Closing"
expect_fail as 0 xenstore-exists /local/domain/1/device/vif/0
expect_fail as 0 xenstore-exists /local/domain/2/backend/vif/1/0
expect_fail as 0 xenstore-exists /libxl/1/device/vif/0

# a backend that never answers: removed after the timeout, with a warning
"$XENSIM" vif remove "$DIR" --frontend 1 --devid 1 --timeout 0 \
	2>"$DIR/remove.err" || fail "vif remove after timeout"
grep -q "did not close" "$DIR/remove.err" || fail "no timeout warning"
expect_fail as 0 xenstore-exists /local/domain/1/device/vif/1

# the guest may rewrite its frontend's backend path: never trusted
"$XENSIM" vif add "$DIR" --frontend 1 --backend 2 --devid 5 >/dev/null
as 0 xenstore-rm /libxl/1/device/vif/5
as 1 xenstore-write device/vif/5/backend /local/domain/0
expect_fail "$XENSIM" vif remove "$DIR" --frontend 1 --devid 5 --force
as 0 xenstore-exists /local/domain/0 || fail "dom0's directory removed"

# --force removes at once; the removal (one transaction) reaches the
# backend domain's watch on the frontend's state, though the node is gone
"$XENSIM" vif add "$DIR" --frontend 2 --backend 1 >/dev/null
as 1 timeout 10 xenstore-watch -n 2 /local/domain/2/device/vif/0/state \
	>"$DIR/be.out" &
wpid=$!
wait_lines "$DIR/be.out" 1
"$XENSIM" vif remove "$DIR" --frontend 2 --devid 0 --force
wait $wpid || fail "the backend domain missed the removal of the frontend"
expect_fail as 0 xenstore-exists /local/domain/2/device/vif/0
expect_fail as 0 xenstore-exists /local/domain/1/backend/vif/2/0
echo PASS
