/* SPDX-License-Identifier: BSD-3-Clause */
/* net_netback devargs: defaults, every key, every kind of bad value. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "netback_args.h"

static char err[256];

static int
parse(const char *s, struct netback_args *a)
{
	err[0] = '\0';
	return netback_args_parse(s, a, err, sizeof(err));
}

static void
bad(const char *s, const char *key)
{
	struct netback_args a;

	CHECK_EQ(parse(s, &a), -EINVAL);
	if (strstr(err, key) == NULL) {
		fprintf(stderr, "message for '%s' does not name '%s': %s\n", s, key, err);
		CHECK(0);
	}
}

int
main(void)
{
	struct netback_args a;

	CHECK_EQ(parse("domid=1", &a), 0);
	CHECK_EQ(a.domid, 1);
	CHECK_EQ(a.vif, 0);
	CHECK_EQ(a.queues, 1);
	CHECK_EQ(a.copy, NETBACK_COPY_AUTO);
	CHECK_EQ(a.gref_map_size, NETBACK_DEF_GREF_MAP);
	CHECK_EQ(a.connect_timeout_ms, 0);

	CHECK_EQ(parse("domid=32751,vif=65535,gref_map_size=0,queues=8,copy=grant,"
		       "connect_timeout_ms=600000", &a), 0);
	CHECK_EQ(a.domid, 32751);
	CHECK_EQ(a.vif, 65535);
	CHECK_EQ(a.gref_map_size, 0);
	CHECK_EQ(a.queues, 8);
	CHECK_EQ(a.copy, NETBACK_COPY_GRANT);
	CHECK_EQ(a.connect_timeout_ms, 600000);
	CHECK_EQ(parse("domid=2,copy=auto,gref_map_size=32768", &a), 0);
	CHECK_EQ(a.copy, NETBACK_COPY_AUTO);
	CHECK_EQ(a.gref_map_size, 32768);

	bad(NULL, "domid");
	bad("", "domid");
	bad("vif=1", "domid");
	bad("domid=0", "domid");
	bad("domid=32752", "domid");
	bad("domid=01", "domid");
	bad("domid=1,vif=-1", "vif");
	bad("domid=1,vif=65536", "vif");
	bad("domid=1,vif=x", "vif");
	bad("domid=1,gref_map_size=32769", "gref_map_size");
	bad("domid=1,queues=0", "queues");
	bad("domid=1,queues=9", "queues");
	bad("domid=1,copy=map", "copy");
	bad("domid=1,copy=", "copy");
	bad("domid=1,connect_timeout_ms=600001", "connect_timeout_ms");
	bad("domid=1,domid=2", "domid");
	bad("domid=1,bogus=1", "known keys");
	return check_report("netback_args");
}
