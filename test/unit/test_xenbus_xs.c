/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenbus helpers against a real xenstored protocol peer (xensim), as
 * domain 0: typed reads of good and garbage values, writes, removal of
 * stale keys, state switching and waiting.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "netif_xenbus.h"

#define DIR "/local/domain/0/test"

static struct xs_handle *xs;

static void
put(const char *key, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DIR "/%s", key);
	CHECK(xs_write(xs, XBT_NULL, path, val, (unsigned int)strlen(val)));
}

static void
test_reads(void)
{
	unsigned long v = 7;
	uint8_t mac[6];
	char buf[8];
	bool on = true;

	CHECK_EQ(netif_xs_write(xs, XBT_NULL, DIR, "num", "%u", 4096u), 0);
	CHECK_EQ(netif_xs_read_uint(xs, DIR, "num", 65535, &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(netif_xs_read_uint(xs, DIR, "num", 4095, &v), -EPROTO);
	put("neg", "-3");
	CHECK_EQ(netif_xs_read_uint(xs, DIR, "neg", 65535, &v), -EPROTO);
	put("empty", "");
	CHECK_EQ(netif_xs_read_uint(xs, DIR, "empty", 65535, &v), -EPROTO);
	CHECK_EQ(netif_xs_read_uint(xs, DIR, "missing", 65535, &v), -ENOENT);
	CHECK_EQ(v, 4096);

	/* A value with an embedded NUL is garbage, not a shorter string. */
	CHECK(xs_write(xs, XBT_NULL, DIR "/nul", "1\0" "2", 3));
	CHECK_EQ(netif_xs_read_uint(xs, DIR, "nul", 65535, &v), -EPROTO);
	put("long", "123456789");
	CHECK_EQ(netif_xs_read_str(xs, DIR, "long", buf, sizeof(buf)), -EPROTO);

	put("feature-a", "1");
	put("feature-b", "0");
	put("feature-c", "yes");
	CHECK_EQ(netif_xs_read_feature(xs, DIR, "feature-a", &on), 0);
	CHECK(on);
	CHECK_EQ(netif_xs_read_feature(xs, DIR, "feature-b", &on), 0);
	CHECK(!on);
	on = true;
	CHECK_EQ(netif_xs_read_feature(xs, DIR, "feature-none", &on), 0);
	CHECK(!on);
	CHECK_EQ(netif_xs_read_feature(xs, DIR, "feature-c", &on), -EPROTO);

	put("mac", "00:16:3e:01:02:03");
	CHECK_EQ(netif_xs_read_mac(xs, DIR, "mac", mac), 0);
	CHECK_EQ(mac[5], 3);
	put("mac", "00:16:3e:01:02");
	CHECK_EQ(netif_xs_read_mac(xs, DIR, "mac", mac), -EPROTO);

	/* Relative keys are under this domain's home. */
	CHECK_EQ(netif_xs_read_uint(xs, NULL, "domid", 0x7fef, &v), 0);
	CHECK_EQ(v, 0);
}

static void
test_rm_matching(void)
{
	static const char *const pats[] = { "feature-*", "event-channel*", "mac", NULL };
	unsigned int n;
	char **ents;

	put("event-channel", "5");
	put("event-channel-tx", "6");
	put("keep-me", "1");
	/* feature-a, -b, -c, event-channel, -tx, mac */
	CHECK_EQ(netif_xs_rm_matching(xs, DIR, pats), 6);
	ents = xs_directory(xs, XBT_NULL, DIR, &n);
	CHECK(ents != NULL);
	for (unsigned int i = 0; ents && i < n; i++)
		CHECK(strncmp(ents[i], "feature-", 8) != 0 &&
		      strncmp(ents[i], "event-channel", 13) != 0);
	free(ents);
	CHECK_EQ(netif_xs_rm_matching(xs, DIR, pats), 0);
	CHECK_EQ(netif_xs_rm_matching(xs, DIR "/nonexistent", pats), 0);
}

static void
test_states(void)
{
	enum xenbus_state st = XenbusStateClosed;
	pid_t child;
	int status;

	CHECK_EQ(netif_xb_read_state(xs, DIR "/dev", &st), 0);
	CHECK_EQ(st, XenbusStateUnknown); /* no node yet */
	CHECK_EQ(netif_xb_set_state(xs, DIR "/dev", XenbusStateInitWait), 0);
	CHECK_EQ(netif_xb_read_state(xs, DIR "/dev", &st), 0);
	CHECK_EQ(st, XenbusStateInitWait);
	/* Already there: returns at once. */
	CHECK_EQ(netif_xb_wait_state(DIR "/dev",
				     NETIF_XB_STATE_BIT(XenbusStateInitWait), 1000, &st), 0);
	/* Never comes: times out with the last state seen. */
	CHECK_EQ(netif_xb_wait_state(DIR "/dev",
				     NETIF_XB_STATE_BIT(XenbusStateConnected), 200, &st),
		 -ETIMEDOUT);
	CHECK_EQ(st, XenbusStateInitWait);

	/* Another process moves it through two states; we wait for the second. */
	child = fork();
	if (child == 0) {
		struct xs_handle *c = xs_open(0);

		usleep(100000);
		netif_xb_set_state(c, DIR "/dev", XenbusStateInitialised);
		usleep(100000);
		netif_xb_set_state(c, DIR "/dev", XenbusStateConnected);
		xs_close(c);
		_exit(0);
	}
	CHECK_EQ(netif_xb_wait_state(DIR "/dev",
				     NETIF_XB_STATE_BIT(XenbusStateConnected), 20000, &st), 0);
	CHECK_EQ(st, XenbusStateConnected);
	waitpid(child, &status, 0);

	put("dev/state", "connected");
	CHECK_EQ(netif_xb_read_state(xs, DIR "/dev", &st), -EPROTO);
	CHECK_EQ(netif_xb_wait_state(DIR "/dev",
				     NETIF_XB_STATE_BIT(XenbusStateConnected), 1000, &st),
		 -EPROTO);
	put("dev/state", "9");
	CHECK_EQ(netif_xb_read_state(xs, DIR "/dev", &st), -EPROTO);
}

int
main(void)
{
	xs = xs_open(0);
	if (xs == NULL) {
		perror("xs_open");
		return 1;
	}
	test_reads();
	test_rm_matching();
	test_states();
	xs_close(xs);
	return check_report("xenbus_xs");
}
