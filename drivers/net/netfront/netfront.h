/* SPDX-License-Identifier: BSD-3-Clause */
/* net_netfront: private state of one port (one vif of this domain). */
#ifndef NETFRONT_H
#define NETFRONT_H

#include <rte_ether.h>

#include "netfront_args.h"
#include "netif_proto.h"
#include "netif_xenbus.h"

#define NETFRONT_PATH_MAX 128

struct netfront_adapter {
	struct netfront_args args;
	struct xs_handle *xs;
	unsigned int domid;                 /* this domain */
	unsigned int backend_id;            /* the backend's domain */
	char fe_path[NETFRONT_PATH_MAX];    /* /local/domain/<domid>/device/vif/<n> */
	char be_path[NETFRONT_PATH_MAX];    /* as the frontend's "backend" key says */
	struct rte_ether_addr mac;
};

int netfront_xs_discover(struct netfront_adapter *nf, const char *name);

#endif
