/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netif_xenbus.h"

int
netif_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -EPROTO;
	for (; *s; s++) {
		unsigned int d = (unsigned char)*s - '0';

		if (d > 9 || v > max / 10)
			return -EPROTO;
		v *= 10;
		if (d > max - v)
			return -EPROTO;
		v += d;
	}
	*out = v;
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
netif_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EPROTO;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	memcpy(mac, m, 6);
	return 0;
}

int
netif_xb_parse_state(const char *s, enum xenbus_state *st)
{
	unsigned long v;

	if (netif_parse_uint(s, XenbusStateReconfigured, &v) != 0)
		return -EPROTO;
	*st = (enum xenbus_state)v;
	return 0;
}

const char *
netif_xb_state_name(enum xenbus_state st)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	if ((unsigned int)st > XenbusStateReconfigured)
		return "invalid";
	return names[st];
}

/* dir/key, or key alone (relative to the domain's home) when dir is empty. */
static int
join(char *path, size_t size, const char *dir, const char *key)
{
	int n = dir == NULL || dir[0] == '\0' ?
			snprintf(path, size, "%s", key) :
			snprintf(path, size, "%s/%s", dir, key);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int
netif_xs_read_str(struct xs_handle *xs, const char *dir, const char *key,
		  char *buf, size_t size)
{
	char path[NETIF_XS_VALUE_MAX];
	unsigned int len;
	char *v;

	if (join(path, sizeof(path), dir, key) != 0)
		return -ENAMETOOLONG;
	v = xs_read(xs, XBT_NULL, path, &len);
	if (v == NULL)
		return errno ? -errno : -EIO;
	if (len >= size || strlen(v) != len) {
		free(v);
		return -EPROTO;
	}
	memcpy(buf, v, len + 1);
	free(v);
	return 0;
}

int
netif_xs_read_uint(struct xs_handle *xs, const char *dir, const char *key,
		   unsigned long max, unsigned long *out)
{
	char buf[32];
	int rc = netif_xs_read_str(xs, dir, key, buf, sizeof(buf));

	return rc ? rc : netif_parse_uint(buf, max, out);
}

int
netif_xs_read_feature(struct xs_handle *xs, const char *dir, const char *key,
		      bool *on)
{
	unsigned long v;
	int rc = netif_xs_read_uint(xs, dir, key, 1, &v);

	if (rc == -ENOENT) {
		*on = false;
		return 0;
	}
	if (rc == 0)
		*on = v == 1;
	return rc;
}

int
netif_xs_read_mac(struct xs_handle *xs, const char *dir, const char *key,
		  uint8_t mac[6])
{
	char buf[32];
	int rc = netif_xs_read_str(xs, dir, key, buf, sizeof(buf));

	return rc ? rc : netif_parse_mac(buf, mac);
}

int
netif_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	       const char *key, const char *fmt, ...)
{
	char path[NETIF_XS_VALUE_MAX], val[NETIF_XS_VALUE_MAX];
	va_list ap;
	int n;

	if (join(path, sizeof(path), dir, key) != 0)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val))
		return -E2BIG;
	if (!xs_write(xs, t, path, val, (unsigned int)n))
		return errno ? -errno : -EIO;
	return 0;
}

int
netif_xs_rm_matching(struct xs_handle *xs, const char *dir,
		     const char *const *patterns)
{
	char path[NETIF_XS_VALUE_MAX];
	unsigned int n;
	char **ents = xs_directory(xs, XBT_NULL, dir, &n);
	int removed = 0, rc = 0;

	if (ents == NULL)
		return errno == ENOENT ? 0 : -errno;
	for (unsigned int i = 0; i < n && rc == 0; i++) {
		bool match = false;

		for (const char *const *p = patterns; *p && !match; p++)
			match = fnmatch(*p, ents[i], 0) == 0;
		if (!match)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, ents[i]) >=
		    sizeof(path))
			continue;
		if (xs_rm(xs, XBT_NULL, path))
			removed++;
		else if (errno != ENOENT)
			rc = -errno;
	}
	free(ents);
	return rc ? rc : removed;
}

int
netif_xb_read_state(struct xs_handle *xs, const char *dir,
		    enum xenbus_state *st)
{
	char buf[16];
	int rc = netif_xs_read_str(xs, dir, "state", buf, sizeof(buf));

	if (rc == -ENOENT) {
		*st = XenbusStateUnknown;
		return 0;
	}
	return rc ? rc : netif_xb_parse_state(buf, st);
}

int
netif_xb_set_state(struct xs_handle *xs, const char *dir,
		   enum xenbus_state st)
{
	return netif_xs_write(xs, XBT_NULL, dir, "state", "%d", (int)st);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
netif_xb_wait_state(const char *dir, uint32_t want, int timeout_ms,
		    enum xenbus_state *st)
{
	char path[NETIF_XS_VALUE_MAX], token[32];
	int64_t deadline = now_ms() + timeout_ms;
	struct xs_handle *xs;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/state", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	xs = xs_open(0);
	if (xs == NULL)
		return errno ? -errno : -EIO;
	snprintf(token, sizeof(token), "netif-wait-%p", (void *)&token);
	if (!xs_watch(xs, path, token)) {
		rc = errno ? -errno : -EIO;
		goto out;
	}
	*st = XenbusStateUnknown;
	for (;;) {
		struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
		int64_t left;
		char **ev;

		rc = netif_xb_read_state(xs, dir, st);
		if (rc != 0)
			break;
		if (want & NETIF_XB_STATE_BIT(*st))
			break;
		left = deadline - now_ms();
		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		while ((ev = xs_check_watch(xs)) != NULL)
			free(ev);
	}
	xs_unwatch(xs, path, token);
out:
	xs_close(xs);
	return rc;
}
