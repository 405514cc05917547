# Scenario 2, domU side (sourced by /init): the kernel's xen-netfront keeps
# vif 0; dom0 serves it with net_netback in testpmd (s2-dom0.sh). Each phase
# asks dom0 for a forwarding mode, then sends or counts through eth0.
NB_MAC=fe:ff:ff:ff:ff:ff # the netback port's address (as Linux gives its vifs)
for m in xen-evtchn xen-gntalloc xen-gntdev xen-netfront; do modprobe $m || say "modprobe $m FAILED"; done
xenstore-write data/ack none
i=0
until [ "$(xenstore-read device/vif/0/state 2>/dev/null)" = 4 ] && [ -e /sys/class/net/eth0 ] ||
	[ $i -gt 900 ]; do
	i=$((i + 1)); sleep 0.1
done
say "vif-0: frontend state $(xenstore-read device/vif/0/state), backend state $(xenstore-read "$(xenstore-read device/vif/0/backend)/state")"
[ "$(xenstore-read device/vif/0/state)" = 4 ] && report connected yes || report connected no
ip link set eth0 up
ip addr add 10.99.0.2/24 dev eth0
i=0
until [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
report carrier "$(cat /sys/class/net/eth0/carrier 2>/dev/null)"
ip link show eth0

# 1. ping answered by testpmd icmpecho in dom0
phase icmpecho
ping -c 10 -i 0.2 -w 30 10.99.0.1 >/run/ping.out 2>&1
cat /run/ping.out
report ping-rx "$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /run/ping.out)"

# 2. 2000 frames of 60-1514 B come back MAC-swapped and intact
phase macswap
r0=$(vifstat eth0 rx_packets) t0=$(vifstat eth0 tx_packets)
xenlab-pkt echo eth0 $NB_MAC 2000 >/run/echo.out 2>&1
report echo-rc $?
cat /run/echo.out
report echo-eth0 "rx +$(($(vifstat eth0 rx_packets) - r0)) tx +$(($(vifstat eth0 tx_packets) - t0))"

# 3. guest TX: we flood, testpmd rxonly counts
phase rxonly
xenlab-pkt send eth0 $NB_MAC 10 64 >/run/send.out 2>&1
cat /run/send.out
report guest-tx-sent "$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' /run/send.out)"
phase rxonly-done

# 4. guest RX: testpmd txonly floods, eth0 counts
phase txonly
sleep 2
r0=$(vifstat eth0 rx_packets) s0=$(up)
sleep 10
r1=$(vifstat eth0 rx_packets) s1=$(up)
report guest-rx-pkts $((r1 - r0))
report guest-rx-secs "$(echo "$s1 - $s0" | bc)"
phase txonly-done
phase end
