/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Devargs parsing shared by net_netfront and net_netback: a table of keys,
 * each with a handler and the words that say what it accepts, so that every
 * bad value gets the same kind of message naming the key.
 */
#ifndef XENPMD_KVARGS_H
#define XENPMD_KVARGS_H

#include <stddef.h>

#include <rte_kvargs.h>

struct xenpmd_arg {
	const char *key;
	arg_handler_t handler;
	void *opaque;
	const char *accepts; /* e.g. "1-8", "auto, on or off" */
};

/* For xenpmd_arg_uint: a decimal number in [min, max] into *out. */
struct xenpmd_uint {
	unsigned int *out;
	unsigned long min, max;
};
int xenpmd_arg_uint(const char *key, const char *value, void *opaque);

/* For xenpmd_arg_choice: the index of value in names (NULL-terminated) into *out. */
struct xenpmd_choice {
	int *out;
	const char *const *names;
};
int xenpmd_arg_choice(const char *key, const char *value, void *opaque);

/*
 * Parse devargs (NULL or "" leaves everything to the caller's defaults).
 * An unknown key, a key given twice or a value its handler refuses returns
 * -EINVAL with a message in err. *present is set to a bitmask of the
 * table's keys that were given (entry i: bit i), when not NULL.
 */
int xenpmd_kvargs_parse(const char *devargs, const struct xenpmd_arg *args,
			unsigned int nr_args, unsigned int *present, char *err,
			size_t errlen);

#endif
