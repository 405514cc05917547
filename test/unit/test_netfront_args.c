/* SPDX-License-Identifier: BSD-3-Clause */
/* net_netfront devargs: defaults, every key, every kind of bad value. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "netfront_args.h"

static char err[256];

static int
parse(const char *s, struct netfront_args *a)
{
	err[0] = '\0';
	return netfront_args_parse(s, a, err, sizeof(err));
}

static void
bad(const char *s, const char *key)
{
	struct netfront_args a;

	CHECK_EQ(parse(s, &a), -EINVAL);
	if (strstr(err, key) == NULL) {
		fprintf(stderr, "message for '%s' does not name '%s': %s\n", s, key, err);
		CHECK(0);
	}
}

int
main(void)
{
	struct netfront_args a;

	CHECK_EQ(parse(NULL, &a), 0);
	CHECK_EQ(a.vif, 0);
	CHECK_EQ(a.queues, 1);
	CHECK_EQ(a.staging, NETFRONT_STAGING_AUTO);
	CHECK(!a.intr);
	CHECK(a.rx_pool >= NETFRONT_MIN_RX_POOL);
	CHECK_EQ(a.backend_timeout_ms, 1000);
	CHECK_EQ(parse("", &a), 0);

	CHECK_EQ(parse("vif=3,queues=2,staging=off,rx_pool=4096,notify=intr,"
		       "connect_timeout_ms=500", &a), 0);
	CHECK_EQ(a.vif, 3);
	CHECK_EQ(a.queues, 2);
	CHECK_EQ(a.staging, NETFRONT_STAGING_OFF);
	CHECK_EQ(a.rx_pool, 4096);
	CHECK(a.intr);
	CHECK_EQ(a.connect_timeout_ms, 500);
	CHECK_EQ(parse("backend_timeout_ms=0", &a), 0);
	CHECK_EQ(a.backend_timeout_ms, 0);
	CHECK_EQ(parse("staging=on", &a), 0);
	CHECK_EQ(a.staging, NETFRONT_STAGING_ON);

	bad("vif=-1", "vif");
	bad("vif=65536", "vif");
	bad("vif=abc", "vif");
	bad("queues=0", "queues");
	bad("queues=9", "queues");
	bad("staging=yes", "staging");
	bad("rx_pool=10", "rx_pool");
	bad("rx_pool=1000000", "rx_pool");
	bad("notify=irq", "notify");
	bad("connect_timeout_ms=0", "connect_timeout_ms");
	bad("backend_timeout_ms=600001", "backend_timeout_ms");
	bad("vif=1,vif=2", "vif");
	bad("bogus=1", "known keys");
	return check_report("netfront_args");
}
