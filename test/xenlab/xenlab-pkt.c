/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenlab-pkt: raw Ethernet frames on one interface, for the xenlab dom0.
 *
 *   xenlab-pkt echo IFACE PEER_MAC COUNT
 *       Sends COUNT frames of varied sizes (60..1514 B, ethertype 0x88b5,
 *       a sequence number and a pattern derived from it) to PEER_MAC, at most
 *       WINDOW in flight, and expects each one back with its MAC addresses
 *       swapped (testpmd's macswap mode) and the payload unchanged. Prints
 *       one line of counts; exit 0 only if every frame came back intact.
 *   xenlab-pkt send IFACE PEER_MAC SECONDS SIZE
 *       Sends SIZE-byte frames to PEER_MAC as fast as the socket takes them
 *       for SECONDS; prints the count and the rate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LAB_ETHERTYPE 0x88b5
#define HDR_LEN 14
#define MAGIC "XLAB"
#define WINDOW 16
#define REPLY_TIMEOUT_MS 3000
#define MAX_FRAME 1514

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const unsigned int sizes[] = { 60, 64, 128, 333, 512, 1000, 1514 };

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		mac[i] = b[i];
	}
	return 0;
}

static uint8_t
pattern(uint32_t seq, unsigned int i)
{
	return (uint8_t)(seq * 31u + i * 7u + (i >> 8));
}

static unsigned int
frame_len(uint32_t seq)
{
	return sizes[seq % (sizeof(sizes) / sizeof(sizes[0]))];
}

/* dst, src, ethertype, "XLAB", seq (be32), len (be16), pattern */
static void
build(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t seq, unsigned int len)
{
	uint32_t s = htonl(seq);
	uint16_t l = htons((uint16_t)len), et = htons(LAB_ETHERTYPE);

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	memcpy(f + 12, &et, 2);
	memcpy(f + HDR_LEN, MAGIC, 4);
	memcpy(f + HDR_LEN + 4, &s, 4);
	memcpy(f + HDR_LEN + 8, &l, 2);
	for (unsigned int i = HDR_LEN + 10; i < len; i++)
		f[i] = pattern(seq, i);
}

static int
open_socket(const char *ifname, uint16_t proto, struct sockaddr_ll *sll)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(proto));

	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return -1;
	}
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(proto);
	sll->sll_ifindex = (int)if_nametoindex(ifname);
	if (sll->sll_ifindex == 0) {
		fprintf(stderr, "no interface %s\n", ifname);
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)sll, sizeof(*sll)) < 0) {
		perror("bind");
		close(fd);
		return -1;
	}
	return fd;
}

static void
hexdump(const char *what, const uint8_t *p, ssize_t n)
{
	fprintf(stderr, "%s (%zd bytes):", what, n);
	for (ssize_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
	fprintf(stderr, "\n");
}

static int
do_echo(const char *ifname, const uint8_t peer[6], uint32_t count)
{
	struct sockaddr_ll sll;
	uint8_t *seen = calloc(count, 1);
	uint8_t tx[MAX_FRAME], rx[2048], want[MAX_FRAME];
	uint32_t sent = 0, intact = 0, bad = 0, dup = 0, foreign = 0, lost = 0, silent = 0;
	/*
	 * ETH_P_ALL: on a bridge port, a socket bound to one ethertype never
	 * sees what arrives (the bridge consumes it first); taps see all.
	 */
	int fd = open_socket(ifname, ETH_P_ALL, &sll);
	double t0 = now();

	if (fd < 0 || seen == NULL)
		return 2;
	/* Three batches in a row without any reply: the path is down, stop. */
	while (sent < count && silent < 3) {
		uint32_t batch_start = sent, outstanding = 0, replies = 0;

		while (sent < count && sent - batch_start < WINDOW) {
			unsigned int len = frame_len(sent);

			build(tx, peer, our_mac, sent, len);
			if (send(fd, tx, len, 0) != (ssize_t)len) {
				perror("send");
				return 2;
			}
			sent++;
			outstanding++;
		}
		while (outstanding > 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			ssize_t n;
			uint32_t seq;
			uint16_t l;

			if (poll(&p, 1, REPLY_TIMEOUT_MS) <= 0) {
				lost += outstanding;
				break;
			}
			n = recvfrom(fd, rx, sizeof(rx), 0, (struct sockaddr *)&from, &fl);
			if (n < 0 || from.sll_pkttype == PACKET_OUTGOING)
				continue;
			if (n < HDR_LEN + 10 || rx[12] != (LAB_ETHERTYPE >> 8) ||
			    rx[13] != (LAB_ETHERTYPE & 0xff) || memcmp(rx + HDR_LEN, MAGIC, 4) != 0) {
				/* show the first two: a reply that lost its place shows here */
				if (++foreign <= 2)
					hexdump("echo: frame not ours", rx, n);
				continue;
			}
			memcpy(&seq, rx + HDR_LEN + 4, 4);
			memcpy(&l, rx + HDR_LEN + 8, 2);
			seq = ntohl(seq);
			if (seq < batch_start || seq >= sent) {
				/* late reply of an earlier batch, or garbage */
				if (seq < count && seen[seq])
					dup++;
				else
					bad++;
				continue;
			}
			/* expected: MACs swapped, everything else as sent */
			build(want, our_mac, peer, seq, frame_len(seq));
			if ((size_t)n != frame_len(seq) || ntohs(l) != frame_len(seq) ||
			    memcmp(rx, want, (size_t)n) != 0) {
				bad++;
				if (bad <= 5)
					fprintf(stderr, "echo: frame %u came back altered (%zd bytes, sent %u)\n",
						seq, n, frame_len(seq));
			} else if (seen[seq]) {
				dup++;
			} else {
				seen[seq] = 1;
				intact++;
			}
			outstanding--;
			replies++;
		}
		silent = replies ? 0 : silent + 1;
	}
	lost += count - sent;
	if (silent)
		fprintf(stderr, "echo: no reply to %u batches in a row: gave up\n", silent);
	printf("echo: sent=%u intact=%u altered=%u duplicated=%u lost=%u foreign=%u seconds=%.2f\n",
	       sent, intact, bad, dup, lost, foreign, now() - t0);
	free(seen);
	close(fd);
	return intact == count && bad == 0 && dup == 0 ? 0 : 1;
}

static int
do_send(const char *ifname, const uint8_t peer[6], double seconds, unsigned int size)
{
	struct sockaddr_ll sll;
	uint8_t tx[MAX_FRAME];
	uint64_t n = 0, busy = 0;
	int fd = open_socket(ifname, LAB_ETHERTYPE, &sll);
	double t0, t1;

	if (fd < 0)
		return 2;
	t0 = now();
	t1 = t0;
	while (t1 - t0 < seconds) {
		for (int i = 0; i < 64; i++) {
			build(tx, peer, our_mac, (uint32_t)n, size);
			if (send(fd, tx, size, 0) == (ssize_t)size)
				n++;
			else if (errno == ENOBUFS || errno == EAGAIN)
				busy++;
			else {
				perror("send");
				return 2;
			}
		}
		t1 = now();
	}
	printf("send: packets=%llu size=%u seconds=%.2f pps=%.0f busy=%llu\n",
	       (unsigned long long)n, size, t1 - t0, n / (t1 - t0), (unsigned long long)busy);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t peer[6];

	if (argc == 5 && strcmp(argv[1], "echo") == 0 && parse_mac(argv[3], peer) == 0) {
		long c = strtol(argv[4], NULL, 0);

		if (c > 0 && c <= 10000000)
			return do_echo(argv[2], peer, (uint32_t)c);
	}
	if (argc == 6 && strcmp(argv[1], "send") == 0 && parse_mac(argv[3], peer) == 0) {
		double s = strtod(argv[4], NULL);
		long size = strtol(argv[5], NULL, 0);

		if (s > 0 && size >= 60 && size <= MAX_FRAME)
			return do_send(argv[2], peer, s, (unsigned int)size);
	}
	fprintf(stderr, "usage: xenlab-pkt echo IFACE PEER_MAC COUNT\n"
			"       xenlab-pkt send IFACE PEER_MAC SECONDS SIZE(60-1514)\n");
	return 2;
}
