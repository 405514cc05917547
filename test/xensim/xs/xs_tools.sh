#!/bin/bash
# Debian's xenstore-utils against xensimd: read, write, ls, rm, exists,
# list, chmod, watch, as dom0 and as a guest with relative paths.
. "$(dirname "$0")/common.sh"

"$XENSIM" domain create "$DIR" 1 --name guest1 >/dev/null

# write / read / exists / list / ls
as 0 xenstore-write /test/a "hello world" /test/b/c 42
expect_eq "$(as 0 xenstore-read /test/a)" "hello world" "read /test/a"
expect_eq "$(as 0 xenstore-read /test/b/c)" "42" "read /test/b/c"
expect_eq "$(as 0 xenstore-read /test/b)" "" "implicit parent is empty"
as 0 xenstore-exists /test/b/c || fail "exists /test/b/c"
expect_fail as 0 xenstore-exists /test/nope
expect_fail as 0 xenstore-read /test/nope
expect_eq "$(as 0 xenstore-list /test | tr '\n' ' ')" "a b " "list /test"
expect_eq "$(as 0 xenstore-ls -f /test | tr '\n' '|')" \
	'/test/a = "hello world"|/test/b = ""|/test/b/c = "42"|' "ls -f /test"

# overwrite, empty value
as 0 xenstore-write /test/a "" 
expect_eq "$(as 0 xenstore-read /test/a)" "" "empty value"

# rm removes the subtree; rm of an absent child of an existing node is fine
as 0 xenstore-rm /test/b
expect_fail as 0 xenstore-exists /test/b/c
expect_fail as 0 xenstore-exists /test/b
as 0 xenstore-rm /test/b || fail "rm of an absent node with a parent"
expect_fail as 0 xenstore-rm /test/x/y

# invalid paths
expect_fail as 0 xenstore-write '/test/bad//path' 1
expect_fail as 0 xenstore-write '/test/trailing/' 1
expect_fail as 0 xenstore-write '/test/sp ace' 1

# the domain's own directory, relative paths
expect_eq "$(as 1 xenstore-read domid)" "1" "guest reads its domid"
expect_eq "$(as 1 xenstore-read name)" "guest1" "guest reads its name"
as 1 xenstore-write data/x 7
expect_eq "$(as 0 xenstore-read /local/domain/1/data/x)" "7" "relative write"
expect_eq "$(as 0 xenstore-ls -p /local/domain/1/data | tr -s ' .' ' ')" \
	'x = "7" (n1)' "guest owns what it creates"

# chmod, perms as xenstore-ls shows them
as 0 xenstore-write /test/p v
as 0 xenstore-chmod /test/p n0 r1
expect_eq "$(as 0 xenstore-ls -p /test | grep '^p ' | tr -s ' .' ' ')" \
	'p = "v" (n0,r1)' "chmod n0 r1"
as 0 xenstore-chmod -r /test b0
expect_eq "$(as 0 xenstore-ls -p /test | grep '^p ' | tr -s ' .' ' ')" \
	'p = "v" (b0)' "chmod -r"
expect_fail as 0 xenstore-chmod /test/p x1

# a large directory goes through DIRECTORY_PART (over 4096 bytes of names)
for i in $(seq 1 300); do
	echo "/test/big/child-with-a-long-name-$i $i"
done | xargs -n 200 env XENSTORED_PATH="$DIR/xs-dom0.sock" xenstore-write
expect_eq "$(as 0 xenstore-list /test/big | wc -l)" "300" "list of 300"
expect_eq "$(as 0 xenstore-list /test/big | sort | uniq | wc -l)" "300" \
	"300 distinct names"

# watch: initial event, then changes of the node and its children
as 0 timeout 10 xenstore-watch -n 4 /test/w >"$DIR/w.out" &
wpid=$!
wait_lines "$DIR/w.out" 1
as 0 xenstore-write /test/w/a 1
as 0 xenstore-write /test/other 1 # not under /test/w
as 0 xenstore-write /test/w 2
as 0 xenstore-rm /test/w
wait $wpid || fail "xenstore-watch exited with $?"
expect_eq "$(tr '\n' ' ' <"$DIR/w.out")" \
	"/test/w /test/w/a /test/w /test/w " "watch events"

# a guest's relative watch gets relative paths
as 1 timeout 10 xenstore-watch -n 3 data >"$DIR/r.out" &
wpid=$!
wait_lines "$DIR/r.out" 1
as 1 xenstore-write data/y 1
as 0 xenstore-write /local/domain/1/data/z 1
wait $wpid || fail "relative xenstore-watch exited with $?"
expect_eq "$(tr '\n' ' ' <"$DIR/r.out")" "data data/y data/z " \
	"relative watch events"
echo PASS
