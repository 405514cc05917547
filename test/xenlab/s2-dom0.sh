# Scenario 2, dom0 side (sourced by /init): net_netback in Debian's
# dpdk-testpmd serves the domU's vif; the kernel's xen-netback is not loaded.
# The domU keeps the kernel's xen-netfront (s2-domU.sh). Checks: the guest's
# eth0 connects and gets link; its ping is answered (testpmd icmpecho); 2000
# frames of 60-1514 B from the guest come back intact (macswap); 64 B floods
# each way arrive. Figures: packets per second each way.
tp_start -l 0,1 --no-huge -m 256 --no-pci --no-shconf --log-level=pmd.net.netback:info \
	-d /usr/local/lib/xenpmd/librte_net_netback.so \
	-- -i --no-mlockall --total-num-mbufs=4096 --forward-mode=icmpecho --port-topology=loop
tp_ready || fail "testpmd did not start"
[ "$RESULT" = PASS ] && { netback_domu s2 768 || fail "domU creation with net_netback"; }

s2_phase() {
	case $1 in
	icmpecho | macswap)
		tp stop
		tp "set fwd $1"
		tp start
		;;
	rxonly)
		tp stop
		tp "set fwd rxonly"
		tp "clear port stats 0"
		NS0=$(up)
		tp start
		;;
	rxonly-done)
		tp_stats
		NS1=$(up)
		tp stop
		NB_RX=$RXP
		;;
	txonly)
		tp "set fwd txonly"
		tp start
		;;
	txonly-done)
		tp stop
		;;
	esac
}

if [ "$RESULT" = PASS ]; then
	serve_phases s2_phase 600 || fail "domU did not finish"
	tp "show port xstats 0"
	tp_stats
	breaks=$(xstat protocol_breaks)
	say "netback: guest_tx_packets $(xstat guest_tx_packets), guest_rx_packets $(xstat guest_rx_packets)," \
		"grant copies $(xstat guest_tx_slots_grant_copy)/$(xstat guest_rx_slots_grant_copy)," \
		"staged $(xstat guest_tx_slots_memcpy)/$(xstat guest_rx_slots_memcpy), connects $(xstat connects)"
	sleep 1
	kill $TAILPID 2>/dev/null
	ping_rx=$(domU_key ping-rx) g_sent=$(domU_key guest-tx-sent)
	g_rx=$(domU_key guest-rx-pkts) g_rxs=$(domU_key guest-rx-secs)
	check "the guest's xen-netfront connected to net_netback" [ "$(domU_key connected)" = yes ]
	check "the guest's eth0 has link" [ "$(domU_key carrier)" = 1 ]
	check "the guest's ping answered by testpmd icmpecho (${ping_rx:-0}/10)" [ "${ping_rx:-0}" -eq 10 ]
	check "2000 frames of 60-1514 B came back intact (macswap; eth0 $(domU_key echo-eth0))" \
		[ "$(domU_key echo-rc)" = 0 ]
	check "guest TX flood reached testpmd (${NB_RX:-0} of ${g_sent:-0})" [ "${NB_RX:-0}" -gt 1000 ]
	check "guest RX flood reached eth0 (${g_rx:-0})" [ "${g_rx:-0}" -gt 1000 ]
	check "no protocol break counted by net_netback" [ "$breaks" = 0 ]
	say "XENLAB FIGURE s2 guest TX 64 B: $(echo "${NB_RX:-0} / ($NS1 - $NS0)" | bc) pps (testpmd rxonly in dom0; the guest sent ${g_sent:-0} in 10 s)"
	say "XENLAB FIGURE s2 guest RX 64 B: $(echo "${g_rx:-0} / ${g_rxs:-1}" | bc) pps (guest eth0 rx_packets, testpmd txonly in dom0)"
	say "(QEMU TCG: only ratios between these figures mean anything)"
fi
tp_quit
check "testpmd (net_netback) exited cleanly" [ "$TPRC" = 0 ]
