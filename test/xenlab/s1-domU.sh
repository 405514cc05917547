# Scenario 1, domU side (sourced by /init): net_netfront in Debian's
# dpdk-testpmd takes vif 0 over from the kernel netfront and talks to Linux
# xen-netback in dom0. Each phase runs one testpmd forwarding mode while dom0
# sends or counts (s1-dom0.sh).
for m in xen-evtchn xen-gntalloc xen-gntdev xen-netfront; do modprobe $m || say "modprobe $m FAILED"; done
xenstore-write data/ack none
unbind_kernel_netfront
say "gntalloc limit $(cat /sys/module/xen_gntalloc/parameters/limit); $(grep MemFree /proc/meminfo)"

tp_start --lcores 0@0,1@0 --no-huge -m 256 --no-pci --no-shconf \
	--log-level=pmd.net.netfront:info \
	-d /usr/local/lib/xenpmd/librte_net_netfront.so --vdev net_netfront,vif=0 \
	-- -i --no-mlockall --total-num-mbufs=2048 --forward-mode=icmpecho
if tp_stats; then
	grep -q 'connected to backend domain 0' $TPLOG && report connected yes || report connected no
	grep -q 'backend without staging grants: plain protocol' $TPLOG && report plain yes || report plain no

	# 1. dom0 pings through its bridge; testpmd answers ARP and ICMP echo
	tp start
	phase icmpecho
	tp stop

	# 2. dom0 sends frames of varied sizes; testpmd swaps the MACs and returns them
	tp "set fwd macswap"
	tp start
	phase macswap
	tp stop

	# 3. guest TX figure: testpmd sends 64 B frames, dom0 counts
	tp "set fwd txonly"
	tp "clear port stats 0"
	t0=$(up)
	tp start
	phase txonly
	tp_stats
	t1=$(up)
	tp stop
	report tx-pkts "$TXP"
	report tx-secs "$(echo "$t1 - $t0" | bc)"

	# 4. guest RX figure: dom0 sends 64 B frames, testpmd counts
	tp "set fwd rxonly"
	tp "clear port stats 0"
	t0=$(up)
	tp start
	phase rxonly
	tp_stats
	t1=$(up)
	tp stop
	report rx-pkts "$RXP"
	report rx-secs "$(echo "$t1 - $t0" | bc)"

	tp "show port xstats 0"
	tp_stats
	report bad-responses "$(awk '/_bad_responses:/ { s += $2 } END { print s + 0 }' $TPLOG)"
	report staging-pages "$(awk '/^staging_registered_pages:/ { v = $2 } END { print v + 0 }' $TPLOG)"
else
	report connected no
fi
tp_quit
report testpmd-rc "$TPRC"
report frontend-state "$(xenstore-read device/vif/0/state)"
phase end
