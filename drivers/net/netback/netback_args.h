/* SPDX-License-Identifier: BSD-3-Clause */
/* Devargs of net_netback. */
#ifndef NETBACK_ARGS_H
#define NETBACK_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define NETBACK_ARG_DOMID "domid"
#define NETBACK_ARG_VIF "vif"
#define NETBACK_ARG_GREF_MAP_SIZE "gref_map_size"
#define NETBACK_ARG_QUEUES "queues"
#define NETBACK_ARG_COPY "copy"
#define NETBACK_ARG_TIMEOUT "connect_timeout_ms"

#define NETBACK_MAX_QUEUES 8
#define NETBACK_MAX_DOMID 0x7fef         /* DOMID_FIRST_RESERVED - 1 */
#define NETBACK_MAX_GREF_MAP 32768       /* per queue */
#define NETBACK_DEF_GREF_MAP 4096
#define NETBACK_MAX_TIMEOUT_MS 600000

enum netback_copy { NETBACK_COPY_AUTO, NETBACK_COPY_GRANT };

struct netback_args {
	unsigned int domid;          /* the frontend's domain (required) */
	unsigned int vif;            /* its device id */
	unsigned int gref_map_size;  /* staging-table entries per queue */
	unsigned int queues;         /* queue pairs offered */
	enum netback_copy copy;      /* grant: never map, always grant copy */
	unsigned int connect_timeout_ms; /* dev_start waits this long (0: no wait) */
};

/*
 * Parse a devargs string into *a (defaults first). On a bad or missing
 * value, returns -EINVAL and writes into err a message naming the key and
 * what it accepts.
 */
int netback_args_parse(const char *devargs, struct netback_args *a,
		       char *err, size_t errlen);

#endif
