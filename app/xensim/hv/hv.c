/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor part of xensimd: grant tables and event channels.
 * Skeleton: the interface of xsimd.h, not functional yet.
 */
#include <errno.h>
#include <stdio.h>

#include "../xsimd.h"

int hv_init(const char *dir)
{
	(void)dir;
	xsimd_log("hv: not implemented yet");
	return 0;
}

int hv_domain_create(uint32_t domid)
{
	(void)domid;
	return 0;
}

void hv_domain_destroy(uint32_t domid)
{
	(void)domid;
}

void hv_status(FILE *out)
{
	(void)out;
}

void hv_fini(void)
{
}
