#!/bin/sh
# Compare the exported symbols and symbol versions of the xensim drop-in
# libraries with Debian's libxengnttab.so.1 / libxenevtchn.so.1.
# usage: abi_check.sh OBJDUMP BUILD_LIBDIR SYSTEM_LIBDIR
set -eu
objdump=$1 mine=$2 sys=$3
rc=0
syms() {
	# "name version" of every defined dynamic symbol, sorted
	"$objdump" -T "$1" | awk '/VERS_/ && !/\*UND\*/ { print $NF, $(NF-1) }' | sort
}
soname() {
	"$objdump" -p "$1" | awk '$1 == "SONAME" { print $2 }'
}
for lib in libxengnttab.so.1 libxenevtchn.so.1; do
	if [ ! -e "$sys/$lib" ]; then
		echo "FAIL: $sys/$lib not found"; exit 1
	fi
	a=$(syms "$mine/$lib"); b=$(syms "$sys/$lib")
	if [ -z "$a" ]; then
		echo "FAIL: $mine/$lib exports nothing"; rc=1; continue
	fi
	if [ "$a" != "$b" ]; then
		echo "FAIL: $lib symbols differ (< xensim, > Debian):"
		printf '%s\n' "$a" > /tmp/abi.$$.a; printf '%s\n' "$b" > /tmp/abi.$$.b
		diff /tmp/abi.$$.a /tmp/abi.$$.b || true
		rm -f /tmp/abi.$$.a /tmp/abi.$$.b
		rc=1
	fi
	if [ "$(soname "$mine/$lib")" != "$(soname "$sys/$lib")" ]; then
		echo "FAIL: $lib soname $(soname "$mine/$lib") != $(soname "$sys/$lib")"; rc=1
	fi
	n=$(printf '%s\n' "$a" | wc -l)
	[ $rc -eq 0 ] && echo "ok $lib: $n symbols, same versions and soname as Debian's"
done
exit $rc
