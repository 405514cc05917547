/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "netfront_args.h"
#include "netif_xenbus.h"

static const char *const valid_keys[] = {
	NETFRONT_ARG_VIF, NETFRONT_ARG_QUEUES, NETFRONT_ARG_STAGING,
	NETFRONT_ARG_RX_POOL, NETFRONT_ARG_NOTIFY, NETFRONT_ARG_TIMEOUT, NULL,
};

struct uint_arg {
	unsigned int *out;
	unsigned long min, max;
};

static int
parse_uint(const char *key, const char *value, void *opaque)
{
	const struct uint_arg *u = opaque;
	unsigned long v;

	(void)key;
	if (netif_parse_uint(value, u->max, &v) != 0 || v < u->min)
		return -EINVAL;
	*u->out = (unsigned int)v;
	return 0;
}

static int
parse_staging(const char *key, const char *value, void *opaque)
{
	enum netfront_staging *s = opaque;

	(void)key;
	if (strcmp(value, "auto") == 0)
		*s = NETFRONT_STAGING_AUTO;
	else if (strcmp(value, "on") == 0)
		*s = NETFRONT_STAGING_ON;
	else if (strcmp(value, "off") == 0)
		*s = NETFRONT_STAGING_OFF;
	else
		return -EINVAL;
	return 0;
}

static int
parse_notify(const char *key, const char *value, void *opaque)
{
	bool *intr = opaque;

	(void)key;
	if (strcmp(value, "poll") == 0)
		*intr = false;
	else if (strcmp(value, "intr") == 0)
		*intr = true;
	else
		return -EINVAL;
	return 0;
}

int
netfront_args_parse(const char *devargs, struct netfront_args *a, char *err,
		    size_t errlen)
{
	struct uint_arg vif = { &a->vif, 0, 65535 };
	struct uint_arg queues = { &a->queues, 1, NETFRONT_MAX_QUEUES };
	struct uint_arg pool = { &a->rx_pool, NETFRONT_MIN_RX_POOL, NETFRONT_MAX_RX_POOL };
	struct uint_arg tmo = { &a->connect_timeout_ms, 1, 600000 };
	const struct {
		const char *key;
		arg_handler_t fn;
		void *opaque;
		const char *accepts;
	} h[] = {
		{ NETFRONT_ARG_VIF, parse_uint, &vif, "a device id 0-65535" },
		{ NETFRONT_ARG_QUEUES, parse_uint, &queues, "1-" RTE_STR(NETFRONT_MAX_QUEUES) },
		{ NETFRONT_ARG_STAGING, parse_staging, &a->staging, "auto, on or off" },
		{ NETFRONT_ARG_RX_POOL, parse_uint, &pool,
		  RTE_STR(NETFRONT_MIN_RX_POOL) "-" RTE_STR(NETFRONT_MAX_RX_POOL) " mbufs" },
		{ NETFRONT_ARG_NOTIFY, parse_notify, &a->intr, "poll or intr" },
		{ NETFRONT_ARG_TIMEOUT, parse_uint, &tmo, "1-600000 (ms)" },
	};
	struct rte_kvargs *kv;
	int rc = 0;

	*a = (struct netfront_args){
		.vif = 0,
		.queues = 1,
		.staging = NETFRONT_STAGING_AUTO,
		.rx_pool = NETFRONT_DEF_RX_POOL,
		.intr = false,
		.connect_timeout_ms = 10000,
	};
	if (devargs == NULL || devargs[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(devargs, valid_keys);
	if (kv == NULL) {
		snprintf(err, errlen,
			 "cannot parse devargs '%s': known keys are vif, queues, "
			 "staging, rx_pool, notify, connect_timeout_ms", devargs);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]) && rc == 0; i++) {
		unsigned int n = rte_kvargs_count(kv, h[i].key);

		if (n > 1) {
			snprintf(err, errlen, "devarg %s given %u times", h[i].key, n);
			rc = -EINVAL;
		} else if (n == 1 &&
			   rte_kvargs_process(kv, h[i].key, h[i].fn, h[i].opaque) != 0) {
			snprintf(err, errlen, "bad value for devarg %s='%s': expected %s",
				 h[i].key, rte_kvargs_get(kv, h[i].key), h[i].accepts);
			rc = -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	return rc;
}
