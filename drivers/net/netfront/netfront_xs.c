/* SPDX-License-Identifier: BSD-3-Clause */
/* Finding this domain's vif in xenstore, before any handshake. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netfront.h"
#include "netfront_logs.h"

/* Keys an unbound kernel netfront leaves behind: Linux netback would use them. */
static const char *const stale_keys[] = {
	"tx-ring-ref", "rx-ring-ref", "ctrl-ring-ref", "event-channel*",
	"event-channel-ctrl", "multi-queue-num-queues", "queue-*",
	"xdp-headroom", "feature-*", "request-rx-copy", NULL,
};

static int
kernel_owns_vif(unsigned int vif)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/bus/xen/devices/vif-%u/driver", vif);
	return access(path, F_OK) == 0;
}

int
netfront_xs_discover(struct netfront_adapter *nf, const char *name)
{
	char dom[32];
	unsigned long v;
	int rc;

	nf->xs = xs_open(0);
	if (nf->xs == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot open xenstore (%s): run in a Xen guest, "
			    "or under xensim after 'eval \"$(xensim env DIR DOMID)\"'",
			    name, strerror(errno));
		return -ENODEV;
	}
	/* A relative path is relative to this domain's home, /local/domain/<id>. */
	rc = netif_xs_read_str(nf->xs, NULL, "domid", dom, sizeof(dom));
	if (rc != 0 || netif_parse_uint(dom, 0x7fef, &v) != 0) {
		PMD_DRV_LOG(ERR, "%s: cannot read this domain's id from xenstore key 'domid' (%s)",
			    name, rc ? strerror(-rc) : "not a number");
		return -ENODEV;
	}
	nf->domid = (unsigned int)v;
	snprintf(nf->fe_path, sizeof(nf->fe_path), "/local/domain/%u/device/vif/%u",
		 nf->domid, nf->args.vif);

	rc = netif_xs_read_str(nf->xs, nf->fe_path, "backend", nf->be_path,
			       sizeof(nf->be_path));
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: no vif %u in this domain (%s/backend: %s); "
			    "attach one with 'xl network-attach' (or 'xensim vif add')",
			    name, nf->args.vif, nf->fe_path, strerror(-rc));
		return -ENODEV;
	}
	rc = netif_xs_read_uint(nf->xs, nf->fe_path, "backend-id", 0x7fef, &v);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: bad %s/backend-id (%s)", name, nf->fe_path,
			    strerror(-rc));
		return -ENODEV;
	}
	nf->backend_id = (unsigned int)v;
	rc = netif_xs_read_mac(nf->xs, nf->fe_path, "mac", nf->mac.addr_bytes);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: bad %s/mac (%s)", name, nf->fe_path, strerror(-rc));
		return -ENODEV;
	}
	if (kernel_owns_vif(nf->args.vif)) {
		PMD_DRV_LOG(ERR, "%s: vif-%u is bound to the kernel's xen-netfront; "
			    "release it first: echo vif-%u > /sys/bus/xen/drivers/vif/unbind",
			    name, nf->args.vif, nf->args.vif);
		return -EBUSY;
	}
	rc = netif_xs_rm_matching(nf->xs, nf->fe_path, stale_keys);
	if (rc > 0)
		PMD_DRV_LOG(INFO, "%s: removed %d stale keys from %s", name, rc,
			    nf->fe_path);
	PMD_DRV_LOG(INFO, "%s: domain %u vif %u, backend domain %u at %s, mac "
		    RTE_ETHER_ADDR_PRT_FMT, name, nf->domid, nf->args.vif,
		    nf->backend_id, nf->be_path, RTE_ETHER_ADDR_BYTES(&nf->mac));
	return 0;
}
