# Scenario 1, dom0 side (sourced by /init): Linux xen-netback serves the
# domU's vif; the domU runs net_netfront in dpdk-testpmd (s1-domU.sh).
# Checks: the netfront connects with the plain protocol (Linux netback has no
# staging grants); ping through the bridge is answered (testpmd icmpecho:
# ARP + ICMP); 2000 frames of 60-1514 B come back intact with their MACs
# swapped (macswap); 64 B floods each way arrive (txonly / rxonly), counted on
# vif1.0 and by testpmd. Figures: packets per second each way.
FIG_SECS=10
modprobe xen-netback || fail "modprobe xen-netback"
ip addr add 10.99.0.1/24 dev xenbr0
lab_domu s1 768 || fail "xl create"
VIF=vif$DOMID.0
BE=/local/domain/0/backend/vif/$DOMID/0
# Option xenlab_no_xdp_headroom: dom0 hides the backend's
# feature-xdp-headroom before the PMD reads it (the kernel netfront has
# used it already), so the PMD does not negotiate the headroom.
if grep -q xenlab_no_xdp_headroom /proc/cmdline; then
	i=0
	until [ -n "$(xenstore-read $BE/feature-xdp-headroom 2>/dev/null)" ] || [ $i -gt 100 ]; do
		i=$((i + 1)); sleep 0.1
	done
	xenstore-write $BE/feature-xdp-headroom 0
	say "option xenlab_no_xdp_headroom: $BE/feature-xdp-headroom now 0"
fi

s1_phase() {
	case $1 in
	icmpecho)
		say "$VIF: operstate $(cat /sys/class/net/$VIF/operstate) carrier $(cat /sys/class/net/$VIF/carrier 2>/dev/null)"
		r0=$(vifstat $VIF rx_packets) t0=$(vifstat $VIF tx_packets)
		ping -c 10 -i 0.2 -w 30 10.99.0.2 >/run/ping.out 2>&1
		cat /run/ping.out
		PING_RX=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /run/ping.out)
		PING_VIF="rx +$(($(vifstat $VIF rx_packets) - r0)) tx +$(($(vifstat $VIF tx_packets) - t0))"
		say "ping: ${PING_RX:-0}/10 replies; $VIF $PING_VIF"
		;;
	macswap)
		r0=$(vifstat $VIF rx_packets) t0=$(vifstat $VIF tx_packets)
		xenlab-pkt echo $VIF $DOMU_MAC 2000
		ECHO_RC=$?
		ECHO_RX=$(($(vifstat $VIF rx_packets) - r0)) ECHO_TX=$(($(vifstat $VIF tx_packets) - t0))
		say "echo: rc $ECHO_RC; $VIF rx +$ECHO_RX tx +$ECHO_TX"
		;;
	txonly)
		sleep 2 # let the flood settle
		r0=$(vifstat $VIF rx_packets) d0=$(vifstat $VIF rx_dropped) s0=$(up)
		sleep $FIG_SECS
		r1=$(vifstat $VIF rx_packets) d1=$(vifstat $VIF rx_dropped) s1=$(up)
		GTX_PKTS=$((r1 - r0))
		GTX_PPS=$(echo "$GTX_PKTS / ($s1 - $s0)" | bc)
		say "guest TX: $VIF rx_packets +$GTX_PKTS (rx_dropped +$((d1 - d0))) in $(echo "$s1 - $s0" | bc) s"
		;;
	rxonly)
		t0=$(vifstat $VIF tx_packets) d0=$(vifstat $VIF tx_dropped) s0=$(up)
		xenlab-pkt send $VIF $DOMU_MAC $FIG_SECS 64 | tee /run/send.out
		t1=$(vifstat $VIF tx_packets) d1=$(vifstat $VIF tx_dropped) s1=$(up)
		GRX_PKTS=$((t1 - t0))
		GRX_PPS=$(echo "$GRX_PKTS / ($s1 - $s0)" | bc)
		GRX_SENT=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' /run/send.out)
		say "guest RX: $VIF tx_packets +$GRX_PKTS (tx_dropped +$((d1 - d0))) of ${GRX_SENT:-0} sent in $(echo "$s1 - $s0" | bc) s"
		;;
	esac
}

if [ -n "$DOMID" ]; then
	serve_phases s1_phase 600 || fail "domU did not finish"
	sleep 1
	kill $TAILPID 2>/dev/null
	say "backend: $(xenstore-ls /local/domain/0/backend/vif/$DOMID/0 2>/dev/null | grep -E '^(state|feature-ctrl-ring|hotplug-status)' | tr -d '"' | tr '\n' ' ')"

	check "netfront connected to Linux netback" [ "$(domU_key connected)" = yes ]
	check "plain protocol (staging grants declined by Linux netback)" [ "$(domU_key plain)" = yes ]
	check "ping through the bridge answered by testpmd icmpecho (${PING_RX:-0}/10)" [ "${PING_RX:-0}" -eq 10 ]
	check "2000 frames of 60-1514 B came back intact (macswap)" [ "${ECHO_RC:-1}" = 0 ]
	check "$VIF counted the echo both ways (rx +${ECHO_RX:-0}, tx +${ECHO_TX:-0})" \
		[ "${ECHO_RX:-0}" -ge 2000 -a "${ECHO_TX:-0}" -ge 2000 ]
	check "guest TX flood reached dom0 ($VIF rx +${GTX_PKTS:-0})" [ "${GTX_PKTS:-0}" -gt 1000 ]
	tp_rxp=$(domU_key rx-pkts)
	check "guest RX flood reached testpmd (${tp_rxp:-0} packets)" [ "${tp_rxp:-0}" -gt 1000 ]
	check "no bad response counted by netfront" [ "$(domU_key bad-responses)" = 0 ]
	check "testpmd exited cleanly" [ "$(domU_key testpmd-rc)" = 0 ]

	tp_txp=$(domU_key tx-pkts) tp_txs=$(domU_key tx-secs) tp_rxp=$(domU_key rx-pkts) tp_rxs=$(domU_key rx-secs)
	say "XENLAB FIGURE s1 guest TX 64 B: ${GTX_PPS:-0} pps ($VIF rx_packets over ${FIG_SECS} s); testpmd: $(echo "${tp_txp:-0} / ${tp_txs:-1}" | bc) pps (TX-packets ${tp_txp:-0} in ${tp_txs:-?} s)"
	say "XENLAB FIGURE s1 guest RX 64 B: ${GRX_PPS:-0} pps ($VIF tx_packets over ${FIG_SECS} s); testpmd: $(echo "${tp_rxp:-0} / ${tp_rxs:-1}" | bc) pps (RX-packets ${tp_rxp:-0} in ${tp_rxs:-?} s)"
	say "(QEMU TCG: only ratios between these figures mean anything)"
fi
