/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "netback_args.h"
#include "netif_xenbus.h"

static const char *const netback_valid_keys[] = {
	NETBACK_ARG_DOMID, NETBACK_ARG_VIF, NETBACK_ARG_GREF_MAP_SIZE,
	NETBACK_ARG_QUEUES, NETBACK_ARG_COPY, NETBACK_ARG_TIMEOUT, NULL,
};

struct netback_uint_arg {
	unsigned int *out;
	unsigned long min, max;
};

static int
netback_parse_uint(const char *key, const char *value, void *opaque)
{
	const struct netback_uint_arg *u = opaque;
	unsigned long v;

	(void)key;
	if (netif_parse_uint(value, u->max, &v) != 0 || v < u->min)
		return -EINVAL;
	*u->out = (unsigned int)v;
	return 0;
}

static int
netback_parse_copy(const char *key, const char *value, void *opaque)
{
	enum netback_copy *c = opaque;

	(void)key;
	if (strcmp(value, "auto") == 0)
		*c = NETBACK_COPY_AUTO;
	else if (strcmp(value, "grant") == 0)
		*c = NETBACK_COPY_GRANT;
	else
		return -EINVAL;
	return 0;
}

int
netback_args_parse(const char *devargs, struct netback_args *a, char *err,
		   size_t errlen)
{
	struct netback_uint_arg domid = { &a->domid, 1, NETBACK_MAX_DOMID };
	struct netback_uint_arg vif = { &a->vif, 0, 65535 };
	struct netback_uint_arg gmap = { &a->gref_map_size, 0, NETBACK_MAX_GREF_MAP };
	struct netback_uint_arg queues = { &a->queues, 1, NETBACK_MAX_QUEUES };
	struct netback_uint_arg tmo = { &a->connect_timeout_ms, 0, NETBACK_MAX_TIMEOUT_MS };
	const struct {
		const char *key;
		arg_handler_t fn;
		void *opaque;
		const char *accepts;
	} h[] = {
		{ NETBACK_ARG_DOMID, netback_parse_uint, &domid,
		  "the frontend's domain id, 1-" RTE_STR(NETBACK_MAX_DOMID) },
		{ NETBACK_ARG_VIF, netback_parse_uint, &vif, "a device id 0-65535" },
		{ NETBACK_ARG_GREF_MAP_SIZE, netback_parse_uint, &gmap,
		  "0-" RTE_STR(NETBACK_MAX_GREF_MAP) " entries per queue" },
		{ NETBACK_ARG_QUEUES, netback_parse_uint, &queues,
		  "1-" RTE_STR(NETBACK_MAX_QUEUES) },
		{ NETBACK_ARG_COPY, netback_parse_copy, &a->copy, "auto or grant" },
		{ NETBACK_ARG_TIMEOUT, netback_parse_uint, &tmo,
		  "0-" RTE_STR(NETBACK_MAX_TIMEOUT_MS) " (ms)" },
	};
	struct rte_kvargs *kv;
	int rc = 0;

	*a = (struct netback_args){
		.domid = 0,
		.vif = 0,
		.gref_map_size = NETBACK_DEF_GREF_MAP,
		.queues = 1,
		.copy = NETBACK_COPY_AUTO,
		.connect_timeout_ms = 0,
	};
	kv = devargs == NULL ? NULL : rte_kvargs_parse(devargs, netback_valid_keys);
	if (kv == NULL && devargs != NULL && devargs[0] != '\0') {
		snprintf(err, errlen,
			 "cannot parse devargs '%s': known keys are domid, vif, "
			 "gref_map_size, queues, copy, connect_timeout_ms", devargs);
		return -EINVAL;
	}
	for (size_t i = 0; kv != NULL && i < RTE_DIM(h) && rc == 0; i++) {
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
	if (rc == 0 && (kv == NULL || rte_kvargs_count(kv, NETBACK_ARG_DOMID) == 0)) {
		snprintf(err, errlen, "devarg %s is required: the frontend's domain "
			 "id (e.g. net_netback0,domid=1,vif=0)", NETBACK_ARG_DOMID);
		rc = -EINVAL;
	}
	rte_kvargs_free(kv);
	return rc;
}
