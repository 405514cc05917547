/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netif_xenbus.h"
#include "xenpmd_kvargs.h"

#define XENPMD_MAX_ARGS 16

int
xenpmd_arg_uint(const char *key, const char *value, void *opaque)
{
	const struct xenpmd_uint *u = opaque;
	unsigned long v;

	(void)key;
	if (netif_parse_uint(value, u->max, &v) != 0 || v < u->min)
		return -EINVAL;
	*u->out = (unsigned int)v;
	return 0;
}

int
xenpmd_arg_choice(const char *key, const char *value, void *opaque)
{
	const struct xenpmd_choice *c = opaque;

	(void)key;
	for (int i = 0; c->names[i] != NULL; i++)
		if (strcmp(value, c->names[i]) == 0) {
			*c->out = i;
			return 0;
		}
	return -EINVAL;
}

static void
known_keys(const struct xenpmd_arg *args, unsigned int n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					args[i].key);
}

int
xenpmd_kvargs_parse(const char *devargs, const struct xenpmd_arg *args,
		    unsigned int nr_args, unsigned int *present, char *err,
		    size_t errlen)
{
	const char *keys[XENPMD_MAX_ARGS + 1];
	struct rte_kvargs *kv;
	int rc = 0;

	if (present != NULL)
		*present = 0;
	if (devargs == NULL || devargs[0] == '\0')
		return 0;
	if (nr_args > XENPMD_MAX_ARGS)
		return -EINVAL;
	for (unsigned int i = 0; i < nr_args; i++)
		keys[i] = args[i].key;
	keys[nr_args] = NULL;
	kv = rte_kvargs_parse(devargs, keys);
	if (kv == NULL) {
		char list[256];

		known_keys(args, nr_args, list, sizeof(list));
		snprintf(err, errlen, "cannot parse devargs '%s': known keys are %s",
			 devargs, list);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nr_args && rc == 0; i++) {
		unsigned int n = rte_kvargs_count(kv, args[i].key);

		if (n > 1) {
			snprintf(err, errlen, "devarg %s given %u times", args[i].key, n);
			rc = -EINVAL;
		} else if (n == 1 && rte_kvargs_process(kv, args[i].key, args[i].handler,
							args[i].opaque) != 0) {
			snprintf(err, errlen, "bad value for devarg %s='%s': expected %s",
				 args[i].key, rte_kvargs_get(kv, args[i].key),
				 args[i].accepts);
			rc = -EINVAL;
		} else if (n == 1 && present != NULL) {
			*present |= 1u << i;
		}
	}
	rte_kvargs_free(kv);
	return rc;
}
