#!/usr/bin/env bash
# with_xensim.sh XENSIM DOMID CMD...: run CMD as domain DOMID of a fresh
# xensim host (domain 1 created too), then stop the host.
set -uo pipefail
XENSIM=$1 DOMID=$2
shift 2
DIR=$(mktemp -d /tmp/xsim.XXXXXX)
trap '"$XENSIM" stop "$DIR" >/dev/null 2>&1; rm -rf "$DIR"' EXIT
"$XENSIM" start "$DIR" >/dev/null || exit 1
"$XENSIM" domain create "$DIR" 1 >/dev/null || exit 1
eval "$("$XENSIM" env "$DIR" "$DOMID")"
"$@"
