/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Xenbus over libxenstore: typed keys, device states, stale keys.
 *
 * Values a peer writes are untrusted: readers accept only the exact syntax
 * the protocol defines (decimal numbers without sign or trailing bytes,
 * "0"/"1" features, aa:bb:cc:dd:ee:ff MACs, states 0-8) and return -EPROTO
 * for anything else, so the caller can name the key in its error message.
 * Functions return 0 or a negative errno. Keys are read at dir/key, or at
 * key alone when dir is NULL or "" (relative to the domain's home,
 * /local/domain/<own id>).
 */
#ifndef NETIF_XENBUS_H
#define NETIF_XENBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>
#include <xen/io/xenbus.h>

/* Longest value read by these helpers. */
#define NETIF_XS_VALUE_MAX 256

int netif_parse_uint(const char *s, unsigned long max, unsigned long *out);
int netif_parse_mac(const char *s, uint8_t mac[6]);
int netif_xb_parse_state(const char *s, enum xenbus_state *st);
const char *netif_xb_state_name(enum xenbus_state st);

int netif_xs_read_str(struct xs_handle *xs, const char *dir, const char *key,
		      char *buf, size_t size);
int netif_xs_read_uint(struct xs_handle *xs, const char *dir, const char *key,
		       unsigned long max, unsigned long *out);
/* A missing feature key reads as off. */
int netif_xs_read_feature(struct xs_handle *xs, const char *dir,
			  const char *key, bool *on);
int netif_xs_read_mac(struct xs_handle *xs, const char *dir, const char *key,
		      uint8_t mac[6]);
int netif_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		   const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Remove the entries of `dir` whose names match one of the fnmatch(3)
 * patterns (NULL-terminated list), e.g. what an unbound kernel driver left.
 * Returns the number removed.
 */
int netif_xs_rm_matching(struct xs_handle *xs, const char *dir,
			 const char *const *patterns);

/* A missing state node reads as XenbusStateUnknown. */
int netif_xb_read_state(struct xs_handle *xs, const char *dir,
			enum xenbus_state *st);
int netif_xb_set_state(struct xs_handle *xs, const char *dir,
		       enum xenbus_state st);

#define NETIF_XB_STATE_BIT(s) (1u << (s))

/*
 * Wait until <dir>/state holds one of the states in `want` (a mask of
 * NETIF_XB_STATE_BIT), watching the node on a connection of its own so that
 * watches of the caller's connection are left alone. Returns 0 with the
 * state, -ETIMEDOUT (with the last state seen in *st), or -EPROTO when the
 * node holds garbage.
 */
int netif_xb_wait_state(const char *dir, uint32_t want, int timeout_ms,
			enum xenbus_state *st);

#endif
