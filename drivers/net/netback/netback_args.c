/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "netback_args.h"
#include "xenpmd_kvargs.h"

int
netback_args_parse(const char *devargs, struct netback_args *a, char *err,
		   size_t errlen)
{
	static const char *const copy_names[] = { "auto", "grant", NULL };
	int copy = NETBACK_COPY_AUTO, rc;
	unsigned int present;
	struct xenpmd_uint domid = { &a->domid, 1, NETBACK_MAX_DOMID };
	struct xenpmd_uint vif = { &a->vif, 0, 65535 };
	struct xenpmd_uint gmap = { &a->gref_map_size, 0, NETBACK_MAX_GREF_MAP };
	struct xenpmd_uint queues = { &a->queues, 1, NETBACK_MAX_QUEUES };
	struct xenpmd_uint tmo = { &a->connect_timeout_ms, 0, NETBACK_MAX_TIMEOUT_MS };
	struct xenpmd_choice cp = { &copy, copy_names };
	const struct xenpmd_arg args[] = {
		{ NETBACK_ARG_DOMID, xenpmd_arg_uint, &domid,
		  "the frontend's domain id, 1-" RTE_STR(NETBACK_MAX_DOMID) },
		{ NETBACK_ARG_VIF, xenpmd_arg_uint, &vif, "a device id 0-65535" },
		{ NETBACK_ARG_GREF_MAP_SIZE, xenpmd_arg_uint, &gmap,
		  "0-" RTE_STR(NETBACK_MAX_GREF_MAP) " entries per queue" },
		{ NETBACK_ARG_QUEUES, xenpmd_arg_uint, &queues,
		  "1-" RTE_STR(NETBACK_MAX_QUEUES) },
		{ NETBACK_ARG_COPY, xenpmd_arg_choice, &cp, "auto or grant" },
		{ NETBACK_ARG_TIMEOUT, xenpmd_arg_uint, &tmo,
		  "0-" RTE_STR(NETBACK_MAX_TIMEOUT_MS) " (ms)" },
	};

	*a = (struct netback_args){
		.gref_map_size = NETBACK_DEF_GREF_MAP,
		.queues = 1,
		.copy = NETBACK_COPY_AUTO,
	};
	rc = xenpmd_kvargs_parse(devargs, args, RTE_DIM(args), &present, err, errlen);
	a->copy = (enum netback_copy)copy;
	if (rc == 0 && !(present & 1u)) {
		snprintf(err, errlen, "devarg %s is required: the frontend's domain "
			 "id (e.g. net_netback0,domid=1,vif=0)", NETBACK_ARG_DOMID);
		rc = -EINVAL;
	}
	return rc;
}
