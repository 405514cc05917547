/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "netfront_args.h"
#include "xenpmd_kvargs.h"

int
netfront_args_parse(const char *devargs, struct netfront_args *a, char *err,
		    size_t errlen)
{
	static const char *const staging_names[] = { "auto", "on", "off", NULL };
	static const char *const notify_names[] = { "poll", "intr", NULL };
	int staging = NETFRONT_STAGING_AUTO, notify = 0, rc;
	struct xenpmd_uint vif = { &a->vif, 0, 65535 };
	struct xenpmd_uint queues = { &a->queues, 1, NETFRONT_MAX_QUEUES };
	struct xenpmd_uint pool = { &a->rx_pool, NETFRONT_MIN_RX_POOL, NETFRONT_MAX_RX_POOL };
	struct xenpmd_uint tmo = { &a->connect_timeout_ms, 1, 600000 };
	struct xenpmd_uint be_tmo = { &a->backend_timeout_ms, 0, 600000 };
	struct xenpmd_choice st = { &staging, staging_names };
	struct xenpmd_choice nt = { &notify, notify_names };
	const struct xenpmd_arg args[] = {
		{ NETFRONT_ARG_VIF, xenpmd_arg_uint, &vif, "a device id 0-65535" },
		{ NETFRONT_ARG_QUEUES, xenpmd_arg_uint, &queues, "1-" RTE_STR(NETFRONT_MAX_QUEUES) },
		{ NETFRONT_ARG_STAGING, xenpmd_arg_choice, &st, "auto, on or off" },
		{ NETFRONT_ARG_RX_POOL, xenpmd_arg_uint, &pool,
		  RTE_STR(NETFRONT_MIN_RX_POOL) "-" RTE_STR(NETFRONT_MAX_RX_POOL) " mbufs" },
		{ NETFRONT_ARG_NOTIFY, xenpmd_arg_choice, &nt, "poll or intr" },
		{ NETFRONT_ARG_TIMEOUT, xenpmd_arg_uint, &tmo, "1-600000 (ms)" },
		{ NETFRONT_ARG_BE_TIMEOUT, xenpmd_arg_uint, &be_tmo, "0 (off) or 1-600000 (ms)" },
	};

	*a = (struct netfront_args){
		.vif = 0,
		.queues = 1,
		.rx_pool = NETFRONT_DEF_RX_POOL,
		.connect_timeout_ms = 10000,
		.backend_timeout_ms = 1000,
	};
	rc = xenpmd_kvargs_parse(devargs, args, RTE_DIM(args), NULL, err, errlen);
	a->staging = (enum netfront_staging)staging;
	a->intr = notify == 1;
	return rc;
}
