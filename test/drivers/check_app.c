/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload integrity through net_netfront and a backend that echoes what it
 * receives (net_netback in testpmd io mode, or xb_peer): packets of many
 * sizes, single-segment and chained, up to 9000 bytes, each filled with a
 * pattern derived from its sequence number; every echo is compared byte by
 * byte. After stop and close, every mbuf of the application's pool is back.
 *
 *   check_app EAL-ARGS... -- [--count N] [--zero-copy]
 *
 * --zero-copy sends from a pool made with rte_pmd_netfront_pool_create().
 * Exit 0 when every packet came back intact.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "rte_pmd_netfront.h"

#define SEG_ROOM 2048
static const uint32_t sizes[] = { 60, 64, 65, 127, 128, 511, 1024, 1514, 1518,
				  2047, 2048, 2049, 4000, 4096, 4097, 8191, 9000 };
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static uint8_t
pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

/* A packet of len bytes in segments of at most seg bytes. */
static struct rte_mbuf *
make(struct rte_mempool *mp, uint32_t seq, uint32_t len, uint32_t seg)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n = RTE_MIN(seg, len - off);
		uint8_t *p;

		if (m == NULL || (p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n)) == NULL) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		for (uint32_t i = 0; i < n; i++)
			p[i] = pattern(seq, off + i);
		if (off == 0) {
			memset(p, 0xff, 6);        /* broadcast destination */
			memset(p + 12, 0x88, 2);   /* local experimental ethertype */
			memcpy(p + 14, &seq, 4);
		}
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
		off += n;
	}
	return head;
}

static int
verify(const struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	uint8_t buf[9000];
	const uint8_t *p;
	uint32_t got;

	if (m->pkt_len != len)
		return -1;
	p = rte_pktmbuf_read(m, 0, len, buf);
	memcpy(&got, p + 14, 4);
	if (got != seq)
		return -1;
	for (uint32_t i = 18; i < len; i++)
		if (p[i] != pattern(seq, i))
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf = { .rxmode.mtu = 9000 };
	struct rte_mempool *mp, *send_mp;
	unsigned int count = 2000, ok = 0, bad = 0, lost = 0;
	bool zero_copy = false;
	uint16_t port = 0;
	int n, c;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		return 1;
	argc -= n;
	argv += n;
	while ((c = getopt_long(argc, argv, "", (const struct option[]){
			{ "count", required_argument, NULL, 'c' },
			{ "zero-copy", no_argument, NULL, 'z' }, { 0 } }, NULL)) != -1) {
		if (c == 'c')
			count = (unsigned int)atoi(optarg);
		else if (c == 'z')
			zero_copy = true;
	}
	mp = rte_pktmbuf_pool_create("check", 4096, 0, 0, SEG_ROOM + RTE_PKTMBUF_HEADROOM, 0);
	if (mp == NULL || rte_eth_dev_count_avail() < 1 ||
	    rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, 0, NULL) != 0) {
		fprintf(stderr, "check_app: port setup failed\n");
		return 1;
	}
	send_mp = mp;
	if (zero_copy) {
		send_mp = rte_pmd_netfront_pool_create(port, "check_zc", 1024, 0);
		if (send_mp == NULL) {
			fprintf(stderr, "check_app: rte_pmd_netfront_pool_create failed\n");
			return 1;
		}
	}
	if (rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "check_app: start failed\n");
		return 1;
	}
	for (uint32_t seq = 1; seq <= count; seq++) {
		uint32_t len = sizes[seq % NR_SIZES];
		/* every third packet in small segments, the others as big as fit */
		uint32_t seg = seq % 3 == 0 ? 700 : (zero_copy ? 4096 - RTE_PKTMBUF_HEADROOM : SEG_ROOM);
		struct rte_mbuf *m = make(send_mp, seq, len, seg), *rx[32];
		int found = 0;

		if (m == NULL || (zero_copy && rte_pmd_netfront_mbuf_is_granted(port, m) != 1)) {
			fprintf(stderr, "check_app: packet %u: cannot build it\n", seq);
			return 1;
		}
		while (rte_eth_tx_burst(port, 0, &m, 1) != 1)
			;
		uint64_t t0 = rte_get_timer_cycles(), hz = rte_get_timer_hz();

		while (!found && rte_get_timer_cycles() - t0 < 10 * hz) {
			uint16_t k = rte_eth_rx_burst(port, 0, rx, 32);

			for (uint16_t i = 0; i < k; i++) {
				uint32_t got = 0;

				if (rx[i]->pkt_len >= 18) {
					uint32_t tmp;
					const void *g = rte_pktmbuf_read(rx[i], 14, 4, &tmp);

					memcpy(&got, g, 4);
				}
				if (got == seq) {
					found = 1;
					if (verify(rx[i], seq, len) == 0) {
						ok++;
					} else {
						bad++;
						fprintf(stderr, "check_app: packet %u (%u B) came back "
							"altered\n", seq, len);
					}
				}
				rte_pktmbuf_free(rx[i]);
			}
		}
		if (found && rte_get_timer_cycles() - t0 > hz / 10)
			fprintf(stderr, "check_app: packet %u took %.3f s to come back\n",
				seq, (double)(rte_get_timer_cycles() - t0) / (double)hz);
		if (!found) {
			lost++;
			fprintf(stderr, "check_app: packet %u (%u B) never came back\n",
				seq, len);
		}
	}
	{
		struct rte_eth_stats st;

		if (rte_eth_stats_get(port, &st) == 0 && (lost || bad))
			fprintf(stderr, "check_app: port stats: in %" PRIu64 " out %"
				PRIu64 " ierrors %" PRIu64 " oerrors %" PRIu64 " nombuf %"
				PRIu64 "\n", st.ipackets, st.opackets, st.ierrors,
				st.oerrors, st.rx_nombuf);
	}
	rte_eth_dev_stop(port);
	if (zero_copy && rte_pmd_netfront_pool_free(port, send_mp) != 0) {
		fprintf(stderr, "check_app: pool free failed\n");
		bad++;
	}
	rte_eth_dev_close(port);
	if (rte_mempool_avail_count(mp) != mp->size) {
		fprintf(stderr, "check_app: %u of %u mbufs not back in the pool\n",
			mp->size - rte_mempool_avail_count(mp), mp->size);
		bad++;
	}
	printf("check_app: %u packets intact, %u altered, %u lost (%zu sizes, "
	       "chained and not, %s)\n", ok, bad, lost, NR_SIZES,
	       zero_copy ? "zero copy" : "copied");
	rte_eal_cleanup();
	return ok == count && bad == 0 ? 0 : 1;
}
