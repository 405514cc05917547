#!/bin/bash
# Xen's node permissions across domains, with Debian's xenstore-utils:
# a connection on domain N's socket is domain N.
. "$(dirname "$0")/common.sh"

"$XENSIM" domain create "$DIR" 1 >/dev/null
"$XENSIM" domain create "$DIR" 2 >/dev/null

# /local/domain/N is owned by N; others see nothing of it
expect_eq "$(as 0 xenstore-ls -p /local/domain | grep '^1 = ' | tr -s ' .' ' ')" \
	'1 = "" (n1)' "perms of /local/domain/1"
as 2 xenstore-write secret s3cr3t
expect_fail as 1 xenstore-read /local/domain/2/secret
expect_fail as 1 xenstore-read /local/domain/2/name
expect_fail as 1 xenstore-ls /local/domain/2
expect_fail as 1 xenstore-write /local/domain/2/secret x
expect_fail as 1 xenstore-rm /local/domain/2/secret
expect_fail as 1 xenstore-chmod /local/domain/2/secret b1
expect_eq "$(as 2 xenstore-read secret)" "s3cr3t" "untouched by dom1"
# the root and dom0's nodes are not readable by guests either
expect_fail as 1 xenstore-read /local/domain/0/name
expect_fail as 1 xenstore-write /newnode 1
expect_fail as 1 xenstore-ls /

# what dom0 grants, dom1 may read, and only that
as 0 xenstore-write /shared/ro v1 /shared/rw v2 /shared/none v3
as 0 xenstore-chmod /shared/ro n0 r1
as 0 xenstore-chmod /shared/rw n0 b1
expect_eq "$(as 1 xenstore-read /shared/ro)" "v1" "granted read"
expect_fail as 1 xenstore-write /shared/ro x
expect_fail as 1 xenstore-read /shared/none
expect_fail as 2 xenstore-read /shared/ro
as 1 xenstore-write /shared/rw mine
expect_eq "$(as 0 xenstore-read /shared/rw)" "mine" "granted write"
# nodes dom1 creates under a node it may write are its own
as 1 xenstore-write /shared/rw/child c
expect_eq "$(as 0 xenstore-ls -p /shared/rw | tr -s ' .' ' ')" \
	'child = "c" (n1,b1)' "creator owns the new node (perms inherited)"
# the default access (first entry) applies to domains not listed
as 0 xenstore-write /shared/all v
as 0 xenstore-chmod /shared/all r0 n2
expect_eq "$(as 1 xenstore-read /shared/all)" "v" "default read"
expect_fail as 2 xenstore-read /shared/all

# the owner may change perms but not give the node away
as 1 xenstore-chmod /shared/rw/child n1 r2
expect_eq "$(as 2 xenstore-read /shared/rw/child)" "c" "owner granted read"
expect_fail as 1 xenstore-chmod /shared/rw/child n2
expect_fail as 2 xenstore-chmod /shared/rw/child n2 r1

# a vif's frontend: the backend reads it, the frontend does not write mtu
"$XENSIM" vif add "$DIR" --frontend 1 --backend 2 >/dev/null
as 2 xenstore-read /local/domain/1/device/vif/0/mac >/dev/null ||
	fail "backend reads the frontend"
as 1 xenstore-write device/vif/0/state 3
expect_fail as 2 xenstore-write /local/domain/1/device/vif/0/state 5
expect_fail as 1 xenstore-write device/vif/0/mtu 9000
as 2 xenstore-write /local/domain/2/backend/vif/1/0/state 2
expect_eq "$(as 1 xenstore-read /local/domain/2/backend/vif/1/0/state)" "2" \
	"frontend reads the backend"
expect_fail as 1 xenstore-write /local/domain/2/backend/vif/1/0/state 4

# privileged operations are refused to guests
expect_fail as 1 xenstore-control print hi
echo PASS
