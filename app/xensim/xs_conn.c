/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensimd xenstore: the xenstored wire protocol (xen/io/xs_wire.h) on one
 * unix stream socket per domain, DIR/xs-dom<N>.sock; a connection accepted
 * on domain N's socket acts as domain N. Requests, watches, domain
 * lifecycle. The semantics follow Xen's docs/misc/xenstore.txt.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "xsimd.h"
#include "xs_int.h"

#define XS_PATH_BUF (XENSTORE_ABS_PATH_MAX + 32)

struct xs_dom;

struct xs_watch {
	struct xs_watch *next;
	char *path;	   /* canonical: absolute or @special */
	char *token;
	size_t prefix_len; /* stripped from event paths of a relative watch */
};

struct xs_conn {
	struct xs_conn *next;
	int fd;
	uint32_t domid;
	bool dead;
	/* input */
	struct xsd_sockmsg hdr;
	size_t hdr_used;
	char *payload;
	size_t payload_used;
	/* output */
	char *out;
	size_t out_len, out_off, out_cap;
	uint32_t events; /* epoll events asked for */
	bool holding;    /* processing a request: flush after it is logged */
	unsigned int dropped_events;
	/* state */
	struct xs_watch *watches;
	unsigned int nwatches;
	struct xs_tx *txs;
	unsigned int ntxs;
	uint32_t next_txid;
};

struct xs_dom {
	struct xs_dom *next;
	uint32_t domid;
	int lfd;
	bool introduced;
	char sock[128];
};

static char xs_dir[4096];
static bool trace; /* XENSIM_TRACE set: log every request and event */
static struct xs_dom *doms;
static struct xs_conn *conns;

/* ---------------- output ---------------- */

static void conn_flush(struct xs_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->dead = true;
			break;
		}
		c->out_off += n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->dead)
		return;
	/*
	 * Write when output is pending; stop reading requests from a client
	 * that does not read its replies, until it does.
	 */
	{
		size_t pending = c->out_len - c->out_off;
		uint32_t ev = (pending < XS_OUTQ_STOP ? EPOLLIN : 0) |
			      (pending ? EPOLLOUT : 0);

		if (ev != c->events) {
			c->events = ev;
			xsimd_modify_fd(c->fd, ev);
		}
	}
}

static int conn_queue(struct xs_conn *c, uint32_t type, uint32_t req_id,
		      uint32_t tx_id, const void *a, size_t alen,
		      const void *b, size_t blen)
{
	struct xsd_sockmsg h = {
		.type = type, .req_id = req_id, .tx_id = tx_id,
		.len = alen + blen,
	};
	size_t need = sizeof(h) + alen + blen;

	if (c->dead)
		return EIO;
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		/* Compact before growing. */
		if (c->out_off) {
			memmove(c->out, c->out + c->out_off,
				c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		while (cap < c->out_len + need)
			cap *= 2;
		if (cap != c->out_cap) {
			p = realloc(c->out, cap);
			if (!p)
				return ENOMEM;
			c->out = p;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, &h, sizeof(h));
	memcpy(c->out + c->out_len + sizeof(h), a, alen);
	if (blen)
		memcpy(c->out + c->out_len + sizeof(h) + alen, b, blen);
	c->out_len += need;
	if (!c->holding)
		conn_flush(c);
	return 0;
}

static void send_event(struct xs_conn *c, const char *path, const char *token)
{
	if (c->out_len - c->out_off > XS_OUTQ_MAX) {
		if (!c->dropped_events++)
			xsimd_log("xs: dom%u connection does not read, dropping "
				  "watch events", c->domid);
		return;
	}
	if (trace)
		xsimd_log("xs: dom%u <- event %s %s", c->domid, path, token);
	conn_queue(c, XS_WATCH_EVENT, 0, 0, path, strlen(path) + 1, token,
		   strlen(token) + 1);
}

/* ---------------- paths and permissions ---------------- */

static bool valid_chars(const char *s)
{
	for (; *s; s++) {
		char ch = *s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' ||
		      ch == '_' || ch == '@'))
			return false;
	}
	return true;
}

/* Canonical path of a request argument; 0 or EINVAL. */
static int canon(uint32_t domid, const char *in, bool allow_special,
		 char *out, bool *relative)
{
	size_t len;

	if (relative)
		*relative = false;
	if (!in || !*in || !valid_chars(in))
		return EINVAL;
	if (in[0] == '@') {
		if (!allow_special || strlen(in) >= XS_PATH_BUF)
			return EINVAL;
		strcpy(out, in);
		return 0;
	}
	if (in[0] != '/') {
		if (strlen(in) > XENSTORE_REL_PATH_MAX)
			return EINVAL;
		snprintf(out, XS_PATH_BUF, "/local/domain/%u/%s", domid, in);
		if (relative)
			*relative = true;
	} else {
		if (strlen(in) > XENSTORE_ABS_PATH_MAX)
			return EINVAL;
		strcpy(out, in);
	}
	len = strlen(out);
	if (len > XENSTORE_ABS_PATH_MAX || strstr(out, "//") ||
	    (len > 1 && out[len - 1] == '/'))
		return EINVAL;
	return 0;
}

/* Parent path of an absolute path other than "/" (in place copy). */
static void parent_of(const char *path, char *out)
{
	const char *slash = strrchr(path, '/');

	if (slash == path)
		strcpy(out, "/");
	else {
		memcpy(out, path, slash - path);
		out[slash - path] = 0;
	}
}

static const char *leaf_of(const char *path)
{
	return strrchr(path, '/') + 1;
}

/*
 * The node at path if the domain has the access in need; else NULL with
 * errno ENOENT or EACCES. As xenstored does, an error never tells about a
 * node the caller may not see: it comes from the closest existing parent.
 */
static struct xs_node *get_chk(uint32_t domid, struct xs_tx *tx,
			       const char *path, unsigned int need)
{
	struct xs_node *n, *p = NULL;
	char buf[XS_PATH_BUF];
	int err;

	errno = 0;
	n = db_get(tx, path);
	if (!n && errno == ENOMEM)
		return NULL;
	if (n && (perm_for(domid, n) & need) == need)
		return n;
	err = n ? EACCES : ENOENT;
	if (path[0] == '@' || !strcmp(path, "/")) {
		errno = err;
		return NULL;
	}
	strcpy(buf, path);
	do {
		parent_of(buf, buf);
		p = db_get(tx, buf);
	} while (!p && strcmp(buf, "/"));
	errno = (p && (perm_for(domid, p) & need)) ? err : EACCES;
	return NULL;
}

static bool can_read(uint32_t domid, const char *path)
{
	struct xs_node *n = db_get(NULL, path);

	return n && (perm_for(domid, n) & XS_PERM_READ);
}

/*
 * Permissions a node had before a change (SET_PERMS, or a transaction that
 * removed it), or NULL: whoever could read it then hears of the change.
 */
static const struct xs_node *old_perms;

static bool watch_permitted(uint32_t domid, const char *path)
{
	char parent[XS_PATH_BUF];

	if (domid == 0)
		return true;
	/* A watcher that loses access still hears of the change. */
	if (old_perms && (perm_for(domid, old_perms) & XS_PERM_READ))
		return true;
	if (can_read(domid, path))
		return true;
	if (path[0] != '/' || !strcmp(path, "/"))
		return false;
	parent_of(path, parent);
	return can_read(domid, parent);
}

/* ---------------- watches ---------------- */

static bool is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (!strcmp(parent, "/"))
		return true;
	if (strncmp(child, parent, len))
		return false;
	return child[len] == '/' || child[len] == 0;
}

void xs_fire_watches(const char *path, bool exact)
{
	struct xs_conn *c;
	struct xs_watch *w;

	for (c = conns; c; c = c->next) {
		if (c->dead || !c->watches || !watch_permitted(c->domid, path))
			continue;
		for (w = c->watches; w; w = w->next) {
			if (exact ? !strcmp(path, w->path)
				  : is_child(path, w->path)) {
				const char *ep = path;

				if (w->prefix_len && strlen(path) >= w->prefix_len)
					ep = path + w->prefix_len;
				send_event(c, ep, w->token);
			}
		}
	}
}

static void fire_cb(const char *path, bool exact, const struct xs_node *perms,
		    void *arg)
{
	old_perms = perms;
	xs_fire_watches(path, exact);
	old_perms = NULL;
}

/* A change of node n at path; in a transaction, it fires at commit. */
static void fire(struct xs_tx *tx, const char *path, bool exact,
		 const struct xs_node *n)
{
	if (tx)
		tx_queue_event(tx, path, exact, n);
	else
		xs_fire_watches(path, exact);
}

static void watch_free(struct xs_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

static void conn_drop_state(struct xs_conn *c)
{
	while (c->watches) {
		struct xs_watch *w = c->watches;

		c->watches = w->next;
		watch_free(w);
	}
	c->nwatches = 0;
	while (c->txs) {
		struct xs_tx *tx = c->txs;

		c->txs = tx_list_next(tx);
		tx_free(tx);
	}
	c->ntxs = 0;
}

/* ---------------- tree operations ---------------- */

/*
 * Create path and its missing parents; the new nodes inherit the perms of
 * their parent, and an unprivileged creator owns them. Iterative: a path
 * may have a thousand levels.
 */
static int create_node(uint32_t domid, struct xs_tx *tx, const char *path,
		       const void *data, uint32_t len)
{
	size_t plen = strlen(path), end = plen, next;
	struct xs_node *parent = NULL, *n;
	char *buf = strdup(path);
	int rc = 0;

	if (!buf)
		return ENOMEM;
	/* Up to the closest existing ancestor, buf[0..end) ("" is "/"). */
	while (!parent) {
		char *slash = memrchr(buf, '/', end);
		size_t cut = slash - buf ? (size_t)(slash - buf) : 1;
		char save = buf[cut];

		buf[cut] = 0;
		parent = db_get(tx, buf);
		buf[cut] = save;
		end = slash - buf;
		if (!parent && !end) {
			free(buf);
			return EIO; /* no root */
		}
	}
	/* Nodes a guest owns are limited (counted in the committed store). */
	if (domid) {
		size_t levels = 0, i;

		for (i = end; i < plen; i++)
			levels += buf[i] == '/';
		if (db_count_owned(domid) + levels > XS_QUOTA_NODES) {
			free(buf);
			return ENOSPC;
		}
	}
	/* Down again, one level at a time. */
	while (end < plen) {
		const char *leaf = buf + end + 1;
		char *slash = strchr(leaf, '/');

		next = slash ? (size_t)(slash - buf) : plen;
		if (domid && node_size(parent) + (next - end) >
				     XS_QUOTA_NODE_SIZE) {
			rc = ENOSPC;
			break;
		}
		if (domid && next == plen &&
		    16 + 8 * parent->nperms + len > XS_QUOTA_NODE_SIZE) {
			rc = ENOSPC;
			break;
		}
		buf[next] = 0;
		n = db_create(tx, buf, parent->perms, parent->nperms);
		rc = n ? node_add_child(parent, leaf) : ENOMEM;
		if (slash)
			buf[next] = '/';
		if (rc)
			break;
		if (domid)
			n->perms[0].id = domid;
		db_dirty(tx, parent);
		parent = n;
		end = next;
	}
	if (!rc && len && node_set_data(parent, data, len))
		rc = ENOMEM;
	free(buf);
	return rc;
}

/* Write (or mkdir if data is NULL) as domid; 0 or errno. Fires watches. */
static int do_write_path(uint32_t domid, struct xs_tx *tx, const char *path,
			 const void *data, uint32_t len, bool mkdir)
{
	struct xs_node *n;
	int rc;

	n = get_chk(domid, tx, path, XS_PERM_WRITE);
	if (n) {
		if (mkdir)
			return 0;
		if (domid && 16 + 8 * n->nperms + n->childlen + len >
				     XS_QUOTA_NODE_SIZE)
			return ENOSPC;
		rc = node_set_data(n, data, len);
		if (rc)
			return rc;
		db_dirty(tx, n);
	} else {
		if (errno != ENOENT)
			return errno;
		rc = create_node(domid, tx, path, data, len);
		if (rc)
			return rc;
	}
	fire(tx, path, false, db_get(tx, path));
	return 0;
}

/* Remove a subtree, children first; fires for every removed node. */
static void rm_subtree(struct xs_tx *tx, const char *path, bool top)
{
	struct xs_node *n = db_get(tx, path);
	char *children, *child;
	uint32_t off, len;

	if (!n)
		return;
	/* Fire while the node is still there, so permissions can be seen. */
	fire(tx, path, !top, n);
	len = n->childlen;
	children = len ? malloc(len) : NULL;
	if (len && !children)
		return;
	if (len)
		memcpy(children, n->children, len);
	for (off = 0; off < len; off += strlen(children + off) + 1) {
		if (asprintf(&child, "%s/%s", strcmp(path, "/") ? path : "",
			     children + off) < 0)
			continue;
		rm_subtree(tx, child, false);
		free(child);
	}
	free(children);
	db_delete(tx, path);
}

static int rm_path(uint32_t domid, struct xs_tx *tx, const char *path)
{
	char parent[XS_PATH_BUF];
	struct xs_node *n, *p;

	if (!strcmp(path, "/") || path[0] != '/')
		return EINVAL;
	n = get_chk(domid, tx, path, XS_PERM_WRITE);
	parent_of(path, parent);
	if (!n) {
		if (errno != ENOENT)
			return errno;
		/* Absent is fine if the parent exists. */
		return db_get(tx, parent) ? 0 : ENOENT;
	}
	rm_subtree(tx, path, true);
	p = db_get(tx, parent);
	if (p) {
		node_del_child(p, leaf_of(path));
		db_dirty(tx, p);
	}
	return 0;
}

/* ---------------- domains ---------------- */

static struct xs_dom *dom_find(uint32_t domid)
{
	struct xs_dom *d;

	for (d = doms; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

static bool parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!s || !*s)
		return false;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x > UINT32_MAX)
		return false;
	*v = x;
	return true;
}

/* ---------------- requests ---------------- */

struct req {
	struct xs_conn *c;
	struct xsd_sockmsg *h;
	char *p;
	uint32_t len;
	struct xs_tx *tx;
};

static void reply(struct req *r, uint32_t type, const void *data, size_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX) {
		static const char e2big[] = "E2BIG";

		conn_queue(r->c, XS_ERROR, r->h->req_id, r->h->tx_id, e2big,
			   sizeof(e2big), NULL, 0);
		return;
	}
	conn_queue(r->c, type, r->h->req_id, r->h->tx_id, data, len, NULL, 0);
}

static void reply_ok(struct req *r)
{
	reply(r, r->h->type, "OK", 3);
}

static void reply_error(struct req *r, int err)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			break;
	if (i == sizeof(xsd_errors) / sizeof(xsd_errors[0]))
		i = 0; /* EINVAL */
	conn_queue(r->c, XS_ERROR, r->h->req_id, r->h->tx_id,
		   xsd_errors[i].errstring, strlen(xsd_errors[i].errstring) + 1,
		   NULL, 0);
}

/* Exactly one nul-terminated string. */
static const char *onearg(struct req *r)
{
	if (!r->len || memchr(r->p, 0, r->len) != r->p + r->len - 1)
		return NULL;
	return r->p;
}

/* Split up to max nul-terminated strings; returns how many there are. */
static unsigned int get_strings(struct req *r, const char **v,
				unsigned int max)
{
	uint32_t off = 0;
	unsigned int n = 0;

	while (off < r->len) {
		const char *nul = memchr(r->p + off, 0, r->len - off);

		if (!nul)
			break;
		if (n < max)
			v[n] = r->p + off;
		n++;
		off = nul - r->p + 1;
	}
	return n;
}

static int op_read(struct req *r)
{
	char path[XS_PATH_BUF];
	struct xs_node *n;
	int rc = canon(r->c->domid, onearg(r), false, path, NULL);

	if (rc)
		return rc;
	n = get_chk(r->c->domid, r->tx, path, XS_PERM_READ);
	if (!n)
		return errno;
	reply(r, XS_READ, n->data ? (const void *)n->data : "", n->datalen);
	return 0;
}

static int op_write(struct req *r)
{
	char path[XS_PATH_BUF];
	const char *name = r->len ? memchr(r->p, 0, r->len) : NULL;
	int rc;

	if (!name)
		return EINVAL;
	rc = canon(r->c->domid, r->p, false, path, NULL);
	if (rc)
		return rc;
	rc = do_write_path(r->c->domid, r->tx, path, name + 1,
			   r->len - (name + 1 - r->p), false);
	if (!rc)
		reply_ok(r);
	return rc;
}

static int op_mkdir(struct req *r)
{
	char path[XS_PATH_BUF];
	int rc = canon(r->c->domid, onearg(r), false, path, NULL);

	if (!rc)
		rc = do_write_path(r->c->domid, r->tx, path, NULL, 0, true);
	if (!rc)
		reply_ok(r);
	return rc;
}

static int op_rm(struct req *r)
{
	char path[XS_PATH_BUF];
	int rc = canon(r->c->domid, onearg(r), false, path, NULL);

	if (!rc)
		rc = rm_path(r->c->domid, r->tx, path);
	if (!rc)
		reply_ok(r);
	return rc;
}

static int op_directory(struct req *r)
{
	char path[XS_PATH_BUF];
	struct xs_node *n;
	int rc = canon(r->c->domid, onearg(r), false, path, NULL);

	if (rc)
		return rc;
	n = get_chk(r->c->domid, r->tx, path, XS_PERM_READ);
	if (!n)
		return errno;
	reply(r, XS_DIRECTORY, n->children ? n->children : "", n->childlen);
	return 0;
}

static int op_directory_part(struct req *r)
{
	char path[XS_PATH_BUF], gen[24];
	const char *v[2];
	struct xs_node *n;
	uint32_t off;
	size_t genlen, len = 0, max;
	char *buf;
	bool end;
	int rc;

	if (get_strings(r, v, 2) != 2 || !parse_u32(v[1], &off))
		return EINVAL;
	rc = canon(r->c->domid, v[0], false, path, NULL);
	if (rc)
		return rc;
	n = get_chk(r->c->domid, r->tx, path, XS_PERM_READ);
	if (!n)
		return errno;
	genlen = snprintf(gen, sizeof(gen), "%" PRIu64, n->gen) + 1;
	buf = malloc(XENSTORE_PAYLOAD_MAX);
	if (!buf)
		return ENOMEM;
	memcpy(buf, gen, genlen);
	max = XENSTORE_PAYLOAD_MAX - genlen - 1;
	if (off > n->childlen)
		off = n->childlen;
	/* Whole names only, as many as fit. */
	while (off + len < n->childlen) {
		size_t l = strlen(n->children + off + len) + 1;

		if (len + l > max)
			break;
		len += l;
	}
	memcpy(buf + genlen, n->children + off, len);
	end = off + len == n->childlen;
	if (end)
		buf[genlen + len++] = 0;
	reply(r, XS_DIRECTORY_PART, buf, genlen + len);
	free(buf);
	return 0;
}

static int op_get_perms(struct req *r)
{
	char path[XS_PATH_BUF], *buf;
	struct xs_node *n;
	size_t len = 0;
	uint32_t i;
	int rc = canon(r->c->domid, onearg(r), true, path, NULL);

	if (rc)
		return rc;
	n = get_chk(r->c->domid, r->tx, path, XS_PERM_READ);
	if (!n)
		return errno;
	buf = malloc(n->nperms * 16 + 1);
	if (!buf)
		return ENOMEM;
	for (i = 0; i < n->nperms; i++)
		len += perm_format(&n->perms[i], buf + len, 16) + 1;
	reply(r, XS_GET_PERMS, buf, len);
	free(buf);
	return 0;
}

static int op_set_perms(struct req *r)
{
	char path[XS_PATH_BUF];
	const char *v[64];
	struct xs_perm perms[63];
	struct xs_node *n;
	unsigned int cnt, i;
	int rc;

	cnt = get_strings(r, v, 64);
	if (cnt < 2)
		return EINVAL;
	if (cnt > 64)
		return ENOSPC;
	if (r->c->domid && cnt - 1 > XS_QUOTA_PERMS)
		return ENOSPC;
	for (i = 1; i < cnt; i++)
		if (!perm_parse(v[i], &perms[i - 1]))
			return EINVAL;
	rc = canon(r->c->domid, v[0], true, path, NULL);
	if (rc)
		return rc;
	n = get_chk(r->c->domid, r->tx, path, XS_PERM_WRITE | XS_PERM_OWNER);
	if (!n)
		return errno;
	/* Unprivileged domains may not give a node away. */
	if (r->c->domid && perms[0].id != n->perms[0].id)
		return EPERM;
	{
		struct xs_node old = { .perms = n->perms, .nperms = n->nperms };

		n->perms = NULL;
		rc = node_set_perms(n, perms, cnt - 1);
		if (rc) {
			n->perms = old.perms;
			return rc;
		}
		db_dirty(r->tx, n);
		if (!r->tx)
			old_perms = &old;
		fire(r->tx, path, false, n);
		old_perms = NULL;
		free(old.perms);
	}
	reply_ok(r);
	return 0;
}

static int op_watch(struct req *r)
{
	char path[XS_PATH_BUF];
	const char *v[2];
	struct xs_watch *w;
	bool relative;
	int rc;

	if (get_strings(r, v, 2) < 2)
		return EINVAL;
	rc = canon(r->c->domid, v[0], true, path, &relative);
	if (rc)
		return rc;
	for (w = r->c->watches; w; w = w->next)
		if (!strcmp(w->path, path) && !strcmp(w->token, v[1]))
			return EEXIST;
	if (r->c->domid && r->c->nwatches >= XS_QUOTA_WATCHES)
		return E2BIG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return ENOMEM;
	w->path = strdup(path);
	w->token = strdup(v[1]);
	if (!w->path || !w->token) {
		watch_free(w);
		return ENOMEM;
	}
	w->prefix_len = relative ? strlen(path) - strlen(v[0]) : 0;
	w->next = r->c->watches;
	r->c->watches = w;
	r->c->nwatches++;
	reply_ok(r);
	/* The initial event, with the path as the client gave it. */
	send_event(r->c, v[0], w->token);
	return 0;
}

static int op_unwatch(struct req *r)
{
	char path[XS_PATH_BUF];
	const char *v[2];
	struct xs_watch **pp, *w;
	int rc;

	if (get_strings(r, v, 2) < 2)
		return EINVAL;
	rc = canon(r->c->domid, v[0], true, path, NULL);
	if (rc)
		return rc;
	for (pp = &r->c->watches; (w = *pp); pp = &w->next) {
		if (!strcmp(w->path, path) && !strcmp(w->token, v[1])) {
			*pp = w->next;
			watch_free(w);
			r->c->nwatches--;
			reply_ok(r);
			return 0;
		}
	}
	return ENOENT;
}

static int op_transaction_start(struct req *r)
{
	struct xs_tx *tx, *t;
	char buf[16];
	uint32_t id;
	bool used;

	if (r->tx)
		return EBUSY;
	if (r->c->domid && r->c->ntxs >= XS_QUOTA_TRANSACTIONS)
		return ENOSPC;
	do {
		id = ++r->c->next_txid;
		used = id == 0;
		for (t = r->c->txs; t && !used; t = tx_list_next(t))
			used = tx_id(t) == id;
	} while (used);
	tx = tx_new(id);
	if (!tx)
		return ENOMEM;
	tx_list_set_next(tx, r->c->txs);
	r->c->txs = tx;
	r->c->ntxs++;
	reply(r, XS_TRANSACTION_START, buf,
	      snprintf(buf, sizeof(buf), "%u", id) + 1);
	return 0;
}

static int op_transaction_end(struct req *r)
{
	const char *arg = onearg(r);
	int rc = 0;

	if (!r->tx)
		return ENOENT;
	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return EINVAL;
	/* Unlink it from the connection. */
	{
		struct xs_tx *prev = NULL, *t;

		for (t = r->c->txs; t && t != r->tx; t = tx_list_next(t))
			prev = t;
		if (prev)
			tx_list_set_next(prev, tx_list_next(r->tx));
		else
			r->c->txs = tx_list_next(r->tx);
		r->c->ntxs--;
	}
	if (!strcmp(arg, "T"))
		rc = tx_commit(r->tx, fire_cb, NULL);
	tx_free(r->tx);
	r->tx = NULL;
	if (!rc)
		reply_ok(r);
	return rc;
}

static int op_get_domain_path(struct req *r)
{
	char buf[64];
	uint32_t domid;

	if (!parse_u32(onearg(r), &domid))
		return EINVAL;
	reply(r, XS_GET_DOMAIN_PATH, buf,
	      snprintf(buf, sizeof(buf), "/local/domain/%u", domid) + 1);
	return 0;
}

static int op_introduce(struct req *r)
{
	const char *v[3];
	uint32_t domid;
	struct xs_dom *d;

	if (get_strings(r, v, 3) < 3 || !parse_u32(v[0], &domid) || !domid)
		return EINVAL;
	d = dom_find(domid);
	if (!d)
		return EINVAL;
	if (!d->introduced) {
		d->introduced = true;
		xs_fire_watches("@introduceDomain", false);
	}
	reply_ok(r);
	return 0;
}

static int op_release(struct req *r)
{
	uint32_t domid;
	struct xs_dom *d;

	if (!parse_u32(onearg(r), &domid) || !domid)
		return EINVAL;
	d = dom_find(domid);
	if (!d)
		return ENOENT;
	d->introduced = false;
	xs_fire_watches("@releaseDomain", false);
	reply_ok(r);
	return 0;
}

static int op_is_domain_introduced(struct req *r)
{
	uint32_t domid;
	struct xs_dom *d;

	if (!parse_u32(onearg(r), &domid))
		return EINVAL;
	d = dom_find(domid);
	reply(r, XS_IS_DOMAIN_INTRODUCED, d && d->introduced ? "T" : "F", 2);
	return 0;
}

static int op_resume(struct req *r)
{
	uint32_t domid;

	if (!parse_u32(onearg(r), &domid))
		return EINVAL;
	if (!dom_find(domid))
		return EINVAL;
	reply_ok(r);
	return 0;
}

static int op_reset_watches(struct req *r)
{
	conn_drop_state(r->c);
	r->tx = NULL;
	reply_ok(r);
	return 0;
}

#define F_PRIV 1u  /* dom0 only */
#define F_NOTID 2u /* tx_id ignored */

static const struct {
	int (*fn)(struct req *r);
	unsigned int flags;
} ops[XS_TYPE_COUNT] = {
	[XS_DIRECTORY] = { op_directory, 0 },
	[XS_READ] = { op_read, 0 },
	[XS_GET_PERMS] = { op_get_perms, 0 },
	[XS_WATCH] = { op_watch, F_NOTID },
	[XS_UNWATCH] = { op_unwatch, F_NOTID },
	[XS_TRANSACTION_START] = { op_transaction_start, 0 },
	[XS_TRANSACTION_END] = { op_transaction_end, 0 },
	[XS_INTRODUCE] = { op_introduce, F_PRIV },
	[XS_RELEASE] = { op_release, F_PRIV },
	[XS_GET_DOMAIN_PATH] = { op_get_domain_path, 0 },
	[XS_WRITE] = { op_write, 0 },
	[XS_MKDIR] = { op_mkdir, 0 },
	[XS_RM] = { op_rm, 0 },
	[XS_SET_PERMS] = { op_set_perms, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { op_is_domain_introduced, F_PRIV },
	[XS_RESUME] = { op_resume, F_PRIV },
	[XS_RESET_WATCHES] = { op_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { op_directory_part, 0 },
};

static const char *const op_names[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL", [XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ", [XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH", [XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE", [XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH", [XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR", [XS_RM] = "RM", [XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT", [XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME", [XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

/* One log line per request: its strings (nul shown as a space), result. */
static void trace_request(struct xs_conn *c, int rc)
{
	char args[96];
	size_t i, n = c->hdr.len < sizeof(args) - 1 ? c->hdr.len
						      : sizeof(args) - 1;
	const char *name = c->hdr.type < XS_TYPE_COUNT &&
				   op_names[c->hdr.type]
			   ? op_names[c->hdr.type]
			   : "?";

	for (i = 0; i < n; i++) {
		unsigned char ch = c->payload[i];

		args[i] = !ch ? ' ' : (ch < 0x20 || ch > 0x7e) ? '.' : ch;
	}
	args[n] = 0;
	xsimd_log("xs: dom%u -> %s tx=%u req=%u [%s] %s", c->domid, name,
		  c->hdr.tx_id, c->hdr.req_id, args,
		  rc ? strerrorname_np(rc) ? strerrorname_np(rc) : "error"
		     : "OK");
}

static void process_request(struct xs_conn *c);

static void process(struct xs_conn *c)
{
	c->holding = true;
	process_request(c);
	c->holding = false;
	conn_flush(c);
}

static void process_request(struct xs_conn *c)
{
	struct req r = { .c = c, .h = &c->hdr, .p = c->payload,
			 .len = c->hdr.len };
	uint32_t type = c->hdr.type;
	int rc;

	if (type >= XS_TYPE_COUNT || !ops[type].fn) {
		rc = ENOSYS;
		goto error;
	}
	if ((ops[type].flags & F_PRIV) && c->domid != 0) {
		rc = EACCES;
		goto error;
	}
	if (!(ops[type].flags & F_NOTID) && c->hdr.tx_id) {
		struct xs_tx *t;

		for (t = c->txs; t && tx_id(t) != c->hdr.tx_id;
		     t = tx_list_next(t))
			;
		if (!t) {
			rc = ENOENT;
			goto error;
		}
		r.tx = t;
	}
	rc = ops[type].fn(&r);
	if (trace)
		trace_request(c, rc);
	if (rc)
		reply_error(&r, rc);
	return;
error:
	if (trace)
		trace_request(c, rc);
	reply_error(&r, rc);
}

/* ---------------- connections ---------------- */

static void conn_free(struct xs_conn *c)
{
	struct xs_conn **pp;

	for (pp = &conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	xsimd_unwatch_fd(c->fd);
	close(c->fd);
	conn_drop_state(c);
	free(c->payload);
	free(c->out);
	free(c);
}

/* Close connections marked dead (a write failed, the peer went away). */
static void reap(void)
{
	struct xs_conn *c, *next;

	for (c = conns; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(c);
	}
}

static void conn_read(struct xs_conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->out_len - c->out_off >= XS_OUTQ_STOP)
			return; /* reading resumes when the output drains */

		if (c->hdr_used < sizeof(c->hdr)) {
			n = recv(c->fd, (char *)&c->hdr + c->hdr_used,
				 sizeof(c->hdr) - c->hdr_used, 0);
			if (n <= 0)
				goto eof_or_again;
			c->hdr_used += n;
			if (c->hdr_used < sizeof(c->hdr))
				continue;
			if (c->hdr.len > XENSTORE_PAYLOAD_MAX) {
				xsimd_log("xs: dom%u sent a %u byte payload, "
					  "closing its connection",
					  c->domid, c->hdr.len);
				c->dead = true;
				return;
			}
			c->payload = malloc(c->hdr.len + 1);
			if (!c->payload) {
				c->dead = true;
				return;
			}
			c->payload_used = 0;
		}
		if (c->payload_used < c->hdr.len) {
			n = recv(c->fd, c->payload + c->payload_used,
				 c->hdr.len - c->payload_used, 0);
			if (n <= 0)
				goto eof_or_again;
			c->payload_used += n;
			if (c->payload_used < c->hdr.len)
				continue;
		}
		c->payload[c->hdr.len] = 0;
		process(c);
		free(c->payload);
		c->payload = NULL;
		c->hdr_used = 0;
		if (c->dead)
			return;
		continue;
eof_or_again:
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* Gone, maybe mid-message or mid-transaction. */
		c->dead = true;
		return;
	}
}

static void conn_event(void *arg, uint32_t events)
{
	struct xs_conn *c = arg;

	if (events & EPOLLOUT)
		conn_flush(c);
	if (!c->dead && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		conn_read(c);
	/* A throttled client that hung up: nothing more to read or write. */
	if (!c->dead && (events & (EPOLLHUP | EPOLLERR)) &&
	    !(c->events & EPOLLIN))
		c->dead = true;
	reap();
}

static void dom_accept(void *arg, uint32_t events)
{
	struct xs_dom *d = arg;
	struct xs_conn *c;
	int fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->domid = d->domid;
	c->events = EPOLLIN;
	if (xsimd_watch_fd(fd, EPOLLIN, conn_event, c)) {
		close(fd);
		free(c);
		return;
	}
	c->next = conns;
	conns = c;
}

/* ---------------- public interface ---------------- */

static void make_special(const char *name)
{
	static const struct xs_perm p = { .id = 0, .perm = XS_PERM_NONE };

	db_create(NULL, name, &p, 1);
}

int xs_init(const char *dir)
{
	static const struct xs_perm p = { .id = 0, .perm = XS_PERM_NONE };

	snprintf(xs_dir, sizeof(xs_dir), "%s", dir);
	trace = getenv("XENSIM_TRACE") && *getenv("XENSIM_TRACE") &&
		strcmp(getenv("XENSIM_TRACE"), "0");
	db_init();
	if (!db_create(NULL, "/", &p, 1))
		return -ENOMEM;
	if (do_write_path(0, NULL, "/local/domain", NULL, 0, true) ||
	    do_write_path(0, NULL, "/tool/xenstored", NULL, 0, true))
		return -ENOMEM;
	make_special("@introduceDomain");
	make_special("@releaseDomain");
	return 0;
}

int xs_domain_create(uint32_t domid, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct xs_perm p = { .id = domid, .perm = XS_PERM_NONE };
	char path[64], val[16];
	struct xs_dom *d;
	struct xs_node *n;
	int rc;

	if (dom_find(domid))
		return EEXIST;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->domid = domid;
	if (snprintf(d->sock, sizeof(d->sock), "%s/xs-dom%u.sock", xs_dir,
		     domid) >= (int)sizeof(sa.sun_path)) {
		free(d);
		return ENAMETOOLONG;
	}
	strcpy(sa.sun_path, d->sock);
	unlink(d->sock);
	d->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->lfd < 0 || bind(d->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(d->lfd, 64) ||
	    xsimd_watch_fd(d->lfd, EPOLLIN, dom_accept, d)) {
		rc = errno ? errno : EIO;
		if (d->lfd >= 0)
			close(d->lfd);
		unlink(d->sock);
		free(d);
		return rc;
	}

	/* /local/domain/N, owned by N; its domid and name. */
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	rm_path(0, NULL, path);
	do_write_path(0, NULL, path, NULL, 0, true);
	n = db_get(NULL, path);
	if (n) {
		node_set_perms(n, &p, 1);
		db_dirty(NULL, n);
	}
	snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
	do_write_path(0, NULL, path, val, snprintf(val, sizeof(val), "%u", domid),
		      false);
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	do_write_path(0, NULL, path, name, strlen(name), false);

	d->introduced = true;
	{
		struct xs_dom **pp = &doms;

		while (*pp && (*pp)->domid < domid)
			pp = &(*pp)->next;
		d->next = *pp;
		*pp = d;
	}
	if (domid)
		xs_fire_watches("@introduceDomain", false);
	reap();
	return 0;
}

void xs_domain_destroy(uint32_t domid)
{
	struct xs_dom *d, **pp;
	struct xs_conn *c;
	char path[64];

	for (pp = &doms; *pp && (*pp)->domid != domid; pp = &(*pp)->next)
		;
	d = *pp;
	if (!d)
		return;
	*pp = d->next;
	xsimd_unwatch_fd(d->lfd);
	close(d->lfd);
	unlink(d->sock);
	/* Its connections go away with it, transactions discarded. */
	for (c = conns; c; c = c->next)
		if (c->domid == domid)
			c->dead = true;
	reap();
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	rm_path(0, NULL, path);
	db_forget_domain(domid);
	xs_fire_watches("@releaseDomain", false);
	free(d);
	reap();
}

void xs_status(FILE *out)
{
	struct xs_dom *d;
	struct xs_conn *c;

	for (d = doms; d; d = d->next) {
		unsigned int nc = 0, nw = 0, nt = 0;

		for (c = conns; c; c = c->next) {
			if (c->domid != d->domid || c->dead)
				continue;
			nc++;
			nw += c->nwatches;
			nt += c->ntxs;
		}
		fprintf(out,
			"xs dom=%u conns=%u watches=%u transactions=%u "
			"nodes=%zu introduced=%d\n",
			d->domid, nc, nw, nt, db_count_owned(d->domid),
			d->introduced);
	}
	fprintf(out, "xs nodes=%zu\n", db_count());
}

void xs_fini(void)
{
	while (conns)
		conn_free(conns);
	while (doms) {
		struct xs_dom *d = doms;

		doms = d->next;
		xsimd_unwatch_fd(d->lfd);
		close(d->lfd);
		unlink(d->sock);
		free(d);
	}
	db_fini();
}
