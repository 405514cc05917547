/* SPDX-License-Identifier: BSD-3-Clause */
/* Parsing of xenstore values a peer wrote. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "netif_xenbus.h"

static void
test_uint(void)
{
	unsigned long v = 42;

	CHECK_EQ(netif_parse_uint("0", 10, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(netif_parse_uint("4294967295", 0xffffffffUL, &v), 0);
	CHECK_EQ(v, 0xffffffffUL);
	v = 42;
	const char *bad[] = { "", "00", "01", "-1", "+1", " 1", "1 ", "1a",
			      "0x10", "4294967296", "99999999999999999999999" };
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(netif_parse_uint(bad[i], 0xffffffffUL, &v), -EPROTO);
		CHECK_EQ(v, 42);
	}
	CHECK_EQ(netif_parse_uint("1", 1, &v), 0);
	CHECK_EQ(netif_parse_uint("2", 1, &v), -EPROTO);
	CHECK_EQ(netif_parse_uint("5", 1, &v), -EPROTO);
	CHECK_EQ(netif_parse_uint("10", 9, &v), -EPROTO);
	CHECK_EQ(netif_parse_uint("65535", 65535, &v), 0);
	CHECK_EQ(netif_parse_uint("65536", 65535, &v), -EPROTO);
}

static void
test_mac(void)
{
	uint8_t m[6] = { 0 };

	CHECK_EQ(netif_parse_mac("00:16:3e:Ab:cD:ff", m), 0);
	CHECK(m[0] == 0 && m[1] == 0x16 && m[3] == 0xab && m[5] == 0xff);
	const char *bad[] = { "", "00:16:3e:ab:cd", "00:16:3e:ab:cd:ff:",
			      "00-16-3e-ab-cd-ff", "0:16:3e:ab:cd:ff",
			      "00:16:3e:ab:cd:fg", "00:16:3e:ab:cd:f" };
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(netif_parse_mac(bad[i], m), -EPROTO);
	CHECK_EQ(m[5], 0xff);
}

static void
test_state(void)
{
	enum xenbus_state st = XenbusStateClosed;

	CHECK_EQ(netif_xb_parse_state("4", &st), 0);
	CHECK_EQ(st, XenbusStateConnected);
	CHECK_EQ(netif_xb_parse_state("8", &st), 0);
	CHECK_EQ(netif_xb_parse_state("9", &st), -EPROTO);
	CHECK_EQ(netif_xb_parse_state("-1", &st), -EPROTO);
	CHECK_EQ(netif_xb_parse_state("Connected", &st), -EPROTO);
	CHECK_EQ(netif_xb_parse_state("4\n", &st), -EPROTO);
	CHECK_EQ(st, XenbusStateReconfigured);
	CHECK(strcmp(netif_xb_state_name(XenbusStateInitWait), "InitWait") == 0);
	CHECK(strcmp(netif_xb_state_name((enum xenbus_state)9), "invalid") == 0);
}

int
main(void)
{
	test_uint();
	test_mac();
	test_state();
	return check_report("xenbus_parse");
}
