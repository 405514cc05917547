/* SPDX-License-Identifier: BSD-3-Clause */
/* Devargs of net_netfront. */
#ifndef NETFRONT_ARGS_H
#define NETFRONT_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define NETFRONT_ARG_VIF "vif"
#define NETFRONT_ARG_QUEUES "queues"
#define NETFRONT_ARG_STAGING "staging"
#define NETFRONT_ARG_RX_POOL "rx_pool"
#define NETFRONT_ARG_NOTIFY "notify"
#define NETFRONT_ARG_TIMEOUT "connect_timeout_ms"
#define NETFRONT_ARG_BE_TIMEOUT "backend_timeout_ms"

#define NETFRONT_MAX_QUEUES 8
#define NETFRONT_MIN_RX_POOL 320 /* a full RX ring (256) and a refill batch */
#define NETFRONT_DEF_RX_POOL 512 /* with 256 TX staging pages: fits gntalloc's default limit of 1024 */
#define NETFRONT_MAX_RX_POOL 32768 /* a domain's default grant budget */

enum netfront_staging { NETFRONT_STAGING_AUTO, NETFRONT_STAGING_ON, NETFRONT_STAGING_OFF };

struct netfront_args {
	unsigned int vif;
	unsigned int queues;
	enum netfront_staging staging;
	unsigned int rx_pool;   /* mbufs per RX queue */
	bool intr;              /* notify=intr */
	unsigned int connect_timeout_ms;
	unsigned int backend_timeout_ms; /* TX unanswered this long: link down; 0 off */
};

/*
 * Parse a devargs string into *a (defaults first). On a bad value, returns
 * -EINVAL and writes into err a message naming the key and what it accepts.
 */
int netfront_args_parse(const char *devargs, struct netfront_args *a,
			char *err, size_t errlen);

#endif
