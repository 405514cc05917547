# Scenario 3, dom0 side (sourced by /init): net_netback in testpmd serves the
# domU's vif, net_netfront drives it in the domU (s3-domU.sh); the kernel's
# xen-netback is not loaded. Round 'st': staging grants (the frontend
# registers its pages, the backend maps them and memcpys); round 'gc':
# staging=off, every slot grant-copied. Checks per round: connection, frames
# both ways, nothing counted bad; staging pages registered in 'st' only.
# Figures: guest TX and RX at 64 B per round, and the staging / grant-copy
# ratio per direction.
tp_start -l 0,1 --no-huge -m 256 --no-pci --no-shconf --log-level=pmd.net.netback:info \
	-d /usr/local/lib/xenpmd/librte_net_netback.so \
	-- -i --no-mlockall --total-num-mbufs=4096 --forward-mode=io --port-topology=loop
tp_ready || fail "testpmd did not start"
[ "$RESULT" = PASS ] && { netback_domu s3 768 || fail "domU creation with net_netback"; }

s3_phase() {
	case $1 in
	*-echo)
		tp stop
		tp "set fwd io"
		tp start
		;;
	*-gtx)
		tp stop
		tp "set fwd rxonly"
		tp "clear port stats 0"
		tp start
		;;
	*-gtx-done)
		tp_stats
		tp stop
		eval "NB_RX_${1%%-*}=$RXP"
		;;
	*-grx)
		tp "set fwd txonly"
		tp start
		;;
	*-grx-done)
		tp stop
		tp "show port xstats 0"
		tp_stats
		eval "NB_MEMCPY_${1%%-*}='$(xstat guest_tx_slots_memcpy) $(xstat guest_rx_slots_memcpy)'"
		eval "NB_GCOPY_${1%%-*}='$(xstat guest_tx_slots_grant_copy) $(xstat guest_rx_slots_grant_copy)'"
		say "netback after round ${1%%-*}: gref_add_ok $(xstat gref_add_ok), slots memcpy tx/rx $(xstat guest_tx_slots_memcpy)/$(xstat guest_rx_slots_memcpy), grant-copied $(xstat guest_tx_slots_grant_copy)/$(xstat guest_rx_slots_grant_copy), protocol_breaks $(xstat protocol_breaks)"
		;;
	esac
}

pps() { set -- $1; [ -n "$1" ] && [ -n "$2" ] && echo "$1 / $2" | bc || echo 0; }
if [ "$RESULT" = PASS ]; then
	serve_phases s3_phase 900 || fail "domU did not finish"
	tp "show port xstats 0"
	tp_stats
	sleep 1
	kill $TAILPID 2>/dev/null
	for r in st gc; do
		set -- $(domU_key $r-echo)
		check "round $r: netfront connected to net_netback" [ "$(domU_key $r-connected)" = yes ]
		check "round $r: frames both ways (netfront rx ${1:-0} tx ${2:-0})" [ "${1:-0}" -gt 1000 -a "${2:-0}" -gt 1000 ]
		check "round $r: no bad response counted by netfront" [ "$(domU_key $r-bad)" = 0 ]
		check "round $r: testpmd exited cleanly" [ "$(domU_key $r-rc)" = 0 ]
	done
	st_pages=$(domU_key st-staged) gc_pages=$(domU_key gc-staged)
	check "staging grants: ${st_pages:-0} pages registered (xstats)" [ "${st_pages:-0}" -gt 0 ]
	set -- $NB_MEMCPY_st
	check "staging grants used by net_netback (slots memcpy tx ${1:-0} rx ${2:-0})" [ "${1:-0}" -gt 0 -a "${2:-0}" -gt 0 ]
	check "staging=off: nothing registered (${gc_pages:-?})" [ "${gc_pages:-1}" = 0 ]
	check "no protocol break counted by net_netback" [ "$(xstat protocol_breaks)" = 0 ]
	for r in st gc; do
		eval "tx_$r=\$(pps \"\$(domU_key $r-gtx)\") rx_$r=\$(pps \"\$(domU_key $r-grx)\")"
	done
	say "XENLAB FIGURE s3 staging grants, 64 B: guest TX $tx_st pps (dom0 received ${NB_RX_st:-0}), guest RX $rx_st pps"
	say "XENLAB FIGURE s3 grant copy (staging=off), 64 B: guest TX $tx_gc pps (dom0 received ${NB_RX_gc:-0}), guest RX $rx_gc pps"
	say "XENLAB FIGURE s3 staging / grant copy: guest TX x$(echo "scale=2; $tx_st / ($tx_gc + 0.001)" | bc), guest RX x$(echo "scale=2; $rx_st / ($rx_gc + 0.001)" | bc)"
	say "(QEMU TCG: only ratios between these figures mean anything, and TCG distorts the cost of hypercalls against memcpy)"
fi
tp_quit
check "testpmd (net_netback) exited cleanly" [ "$TPRC" = 0 ]
