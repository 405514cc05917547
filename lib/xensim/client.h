/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection of a drop-in library handle to xensimd (DIR/hv-dom<N>.sock,
 * found from XENSIM_DIR and XENSIM_DOMID). Internal to lib/xensim.
 */
#ifndef XENSIM_CLIENT_H
#define XENSIM_CLIENT_H

#include <pthread.h>
#include <stdint.h>

#include "hv_proto.h"

#define XSIM_HIDDEN __attribute__((visibility("hidden")))

struct xsim_conn {
	int fd;
	uint32_t domid;
	pthread_mutex_t lock; /* one request at a time */
};

/* Connect as the domain of the environment; 0 or -1 with errno set. */
XSIM_HIDDEN int xsim_connect(struct xsim_conn *c, const char *who);
XSIM_HIDDEN void xsim_disconnect(struct xsim_conn *c);

/*
 * One request and its reply. q->count data words are sent with q, and
 * sendfd if >= 0. The reply goes to p (room for pmax data words), fds to
 * fds (up to nfds, unused ones set to -1). Returns the reply's err
 * (0 or a negative errno), or -EIO if the daemon cannot be reached.
 */
XSIM_HIDDEN int xsim_call(struct xsim_conn *c, struct hv_msg *q, int sendfd,
			  struct hv_msg *p, uint32_t pmax, int *fds, int nfds);

/* One line on stderr: "xensim <who>: <message>". */
XSIM_HIDDEN void xsim_warn(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Allocate a message with room for n data words. */
XSIM_HIDDEN struct hv_msg *xsim_msg(uint32_t op, uint32_t n);

#endif
