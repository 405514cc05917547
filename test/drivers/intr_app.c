/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX interrupts of net_netfront (notify=intr) against the echo backend: a
 * hundred times, arm the queue's interrupt, send one numbered packet, sleep
 * in epoll until the echo's notification wakes us, then find that packet.
 *
 *   intr_app EAL-ARGS...   (the port is the first probed: --vdev net_netfront,notify=intr)
 *
 * Exit 0 when every round woke up and got its packet back.
 */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>

#define ROUNDS 100
#define WAIT_MS 10000

static int
send_one(uint16_t port, struct rte_mempool *mp, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	if (m == NULL)
		return -1;
	p = rte_pktmbuf_append(m, 64);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -1;
	}
	memset(p, 0xff, 12);
	memset(p + 12, 0x88, 2);
	memcpy(p + 14, &seq, sizeof(seq));
	if (rte_eth_tx_burst(port, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/* Receive until the packet numbered seq shows up (others are dropped). */
static int
recv_seq(uint16_t port, uint32_t seq)
{
	for (int tries = 0; tries < 1000000; tries++) {
		struct rte_mbuf *m[32];
		uint16_t n = rte_eth_rx_burst(port, 0, m, 32);
		int found = 0;

		for (uint16_t i = 0; i < n; i++) {
			uint32_t got;

			memcpy(&got, rte_pktmbuf_mtod_offset(m[i], char *, 14), sizeof(got));
			found |= got == seq && m[i]->pkt_len == 64;
			rte_pktmbuf_free(m[i]);
		}
		if (found)
			return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf = { .intr_conf.rxq = 1 };
	struct rte_epoll_event ev;
	struct rte_mempool *mp;
	uint16_t port = 0;
	int woke = 0, got = 0;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "intr_app: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("intr_app", 1024, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL || rte_eth_dev_count_avail() < 1 ||
	    rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, 0, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0 ||
	    rte_eth_dev_rx_intr_ctl_q(port, 0, RTE_EPOLL_PER_THREAD,
				      RTE_INTR_EVENT_ADD, NULL) != 0) {
		fprintf(stderr, "intr_app: port setup failed\n");
		return 1;
	}
	for (uint32_t seq = 1; seq <= ROUNDS; seq++) {
		if (rte_eth_dev_rx_intr_enable(port, 0) != 0 ||
		    send_one(port, mp, seq) != 0) {
			fprintf(stderr, "intr_app: round %u: enable or send failed\n", seq);
			break;
		}
		if (rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, WAIT_MS) == 1)
			woke++;
		else
			fprintf(stderr, "intr_app: round %u: no wake-up in %d ms\n", seq, WAIT_MS);
		rte_eth_dev_rx_intr_disable(port, 0);
		if (recv_seq(port, seq) == 0)
			got++;
		else
			fprintf(stderr, "intr_app: round %u: packet not received\n", seq);
	}
	printf("intr_app: %d of %d rounds woke up, %d packets back\n", woke, ROUNDS, got);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return woke == ROUNDS && got == ROUNDS ? 0 : 1;
}
