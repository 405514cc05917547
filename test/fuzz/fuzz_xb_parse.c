/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The xenstore value parsers against values a peer wrote: netif_parse_uint,
 * netif_parse_mac, netif_xb_parse_state (and netif_xb_state_name), each
 * checked both ways against a plain statement of the accepted syntax; then
 * the typed readers netif_xs_read_{str,uint,feature,mac} and
 * netif_xb_read_state over the raw value, embedded NULs and all, from the
 * xs_read() below, which stands in for libxenstore's.
 *
 * Input: u8 choice of the maximum for netif_parse_uint (one of a few
 * interesting ones, or the u64 that follows), u8 bit 0: the key is
 * missing, then the value. The parsers get it up to its first NUL, in a
 * buffer of exactly that length + 1.
 */
#include <errno.h>
#include <limits.h>
#include <strings.h>

#include "fuzz.h"
#include "netif_xenbus.h"

/* What xs_read() returns: the raw value, or ENOENT. */
static const uint8_t *xs_val;
static size_t xs_len;
static bool xs_missing;

/* Overrides libxenstore's for the instrumented lib/netif: same contract
 * (a malloc'd copy, NUL appended, its length without it). */
void *
xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	unsigned int *len)
{
	char *v;

	(void)h;
	(void)t;
	PROMISE(path != NULL && strlen(path) < NETIF_XS_VALUE_MAX);
	if (xs_missing) {
		errno = ENOENT;
		return NULL;
	}
	v = malloc(xs_len + 1);
	if (xs_len)
		memcpy(v, xs_val, xs_len);
	v[xs_len] = '\0';
	*len = (unsigned int)xs_len;
	return v;
}

static const unsigned long maxes[] = {
	0, 1, 8, 9, 10, 99, 100, 255, 65535, 4294967295ul,
	ULONG_MAX / 10, ULONG_MAX / 10 * 10, ULONG_MAX - 1, ULONG_MAX,
};

/* Decimal without sign or leading zeros, fitting 64 bits: *v is its value. */
static bool
canonical_decimal(const char *s, unsigned long *v)
{
	size_t len = strlen(s);
	unsigned long x = 0;

	if (len == 0 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (__builtin_mul_overflow(x, 10ul, &x) ||
		    __builtin_add_overflow(x, (unsigned long)(s[i] - '0'), &x))
			return false;
	}
	*v = x;
	return true;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool
mac_syntax(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !is_hex(s[i]))
			return false;
	return true;
}

static void
check_uint(const char *s, unsigned long max)
{
	unsigned long v = 0, out = 0x5a5a5a5a5a5a5a5aul;
	bool ok = canonical_decimal(s, &v) && v <= max;
	int rc = netif_parse_uint(s, max, &out);
	char again[32];

	PROMISE(rc == 0 || rc == -EPROTO);
	PROMISE((rc == 0) == ok);
	if (rc != 0) {
		PROMISE(out == 0x5a5a5a5a5a5a5a5aul);
		return;
	}
	PROMISE(out <= max);
	PROMISE(out == v);
	snprintf(again, sizeof(again), "%lu", out);
	PROMISE(strcmp(again, s) == 0);
}

static void
check_mac(const char *s)
{
	uint8_t mac[6];
	char again[18];
	int rc;

	memset(mac, 0x5a, sizeof(mac));
	rc = netif_parse_mac(s, mac);
	PROMISE(rc == 0 || rc == -EPROTO);
	PROMISE((rc == 0) == mac_syntax(s));
	if (rc != 0) {
		for (int i = 0; i < 6; i++)
			PROMISE(mac[i] == 0x5a);
		return;
	}
	snprintf(again, sizeof(again), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	PROMISE(strcasecmp(again, s) == 0);
}

static void
check_state(const char *s)
{
	enum xenbus_state st = (enum xenbus_state)77;
	unsigned long v = 0;
	bool ok = canonical_decimal(s, &v) && v <= XenbusStateReconfigured;
	int rc = netif_xb_parse_state(s, &st);
	char again[32];

	PROMISE(rc == 0 || rc == -EPROTO);
	PROMISE((rc == 0) == ok);
	if (rc != 0) {
		PROMISE(st == (enum xenbus_state)77);
		return;
	}
	PROMISE((unsigned long)st == v);
	PROMISE(strcmp(netif_xb_state_name(st), "invalid") != 0);
	snprintf(again, sizeof(again), "%u", (unsigned int)st);
	PROMISE(strcmp(again, s) == 0);
}

/* The readers: only a value without NULs that fits, then as the parsers. */
static void
check_readers(const char *s, unsigned long max)
{
	bool clean = !xs_missing && strlen(s) == xs_len;
	uint8_t mac[6], mac2[6];
	char buf[24];
	unsigned long v = 0;
	enum xenbus_state st;
	bool on = true;
	int rc;

	memset(buf, 0x5a, sizeof(buf));
	rc = netif_xs_read_str(NULL, "backend/vif/1/0", "mac", buf, sizeof(buf));
	if (xs_missing)
		PROMISE(rc == -ENOENT);
	else
		PROMISE((rc == 0) == (clean && xs_len < sizeof(buf)));
	if (rc == 0)
		PROMISE(strcmp(buf, s) == 0);

	rc = netif_xs_read_uint(NULL, "", "rx-ring-ref", max, &v);
	if (xs_missing) {
		PROMISE(rc == -ENOENT);
	} else if (rc == 0) {
		unsigned long w;

		PROMISE(clean);
		PROMISE(netif_parse_uint(s, max, &w) == 0 && w == v);
	} else {
		PROMISE(rc == -EPROTO);
	}

	rc = netif_xs_read_feature(NULL, NULL, "feature-rx-copy", &on);
	if (xs_missing) {
		PROMISE(rc == 0 && !on);
	} else if (rc == 0) {
		PROMISE(clean && (strcmp(s, "0") == 0 || strcmp(s, "1") == 0));
		PROMISE(on == (s[0] == '1'));
	} else {
		PROMISE(rc == -EPROTO);
		PROMISE(!clean || (strcmp(s, "0") != 0 && strcmp(s, "1") != 0));
	}

	rc = netif_xs_read_mac(NULL, "device/vif/0", "mac", mac);
	if (xs_missing)
		PROMISE(rc == -ENOENT);
	else
		PROMISE((rc == 0) == (clean && netif_parse_mac(s, mac2) == 0));

	rc = netif_xb_read_state(NULL, "device/vif/0", &st);
	if (xs_missing) {
		PROMISE(rc == 0 && st == XenbusStateUnknown);
	} else if (rc == 0) {
		enum xenbus_state want;

		PROMISE(clean && netif_xb_parse_state(s, &want) == 0 && want == st);
	} else {
		PROMISE(rc == -EPROTO);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	uint8_t sel = fin_u8(&in);
	unsigned long max;
	size_t len;
	char *s;

	if (sel < sizeof(maxes) / sizeof(maxes[0]))
		max = maxes[sel];
	else
		max = (unsigned long)fin_u64(&in);
	xs_missing = fin_u8(&in) & 1;
	xs_val = in.p;
	xs_len = in.n;
	len = in.n;
	if (memchr(in.p, '\0', len) != NULL)
		len = (size_t)((const uint8_t *)memchr(in.p, '\0', len) - in.p);
	s = malloc(len + 1);
	fin_bytes(&in, s, len);
	s[len] = '\0';

	check_uint(s, max);
	check_mac(s);
	check_state(s);
	check_readers(s, max);
	{
		/* Any state number has a name: "invalid" past the last. */
		unsigned int n = (unsigned int)max;
		const char *name = netif_xb_state_name((enum xenbus_state)n);

		PROMISE(name != NULL);
		PROMISE((strcmp(name, "invalid") == 0) == (n > XenbusStateReconfigured));
	}
	free(s);
	return 0;
}
