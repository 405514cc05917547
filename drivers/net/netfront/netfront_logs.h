/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_LOGS_H
#define NETFRONT_LOGS_H

#include <rte_log.h>

extern int netfront_logtype;

#define PMD_DRV_LOG(level, fmt, ...)                                         \
	rte_log(RTE_LOG_##level, netfront_logtype, "%s(): " fmt "\n",        \
		__func__, ##__VA_ARGS__)

#endif
