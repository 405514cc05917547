/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETBACK_LOGS_H
#define NETBACK_LOGS_H

#include <rte_log.h>

extern int netback_logtype;

#define PMD_DRV_LOG(level, fmt, ...)                                         \
	rte_log(RTE_LOG_##level, netback_logtype, "%s(): " fmt "\n",         \
		__func__, ##__VA_ARGS__)

#endif
