# Scenario 3, domU side (sourced by /init): net_netfront in testpmd against
# net_netback in dom0 (s3-dom0.sh). xen-netfront is never loaded: the PMD
# finds vif 0 as libxl left it. Two rounds: staging grants (default devargs),
# then staging=off (plain protocol: the backend grant-copies every slot).
for m in xen-evtchn xen-gntalloc xen-gntdev; do modprobe $m || say "modprobe $m FAILED"; done
xenstore-write data/ack none

s3_round() { # NAME STAGING
	local rn=$1
	tp_start --lcores 0@0,1@0 --no-huge -m 256 --no-pci --no-shconf \
		--log-level=pmd.net.netfront:info \
		-d /usr/local/lib/xenpmd/librte_net_netfront.so --vdev net_netfront,vif=0,staging=$2 \
		-- -i --no-mlockall --total-num-mbufs=2048 --forward-mode=io
	if ! tp_stats; then
		report $rn-connected no
		tp_quit
		return
	fi
	grep -q 'connected to backend domain 0' $TPLOG && report $rn-connected yes || report $rn-connected no
	# frames both ways: a first burst circulates (netback echoes, io here)
	phase $rn-echo
	tp "clear port stats 0"
	tp "start tx_first"
	sleep 5
	tp_stats
	tp stop
	report $rn-echo "$RXP $TXP"
	# guest TX: txonly here, rxonly in dom0
	tp "set fwd txonly"
	phase $rn-gtx
	tp "clear port stats 0"
	t0=$(up)
	tp start
	sleep 10
	tp_stats
	t1=$(up)
	tp stop
	report $rn-gtx "$TXP $(echo "$t1 - $t0" | bc)"
	phase $rn-gtx-done
	# guest RX: txonly in dom0, rxonly here
	tp "set fwd rxonly"
	phase $rn-grx
	tp "clear port stats 0"
	t0=$(up)
	tp start
	sleep 10
	tp_stats
	t1=$(up)
	tp stop
	report $rn-grx "$RXP $(echo "$t1 - $t0" | bc)"
	phase $rn-grx-done
	tp "show port xstats 0"
	tp_stats
	report $rn-staged "$(xstat staging_registered_pages)"
	report $rn-bad "$(awk '/_bad_responses:/ { s += $2 } END { print s + 0 }' $TPLOG)"
	tp_quit
	report $rn-rc "$TPRC"
}
s3_round st auto
s3_round gc off
phase end
